"""Inter-annotator agreement, and the drafts an adjudicator starts from.

Two annotators (folders corpus/work/ann/A and B) annotate the same documents independently.
Spans are matched one-to-one by character IoU >= 0.5, as the project's scorer matches a
prediction to gold (`app.extraction.evaluation.match`). Reported per language:

- span F1: A's spans against B's (the measure is symmetric), all quote types together, and for
  direct+partial and indirect apart;
- speaker agreement: the share of matched spans whose speakers are the same person (same
  canonical name, a name one annotator lists as a mention of the other's, or the same first and
  last name, as the scorer judges a speaker), both null counting as agreement;
- type agreement on matched spans; not_quotes F1.

`draft` writes corpus/work/ann/draft/<id>.json for every document both annotated: the quotes the
two agree on exactly (same span, type and speaker) in the annotation format, the union of their
speakers and mentions, and a `disputes` list of the rest side by side. An adjudicator copies it to
corpus/work/ann/adjudicated/<id>.json, settles every dispute with the text and the guidelines, and
removes the `disputes` key (`ann.py check` refuses an adjudicated file that still has one).

    python corpus/tools/agree.py report [--json corpus/work/agreement.json]
    python corpus/tools/agree.py draft
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT / "tools"))

from ann import doc_text, resolve  # noqa: E402

from app.extraction.evaluation import iou, match, norm, speaker_ok  # noqa: E402

ANN = ROOT / "work/ann"


def load(annotator: str, doc_id: str) -> dict[str, Any] | None:
    path = ANN / annotator / f"{doc_id}.json"
    if not path.exists():
        return None
    raw = json.loads(path.read_text(encoding="utf-8"))
    resolved, errors = resolve(raw, doc_text(doc_id))
    if errors:
        raise SystemExit(f"{path}: {errors[0]} (run ann.py check)")
    return resolved


def same_speaker(a: str | None, b: str | None, sa: dict[str, list[str]],
                 sb: dict[str, list[str]]) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if norm(a) == norm(b):
        return True
    return speaker_ok(b, a, sa.get(a, [])) or speaker_ok(a, b, sb.get(b, []))


def f1(tp: int, na: int, nb: int) -> float:
    return 2 * tp / (na + nb) if na + nb else 1.0


class Tally:
    def __init__(self) -> None:
        self.c: dict[str, int] = defaultdict(int)

    def add_doc(self, a: dict[str, Any], b: dict[str, Any]) -> None:
        c = self.c
        c["docs"] += 1
        qa, qb = a["quotes"], b["quotes"]
        m = match(qa, qb)
        c["a"] += len(qa)
        c["b"] += len(qb)
        c["tp"] += len(m)
        for group, kinds in (("dp", {"direct", "partial"}), ("ind", {"indirect"})):
            ga = [q for q in qa if q["type"] in kinds]
            gb = [q for q in qb if q["type"] in kinds]
            c[f"{group}_a"] += len(ga)
            c[f"{group}_b"] += len(gb)
            c[f"{group}_tp"] += len(match(ga, gb))
        for ia, ib in m:
            x, y = qa[ia], qb[ib]
            c["spk_ok"] += same_speaker(x["speaker"], y["speaker"], a["speakers"], b["speakers"])
            c["type_ok"] += x["type"] == y["type"]
            c["exact"] += (x["start"], x["end"]) == (y["start"], y["end"])
        na, nb = a["not_quotes"], b["not_quotes"]
        c["nq_a"] += len(na)
        c["nq_b"] += len(nb)
        c["nq_tp"] += len(match(na, nb))

    def figures(self) -> dict[str, float | int]:
        c = self.c
        tp = c["tp"]
        return {
            "documents": c["docs"],
            "spans_A": c["a"],
            "spans_B": c["b"],
            "span_f1": round(f1(tp, c["a"], c["b"]), 3),
            "span_f1_direct_partial": round(f1(c["dp_tp"], c["dp_a"], c["dp_b"]), 3),
            "span_f1_indirect": round(f1(c["ind_tp"], c["ind_a"], c["ind_b"]), 3),
            "exact_boundaries_of_matched": round(c["exact"] / tp, 3) if tp else 1.0,
            "speaker_agreement": round(c["spk_ok"] / tp, 3) if tp else 1.0,
            "type_agreement": round(c["type_ok"] / tp, 3) if tp else 1.0,
            "not_quotes_f1": round(f1(c["nq_tp"], c["nq_a"], c["nq_b"]), 3),
        }


def both_done() -> list[str]:
    a = {p.stem for p in (ANN / "A").glob("*.json")}
    b = {p.stem for p in (ANN / "B").glob("*.json")}
    return sorted(a & b)


def report(out: Path | None) -> None:
    tallies: dict[str, Tally] = defaultdict(Tally)
    for doc_id in both_done():
        a, b = load("A", doc_id), load("B", doc_id)
        assert a is not None and b is not None
        tallies[doc_id.split("-")[0]].add_doc(a, b)
    figures = {lang: t.figures() for lang, t in sorted(tallies.items())}
    print(json.dumps(figures, indent=1))
    if out:
        out.write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")


def as_annotation(q: dict[str, Any]) -> dict[str, Any]:
    out = {"quote": q["quote"], "speaker": q["speaker"], "type": q["type"]}
    if q.get("note"):
        out["note"] = q["note"]
    return out


def draft_of(doc_id: str, a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    text = doc_text(doc_id)
    qa, qb = a["quotes"], b["quotes"]
    pairs = {ia: ib for ia, ib in match(qa, qb)}
    agreed: list[dict[str, Any]] = []
    disputes: list[dict[str, Any]] = []
    speakers: dict[str, list[str]] = {k: list(v) for k, v in a["speakers"].items()}
    for name, mentions in b["speakers"].items():
        if name in speakers:
            speakers[name] = sorted(set(speakers[name]) | set(mentions))
        else:
            speakers[name] = list(mentions)
    matched_b = set(pairs.values())
    for ia, x in enumerate(qa):
        ib = pairs.get(ia)
        y = qb[ib] if ib is not None else None
        if y is None:
            disputes.append({"why": "only A", "A": as_annotation(x), "B": None})
            continue
        why = []
        if (x["start"], x["end"]) != (y["start"], y["end"]):
            why.append("span")
        if x["type"] != y["type"]:
            why.append("type")
        if not same_speaker(x["speaker"], y["speaker"], a["speakers"], b["speakers"]):
            why.append("speaker")
        if why:
            disputes.append({"why": " + ".join(why), "A": as_annotation(x), "B": as_annotation(y)})
        else:
            agreed.append(x)
    for ib, y in enumerate(qb):
        if ib not in matched_b:
            disputes.append({"why": "only B", "A": None, "B": as_annotation(y)})
    nq_pairs = match(a["not_quotes"], b["not_quotes"])
    nq_agreed = [a["not_quotes"][i] for i, j in nq_pairs
                 if iou((a["not_quotes"][i]["start"], a["not_quotes"][i]["end"]),
                        (b["not_quotes"][j]["start"], b["not_quotes"][j]["end"])) == 1.0]
    nq_keys = {(n["start"], n["end"]) for n in nq_agreed}
    for who, ann in (("A", a), ("B", b)):
        for n in ann["not_quotes"]:
            if (n["start"], n["end"]) not in nq_keys:
                disputes.append({"why": f"not_quote only {who}", "A": n if who == "A" else None,
                                 "B": n if who == "B" else None})

    def occurrence(span: str, start: int) -> int:
        n, i = 0, text.find(span)
        while i != -1 and i <= start:
            n += 1
            i = text.find(span, i + 1)
        return n

    quotes = []
    for q in sorted(agreed, key=lambda q: q["start"]):
        item = as_annotation(q)
        item["occurrence"] = occurrence(q["quote"], q["start"])
        quotes.append(item)
    not_quotes = [{"text": n["text"], "occurrence": occurrence(n["text"], n["start"])}
                  for n in nq_agreed]
    return {"id": doc_id, "annotator": "adjudicated", "quotes": quotes, "speakers": speakers,
            "not_quotes": not_quotes, "disputes": disputes}


def draft() -> None:
    out = ANN / "draft"
    out.mkdir(parents=True, exist_ok=True)
    n_disputes = 0
    for doc_id in both_done():
        a, b = load("A", doc_id), load("B", doc_id)
        assert a is not None and b is not None
        d = draft_of(doc_id, a, b)
        n_disputes += len(d["disputes"])
        (out / f"{doc_id}.json").write_text(json.dumps(d, ensure_ascii=False, indent=1) + "\n",
                                            encoding="utf-8")
    print(f"{len(both_done())} drafts, {n_disputes} disputes, in {out}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["report", "draft"])
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if args.cmd == "report":
        report(args.json)
    else:
        draft()


if __name__ == "__main__":
    main()
