"""Choose the English documents of the corpus from the shared Wikinews dump.

Reads ../shared/data/en/wikinews/wikinews_20{19,20}.csv (English Wikinews, CC BY 2.5), leaves out
the articles of ../shared/dev/en_dev.jsonl, interviews and very long or very short texts, and any
article that shares an 8-word sequence with a shared dev text or with an article chosen before it.
Writes corpus/work/docs/en/<id>.txt and corpus/work/docs/en/index.jsonl (id, source, date, title,
licence, attribution). Deterministic: the same input gives the same ids.

    python corpus/tools/select_en.py [--shared ../shared] [--max 220]
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

from grams import grams_of  # noqa: E402

LICENCE = "CC BY 2.5"


def norm_url(url: str) -> str:
    return unquote(url).replace("//wiki/", "/wiki/").rstrip("/")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", default=str(ROOT.parent.parent / "shared"))
    ap.add_argument("--max", type=int, default=220)
    args = ap.parse_args()
    shared = Path(args.shared)
    csv.field_size_limit(10**9)
    rows: list[dict[str, str]] = []
    for name in ("wikinews_2019.csv", "wikinews_2020.csv"):
        with open(shared / "data/en/wikinews" / name, encoding="utf-8", newline="") as fh:
            rows += list(csv.DictReader(fh))
    rows.sort(key=lambda r: (r["date"], r["url"]))
    dev_urls: set[str] = set()
    seen: set[str] = set()
    for dev in sorted((shared / "dev").glob("*.jsonl")):
        for line in dev.open(encoding="utf-8"):
            rec = json.loads(line)
            if rec.get("source"):
                dev_urls.add(norm_url(rec["source"]))
            seen |= grams_of(rec["text"])
    out = ROOT / "work/docs/en"
    out.mkdir(parents=True, exist_ok=True)
    chosen = []
    for row in rows:
        text = row["text"].replace("\r\n", "\n").strip()
        url = norm_url(row["url"])
        if url in dev_urls or not 400 <= len(text) <= 9000:
            continue
        if re.search(r"interview", row["title"], re.I):
            continue
        g = grams_of(text)
        if g & seen:
            continue
        seen |= g
        chosen.append((row, text, url))
        if len(chosen) >= args.max:
            break
    with open(out / "index.jsonl", "w", encoding="utf-8") as idx:
        for i, (row, text, url) in enumerate(chosen, 1):
            doc_id = f"en-wn-{i:04d}"
            (out / f"{doc_id}.txt").write_text(text, encoding="utf-8")
            meta = {
                "id": doc_id,
                "lang": "en",
                "source": url,
                "date": row["date"],
                "title": row["title"],
                "licence": LICENCE,
                "attribution": f"Wikinews contributors, \u201c{row['title']}\u201d, "
                f"English Wikinews, {row['date']}, {url} (CC BY 2.5)",
            }
            idx.write(json.dumps(meta, ensure_ascii=False) + "\n")
    print(f"{len(chosen)} English documents in {out}")


if __name__ == "__main__":
    main()
