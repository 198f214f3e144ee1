"""Score the extractor against gold JSONL sets, with exactly the figures of score_quotes.py.

Matching: a predicted quote matches a gold one when their character ranges have IoU >= 0.5
(one-to-one, greedy by IoU). Direct + partial quotes are the main metric; indirect quotes are
scored apart; a speaker is right when it is the gold canonical name, an alias as written, or
has the same first and last name. Standard library + this package only.
"""

from __future__ import annotations

import hashlib
import json
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.extraction.pipeline import Extractor

Span = tuple[int, int]


def norm(s: str | None) -> str:
    """Case-folded, NFKC, ’ -> ', single spaces (the scorer's normalisation)."""
    s = unicodedata.normalize("NFKC", s or "").casefold()
    return " ".join(s.replace("’", "'").split())


def speaker_ok(pred: str | None, gold: str | None, aliases: Sequence[str]) -> bool:
    """Right when pred is the canonical name, an alias, or the same first and last name."""
    if gold is None:
        return pred in (None, "")
    if not pred:
        return False
    p = norm(pred)
    names = {norm(gold)} | {norm(a) for a in aliases}
    if p in names:
        return True
    pt, gt = p.replace("-", " ").split(), norm(gold).replace("-", " ").split()
    return len(pt) >= 2 and len(gt) >= 2 and pt[0] == gt[0] and pt[-1] == gt[-1]


def iou(a: Span, b: Span) -> float:
    """Intersection over union of two character ranges."""
    inter = max(0, min(a[1], b[1]) - max(a[0], b[0]))
    union = max(a[1], b[1]) - min(a[0], b[0])
    return inter / union if union else 0.0


def match(golds: Sequence[dict[str, Any]], preds: Sequence[dict[str, Any]]) -> list[Span]:
    """Greedy one-to-one matching by IoU >= 0.5, as (gold index, prediction index)."""
    pairs = []
    for gi, g in enumerate(golds):
        for pi, p in enumerate(preds):
            v = iou((g["start"], g["end"]), (p["start"], p["end"]))
            if v >= 0.5:
                pairs.append((v, gi, pi))
    pairs.sort(reverse=True)
    used_g: set[int] = set()
    used_p: set[int] = set()
    out: list[Span] = []
    for _, gi, pi in pairs:
        if gi in used_g or pi in used_p:
            continue
        used_g.add(gi)
        used_p.add(pi)
        out.append((gi, pi))
    return out


@dataclass(slots=True)
class Counts:
    """The scorer's running totals."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    attr_ok: int = 0
    itp: int = 0
    ifn: int = 0
    ifp: int = 0
    iattr: int = 0
    scare: int = 0
    scare_taken: int = 0

    def add(self, other: Counts) -> None:
        """Add another file's or article's counts."""
        for name in self.__slots__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self) -> dict[str, float]:
        """Precision, recall, F1, attribution accuracy, end-to-end F1, indirect figures."""
        tp, fp, fn = self.tp, self.fp, self.fn
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        acc = self.attr_ok / tp if tp else 0.0
        pe = self.attr_ok / (tp + fp) if tp + fp else 0.0
        re_ = self.attr_ok / (tp + fn) if tp + fn else 0.0
        e2e = 2 * pe * re_ / (pe + re_) if pe + re_ else 0.0
        ir = self.itp / (self.itp + self.ifn) if self.itp + self.ifn else 0.0
        ip = self.itp / (self.itp + self.ifp) if self.itp + self.ifp else 0.0
        ia = self.iattr / self.itp if self.itp else 0.0
        return {"quote_p": p, "quote_r": r, "quote_f1": f1, "attr_acc": acc, "e2e_f1": e2e,
                "indirect_p": ip, "indirect_r": ir, "indirect_attr": ia}

    def line(self) -> str:
        """The scorer's final line."""
        f = self.figures()
        return (
            f"quote_p={f['quote_p']:.3f} quote_r={f['quote_r']:.3f} "
            f"quote_f1={f['quote_f1']:.3f} attr_acc={f['attr_acc']:.3f} "
            f"e2e_f1={f['e2e_f1']:.3f} indirect_p={f['indirect_p']:.3f} "
            f"indirect_r={f['indirect_r']:.3f} indirect_attr={f['indirect_attr']:.3f} "
            f"scare_quotes_taken={self.scare_taken}/{self.scare}"
        )


