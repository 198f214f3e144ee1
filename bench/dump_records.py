"""Every record the Extractor gives, as JSON lines, to compare two checkouts byte for byte.

    PYTHONPATH=CHECKOUT python bench/dump_records.py OUT.jsonl [--dev-dir ../shared/dev]

A speed change must not change one output: dump with the code before and after and ``cmp``
the files. The texts: every ``*.jsonl`` of ``--dev-dir`` (the shared dev sets), the corpus's
dev split (never its test split), ``bench/bench_extraction.py``'s synthetic articles (200 per
language), mixed-language articles made of the corpus's Swedish and English dev texts (two
and three runs of one language, so speakers are decided across segments), all extracted in
batches and the first 30 again one by one. Each line is the whole ``Extraction`` with its
speakers, stats and unrounded confidences (``dataclasses.asdict``).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
from pathlib import Path

from bench_extraction import article, english_article

from app.extraction.pipeline import Extractor

ROOT = Path(__file__).resolve().parent.parent


def _texts(path: Path) -> list[str]:
    return [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines()
            if line.strip()]


def texts(dev_dir: Path) -> list[str]:
    """The texts to dump, in a fixed order."""
    out: list[str] = []
    for path in sorted(dev_dir.glob("*.jsonl")):
        out += _texts(path)
    sv, en = (_texts(ROOT / "corpus" / lang / "dev.jsonl") for lang in ("sv", "en"))
    out += sv + en
    for make in (article, english_article):
        rng = random.Random(20251127)
        out += [make(rng) for _ in range(200)]
    out += [f"{a}\n\n{b}" for a, b in zip(sv[:20], en[:20], strict=False)]
    out += [f"{b}\n\n{a}\n\n{b}" for a, b in zip(sv[:10], en[:10], strict=False)]
    return out


def main() -> None:
    """Write one JSON line per extraction."""
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--dev-dir", type=Path, default=ROOT.parent / "shared" / "dev")
    a = ap.parse_args()
    all_texts = texts(a.dev_dir)
    extractor = Extractor.load()
    results = [*extractor.extract_many(all_texts), *map(extractor.extract, all_texts[:30])]
    with a.out.open("w", encoding="utf-8") as out:
        for e in results:
            out.write(json.dumps(dataclasses.asdict(e), ensure_ascii=False, sort_keys=True))
            out.write("\n")
    print(f"{len(results)} extractions of {len(all_texts)} texts -> {a.out}")


if __name__ == "__main__":
    main()
