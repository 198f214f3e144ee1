"""Give every corpus document a fixed split (dev ≈ 60 %, test ≈ 40 %), once.

corpus/splits.json maps document id -> "dev" | "test". Documents already in it keep their split
forever; new documents of a language are shuffled with a fixed seed and dealt so that the
language's split stays near 60/40. The test split is for reporting, never for tuning.

    python corpus/tools/splits.py        # adds the documents of corpus/work/docs/*/index.jsonl
"""

from __future__ import annotations

import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SPLITS = ROOT / "splits.json"
DEV_SHARE = 0.6


def load() -> dict[str, str]:
    return json.loads(SPLITS.read_text(encoding="utf-8")) if SPLITS.exists() else {}


def assign(splits: dict[str, str], lang: str, ids: list[str], seed: int = 20261204) -> None:
    """Deal the ids not yet in splits, keeping the language's dev share near DEV_SHARE."""
    new = sorted(i for i in ids if i not in splits)
    random.Random(f"{seed}-{lang}").shuffle(new)  # noqa: S311 (a reproducible split, not a secret)
    have = [s for i, s in splits.items() if i.startswith(lang + "-")]
    dev = have.count("dev")
    total = len(have)
    for doc_id in new:
        total += 1
        if dev < round(total * DEV_SHARE):
            splits[doc_id] = "dev"
            dev += 1
        else:
            splits[doc_id] = "test"


def main() -> None:
    splits = load()
    for index in sorted((ROOT / "work/docs").glob("*/index.jsonl")):
        lang = index.parent.name
        ids = [json.loads(line)["id"] for line in index.open(encoding="utf-8") if line.strip()]
        assign(splits, lang, ids)
    SPLITS.write_text(json.dumps(dict(sorted(splits.items())), indent=1) + "\n", encoding="utf-8")
    for lang in sorted({i.split("-")[0] for i in splits}):
        vals = [s for i, s in splits.items() if i.startswith(lang + "-")]
        print(f"{lang}: {vals.count('dev')} dev, {vals.count('test')} test")


if __name__ == "__main__":
    main()