@dataclass(slots=True)
class ArticleResult:
    """One gold article: its row in the table and every error."""

    id: str
    gold: int
    pred: int
    tp: int
    speaker_ok: int
    errors: list[str] = field(default_factory=list)
    #: (speaker_confidence, right) of every matched quote given a named speaker.
    calibration: list[tuple[float, bool]] = field(default_factory=list)
    #: This article's own share of the totals (what a resample of documents adds up).
    counts: Counts = field(default_factory=Counts)


@dataclass(slots=True)
class FileReport:
    """The articles of one gold file and their totals."""

    path: str
    articles: list[ArticleResult] = field(default_factory=list)
    counts: Counts = field(default_factory=Counts)


@dataclass(slots=True)
class EvalReport:
    """All files and the grand total."""

    files: list[FileReport] = field(default_factory=list)
    total: Counts = field(default_factory=Counts)


def score_article(art: dict[str, Any], out: dict[str, Any]) -> tuple[Counts, ArticleResult]:
    """Score one article's predictions (the `citat extract` JSON) against its gold."""
    text: str = art["text"]
    aliases: dict[str, list[str]] = art.get("speakers", {})
    quotes = out.get("quotes", [])
    preds = [p for p in quotes if p.get("type", "direct") != "indirect"]
    preds_ind = [p for p in quotes if p.get("type") == "indirect"]
    gold = [g for g in art["quotes"] if g["type"] != "indirect"]
    gold_ind = [g for g in art["quotes"] if g["type"] == "indirect"]
    c = Counts()
    m = match(gold, preds)
    ok = [
        speaker_ok(preds[pi].get("speaker"), gold[gi]["speaker"],
                   aliases.get(gold[gi]["speaker"] or "", []))
        for gi, pi in m
    ]
    c.tp, c.fp, c.fn, c.attr_ok = len(m), len(preds) - len(m), len(gold) - len(m), sum(ok)
    mi = match(gold_ind, preds_ind)
    c.itp, c.ifn, c.ifp = len(mi), len(gold_ind) - len(mi), len(preds_ind) - len(mi)
    c.iattr = sum(
        speaker_ok(preds_ind[pi].get("speaker"), gold_ind[gi]["speaker"],
                   aliases.get(gold_ind[gi]["speaker"] or "", []))
        for gi, pi in mi
    )
    scares = art.get("not_quotes", [])
    c.scare = len(scares)
    c.scare_taken = sum(
        any(iou((s["start"], s["end"]), (p["start"], p["end"])) >= 0.5 for p in preds)
        for s in scares
    )
    res = ArticleResult(art["id"], len(gold), len(preds), len(m), sum(ok), counts=c)
    for golds, predicted, pairs in ((gold, preds, m), (gold_ind, preds_ind, mi)):
        for gi, pi in pairs:
            p, g = predicted[pi], golds[gi]
            if p.get("speaker"):
                right = speaker_ok(p["speaker"], g["speaker"], aliases.get(g["speaker"] or "", []))
                res.calibration.append((float(p.get("speaker_confidence", 0.0)), right))
    aid = art["id"]
    for (gi, pi), good in zip(m, ok, strict=True):
        if not good:
            g, p = gold[gi], preds[pi]
            res.errors.append(f"  {aid} WRONG SPEAKER {p.get('speaker')!r} "
                              f"(gold {g['speaker']!r}): {g['quote'][:60]!r}")
    matched_g = {gi for gi, _ in m}
    matched_p = {pi for _, pi in m}
    for gi, g in enumerate(gold):
        if gi not in matched_g:
            res.errors.append(f"  {aid} MISSED ({g['speaker']}): {g['quote'][:70]!r}")
    for pi, p in enumerate(preds):
        if pi not in matched_p:
            res.errors.append(f"  {aid} EXTRA ({p.get('speaker')}): "
                              f"{text[p['start']:p['end']][:70]!r}")
    return c, res


