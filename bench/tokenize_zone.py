"""Tokenizing inside spaCy memory zones, before and after the Extractor's ChunkLearner.

    python bench/tokenize_zone.py [--learn 1024] [--test 64]

Extraction runs in memory zones, where spaCy's tokenizer caches nothing: a chunk that is not
on the pipeline's warm-up list goes through the affix rules again in every article. This
times ``make_doc`` in a zone (ms of CPU per article, best of 3) on ``--test`` ingest-benchmark
articles (``bench/corpus.py``, 537 words), first with the shipped pipeline as loaded, then
after a ``ChunkLearner`` has observed ``--learn`` other articles in batches of 32 as
extraction does; then what the learning cost in vocabulary and resident memory.
"""

from __future__ import annotations

import argparse
import re
import time

from app.extraction.pipeline import ChunkLearner, _warmup_chunks, load_pipeline
from corpus import articles


def rss_mb() -> int:
    """This process's resident memory in MB."""
    with open("/proc/self/status", encoding="ascii") as f:
        found = re.search(r"VmRSS:\s+(\d+)", f.read())
    return int(found.group(1)) // 1024 if found else 0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--learn", type=int, default=1024, help="articles observed")
    ap.add_argument("--test", type=int, default=64, help="unseen articles timed")
    args = ap.parse_args()
    nlp = load_pipeline("sv")
    texts = [t for _, t in articles(args.learn + args.test)]
    seen, test = texts[: args.learn], texts[args.learn :]

    def zone_ms() -> float:
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            with nlp.memory_zone():
                for t in test:
                    nlp.make_doc(t)
            best = min(best, time.process_time() - t0)
        return best / len(test) * 1000

    before, lexemes, rss = zone_ms(), len(nlp.vocab), rss_mb()
    learner = ChunkLearner(nlp, _warmup_chunks(nlp))
    for i in range(0, len(seen), 32):
        learner.observe(seen[i : i + 32])
    after = zone_ms()
    print(f"tokenizing in a memory zone, {len(test)} unseen 537-word articles: "
          f"{before:.2f} ms/article as loaded, {after:.2f} after observing {len(seen)} others "
          f"({before / after:.1f}x)")
    print(f"learned {learner.learned:,} chunks (budget {learner.budget:,}): lexemes "
          f"{lexemes:,} -> {len(nlp.vocab):,}, RSS {rss} -> {rss_mb()} MB")


if __name__ == "__main__":
    main()
