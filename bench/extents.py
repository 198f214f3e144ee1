"""Where predicted reported clauses start and end against the gold's (issue 20, extents).

Runs the extractor over one part of the corpus's dev split and pairs each predicted indirect
quote with the gold indirect quote it overlaps most. A pair counts as

- ``matched``: IoU >= 0.5 and the same ends (after trimming spaces),
- ``near``: IoU >= 0.5 but a different start or end (a hit that is cut differently),
- ``extent``: overlapping with IoU < 0.5 (a false positive *and* a miss),

and every pair that is not ``matched`` is put in a class by how its ends differ: the start
``early``/``late`` and the end ``short``/``long``, with what the difference is made of (a
semicolon, a credit "according to"/"enligt", ", X said", a relative clause, "that"/"att", a
conjunction ...). Gold indirect quotes no prediction overlaps, and predictions that overlap no
gold indirect quote, are counted too (no extent: a miss or a report the gold lacks).

Examples are listed for the tune part only (``--list``); the check and calib parts give
totals only, as ``citat eval`` does. Never reads the test split.

    PYTHONPATH=CHECKOUT python bench/extents.py [--corpus corpus/] [--part tune] [--list]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

from app.evaluation import gold_files, iou, part_of

_CREDIT = re.compile(r"\b(according to|enligt|said|says|told|sa|sade|säger|uppger|uppgav|"
                     r"reported|stated|added|wrote|skriver|meddelar)\b", re.I)


def _kind(piece: str) -> str:
    """What a stretch of text that one span has and the other lacks is made of."""
    p = piece.strip()
    low = p.casefold()
    if not p:
        return "space"
    if ";" in p:
        return "semicolon"
    if re.search(r"\b(according to|enligt)\b", low):
        return "according"
    if _CREDIT.search(low):
        return "credit/verb"
    if re.search(r"(^|[\s,])(which|who|som)\b", low):
        return "relative"
    if re.match(r"^(that|att)\b", low) or re.search(r"\b(that|att)$", low):
        return "complementizer"
    if re.search(r"(^|[\s,])(and|but|och|men|while|medan)\b", low):
        return "conjunction"
    if len(p) <= 2:
        return "punct"
    return "other"


def classify(text: str, g: tuple[int, int], p: tuple[int, int]) -> list[str]:
    """The boundary differences of a prediction p against the gold g, one label per end."""
    out = []
    if p[0] < g[0]:
        out.append("start-early:" + _kind(text[p[0] : g[0]]))
    elif p[0] > g[0]:
        out.append("start-late:" + _kind(text[g[0] : p[0]]))
    if p[1] < g[1]:
        out.append("end-short:" + _kind(text[p[1] : g[1]]))
    elif p[1] > g[1]:
        out.append("end-long:" + _kind(text[g[1] : p[1]]))
    return out


def pairs(art: dict[str, Any], quotes: list[dict[str, Any]]
          ) -> tuple[list[tuple[str, tuple[int, int], tuple[int, int]]], int, int]:
    """Each predicted indirect quote with the gold indirect quote it overlaps most, as
    (status, gold, prediction); and the gold and predicted indirect quotes left alone."""
    gold = [(g["start"], g["end"]) for g in art["quotes"] if g["type"] == "indirect"]
    pred = [(q["start"], q["end"]) for q in quotes if q.get("type") == "indirect"]
    out = []
    touched: set[int] = set()
    alone = 0
    for p in pred:
        best = max(gold, key=lambda g: iou(g, p), default=None)
        if best is None or iou(best, p) == 0.0:
            alone += 1
            continue
        touched.add(gold.index(best))
        v = iou(best, p)
        status = "extent" if v < 0.5 else ("matched" if best == p else "near")
        out.append((status, best, p))
    return out, len(gold) - len(touched), alone


def main() -> None:
    """Count extents by class on one dev part; list them on tune with --list."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=Path("corpus"))
    ap.add_argument("--part", default="tune", choices=("tune", "check", "calib"))
    ap.add_argument("--list", action="store_true", help="print every pair (tune only)")
    ap.add_argument("--cache", type=Path, help="keep the extraction here (JSON) and reuse it")
    args = ap.parse_args()
    if args.list and args.part != "tune":
        ap.error("examples are listed for the tune part only")
    arts = [
        a
        for f in gold_files([args.corpus], "dev")
        for line in f.read_text(encoding="utf-8").splitlines()
        if line.strip() and part_of(a := json.loads(line)) == args.part
    ]
    if args.cache is not None and args.cache.is_file():
        outs = json.loads(args.cache.read_text(encoding="utf-8"))
    else:
        from app.config import get_settings
        from app.extraction.pipeline import Extractor

        ex = Extractor.load(get_settings().models)
        outs = [x.as_dict()["quotes"] for x in ex.extract_many([a["text"] for a in arts])]
        if args.cache is not None:
            args.cache.write_text(json.dumps(outs), encoding="utf-8")
    status: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    for art, quotes in zip(arts, outs, strict=True):
        found, missed, extra = pairs(art, quotes)
        status["gold alone"] += missed
        status["prediction alone"] += extra
        lang = art["id"].split("-")[0]
        for st, g, p in found:
            status[st] += 1
            if st == "matched":
                continue
            labels = classify(art["text"], g, p)
            for label in labels:
                kinds[f"{st} {label}"] += 1
            if args.list:
                t = art["text"]
                print(f"{art['id']} [{lang}] {st} {' '.join(labels)}\n"
                      f"  gold: {t[g[0]:g[1]]!r}\n  pred: {t[p[0]:p[1]]!r}")
    print(f"part={args.part} documents={len(arts)} " + " ".join(
        f"{k.replace(' ', '_')}={v}" for k, v in sorted(status.items())))
    for k, v in kinds.most_common():
        print(f"  {v:3d} {k}")


if __name__ == "__main__":
    main()
