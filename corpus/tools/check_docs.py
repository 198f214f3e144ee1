"""Check collected corpus documents before annotation: files, metadata, overlap, length.

For every document of corpus/work/docs/<lang>/index.jsonl from --first on (default: the
English Wikinews texts collected from stored pages, en-wn-0221 on), checks that

- the index line has its fields (id, lang, source, date, title, licence, attribution, cleaning),
  ids run on without gaps, and the source is an English Wikinews address;
- <id>.txt and <id>.meta.json exist and the sidecar agrees with the index line;
- the text has at least --min-words words (\\w+ runs, the dateline line not counted) and at
  least two quotation marks or speech verbs (a rough sign that there is something to annotate);
- it shares no 8-word sequence (corpus/tools/grams.py) with another document of the corpus,
  a text of the shared dev sets (../shared/dev/*.jsonl) or an article of the shared Wikinews
  dump (../shared/data/en/wikinews/*.csv), and its title is not a dump title.

Prints one line per problem and a summary; exits 1 if there is any problem.

    python corpus/tools/check_docs.py [--first en-wn-0221] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from grams import grams_of  # noqa: E402

FIELDS = ("id", "lang", "source", "date", "title", "licence", "attribution", "cleaning")
HOSTS = {"en.wikinews.org", "en.m.wikinews.org"}
DATELINE = re.compile(
    r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \w+ \d{1,2}, \d{4}\s*$")
SPEECH = re.compile(r"[\"“”]|\b(said|says|told|according to|stated|added|announced)\b",
                    re.IGNORECASE)


def prose_words(text: str) -> int:
    lines = text.strip().splitlines()
    if lines and DATELINE.match(lines[0].strip()):
        lines = lines[1:]
    return len(re.findall(r"\w+", "\n".join(lines)))


def number(doc_id: str) -> int:
    return int(doc_id.rsplit("-", 1)[1])


def outside_texts(shared: Path) -> tuple[dict[str, str], set[str]]:
    """Texts a new document must not share a passage with (name -> text), and dump titles."""
    texts: dict[str, str] = {}
    for path in sorted((shared / "dev").glob("*.jsonl")):
        for n, line in enumerate(path.open(encoding="utf-8")):
            if line.strip():
                rec = json.loads(line)
                texts[f"{path.name}:{rec.get('id', n)}"] = rec.get("text", "")
    titles: set[str] = set()
    csv.field_size_limit(10**9)
    for path in sorted((shared / "data/en/wikinews").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                texts[f"{path.name}:{row['url']}"] = row["text"]
                titles.add(row["title"].strip().lower())
    return texts, titles


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--first", default="en-wn-0221")
    ap.add_argument("--shared", default=str(ROOT.parent.parent / "shared"))
    ap.add_argument("--min-words", type=int, default=60)
    args = ap.parse_args()
    lang, first = args.first.split("-", 1)[0], number(args.first)
    docs = ROOT / "work/docs" / lang
    problems: list[str] = []

    index = [json.loads(line) for line in (docs / "index.jsonl").open(encoding="utf-8")
             if line.strip()]
    new = [rec for rec in index if number(rec["id"]) >= first]
    prefix = args.first.rsplit("-", 1)[0]
    want = [f"{prefix}-{n:04d}" for n in range(first, first + len(new))]
    if [rec["id"] for rec in new] != want:
        problems.append(f"ids are not {want[:1]}..{want[-1:]} in order")

    texts: dict[str, str] = {}
    for rec in new:
        doc_id = rec["id"]
        missing = [k for k in FIELDS if not rec.get(k)]
        if missing:
            problems.append(f"{doc_id}: index line lacks {missing}")
        if urlsplit(rec.get("source") or "").hostname not in HOSTS:
            problems.append(f"{doc_id}: source is not an English Wikinews address")
        txt, meta_path = docs / f"{doc_id}.txt", docs / f"{doc_id}.meta.json"
        if not txt.exists() or not meta_path.exists():
            problems.append(f"{doc_id}: {txt.name} or {meta_path.name} is missing")
            continue
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        expected = {"title": rec.get("title"), "source": "English Wikinews",
                    "url": rec.get("source"), "published_at": rec.get("date"),
                    "licence": rec.get("licence"), "attribution": rec.get("attribution")}
        wrong = [k for k, v in expected.items() if meta.get(k) != v]
        if wrong:
            problems.append(f"{doc_id}: meta.json disagrees with the index on {wrong}")
        text = texts[doc_id] = txt.read_text(encoding="utf-8")
        if prose_words(text) < args.min_words:
            problems.append(f"{doc_id}: {prose_words(text)} words (< {args.min_words})")
        if len(SPEECH.findall(text)) < 2:
            problems.append(f"{doc_id}: fewer than two quotation marks or speech verbs")

    others: dict[str, str] = {}
    for path in sorted((ROOT / "work/docs").glob("*/*.txt")):
        if path.stem not in texts:
            others[path.stem] = path.read_text(encoding="utf-8")
    outside, titles = outside_texts(Path(args.shared))
    others.update(outside)
    owner: dict[str, str] = {}
    for name, text in others.items():
        for g in grams_of(text):
            owner.setdefault(g, name)
    for doc_id, text in texts.items():
        shared = {owner[g] for g in grams_of(text) if g in owner and owner[g] != doc_id}
        if shared:
            problems.append(f"{doc_id}: shares an 8-word sequence with {sorted(shared)[:3]}")
        for g in grams_of(text):
            owner.setdefault(g, doc_id)
    for rec in new:
        if (rec.get("title") or "").strip().lower() in titles:
            problems.append(f"{rec['id']}: title is in the shared Wikinews dump")

    for p in problems:
        print(p)
    words = [prose_words(t) for t in texts.values()]
    print(f"{len(new)} documents from {args.first}; {sum(words)} words "
          f"({min(words, default=0)}-{max(words, default=0)} each); "
          f"checked against {len(others)} other texts; {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
