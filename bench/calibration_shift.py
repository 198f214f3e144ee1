"""How the speaker confidence holds when the documents shift (issue 20, calibration under shift).

Runs the extractor once over the corpus's dev split (the rules alone) and, for two schemes of
held-out documents, trains the chooser and its calibration exactly as ``citat
train-attribution`` does on the documents left in, then records every held-out quote's choice:

- ``folds``: five document folds (as bench/calibration_folds.py);
- ``groups``: whole groups of documents left out at once, English Wikinews by time (four
  blocks of consecutive months, the old 2004-2008 items with the last block) and Swedish by
  kind of publisher (universities, municipalities, the rest): the shift from dev to the test
  split is one of years and topics, which random folds hide.

For each held-out quote it keeps what the calibration reads, the confidence the shipped code
gives and whether the choice is right; for each training side, the out-of-fold calibration
inputs the calibration was fitted on. ``--dump FILE`` writes all of it (numbers only, no text)
for ``--compare FILE``, which refits the calibration variants on each training side and
prints, per scheme and language, the expected calibration error and the share right at
confidence >= 0.9 of each. Never reads the test split.

    PYTHONPATH=CHECKOUT python bench/calibration_shift.py --dump /tmp/shift.pkl
    PYTHONPATH=CHECKOUT python bench/calibration_shift.py --compare /tmp/shift.pkl
"""

from __future__ import annotations

import argparse
import pickle
from pathlib import Path
from typing import Any

import numpy as np

from app.evaluation import gold_files, reliability, speaker_ok
from app.extraction.resolve import chooser as ch
from app.training import attribution as at

#: English time blocks: the last month of each (the old items go with the last block).
EN_BLOCKS = ("2019-06", "2019-10", "2020-04", "9999-99")


def group_of(gold: dict[str, Any]) -> int:
    """The left-out group of a dev document (see the module's docstring)."""
    if gold.get("lang", str(gold["id"])[:2]) == "sv":
        pub = (gold.get("publisher") or "").casefold()
        if "universitet" in pub or "forskning" in pub or "högskola" in pub:
            return 0
        if "kommun" in pub or " stad" in pub:
            return 1
        return 2
    month = (gold.get("date") or "")[:7]
    if month < "2019":
        return len(EN_BLOCKS) - 1
    return next(i for i, last in enumerate(EN_BLOCKS) if month <= last)


def _train(records: list[Any], groups: dict[str, int]) -> tuple[ch.ChooserModel, dict[str, Any]]:
    """The chooser as fit_model trains it, and its calibration's training set."""
    pw, nw, heads = at.vocabularies(records)
    names = ch.feature_names(pw, nw, heads)
    blank = ch.ChooserModel(np.zeros(len(names)), names, pw, nw, [1.0, 0.0, 0.0], heads)
    data = at.samples(records, blank)
    c, _, oof = at.choose_c(data)
    cols = blank.rule_columns
    blind = at.blind_out_of_fold(data, c, cols)
    cal, _ = at.fit_calibration(data, oof, blank, blind)
    recal = (at.fit_recalibration(data, oof, blank, blind,
                                  at.shift_groups([r.gold for r in records]))
             if hasattr(at, "fit_recalibration") else None)  # (the code before it: none)
    model = ch.ChooserModel(at._fit(data, c), names, pw, nw, cal, heads,
                            blind=at._fit(data, c, cols), **(
                                {} if recal is None else {"recalibration": recal}))
    inner = _inputs(data, oof, blind, blank)
    inner["calibration"] = list(cal)
    # the same inputs with the chooser's scores out of group (the groups of the documents
    # left in, each scored by a chooser that saw none of its group)
    group = {s.doc: groups[s.doc] for s in data}
    goof: list[Any] = [None] * len(data)
    gblind: list[Any] = [None] * len(data)
    for g in sorted(set(group.values())):
        train = [s for s in data if group[s.doc] != g]
        w, wb = at._fit(train, c), at._fit(train, c, cols)
        for i, s in enumerate(data):
            if group[s.doc] == g:
                goof[i] = at._scores(w, s)
                gblind[i] = s.x @ wb
    inner["by_group"] = _inputs(data, goof, gblind, blank)
    return model, inner


