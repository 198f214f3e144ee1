"""Collect the English Wikinews news articles of the shared GUM subset as corpus documents.

The shared data (`../shared/data/en/UD_English-GUM/documents/`) holds 24 English Wikinews
articles of 2006-2023 (`GUM_news_*.conllu`, CC BY 2.5), each as the UD treebank's sentences with
the article's paragraph structure in `# newpar` / `# newpar_block` comments and its address,
title and date in `# meta::` comments. This script rebuilds each article's running text from the
`# text` lines (sentences of a paragraph joined by one space, paragraphs by a blank line; a
paragraph's `# newpar_block` sentence count decides where it ends), drops the title heading (the
corpus keeps titles in the metadata) and image figures with their captions (page chrome, as for
the other collected texts), leaves out an article with fewer than two quotation marks or speech
verbs (`check_docs.py`'s rule: nothing to annotate), keeps every other paragraph, heading and
block quote as it stands, and writes `<id>.txt`, `<id>.meta.json` and the index lines for the
ids from --first on (in date order). Wording, typos and quotation marks are GUM's.

    python corpus/tools/from_gum.py [--shared ../shared] [--first 231] [--dry-run]

Run `python corpus/tools/check_docs.py --first en-wn-0231` afterwards (overlap with the corpus,
the shared dev sets and the shared Wikinews dump; length; something to annotate).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "work/docs/en"
SPEECH = re.compile(r"[\"“”]|\b(said|says|told|according to|stated|added|announced)\b",
                    re.IGNORECASE)


def read(path: Path) -> dict:
    """The document's metadata and paragraphs as (kind, sentences).

    A `# newpar_block` line says what the paragraph is and how many sentences it holds
    ("p (2 s)", "figure (1 s) | caption (1 s)"); sentences past that count before the next
    `# newpar` (GUM leaves some body text unmarked after a figure) start a paragraph of their own.
    """
    meta: dict[str, str] = {}
    paras: list[tuple[str, list[str]]] = []
    room = 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# meta::"):
            key, _, value = line[len("# meta::"):].partition(" = ")
            meta[key] = value
        elif line.startswith("# newpar_block = "):
            block = line[len("# newpar_block = "):]
            kind = re.match(r"\w+", block).group(0)
            count = re.search(r"\((\d+) s\)", block)
            room = int(count.group(1)) if count else 1_000
            paras.append((kind, []))
        elif line.startswith("# text = "):
            if room <= 0:
                paras.append(("p", []))
                room = 1_000
            if not paras:
                paras.append(("p", []))
                room = 1_000
            paras[-1][1].append(line[len("# text = "):])
            room -= 1
    return {"meta": meta, "paras": paras, "name": path.stem}


def text_of(doc: dict) -> str:
    title = doc["meta"]["title"].strip()
    out = []
    for i, (kind, sents) in enumerate(doc["paras"]):
        para = " ".join(s.strip() for s in sents).strip()
        if not para or kind == "figure":
            continue
        if kind == "head" and i == 0 and para == title:
            continue
        out.append(para)
    return "\n\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent.parent / "shared"))
    ap.add_argument("--first", type=int, default=231)
    ap.add_argument("--dry-run", action="store_true")
    args = ap.parse_args()
    src = Path(args.shared) / "data/en/UD_English-GUM/documents"
    docs = [read(p) for p in sorted(src.glob("GUM_news_*.conllu"))]
    docs.sort(key=lambda d: (d["meta"]["dateCreated"], d["name"]))
    kept = []
    for doc in docs:
        if len(SPEECH.findall(text_of(doc))) < 2:  # check_docs.py's rule: nothing to annotate
            print("left out (fewer than two quotation marks or speech verbs):", doc["name"])
        else:
            kept.append(doc)
    docs = kept
    index_lines = []
    for n, doc in enumerate(docs, start=args.first):
        doc_id = f"en-wn-{n:04d}"
        m = doc["meta"]
        url, date, title = m["sourceURL"], m["dateCreated"], m["title"].strip()
        shown = unquote(url)
        meta = {
            "title": title,
            "source": "English Wikinews",
            "url": url,
            "published_at": date,
            "licence": "CC BY 2.5",
            "attribution": f"Wikinews contributors, “{title}”, English Wikinews, {date}, {shown} "
                           "(CC BY 2.5)",
        }
        cleaning = (
            f"rebuilt from the shared UD_English-GUM document {doc['name']} (the GUM corpus's copy "
            f"of the article, collected {m.get('dateCollected', '?')}): the `# text` sentences of "
            "each `# newpar` paragraph joined by one space, paragraphs by a blank line; the title "
            "heading and image figures with their captions left out; wording, typos and "
            "quotation marks as in GUM")
        index_lines.append({"id": doc_id, "lang": "en", "source": url, "date": date,
                            "title": title, "licence": meta["licence"],
                            "attribution": meta["attribution"], "cleaning": cleaning})
        print(doc_id, date, doc["name"], len(text_of(doc).split()), "words")
        if not args.dry_run:
            (DOCS / f"{doc_id}.txt").write_text(text_of(doc), encoding="utf-8")
            (DOCS / f"{doc_id}.meta.json").write_text(
                json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    if not args.dry_run:
        with (DOCS / "index.jsonl").open("a", encoding="utf-8") as fh:
            for line in index_lines:
                fh.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