SPLITS = ("dev", "test")
#: Parts of a corpus's dev split: "tune" (about two thirds, where errors may be studied) and
#: "check" (the rest, looked at only as totals, to see whether a change made on "tune"
#: generalises before the test split is run), fixed by each document's id; and "calib",
#: documents the corpus marks as added for calibration (a record's own ``"part"``): no rule was
#: written against them and their errors are never listed, so the chooser's confidence can be
#: fitted and checked on text that rules were not tuned on.
PARTS = ("tune", "check", "calib")


def dev_part(doc_id: str) -> str:
    """The part of the dev split a corpus document belongs to, forever (a hash of its id)."""
    digest = hashlib.sha1(doc_id.encode("utf-8"), usedforsecurity=False).digest()
    return "check" if digest[0] % 3 == 0 else "tune"


def part_of(record: dict[str, object]) -> str:
    """The part of the dev split a gold record belongs to: its own ``"part"`` when the corpus
    gives one ("calib"), else the part its id hashes to (``dev_part``)."""
    own = record.get("part")
    return own if isinstance(own, str) and own in PARTS else dev_part(str(record["id"]))


def gold_files(paths: Sequence[Path], split: str | None = None) -> list[Path]:
    """The gold files named: a file as given, a corpus folder as its ``<lang>/<split>.jsonl``
    files (language by language, dev before test), only ``split`` when one is named."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"split must be one of {', '.join(SPLITS)}, not {split!r}")
    out: list[Path] = []
    for path in paths:
        if not path.is_dir():
            out.append(path)
            continue
        found = [
            f
            for lang in sorted(p for p in path.iterdir() if p.is_dir())
            for s in SPLITS
            if (split is None or s == split) and (f := lang / f"{s}.jsonl").is_file()
        ]
        if not found:
            raise ValueError(f"{path} holds no <lang>/<split>.jsonl gold files")
        out.extend(found)
    return out


def evaluate_files(
    paths: list[Path], extractor: Extractor, part: str | None = None
) -> EvalReport:
    """Run the extractor on every gold article of the files and score it; with ``part``, only
    the documents of that part of the dev split (by id)."""
    if part is not None and part not in PARTS:
        raise ValueError(f"part must be one of {', '.join(PARTS)}, not {part!r}")
    report = EvalReport()
    for path in paths:
        fr = FileReport(str(path))
        arts = [
            json.loads(line)
            for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        if part is not None:
            arts = [a for a in arts if part_of(a) == part]
        outputs = extractor.extract_many([a["text"] for a in arts])
        for art, extraction in zip(arts, outputs, strict=True):
            counts, res = score_article(art, extraction.as_dict())
            fr.counts.add(counts)
            fr.articles.append(res)
        report.total.add(fr.counts)
        report.files.append(fr)
    return report


#: The confidence from which an attribution counts as sure (issue: >= 95 % right there).
SURE = 0.9


@dataclass(slots=True)
class Calibration:
    """How well speaker confidences match how often the speaker is right."""

    n: int
    ece: float
    sure: int  # attributions with confidence >= SURE
    sure_right: float  # the share of those that are right
    table: list[dict[str, float]]

    def line(self) -> str:
        """One line: ECE and the sure attributions' accuracy."""
        return (f"calibration: n={self.n} ece={self.ece:.3f} "
                f"right_at_conf>={SURE}={self.sure_right:.3f} (n={self.sure})")