def _inputs(data: list[Any], oof: list[Any], blind: list[Any], blank: ch.ChooserModel
            ) -> dict[str, Any]:
    xs, ys, langs, docs = [], [], [], []
    for i, (s, (best, p, margin)) in enumerate(zip(data, oof, strict=True)):
        if s.names[best] == ch.NOBODY:
            continue
        xs.append(at._calibration_x(blank, s, best, p, margin, blind[i]))
        ys.append(int(s.y[best] > 0))
        langs.append(s.language)
        docs.append(s.doc)
    return {"x": np.asarray(xs), "y": np.asarray(ys), "lang": langs, "doc": docs}


def _held_out(model: ch.ChooserModel, records: list[Any]) -> dict[str, Any]:
    """Every named choice of the held-out records: calibration inputs, confidence, right."""
    xs, ys, confs, langs, docs = [], [], [], [], []
    for rec in records:
        aliases = rec.gold.get("speakers", {})
        choices = ch.quote_choices(rec.art, model, rec.language)
        for ci, g in at._gold_for(rec):
            c = choices[ci]
            (got,) = ch.choose([c], [rec.art.rule[ci]], [rec.art.candidates[ci]], model,
                               lambda name: None)
            if got.name is None:
                continue
            gold = g["speaker"]
            al = aliases.get(gold or "", [])
            p = model.probability(c.x)
            order = (-p).argsort()
            best = int(order[0])
            if c.names[best] != got.name:  # the rules' own answer (not the chooser's)
                continue
            second = float(p[order[1]]) if len(order) > 1 else 0.0
            s = at.Sample(rec.gold["id"], rec.language, c.x, np.zeros(len(c.names)), c.names)
            xs.append(at._calibration_x(model, s, best, float(p[best]),
                                        float(p[best]) - second))
            ys.append(int(gold is not None and speaker_ok(got.name, gold, al)))
            confs.append(got.confidence)
            langs.append(rec.language)
            docs.append(rec.gold["id"])
    return {"x": np.asarray(xs), "y": np.asarray(ys), "conf": np.asarray(confs),
            "lang": langs, "doc": docs}


def dump(corpus: Path, out: Path) -> None:
    from app.extraction.pipeline import Extractor

    extractor = Extractor.load()
    extractor.set_chooser(None)
    records = at.record_articles(gold_files([corpus], split="dev"), extractor)
    fold = at._folds([str(r.gold["id"]) for r in records])
    schemes = {
        "folds": ({str(r.gold["id"]): fold[str(r.gold["id"])] for r in records}, at.FOLDS),
        "groups": ({str(r.gold["id"]): group_of(r.gold) for r in records}, len(EN_BLOCKS)),
    }
    both = {str(r.gold["id"]): 10 * (r.language == "sv") + group_of(r.gold) for r in records}
    result: dict[str, list[dict[str, Any]]] = {}
    for scheme, (of, k) in schemes.items():
        result[scheme] = []
        for f in range(k):
            train = [r for r in records if of[str(r.gold["id"])] != f]
            test = [r for r in records if of[str(r.gold["id"])] == f]
            if not test:
                continue
            model, inner = _train(train, both)
            outer = _held_out(model, test)
            result[scheme].append({"inner": inner, "outer": outer})
            print(f"{scheme} {f}: trained on {len(train)} documents, "
                  f"{len(outer['y'])} held-out choices", flush=True)
    out.write_bytes(pickle.dumps(result))


# -- calibration variants, refitted on each training side's out-of-fold inputs -----------------

def _lr(x: np.ndarray, y: np.ndarray, c: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=c, max_iter=2000).fit(x, y)


