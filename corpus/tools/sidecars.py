"""Write each corpus document's metadata beside its text, as `citat ingest` reads it.

For every line of corpus/work/docs/<lang>/index.jsonl, <id>.meta.json gets the title, the
publisher as `source`, the URL, the date (`published_at`, when the day is known), the licence
and the attribution. `citat serve` loads these documents as the demo archive, and the article
page shows their credit.

    python corpus/tools/sidecars.py
"""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PUBLISHER = {"en": "English Wikinews"}
#: The index records a licence basis that is not an open licence at length (DATASHEET.md
#: explains it); the article page shows this short form of it.
UNVERIFIED = "Public-sector text, licence not verified (see corpus/DATASHEET.md)"


def short_licence(licence: str | None) -> str | None:
    """An open licence's name as recorded (CC …, public domain), else UNVERIFIED."""
    if licence and re.match(r"(CC[ 0]|CC$|Public domain)", licence, re.IGNORECASE):
        return licence
    return UNVERIFIED


def main() -> None:
    n = 0
    for index in sorted((ROOT / "work/docs").glob("*/index.jsonl")):
        lang = index.parent.name
        for line in index.open(encoding="utf-8"):
            if not line.strip():
                continue
            rec = json.loads(line)
            date = rec.get("date") or ""
            meta = {
                "title": rec.get("title"),
                "source": rec.get("publisher") or PUBLISHER.get(lang),
                "url": rec.get("source"),
                "published_at": date if re.fullmatch(r"\d{4}-\d{2}-\d{2}", date) else None,
                "licence": short_licence(rec.get("licence")),
                "attribution": rec.get("attribution"),
            }
            path = index.parent / f"{rec['id']}.meta.json"
            path.write_text(json.dumps({k: v for k, v in meta.items() if v}, ensure_ascii=False,
                                       indent=1) + "\n", encoding="utf-8")
            n += 1
    print(f"{n} sidecars written")


if __name__ == "__main__":
    main()
