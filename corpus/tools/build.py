"""Build the corpus files from the documents and their adjudicated annotations.

For every document with corpus/work/ann/adjudicated/<id>.json, one record goes into
corpus/<lang>/<split>.jsonl (split from corpus/splits.json), in the gold format of the project's
evaluation (`citat eval`): id, lang, source, date, title, licence, attribution, text, quotes
(quote, speaker, type, start, end, note), speakers, not_quotes. Records are in id order, so the
files only change where an annotation does.

    python corpus/tools/build.py
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from ann import doc_text, resolve  # noqa: E402
from splits import load as load_splits  # noqa: E402

META_FIELDS = ("id", "lang", "source", "date", "title", "licence", "attribution")


def metadata() -> dict[str, dict[str, Any]]:
    meta: dict[str, dict[str, Any]] = {}
    for index in sorted((ROOT / "work/docs").glob("*/index.jsonl")):
        for line in index.open(encoding="utf-8"):
            if line.strip():
                rec = json.loads(line)
                meta[rec["id"]] = rec
    return meta


def record(doc_id: str, meta: dict[str, Any]) -> dict[str, Any]:
    raw = json.loads((ROOT / "work/ann/adjudicated" / f"{doc_id}.json").read_text("utf-8"))
    if "disputes" in raw:
        raise SystemExit(f"{doc_id}: the adjudicated file still has disputes")
    text = doc_text(doc_id)
    ann, errors = resolve(raw, text)
    if errors:
        raise SystemExit(f"{doc_id}: {errors[0]}")
    used = {q["speaker"] for q in ann["quotes"] if q["speaker"]}
    rec = {k: meta.get(k) for k in META_FIELDS}
    if meta.get("publisher"):
        rec["publisher"] = meta["publisher"]
    rec["text"] = text
    rec["quotes"] = ann["quotes"]
    rec["speakers"] = {k: v for k, v in ann["speakers"].items() if k in used}
    rec["not_quotes"] = ann["not_quotes"]
    return rec


def calib_ids() -> set[str]:
    """Documents of the dev split kept for calibration (corpus/parts.json's "calib"): their
    records carry ``"part": "calib"`` (see app.evaluation.PARTS)."""
    path = ROOT / "parts.json"
    return set(json.loads(path.read_text(encoding="utf-8"))["calib"]) if path.exists() else set()


def main() -> None:
    meta = metadata()
    calib = calib_ids()
    splits = load_splits()
    files: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for path in sorted((ROOT / "work/ann/adjudicated").glob("*.json")):
        doc_id = path.stem
        if doc_id not in meta or doc_id not in splits:
            raise SystemExit(f"{doc_id}: no metadata or no split (run splits.py)")
        rec = record(doc_id, meta[doc_id])
        if doc_id in calib:
            if splits[doc_id] != "dev":
                raise SystemExit(f"{doc_id}: a calib document must be in the dev split")
            rec["part"] = "calib"
        files[(rec["lang"], splits[doc_id])].append(rec)
    for (lang, split), recs in sorted(files.items()):
        out = ROOT / lang / f"{split}.jsonl"
        out.parent.mkdir(exist_ok=True)
        with out.open("w", encoding="utf-8") as fh:
            for rec in recs:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        n = sum(len(r["quotes"]) for r in recs)
        print(f"{out.relative_to(ROOT.parent)}: {len(recs)} documents, {n} quotes")


if __name__ == "__main__":
    main()
