"""Train the speaker chooser (app/extraction/resolve/chooser.py) on the open gold corpus.

``citat train-attribution`` runs the extractor over the corpus's **dev** split only, records
each quote's candidates (the rules' speaker, the people near the quote, "nobody"), labels
them from the gold speakers with the scorer's own rule (``evaluation.speaker_ok``), fits a
scikit-learn logistic regression on the (quote, candidate) pairs, then a second one that maps
the best score and its margin to the probability that the choice is right. Both are fitted
and checked on held-out documents (grouped cross-validation), so the reported accuracy and
calibration error are out-of-sample. The result is ``chooser.json``: weights, vocabularies and
figures, no text. Deterministic: the same corpus gives the same file.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.evaluation import PARTS, gold_files, iou, part_of, reliability, speaker_ok
from app.extraction.resolve.chooser import (
    CALIBRATION_EXTRA,
    MODEL_FILE,
    NOBODY,
    RULE_SCALE,
    STAGE_KINDS,
    ArticleFeatures,
    ChooserModel,
    _word_after,
    _word_before,
    feature_names,
    logit,
    name_form,
    name_head,
    quote_choices,
    stage_kinds,
)

#: Context words seen at least this often become one-hot features.
MIN_WORD_COUNT = 4
MAX_WORDS = 60
FOLDS = 5
C_GRID = (0.1, 0.3, 1.0, 3.0)
#: Slack under the one-standard-error bar (rounding of equal accuracies).
TIE = 1e-9
#: Inverse L2 strength of the calibration (chosen on the tune part, checked on check).
CALIBRATION_C = 0.1
#: Blocks of documents per language, in order of date (then publisher or source), that the
#: second stage of the confidence is cross-fitted over: each block's choices are calibrated
#: by a calibration fitted on the other blocks, so the second stage learns how the calibration
#: holds on another period or source (random folds mix them, and hid the shift).
SHIFT_BLOCKS = 4
#: Inverse L2 strength of that second stage (two weights on some 800 choices: mild).
RECALIBRATION_C = 1.0
#: The weight of the calib part's choices in the second stage, as a share of all the weight:
#: the calib documents are the dev documents no rule was written against (app.evaluation.PARTS),
#: so the way the calibration holds on them is the way it holds on unseen text. 0 fits the
#: second stage as if they were like any other document. Measured on the calib part's 12
#: English documents with quotes in five folds (bench/calibration_folds.py --calib-shares, each
#: fold trained on the rest of dev): shares 0 / 0.25 / 0.5 / 0.75 gave calibration error 0.069 /
#: 0.069 / 0.062 / 0.087 and log loss 0.391 / 0.390 / 0.399 / 0.425 on some 110 held-out
#: choices: no share beat 0 beyond noise, so 0 until the part is larger.
CALIB_SHARE = 0.0


@dataclass(slots=True)
class Sample:
    """One quote of the training data: its candidates' rows and which of them are right."""

    doc: str
    language: str
    x: np.ndarray
    y: np.ndarray
    names: list[str]


@dataclass(slots=True)
class Recorded:
    """The article facts of one gold article and the offset of the Doc in the article."""

    gold: dict[str, Any]
    art: ArticleFeatures
    language: str
    offset: int


@dataclass(slots=True)
class Report:
    """What training measured (out-of-fold on the training documents)."""

    documents: int = 0
    quotes: int = 0
    reachable: int = 0
    rule_accuracy: float = 0.0
    model_accuracy: float = 0.0
    ece: float = 0.0
    sure: int = 0  # choices calibrated at >= SURE (0.9), and the share of them right
    sure_right: float = 0.0
    c: float = 0.0
    table: list[dict[str, float]] = field(default_factory=list)


def record_articles(paths: list[Path], extractor: Any, part: str | None = None
                    ) -> list[Recorded]:
    """Run the extractor on every gold article (only those of ``part`` of the dev split when
    one is named), keeping the facts of its final decision."""
    out: list[Recorded] = []
    for path in paths:
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            gold = json.loads(line)
            if part is not None and part_of(gold) != part:
                continue
            seen: list[tuple[ArticleFeatures, str]] = []
            extractor.set_recorder(lambda art, lang, seen=seen: seen.append((art, lang)))
            try:
                extractor.extract(gold["text"])
            finally:
                extractor.set_recorder(None)
            if not seen:
                continue
            art, lang = seen[-1]
            offset = gold["text"].find(art.text) if art.text else -1
            if offset >= 0:
                out.append(Recorded(gold, art, lang, offset))
    return out