def reliability(pairs: Sequence[tuple[float, bool]], bins: int = 10) -> Calibration:
    """Expected calibration error over equal-width confidence bins, and the table."""
    table: list[dict[str, float]] = []
    ece = 0.0
    n = len(pairs)
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        inside = [(q, y) for q, y in pairs if lo <= q < hi or (b == bins - 1 and q >= 1.0)]
        if not inside:
            continue
        conf = sum(q for q, _ in inside) / len(inside)
        acc = sum(y for _, y in inside) / len(inside)
        ece += len(inside) / n * abs(conf - acc)
        table.append({"from": lo, "to": hi, "n": len(inside), "confidence": round(conf, 3),
                      "right": round(acc, 3)})
    sure = [y for q, y in pairs if q >= SURE]
    return Calibration(n, ece, len(sure), sum(sure) / len(sure) if sure else 0.0, table)


#: The figures a resample of documents gives an interval for.
INTERVAL_FIGURES = ("quote_f1", "e2e_f1", "indirect_p", "indirect_r")


def bootstrap(articles: Sequence[ArticleResult], resamples: int = 1000, seed: int = 0,
              level: float = 0.95) -> dict[str, tuple[float, float]]:
    """Percentile intervals of the main figures when the documents are drawn again with
    replacement (``resamples`` times, a fixed seed): how much a figure would move on another
    sample of documents like these. Quotes of one document are not independent (one wrong
    speaker is often wrong for the whole article), so documents, not quotes, are resampled."""
    if not articles or resamples < 1:
        return {}
    rng = random.Random(seed)  # noqa: S311 (a reproducible resample, not a secret)
    k = len(articles)
    draws: dict[str, list[float]] = {name: [] for name in INTERVAL_FIGURES}
    for _ in range(resamples):
        total = Counts()
        for _ in range(k):
            total.add(articles[rng.randrange(k)].counts)
        figures = total.figures()
        for name in INTERVAL_FIGURES:
            draws[name].append(figures[name])
    lo_at = int((1 - level) / 2 * (resamples - 1) + 0.5)
    hi_at = int((1 + level) / 2 * (resamples - 1) + 0.5)
    out: dict[str, tuple[float, float]] = {}
    for name, values in draws.items():
        values.sort()
        out[name] = (values[lo_at], values[hi_at])
    return out


def format_interval(articles: Sequence[ArticleResult], resamples: int) -> str:
    """One line: the 95 % intervals of :func:`bootstrap` over these articles."""
    found = bootstrap(articles, resamples)
    parts = " ".join(f"{name}={lo:.3f}-{hi:.3f}" for name, (lo, hi) in found.items())
    return f"95% interval ({resamples} resamples of {len(articles)} documents): {parts}"


def format_calibration(cal: Calibration) -> list[str]:
    """The reliability table as text lines."""
    lines = [cal.line(), "  confidence   n    mean   right"]
    for row in cal.table:
        lines.append(f"  {row['from']:.1f}-{row['to']:.1f}  {int(row['n']):5d}  "
                     f"{row['confidence']:.3f}  {row['right']:.3f}")
    return lines


def format_report(report: EvalReport, verbose: bool = False, calibration: bool = False,
                  resamples: int = 0) -> str:
    """The per-article table, each file's line and the total line (errors with verbose;
    the reliability of speaker confidences with calibration; with ``resamples``, the 95 %
    interval of the main figures over resampled documents)."""
    lines: list[str] = []
    every: list[tuple[float, bool]] = []
    for fr in report.files:
        lines.append(f"== {fr.path}")
        if verbose:
            for a in fr.articles:
                lines.extend(a.errors)
        for a in fr.articles:
            lines.append(f"{a.id:<28s} gold={a.gold:3d} pred={a.pred:3d} tp={a.tp:3d} "
                         f"speaker_ok={a.speaker_ok:3d}")
        lines.append(fr.counts.line())
        if resamples and fr.articles:
            lines.append(format_interval(fr.articles, resamples))
        pairs = [pair for a in fr.articles for pair in a.calibration]
        every.extend(pairs)
        if calibration and pairs:
            lines.extend(format_calibration(reliability(pairs)))
    if len(report.files) > 1:
        lines.append("== total")
        lines.append(report.total.line())
        if resamples:
            lines.append(format_interval([a for fr in report.files for a in fr.articles],
                                         resamples))
        if calibration and every:
            lines.extend(format_calibration(reliability(every)))
    return "\n".join(lines)