def _sig(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _cross_fitted(inner: dict[str, Any], fold: dict[str, int], c: float) -> np.ndarray:
    """The training side's calibrated logits, each document's from a calibration fitted
    without its fold."""
    x, y, docs = inner["x"], inner["y"], inner["doc"]
    z = np.zeros(len(y))
    for f in sorted(set(fold.values())):
        inside = np.array([fold[d] == f for d in docs])
        if inside.any():
            z[inside] = _lr(x[~inside], y[~inside], c).decision_function(x[inside])
    return z


def _cooling(z_in: np.ndarray, y_in: np.ndarray, l_in: np.ndarray, z_out: np.ndarray,
             l_out: np.ndarray) -> np.ndarray:
    """Per language a temperature of at most 1 and a shift (log loss, unregularised)."""
    from scipy.optimize import minimize

    out = np.zeros(len(z_out))
    for lang in (False, True):
        zi, yi = z_in[l_in == lang], y_in[l_in == lang]

        def loss(ab: np.ndarray, zi: np.ndarray = zi, yi: np.ndarray = yi) -> float:
            q = np.clip(_sig(ab[0] * zi + ab[1]), 1e-9, 1 - 1e-9)
            return float(-np.mean(yi * np.log(q) + (1 - yi) * np.log(1 - q)))

        a, b = minimize(loss, np.array([1.0, 0.0]), bounds=[(0.05, 1.0), (-5, 5)]).x
        out[l_out == lang] = _sig(a * z_out[l_out == lang] + b)
    return out


def variants(inner: dict[str, Any], outer: dict[str, Any]) -> dict[str, np.ndarray]:
    """Each variant's confidence of the held-out choices (their speakers stay as they are)."""
    from sklearn.isotonic import IsotonicRegression

    xi, yi, xo = inner["x"], inner["y"], outer["x"]
    li = np.array([lang == "sv" for lang in inner["lang"]])
    lo = np.array([lang == "sv" for lang in outer["lang"]])
    out: dict[str, np.ndarray] = {"shipped": outer["conf"]}
    cal = np.asarray(inner["calibration"])
    w = np.concatenate([cal[:2], cal[4:]])
    base = _sig(xo @ w + cal[2])
    out["refit"] = base
    out["shipped, never above refit"] = np.minimum(outer["conf"], base)
    out["C=0.03"] = _lr(xi, yi, 0.03).predict_proba(xo)[:, 1]
    cols = [0, 1, 2 + 12, 2 + 13]
    out["score,margin,blind"] = _lr(xi[:, cols], yi, 0.1).predict_proba(xo[:, cols])[:, 1]
    zi = _cross_fitted(inner, at._folds(inner["doc"]), 0.1)
    iso = IsotonicRegression(out_of_bounds="clip", y_min=0.0, y_max=1.0).fit(_sig(zi), yi)
    out["isotonic"] = iso.predict(base)
    out["mix"] = 0.5 * (base + out["isotonic"])
    zo = np.log(base / (1 - base))

    def platt(z_in: np.ndarray, y_in: np.ndarray, z_out: np.ndarray,
              l_in: np.ndarray = li) -> np.ndarray:
        f_in = np.column_stack([z_in, z_in * l_in, l_in])
        f_out = np.column_stack([z_out, z_out * lo, lo])
        return _lr(f_in, y_in, 1.0).predict_proba(f_out)[:, 1]

    out["platt2"] = platt(zi, yi, zo)
    by = inner.get("by_group")
    if by is not None and DOC_GROUP:
        gx, gy = by["x"], by["y"]
        gbase = _lr(gx, gy, 0.1).predict_proba(xo)[:, 1]
        out["group refit"] = gbase
        gz = _cross_fitted(by, DOC_GROUP, 0.1)
        out["platt2 group"] = platt(gz, gy, np.log(gbase / (1 - gbase)),
                                    np.array([lang == "sv" for lang in by["lang"]]))
        iso_g = IsotonicRegression(out_of_bounds="clip").fit(_sig(gz), gy)
        out["isotonic group"] = iso_g.predict(gbase)
        # the random-fold calibration, its second stage fitted out of group
        bz = _cross_fitted(inner, DOC_GROUP, 0.1)
        out["platt2 x-group"] = platt(bz, yi, zo)
        out["isotonic x-group"] = IsotonicRegression(out_of_bounds="clip").fit(
            _sig(bz), yi).predict(base)
        sz = _cross_fitted(inner, SHIFT_GROUP, 0.1)
        out["platt2 x-shift"] = platt(sz, yi, zo)
        out["cooling only x-shift"] = _cooling(sz, yi, li, zo, lo)
        out["platt shared x-shift"] = _lr(sz[:, None], yi, 1.0).predict_proba(zo[:, None])[:, 1]
        out["never above x-shift"] = np.minimum(out["platt shared x-shift"], base)
        # the shipped stage since calib2: per STAGE_KINDS kind its own temperature and shift
        ki = np.array([ch.stage_kinds(r[2:]) for r in xi])
        ko = np.array([ch.stage_kinds(r[2:]) for r in xo])
        stage = _lr(at._stage_x(sz, ki), yi, at.RECALIBRATION_C)
        out["kinds, never above x-shift"] = np.minimum(
            stage.predict_proba(at._stage_x(zo, ko))[:, 1], base)
        # (before the kinds were English only: the same stage with Swedish choices of a kind)
        def pooled(rows: np.ndarray) -> np.ndarray:
            return np.array([ch.stage_kinds([*r[2:4], 0.0, *r[5:]]) for r in rows])

        stage = _lr(at._stage_x(sz, pooled(xi)), yi, at.RECALIBRATION_C)
        out["kinds pooled, never above x-shift"] = np.minimum(
            stage.predict_proba(at._stage_x(zo, pooled(xo)))[:, 1], base)
        f_in = np.column_stack([sz, li])
        out["platt +sv shift x-shift"] = _lr(f_in, yi, 1.0).predict_proba(
            np.column_stack([zo, lo]))[:, 1]
        out["isotonic x-shift"] = IsotonicRegression(out_of_bounds="clip").fit(
            _sig(sz), yi).predict(base)
    return out


#: document -> its group (language apart), for the variants that cross-fit by group
DOC_GROUP: dict[str, int] = {}
SHIFT_GROUP: dict[str, int] = {}


def compare(path: Path, corpus: Path) -> None:
    import json

    for gold_path in gold_files([corpus], split="dev"):
        for line in gold_path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                gold = json.loads(line)
                DOC_GROUP[str(gold["id"])] = 10 * (gold.get("lang") == "sv") + group_of(gold)
    golds = [json.loads(line) for gold_path in gold_files([corpus], split="dev")
             for line in gold_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    SHIFT_GROUP.update(at.shift_groups(golds))
    result = pickle.loads(path.read_bytes())
    for scheme, folds in result.items():
        pooled: dict[tuple[str, str], list[tuple[float, bool]]] = {}
        for fold in folds:
            got = variants(fold["inner"], fold["outer"])
            for name, q in got.items():
                for v, y, lang in zip(q, fold["outer"]["y"], fold["outer"]["lang"],
                                      strict=True):
                    pooled.setdefault((name, lang), []).append((float(v), bool(y)))
        for (name, lang), pairs in sorted(pooled.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            cal = reliability(pairs)
            print(f"{scheme:6s} {lang} {name:20s} n {cal.n:4d}  ECE {cal.ece:.3f}  "
                  f"right at >= 0.9 {cal.sure_right:.3f} ({cal.sure})")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--dump", type=Path)
    ap.add_argument("--compare", type=Path)
    args = ap.parse_args()
    if args.dump:
        dump(args.corpus, args.dump)
    if args.compare:
        compare(args.compare, args.corpus)


if __name__ == "__main__":
    main()