def _gold_for(rec: Recorded) -> list[tuple[int, dict[str, Any]]]:
    """(candidate index, gold quote) pairs: IoU >= 0.5, one to one, indirect apart."""
    pairs: list[tuple[float, int, int]] = []
    golds = rec.gold["quotes"]
    for ci, c in enumerate(rec.art.candidates):
        span = (c.start + rec.offset, c.end + rec.offset)
        for gi, g in enumerate(golds):
            if (g["type"] == "indirect") != (c.type == "indirect"):
                continue
            v = iou(span, (g["start"], g["end"]))
            if v >= 0.5:
                pairs.append((v, ci, gi))
    pairs.sort(reverse=True)
    used_c: set[int] = set()
    used_g: set[int] = set()
    out = []
    for _, ci, gi in pairs:
        if ci in used_c or gi in used_g:
            continue
        used_c.add(ci)
        used_g.add(gi)
        out.append((ci, golds[gi]))
    return out


def vocabularies(records: list[Recorded]) -> tuple[list[str], list[str], list[str]]:
    """The most frequent words before and after mentions of candidates, and head words of
    common-noun candidates."""
    before: Counter[str] = Counter()
    after: Counter[str] = Counter()
    heads: Counter[str] = Counter()
    for rec in records:
        for o in rec.art.occ:
            before[_word_before(rec.art.text, o.start)] += 1
            after[_word_after(rec.art.text, o.end)] += 1
        for name in rec.art.by_name:
            head = name_head(name, name_form(name, rec.art.text))
            if head is not None:
                heads[head] += 1

    def top(c: Counter[str]) -> list[str]:
        words = [w for w, n in c.most_common(MAX_WORDS) if n >= MIN_WORD_COUNT]
        return [*sorted(words), "<other>"]

    return top(before), top(after), [w for w in top(heads) if w != "<other>"]


def samples(records: list[Recorded], model: ChooserModel) -> list[Sample]:
    """Labelled candidate rows of every matched quote."""
    out: list[Sample] = []
    for rec in records:
        aliases = rec.gold.get("speakers", {})
        choices = quote_choices(rec.art, model, rec.language)
        for ci, g in _gold_for(rec):
            ch = choices[ci]
            gold = g["speaker"]
            al = aliases.get(gold or "", [])
            y = np.array([
                float(gold is None) if n == NOBODY else float(speaker_ok(n, gold, al))
                for n in ch.names
            ])
            out.append(Sample(rec.gold["id"], rec.language, ch.x, y, ch.names))
    return out


def _fit(train: list[Sample], c: float, blind: Sequence[int] = ()) -> np.ndarray:
    """The scorer's weights; with ``blind`` (columns), the blind scorer's: those columns
    left out of the fit and their weights 0."""
    from sklearn.linear_model import LogisticRegression

    x = np.vstack([s.x for s in train])
    y = np.concatenate([s.y for s in train])
    if blind:
        x = x.copy()
        x[:, list(blind)] = 0.0
    lr = LogisticRegression(C=c, max_iter=2000, fit_intercept=False)
    lr.fit(x, y)
    w = np.asarray(lr.coef_[0], dtype=np.float64)
    w[list(blind)] = 0.0
    return w


def _scores(w: np.ndarray, s: Sample) -> tuple[int, float, float]:
    """Index of the best candidate, its probability and its margin over the second."""
    z = s.x @ w
    p = 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
    order = np.argsort(-p, kind="stable")
    second = float(p[order[1]]) if len(order) > 1 else 0.0
    return int(order[0]), float(p[order[0]]), float(p[order[0]]) - second


def _folds(docs: list[str], k: int = FOLDS) -> dict[str, int]:
    """Documents to folds, round robin in sorted order (deterministic)."""
    return {d: i % k for i, d in enumerate(sorted(set(docs)))}


def out_of_fold(data: list[Sample], c: float) -> list[tuple[int, float, float]]:
    """Each sample's (best, p, margin) from a model that did not see its document."""
    fold = _folds([s.doc for s in data])
    result: list[tuple[int, float, float] | None] = [None] * len(data)
    for f in range(FOLDS):
        train = [s for s in data if fold[s.doc] != f]
        w = _fit(train, c)
        for i, s in enumerate(data):
            if fold[s.doc] == f:
                result[i] = _scores(w, s)
    return [r for r in result if r is not None]


