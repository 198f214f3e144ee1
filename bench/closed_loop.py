"""What latency a closed loop of connections would see, from per-request CPU samples alone:
the idealised queue behind ``http_distinct.py``'s wrk runs, without the machine's noise.

    python bench/closed_loop.py DUMP [DUMP ...] [--pages search speaker]
                                [--connections 16] [--workers 2] [--overhead 0.3]

``DUMP`` is ``page_cpu.py --dump``'s file (``page ms`` a line). Each worker is one core with
``connections / workers`` connections that each send their next request as soon as the last
answer comes (wrk's loop); a request costs one drawn sample plus ``--overhead`` ms (the HTTP
server's own work: the bare page of ``http_distinct.py`` is ~0.3-0.5 ms a request). Two ways of
serving the requests in flight in a worker:

* ``shared``: all at once, each getting an equal share of the core (processor sharing: the
  request threads of a worker taking turns on its GIL, idealised);
* ``in turn``: one at a time, first come first served.

Little's law gives both the same mean latency (connections / throughput); the p99 differs:
shared, a costly request takes its own CPU times the requests beside it; in turn, a request
waits for the ones before it. Machine-independent (no clock is read), so two checkouts'
dumps compare on a loaded machine; the real server adds the machine's own noise on top.
"""

from __future__ import annotations

import argparse
import random
from collections import deque
from pathlib import Path


def shared(samples: list[float], n: int, requests: int, rng: random.Random) -> list[float]:
    """Latencies of ``n`` connections on one core shared equally by the requests in flight."""
    t = 0.0
    left = [rng.choice(samples) for _ in range(n)]
    since = [0.0] * n
    out: list[float] = []
    while len(out) < requests:
        i = min(range(n), key=left.__getitem__)
        done = left[i]
        t += done * n
        for j in range(n):
            left[j] -= done
        out.append(t - since[i])
        left[i], since[i] = rng.choice(samples), t
    return out


def in_turn(samples: list[float], n: int, requests: int, rng: random.Random) -> list[float]:
    """Latencies of ``n`` connections on one core serving one request at a time, in order."""
    t = 0.0
    waiting = deque((0.0, rng.choice(samples)) for _ in range(n))
    out: list[float] = []
    while len(out) < requests:
        sent, cost = waiting.popleft()
        t = max(t, sent) + cost
        out.append(t - sent)
        waiting.append((t, rng.choice(samples)))
    return out


def pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p))]


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("dumps", nargs="+", type=Path)
    ap.add_argument("--pages", nargs="+", default=["search", "speaker"])
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--overhead", type=float, default=0.3, help="ms a request outside the app")
    ap.add_argument("--requests", type=int, default=100_000)
    args = ap.parse_args()
    n = args.connections // args.workers
    print(f"{args.connections} connections on {args.workers} workers ({n} a worker), "
          f"+{args.overhead} ms a request; latency ms")
    print(f"{'dump':<24} {'page':<8} {'CPU mean':>8} {'p99':>6} {'req/s':>6}   "
          f"{'shared p50':>10} {'p99':>6}   {'in turn p50':>11} {'p99':>6}")
    for dump in args.dumps:
        rows = [line.split() for line in dump.read_text().splitlines() if line.strip()]
        for page in args.pages:
            cpu = [float(ms) for name, ms in rows if name == page]
            if not cpu:
                continue
            costs = [c + args.overhead for c in cpu]
            mean = sum(costs) / len(costs)
            a = shared(costs, n, args.requests, random.Random(1))
            b = in_turn(costs, n, args.requests, random.Random(1))
            print(f"{dump.name[:24]:<24} {page:<8} {sum(cpu) / len(cpu):8.2f} "
                  f"{pct(cpu, .99):6.2f} {args.workers * 1000 / mean:6.0f}   "
                  f"{pct(a, .5):10.1f} {pct(a, .99):6.1f}   {pct(b, .5):11.1f} {pct(b, .99):6.1f}")


if __name__ == "__main__":
    main()
