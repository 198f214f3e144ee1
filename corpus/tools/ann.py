"""Check one annotator's files and resolve their quotes to character offsets.

An annotation file (corpus/work/ann/<annotator>/<doc id>.json) names spans by their exact text:

    {"id": "en-wn-0001", "annotator": "A",
     "quotes": [{"quote": "exact characters inside the marks", "occurrence": 1,
                 "speaker": "Canonical Name" | null, "type": "direct" | "partial" | "indirect",
                 "note": "why, for a hard case"}],
     "speakers": {"Canonical Name": ["mention as written", ...]},
     "not_quotes": [{"text": "exact characters", "occurrence": 1, "note": "scare quote"}]}

`occurrence` (1-based, default 1) picks among repeated strings. `check` prints every problem
(a span not found, an ambiguous one without `occurrence`, overlaps, a speaker missing from
`speakers`, a mention not written in the text) and exits 1 if there is any.

    python corpus/tools/ann.py check corpus/work/ann/A/en-wn-0001.json [...]
    python corpus/tools/ann.py check --dir corpus/work/ann/A
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TYPES = {"direct", "partial", "indirect"}


def doc_text(doc_id: str) -> str:
    lang = doc_id.split("-", 1)[0]
    return (ROOT / "work/docs" / lang / f"{doc_id}.txt").read_text(encoding="utf-8")


def locate(text: str, needle: str, occurrence: int | None) -> tuple[int, int] | str:
    if not needle:
        return "empty span"
    if needle != needle.strip():
        return f"span has spaces at its ends: {needle!r}"
    hits = []
    i = text.find(needle)
    while i != -1:
        hits.append(i)
        i = text.find(needle, i + 1)
    if not hits:
        return f"not found in the text: {needle[:80]!r}"
    if occurrence is None:
        if len(hits) > 1:
            return f"found {len(hits)} times, give occurrence: {needle[:60]!r}"
        occurrence = 1
    if not 1 <= occurrence <= len(hits):
        return f"occurrence {occurrence} but found {len(hits)} times: {needle[:60]!r}"
    start = hits[occurrence - 1]
    return start, start + len(needle)


def resolve(ann: dict[str, Any], text: str) -> tuple[dict[str, Any], list[str]]:
    """The annotation with start/end filled in, and the problems found."""
    errors: list[str] = []
    speakers = ann.get("speakers") or {}
    if not isinstance(speakers, dict):
        errors.append("speakers must be an object {canonical: [mentions]}")
        speakers = {}
    quotes = []
    for q in ann.get("quotes", []):
        where = locate(text, q.get("quote", ""), q.get("occurrence"))
        if isinstance(where, str):
            errors.append(f"quote: {where}")
            continue
        if q.get("type") not in TYPES:
            errors.append(f"quote type {q.get('type')!r} not one of {sorted(TYPES)}")
        sp = q.get("speaker")
        if sp is not None and sp not in speakers:
            errors.append(f"speaker {sp!r} is not a key of speakers")
        out = {"quote": q["quote"], "speaker": sp, "type": q.get("type"), "start": where[0],
               "end": where[1]}
        if q.get("note"):
            out["note"] = q["note"]
        quotes.append(out)
    quotes.sort(key=lambda q: q["start"])
    for a, b in itertools.pairwise(quotes):
        if b["start"] < a["end"]:
            errors.append(f"quotes overlap: {a['quote'][:40]!r} / {b['quote'][:40]!r}")
    for name, mentions in speakers.items():
        for m in mentions:
            if m not in text:
                errors.append(f"mention {m!r} of {name!r} is not written in the text")
    not_quotes = []
    for n in ann.get("not_quotes", []):
        where = locate(text, n.get("text", ""), n.get("occurrence"))
        if isinstance(where, str):
            errors.append(f"not_quote: {where}")
            continue
        out = {"text": n["text"], "start": where[0], "end": where[1]}
        if n.get("note"):
            out["note"] = n["note"]
        not_quotes.append(out)
    return {"quotes": quotes, "speakers": speakers, "not_quotes": not_quotes}, errors


def check(path: Path) -> list[str]:
    try:
        ann = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        return [f"cannot read: {exc}"]
    if "disputes" in ann and path.parent.name == "adjudicated":
        return ["an adjudicated file still has disputes: settle them and remove the key"]
    doc_id = ann.get("id") or path.stem
    if doc_id != path.stem:
        return [f"id {doc_id!r} does not match the file name"]
    try:
        text = doc_text(doc_id)
    except OSError:
        return [f"no document {doc_id}"]
    return resolve(ann, text)[1]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("cmd", choices=["check"])
    ap.add_argument("files", nargs="*", type=Path)
    ap.add_argument("--dir", type=Path)
    args = ap.parse_args()
    files = list(args.files) + (sorted(args.dir.glob("*.json")) if args.dir else [])
    bad = 0
    for f in files:
        errors = check(f)
        for e in errors:
            print(f"{f.name}: {e}")
        bad += bool(errors)
    print(f"{len(files) - bad} of {len(files)} files OK")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