def blind_out_of_fold(data: list[Sample], c: float, columns: Sequence[int]
                      ) -> list[np.ndarray]:
    """Each sample's blind scores (rows' x . w, ``columns`` left out) from a blind scorer
    that did not see its document (the same folds as out_of_fold)."""
    fold = _folds([s.doc for s in data])
    result: list[np.ndarray] = [np.zeros(0)] * len(data)
    for f in range(FOLDS):
        w = _fit([s for s in data if fold[s.doc] != f], c, columns)
        for i, s in enumerate(data):
            if fold[s.doc] == f:
                result[i] = s.x @ w
    return result


def _calibration_x(model: ChooserModel, s: Sample, best: int, p: float, margin: float,
                   blind: np.ndarray | None = None) -> list[float]:
    """What the calibration reads of a choice: the score's logit, its margin and the
    CALIBRATION_EXTRA facts (not whether the rules agree: see CALIBRATION_EXTRA; ``blind``:
    the blind scorer's scores of the rows, out of fold)."""
    return [logit(p), margin, *model.calibration_extra(s.x, best, logit(p), blind)]


def shift_groups(golds: Sequence[dict[str, Any]], k: int = SHIFT_BLOCKS) -> dict[str, int]:
    """Each document's block (0 .. k-1): per language, the documents in order of date (the
    undated last), then publisher or source, then id, cut into ``k`` runs of (nearly) equal
    size. Neighbours in time and source share a block."""
    by_lang: dict[str, list[tuple[str, str, str]]] = {}
    for g in golds:
        doc = str(g["id"])
        lang = str(g.get("lang") or doc.split("-")[0])
        source = str(g.get("publisher") or g.get("source") or "")
        by_lang.setdefault(lang, []).append((str(g.get("date") or "~"), source, doc))
    out: dict[str, int] = {}
    for keys in by_lang.values():
        keys.sort()
        for i, (_, _, doc) in enumerate(keys):
            out[doc] = i * k // len(keys)
    return out


