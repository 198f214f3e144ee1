"""Verification benchmark: p50/p95 of verifying a pasted quote at N quotes on SQLite, beside
the plain ranked search of the same words, in the same run, interleaved paste by paste.

    python bench/verify.py --n 1000000          # builds /tmp/citat-bench/search-1000000.db once

The database is the search benchmark's (bench/search.py ``build``: N synthetic Swedish quotes
through the project's migrations), upgraded to head. Pastes are made from stored quotes
(deterministic): verbatim, a word left out, a word changed, a fragment, two words swapped, a
claimed speaker, and word salads that are not in the archive. Each paste goes through
``app.verify.service.verify`` (retrieval through the FTS5 index, RapidFuzz re-ranking, the
verdict; not stored) and through ``app.storage.browse.search`` with the same words (the search
page's query, one page of 20).
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

from search import build
from sqlmodel import Session

from app.storage import browse
from app.storage.browse import QuoteFilters
from app.storage.db import make_engine
from app.storage.migrate import upgrade
from app.verify.claim import parse
from app.verify.service import verify


def pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


def pastes(path: Path, count: int, seed: int = 11) -> list[tuple[str, str, str | None]]:
    """(kind, text, claimed speaker) made from stored quotes."""
    rng = random.Random(seed)
    con = sqlite3.connect(path)
    top = con.execute("SELECT max(id) FROM quote").fetchone()[0]
    names = [r[0] for r in con.execute("SELECT name FROM speaker LIMIT 50")]
    vocab = [w for (t,) in con.execute("SELECT text FROM quote WHERE id <= 2000")
             for w in t.split()]
    out: list[tuple[str, str, str | None]] = []
    kinds = ("verbatim", "omission", "changed", "fragment", "swapped", "claimed", "absent")
    while len(out) < count:
        kind = kinds[len(out) % len(kinds)]
        qid = rng.randint(1, top)
        row = con.execute("SELECT q.text, s.name FROM quote q LEFT JOIN speaker s "
                          "ON s.id = q.speaker_id WHERE q.id = ?", (qid,)).fetchone()
        if row is None:
            continue
        words = row[0].split()
        if len(words) < 6:
            continue
        if kind == "omission":
            del words[rng.randrange(len(words))]
        elif kind == "changed":
            words[rng.randrange(len(words))] = rng.choice(vocab)
        elif kind == "fragment":
            a = rng.randrange(len(words) // 2)
            words = words[a:a + max(4, len(words) // 2)]
        elif kind == "swapped":
            i = rng.randrange(len(words) - 1)
            words[i], words[i + 1] = words[i + 1], words[i]
        elif kind == "absent":
            words = [rng.choice(vocab) for _ in range(len(words))]
        claimed = rng.choice(names) if kind == "claimed" else None
        out.append((kind, " ".join(words), claimed))
    con.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/citat-bench"))
    ap.add_argument("--pastes", type=int, default=280)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--dump", type=Path, help="write each paste's verdict and first match "
                    "(first round) to this JSON file, to compare two versions")
    args = ap.parse_args()
    path = build(args.n, args.dir)
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    cases = pastes(path, args.pastes)
    t_verify: dict[str, list[float]] = {}
    t_search: dict[str, list[float]] = {}
    cpu_verify: list[float] = []
    dumped: list[list[str | None]] = []
    verdicts: Counter[tuple[str, str]] = Counter()
    with Session(engine) as session:
        for _kind, text, claimed in cases[:20]:  # warm the caches
            verify(session, parse(text, claimed))
            browse.search(session, QuoteFilters(q=text), 20, 0)
        for r in range(args.rounds):
            for kind, text, claimed in cases:
                c0 = time.process_time()
                t0 = time.perf_counter()
                result = verify(session, parse(text, claimed))
                t1 = time.perf_counter()
                cpu_verify.append((time.process_time() - c0) * 1000)
                browse.search(session, QuoteFilters(q=text), 20, 0)
                t2 = time.perf_counter()
                t_verify.setdefault(kind, []).append((t1 - t0) * 1000)
                t_search.setdefault(kind, []).append((t2 - t1) * 1000)
                if r == 0:
                    verdicts[(kind, result["verdict"])] += 1
                    first = (result["matches"] or result["nearest"] or [None])[0]
                    dumped.append([kind, text, result["verdict"],
                                   first and first["quote"]["id"]])
    every_v = [x for xs in t_verify.values() for x in xs]
    every_s = [x for xs in t_search.values() for x in xs]
    print(f"{args.n:,} quotes, {len(cases)} pastes x {args.rounds} rounds")
    print(f"{'kind':10} {'verify p50':>10} {'p95':>8} {'search p50':>11} {'p95':>8}")
    for kind in t_verify:
        v, s = t_verify[kind], t_search[kind]
        print(f"{kind:10} {pct(v, 50):10.1f} {pct(v, 95):8.1f} {pct(s, 50):11.1f} "
              f"{pct(s, 95):8.1f}")
    print(f"{'all':10} {pct(every_v, 50):10.1f} {pct(every_v, 95):8.1f} "
          f"{pct(every_s, 50):11.1f} {pct(every_s, 95):8.1f}   max verify "
          f"{max(every_v):.1f} ms")
    print(f"verify CPU time (this process): p50 {pct(cpu_verify, 50):.1f}, "
          f"p95 {pct(cpu_verify, 95):.1f} ms")
    print("verdicts (first round):", dict(sorted(verdicts.items())))
    if args.dump:
        args.dump.write_text(json.dumps(dumped, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
