"""How well the speaker chooser's confidence holds on documents it never saw (issue 20).

Runs the extractor once over the corpus's dev split (the rules alone), then trains the chooser
and its calibration exactly as ``citat train-attribution`` does and scores named speakers of
matched quotes (as ``citat eval --calibration`` does, on the candidates training records):

- ``tune -> check``: trained on the tune part, measured on the check part;
- ``folds``: all of dev in five document folds, each fold's chooser *and* calibration fitted
  on the other four (about four times check's attributions, so less noisy);
- ``--calib-shares``: the calib part (dev documents no rule was written against, see
  ``app.evaluation.PARTS``) in five document folds, each fold's chooser and calibration trained
  on the rest of dev, the other calib documents weighing each given share of the confidence's
  second stage (``attribution.CALIB_SHARE``; 0: like any other document), then measured on the
  fold: how the confidence holds on text neither the rules nor the chooser saw.

Per language: accuracy of the choice (a named speaker right, or nobody where the gold has
nobody), attributions named, expected calibration error (10 bins), Brier score, log loss and
the share right at confidence >= 0.9. Never reads the test split.

    PYTHONPATH=CHECKOUT python bench/calibration_folds.py [--corpus corpus/] [--skip-folds]
        [--calib-shares 0 0.5]

CHECKOUT is the tree whose ``app`` is measured (a ``git archive`` of another commit works:
the script only uses functions that training has had since the held-out rounds).
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path
from typing import Any

import numpy as np

from app.evaluation import dev_part, gold_files, reliability, speaker_ok

try:
    from app.evaluation import part_of
except ImportError:  # a checkout from before the calib part
    def part_of(record: dict[str, object]) -> str:
        return dev_part(str(record["id"]))
from app.extraction.pipeline import Extractor
from app.extraction.resolve import chooser as ch
from app.training import attribution as at


def _samples(records: list[Any], model: ch.ChooserModel) -> list[tuple[Any, Any, Any]]:
    """(sample, candidate, rule's resolution) of every matched quote."""
    out = []
    for rec in records:
        aliases = rec.gold.get("speakers", {})
        choices = ch.quote_choices(rec.art, model, rec.language)
        for ci, g in at._gold_for(rec):
            c = choices[ci]
            gold = g["speaker"]
            al = aliases.get(gold or "", [])
            y = np.array([float(gold is None) if n == ch.NOBODY
                          else float(speaker_ok(n, gold, al)) for n in c.names])
            out.append((at.Sample(rec.gold["id"], rec.language, c.x, y, c.names),
                        rec.art.candidates[ci], rec.art.rule[ci]))
    return out


def _train(records: list[Any], calib_share: float | None = None) -> ch.ChooserModel:
    pw, nw, heads = at.vocabularies(records)
    names = ch.feature_names(pw, nw, heads)
    blank = ch.ChooserModel(np.zeros(len(names)), names, pw, nw, [1.0, 0.0, 0.0], heads)
    data = [s for s, _, _ in _samples(records, blank)]
    if calib_share is not None:  # the calib part's documents weighing calib_share
        calib = {str(r.gold["id"]) for r in records if part_of(r.gold) == "calib"}
        return at.fit_model(data, blank, groups=at.shift_groups([r.gold for r in records]),
                            calib=calib, calib_share=calib_share)[0]
    if hasattr(at, "shift_groups"):  # with the second stage of the confidence
        return at.fit_model(data, blank, groups=at.shift_groups([r.gold for r in records]))[0]
    if hasattr(at, "fit_model"):
        return at.fit_model(data, blank)[0]
    c, _, oof = at.choose_c(data)  # (a checkout from before the blind scorer)
    cal, _ = at.fit_calibration(data, oof, blank)
    return ch.ChooserModel(at._fit(data, c), names, pw, nw, cal, heads)


def _decide(model: ch.ChooserModel, s: Any, cand: Any, rule: Any) -> tuple[float, bool] | None:
    """What chooser.choose gives the quote: (confidence, right) of a named speaker, or None."""
    choice = ch.QuoteChoice(s.names, s.x, rule.name)
    (got,) = ch.choose([choice], [rule], [cand], model, lambda name: None)
    if got.name is None:
        return None
    return got.confidence, bool(s.y[s.names.index(got.name)] > 0)


class Tally:
    """Choices and (confidence, right) pairs of one language."""

    def __init__(self) -> None:
        self.right = 0
        self.n = 0
        self.pairs: list[tuple[float, bool]] = []

    def add(self, model: ch.ChooserModel, records: list[Any]) -> None:
        for s, cand, rule in _samples(records, model):
            self.n += 1
            got = _decide(model, s, cand, rule)
            if got is None:
                self.right += int(s.y[-1] > 0)  # nobody named: right where the gold has nobody
                continue
            self.pairs.append(got)
            self.right += int(got[1])

    def line(self) -> str:
        cal = reliability(self.pairs)
        m = max(len(self.pairs), 1)
        brier = sum((q - y) ** 2 for q, y in self.pairs) / m
        nll = -sum(math.log(max(q if y else 1 - q, 1e-9)) for q, y in self.pairs) / m
        return (f"accuracy {self.right / max(self.n, 1):.3f} ({self.n}), named {cal.n}, "
                f"calibration error {cal.ece:.3f}, Brier {brier:.4f}, log loss {nll:.4f}, "
                f"right at >= 0.9 {cal.sure_right:.3f} ({cal.sure})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--skip-folds", action="store_true", help="only tune -> check")
    ap.add_argument("--calib-shares", type=float, nargs="*", default=None,
                    help="only the calib part's folds, for each of these second-stage shares")
    args = ap.parse_args()
    extractor = Extractor.load()
    extractor.set_chooser(None)
    records = at.record_articles(gold_files([args.corpus], split="dev"), extractor)
    langs = sorted({r.language for r in records})
    if args.calib_shares is not None:
        calib_folds(records, langs, args.calib_shares)
        return
    tune = [r for r in records if part_of(r.gold) == "tune"]
    check = [r for r in records if part_of(r.gold) == "check"]
    model = _train(tune)
    for lang in langs:
        t = Tally()
        t.add(model, [r for r in check if r.language == lang])
        print(f"tune -> check, {lang}: {t.line()}", flush=True)
    if args.skip_folds:
        return
    fold = at._folds([str(r.gold["id"]) for r in records])
    tallies = {lang: Tally() for lang in langs}
    for f in range(at.FOLDS):
        model = _train([r for r in records if fold[str(r.gold["id"])] != f])
        for lang in langs:
            tallies[lang].add(model, [r for r in records if fold[str(r.gold["id"])] == f
                                      and r.language == lang])
    for lang in langs:
        print(f"five folds, {lang}: {tallies[lang].line()}")


def calib_folds(records: list[Any], langs: list[str], shares: list[float]) -> None:
    """The calib part in five document folds: trained on everything else, measured on the fold,
    for each share of the second stage the other calib documents weigh."""
    calib = sorted({str(r.gold["id"]) for r in records if part_of(r.gold) == "calib"})
    if not calib:
        raise SystemExit("the corpus's dev split has no calib part (corpus/parts.json)")
    fold = at._folds(calib)
    for share in shares:
        tallies = {lang: Tally() for lang in langs}
        for f in range(at.FOLDS):
            held = {d for d in calib if fold[d] == f}
            if not held:
                continue
            model = _train([r for r in records if str(r.gold["id"]) not in held], share)
            for lang in langs:
                tallies[lang].add(model, [r for r in records if str(r.gold["id"]) in held
                                          and r.language == lang])
        for lang in langs:
            if tallies[lang].n:
                print(f"calib folds ({len(calib)} documents), share {share:g}, {lang}: "
                      f"{tallies[lang].line()}", flush=True)


if __name__ == "__main__":
    main()