def _calibration_set(data: list[Sample], oof: list[tuple[int, float, float]],
                     model: ChooserModel, blind: Sequence[np.ndarray] | None = None,
                     ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """The calibration's inputs, outcomes and documents: every out-of-fold choice of a named
    speaker."""
    xs, ys, docs = [], [], []
    for i, (s, (best, p, margin)) in enumerate(zip(data, oof, strict=True)):
        if s.names[best] == NOBODY:
            continue
        xs.append(_calibration_x(model, s, best, p, margin, None if blind is None else blind[i]))
        ys.append(int(s.y[best] > 0))
        docs.append(s.doc)
    return np.asarray(xs), np.asarray(ys), docs


def calib_weights(docs: Sequence[str], calib: set[str], share: float = CALIB_SHARE
                  ) -> np.ndarray | None:
    """Sample weights giving the choices of ``calib`` documents ``share`` of the total weight
    (the others the rest), or None (all alike) when there are none, or only those."""
    inside = np.array([d in calib for d in docs], dtype=bool)
    n_in, n_out = int(inside.sum()), int((~inside).sum())
    if not share or n_in == 0 or n_out == 0:
        return None
    total = float(len(docs))
    return np.where(inside, share * total / n_in, (1.0 - share) * total / n_out)


def fit_recalibration(data: list[Sample], oof: list[tuple[int, float, float]],
                      model: ChooserModel, blind: Sequence[np.ndarray] | None,
                      groups: dict[str, int], calib: set[str] | None = None,
                      calib_share: float = CALIB_SHARE) -> list[float]:
    """The second stage of the confidence (ChooserModel.shown): a temperature and shift of
    the calibrated logit, shared, and one more of each per STAGE_KINDS kind of choice,
    fitted on logits each from a calibration that never saw the choice's block (``groups``:
    document -> block). Random folds mix periods and sources, and the calibration fitted on
    them was off on a period left out; the blocks show by how much, and per kind: out of
    block (and on dev groups left out whole), choices the blind scorer does not share and the
    speakers of reported speech were right less often than calibrated at the top. One
    logistic regression with RECALIBRATION_C on [z, z * kind, kind ...]: the per-kind terms
    are shrunk toward the shared map by the same penalty. Shared by the languages: the
    Swedish choices are wrong too seldom on dev (a few of some 130) to fit their own, and
    fitted per language they made the shared Swedish news set worse; the calibration keeps
    its own Swedish temperature (``logit_x_sv``). Returns a, a_sv, b, b_sv with the Swedish
    terms 0, then a_k, b_k per kind. The calib part's documents (``calib``) weigh
    ``calib_share`` of the fit: the only text here that no rule was tuned on."""
    from sklearn.linear_model import LogisticRegression

    x, y, docs = _calibration_set(data, oof, model, blind)
    block = np.array([groups.get(d, -1) for d in docs])
    z = np.zeros(len(y))
    for g in sorted(set(block.tolist())):
        inside = block == g
        if len(set(y[~inside].tolist())) < 2:
            continue  # (logit 0 for a block the others cannot calibrate)
        held = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(x[~inside], y[~inside])
        z[inside] = held.decision_function(x[inside])
    if len(set(y.tolist())) < 2:
        return [1.0, 0.0, 0.0, 0.0, *[0.0] * (2 * len(STAGE_KINDS))]
    kinds = np.array([stage_kinds(row[2:]) for row in x]).reshape(len(y), -1)
    weights = calib_weights(docs, calib or set(), calib_share)
    lr = LogisticRegression(C=RECALIBRATION_C, max_iter=2000).fit(
        _stage_x(z, kinds), y, sample_weight=weights)
    coef = [float(v) for v in lr.coef_[0]]
    return [coef[0], 0.0, float(lr.intercept_[0]), 0.0, *coef[1:]]


def _stage_x(z: np.ndarray, kinds: np.ndarray) -> np.ndarray:
    """The second stage's inputs: the logit, then per kind its logit and its indicator
    (z, z * k1, k1, z * k2, k2, ...: the order of a_k, b_k in the recalibration)."""
    cols = [z]
    for k in range(kinds.shape[1]):
        cols += [z * kinds[:, k], kinds[:, k]]
    return np.column_stack(cols)


def fit_calibration(data: list[Sample], oof: list[tuple[int, float, float]],
                    model: ChooserModel, blind: Sequence[np.ndarray] | None = None,
                    ) -> tuple[list[float], list[tuple[float, bool]]]:
    """Calibration weights (a, b, c, d, e...) from out-of-fold choices of a named speaker (the
    folds group documents); d, the weight of the rules' agreement, stays 0 (the rules were
    tuned on these documents), e weighs the CALIBRATION_EXTRA facts. Regularised strongly:
    ~500 choices, a dozen weights. The (confidence, right) pairs returned for the report are
    cross-fitted: no choice is calibrated by a calibration that saw its document."""
    from sklearn.linear_model import LogisticRegression

    x_all, y_all, docs = _calibration_set(data, oof, model, blind)
    ys = y_all.tolist()
    lr = LogisticRegression(C=CALIBRATION_C, max_iter=2000)
    lr.fit(x_all, y_all)
    a, b, *e = (float(v) for v in lr.coef_[0])
    cal = [a, b, float(lr.intercept_[0]), 0.0, *e]
    # The reported reliability is cross-fitted too: each document's choices are calibrated by
    # a calibration fitted on the other folds' documents (fitted on all of them, its own
    # choices included, it looked better than it is on text it never saw).
    fold = _folds(docs)
    q = np.zeros(len(ys))
    for f in range(FOLDS):
        inside = np.array([fold[d] == f for d in docs])
        if not inside.any():
            continue
        if len(set(y_all[~inside].tolist())) < 2:
            q[inside] = lr.predict_proba(x_all[inside])[:, 1]
            continue
        held = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(
            x_all[~inside], y_all[~inside])
        q[inside] = held.predict_proba(x_all[inside])[:, 1]
    return cal, [(float(v), bool(y)) for v, y in zip(q, ys, strict=True)]


def choose_c(data: list[Sample]) -> tuple[float, float, list[Any]]:
    """The regularisation of the chooser, its out-of-fold accuracy and predictions: the
    strongest C (C_GRID runs from strong to weak) whose out-of-fold accuracy is within one
    standard error of the best one's (the one-standard-error rule). On a few hundred quotes
    a weaker C that wins by a few quotes won them by chance: trained on the tune part, C=1
    and C=3 each lost 3 to 6 points end-to-end on the check part against C=0.3, while their
    out-of-fold gain was under 1 point."""
    n = max(len(data), 1)
    runs = []
    for c in C_GRID:
        oof = out_of_fold(data, c)
        acc = sum(s.y[b] > 0 for s, (b, _, _) in zip(data, oof, strict=True)) / n
        runs.append((c, acc, oof))
    best = max(acc for _, acc, _ in runs)
    se = math.sqrt(best * (1 - best) / n)
    return next(run for run in runs if run[1] >= best - se - TIE)


def fit_model(data: list[Sample], blank: ChooserModel, rep: Report | None = None,
              groups: dict[str, int] | None = None, calib: set[str] | None = None,
              calib_share: float = CALIB_SHARE,
              ) -> tuple[ChooserModel, list[tuple[float, bool]]]:
    """The chooser for ``data`` (``blank`` gives its vocabularies): C by the one-standard-error
    rule, the scorer and the blind scorer on every sample, the calibration on out-of-fold
    scores of both, its second stage cross-fitted over ``groups`` (document -> block, see
    shift_groups; without them, none); and the cross-fitted (confidence, right) pairs of the
    report (of the calibration, before the second stage)."""
    best_c, best_acc, best_oof = choose_c(data)
    if rep is not None:
        rep.c, rep.model_accuracy = best_c, best_acc
    columns = blank.rule_columns
    blind = blind_out_of_fold(data, best_c, columns)
    calibration, pairs = fit_calibration(data, best_oof, blank, blind)
    recalibration = (None if groups is None
                     else fit_recalibration(data, best_oof, blank, blind, groups, calib,
                                            calib_share))
    model = ChooserModel(_fit(data, best_c), blank.features, blank.prev_words,
                         blank.next_words, calibration, blank.heads,
                         blind=_fit(data, best_c, columns), recalibration=recalibration)
    return model, pairs


def train(corpus: Path, extractor: Any, output: Path = MODEL_FILE,
          split: str = "dev", part: str | None = None) -> Report:
    """Train on ``corpus``'s ``split`` (only its ``part``, tune or check, when one is named:
    a model trained on tune can be measured on check) and write the model to ``output``."""
    if part is not None and (split != "dev" or part not in PARTS):
        raise ValueError(f"a part is one of {', '.join(PARTS)}, of the dev split only")
    paths = gold_files([corpus], split=split)
    extractor.set_chooser(None)
    records = record_articles(paths, extractor, part)
    prev_words, next_words, heads = vocabularies(records)
    names = feature_names(prev_words, next_words, heads)
    blank = ChooserModel(np.zeros(len(names)), names, prev_words, next_words, [1.0, 0.0, 0.0],
                         heads)
    data = samples(records, blank)
    rep = Report(documents=len({r.gold["id"] for r in records}), quotes=len(data))
    rep.reachable = sum(1 for s in data if s.y.max() > 0)
    rule_idx = blank.index["is_rule"]
    rep.rule_accuracy = sum(
        1 for s in data
        if (s.y[np.argmax(s.x[:, rule_idx])] > 0 if s.x[:, rule_idx].any()
            else s.y[-1] > 0)
    ) / max(len(data), 1)
    calib = {str(r.gold["id"]) for r in records if part_of(r.gold) == "calib"}
    model, pairs = fit_model(data, blank, rep, shift_groups([r.gold for r in records]), calib,
                             CALIB_SHARE)
    cal = reliability(pairs)
    rep.ece, rep.table = cal.ece, cal.table
    rep.sure, rep.sure_right = cal.sure, cal.sure_right
    model.meta = {
        "trained_on": f"{corpus.name}/*/{split}.jsonl", "part": part or "all",
        "documents": rep.documents,
        "quotes": rep.quotes, "C": rep.c, "rule_scale": RULE_SCALE,
        "calibration_extra": list(CALIBRATION_EXTRA),
        "recalibration": f"temperature and shift, shared and per kind "
                         f"({', '.join(STAGE_KINDS)}), cross-fitted over {SHIFT_BLOCKS} "
                         "blocks of date and source"
                         + (f", the calib part's {len(calib)} documents weighing "
                            f"{CALIB_SHARE:.0%}" if calib and CALIB_SHARE else ""),
        "out_of_fold": {"rule_accuracy": round(rep.rule_accuracy, 4),
                        "model_accuracy": round(rep.model_accuracy, 4),
                        "ece": round(rep.ece, 4),
                        "right_at_sure": round(rep.sure_right, 4), "sure": rep.sure},
    }
    output.write_text(json.dumps(model.to_json(), ensure_ascii=False, indent=1) + "\n",
                      encoding="utf-8")
    return rep


def format_report(rep: Report, output: Path) -> str:
    """What training measured, for the terminal."""
    lines = [
        f"trained on {rep.documents} documents, {rep.quotes} matched quotes "
        f"({rep.reachable} with the right speaker among the candidates); C={rep.c}",
        f"out of fold: rules {rep.rule_accuracy:.3f}, chooser {rep.model_accuracy:.3f} right; "
        f"calibration error {rep.ece:.3f}, {rep.sure_right:.3f} right at >= 0.9 "
        f"({rep.sure}; calibration cross-fitted by document)",
        "confidence  quotes  mean conf  right",
    ]
    for row in rep.table:
        lines.append(f"{row['from']:.1f}-{row['to']:.1f}  {int(row['n']):6d}  "
                     f"{row['confidence']:9.3f}  {row['right']:.3f}")
    lines.append(f"model -> {output}")
    return "\n".join(lines)
