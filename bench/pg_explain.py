"""Where a page's PostgreSQL time goes: each statement a page runs, ``EXPLAIN (ANALYZE,
BUFFERS)`` first, over ``bench/http_distinct.py``'s pools of distinct URLs (asked once each,
so the buffers are as cold as a first reader finds them), summed per statement kind: execution
and planning ms, shared buffers hit and read (read: not in PostgreSQL's ``shared_buffers``,
from the operating system's cache or the disk), rows the plan's nodes touched.

    PYTHONPATH=CHECKOUT python bench/pg_explain.py DB --url DATABASE_URL [--pages search]
                                                   [--n 200] [--start 0] [--plans 2]
                                                   [--scans]

``DB`` is ``http_distinct.py``'s ``distinct-N.db`` (its URLs), ``--url`` its PostgreSQL copy
(``pgcopy.py``). The app is driven in process as ``bench/page_cpu.py`` drives it; each
statement is explained on the same connection just before it runs (so the statement itself
then finds its pages cached: only the EXPLAIN's figures are read). ``--plans N`` prints the
text plan of the N slowest statements of each kind. ``--scans`` lists each kind's scans
(node type and index or table), with their buffers and the heap fetches of its index-only
scans (a page the visibility map does not mark all-visible: the heap is read after all).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from page_cpu import asgi_get, pct
from sqlalchemy import event

KINDS = (  # (label, a piece of the statement that names it), first match wins
    ("speaker profile", "WITH me AS"),
    ("newest matches", "FROM quote_search"),
    ("facet rows", "FROM quote q JOIN article a"),
    ("facet entities", "JOIN entityquote l"),
    ("page rows", "FROM quote JOIN article"),
)


def kind_of(statement: str) -> str:
    for label, piece in KINDS:
        if piece in statement:
            return label
    return "other: " + " ".join(statement.split())[:60]


def scans(node: dict[str, Any]) -> str:
    """The plan's scans of quote_search (how the matches were found)."""
    here = [f"{node['Node Type']}" + (" (walk)" if "Filter" in node and "Index Scan" in
                                      node["Node Type"] else "")
            for _ in [0] if node.get("Relation Name") == "quote_search"]
    if node["Node Type"] == "BitmapAnd":
        here = ["BitmapAnd"]
    return " + ".join(here + [s for s in (scans(c) for c in node.get("Plans", [])) if s])


def scan_nodes(node: dict[str, Any]) -> list[tuple[str, int, int, int]]:
    """(node type and index or table, shared hit, shared read, heap fetches) of every scan
    in the plan (a scan's buffers are its own: it has no child plan but init plans)."""
    out = []
    if "Scan" in node["Node Type"] and node["Node Type"] not in ("CTE Scan", "Subquery Scan",
                                                                 "Function Scan"):
        on = node.get("Index Name") or node.get("Relation Name") or "?"
        out.append((f"{node['Node Type']} {on}", int(node.get("Shared Hit Blocks", 0)),
                    int(node.get("Shared Read Blocks", 0)), int(node.get("Heap Fetches", 0))))
    for c in node.get("Plans", []):
        out += scan_nodes(c)
    return out


def walk(node: dict[str, Any]) -> int:
    """Rows the plan's nodes produced, summed over loops (the work's size)."""
    rows = int(node.get("Actual Rows", 0) * node.get("Actual Loops", 1))
    return rows + sum(walk(c) for c in node.get("Plans", []))


def main() -> None:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("db", type=Path)
    ap.add_argument("--url", required=True)
    ap.add_argument("--pages", nargs="+", default=["search"])
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("--start", type=int, default=0)
    ap.add_argument("--plans", type=int, default=0)
    ap.add_argument("--scans", action="store_true", help="each kind's scans, with buffers")
    args = ap.parse_args()
    from http_distinct import pools

    from app.config import Settings
    from app.main import create_app

    settings = Settings(database_url=args.url, load_seeds=False, worker_in_process=False,
                        queue="immediate", secret_key="bench-secret-key-bench-secret-key")
    app = create_app(settings, extractor=object())  # type: ignore[arg-type]
    urls = pools(args.db, 20_000)
    seen: list[tuple[str, float, float, int, int, int, str, str]] = []
    scans_of: dict[str, list[tuple[str, int, int, int]]] = defaultdict(list)
    on = [False]

    def explain(conn: Any, cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if not on[0] or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
            return
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + statement, parameters)
        plan = cursor.fetchone()[0][0]
        top = plan["Plan"]
        text_plan = ""
        if args.plans:  # the shape (a second run: its buffers are warm)
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT TEXT) " + statement, parameters)
            text_plan = "\n".join(r[0] for r in cursor.fetchall())
        kind = kind_of(statement)
        if kind == "newest matches":
            kind += ": " + (scans(top) or "?")
        scans_of[kind] += scan_nodes(top)
        seen.append((kind, plan["Execution Time"], plan["Planning Time"],
                     int(top.get("Shared Hit Blocks", 0)), int(top.get("Shared Read Blocks", 0)),
                     walk(top), text_plan, current[0]))

    current = [""]

    async def run() -> None:
        async with app.router.lifespan_context(app):
            event.listen(app.state.engine, "before_cursor_execute", explain)
            for page in args.pages:
                paths = urls[page][args.start:args.start + args.n]
                seen.clear()
                scans_of.clear()
                on[0] = True
                for p in paths:
                    current[0] = p
                    assert await get(p) in (200, 308), p
                on[0] = False
                report(page, len(paths))

    async def get(path: str) -> int:
        return int(await asgi_get(app, path))

    def report(page: str, n: int) -> None:
        by: dict[str, list[tuple[float, float, int, int, int]]] = defaultdict(list)
        per_url: dict[str, float] = defaultdict(float)
        for k, ex, pl, hit, read, rows, _, url in seen:
            by[k].append((ex, pl, hit, read, rows))
            per_url[url] += ex + pl
        totals = list(per_url.values()) + [0.0] * (n - len(per_url))
        print(f"{page}: {n} URLs, server ms a page (execution + planning, EXPLAIN ANALYZE): "
              f"mean {sum(totals) / n:.2f} p50 {pct(totals, .5):.2f} p95 {pct(totals, .95):.2f}"
              f" p99 {pct(totals, .99):.2f}")
        print(f"  {'statement':<26} {'count':>5} {'exec ms':>8} {'p95':>7} {'plan ms':>8} "
              f"{'hit':>7} {'read':>7} {'rows':>8}  (means a statement)")
        for k, xs in sorted(by.items(), key=lambda kv: -sum(x[0] for x in kv[1])):
            c = len(xs)
            print(f"  {k[:26]:<26} {c:5d} {sum(x[0] for x in xs) / c:8.2f} "
                  f"{pct([x[0] for x in xs], .95):7.2f} {sum(x[1] for x in xs) / c:8.2f} "
                  f"{sum(x[2] for x in xs) / c:7.0f} {sum(x[3] for x in xs) / c:7.0f} "
                  f"{sum(x[4] for x in xs) / c:8.0f}")
        if args.scans:
            print(f"\n  {'scan (per statement of its kind)':<62} {'hit':>7} {'read':>7} "
                  f"{'heap fetches':>12}")
            for k, xs in sorted(by.items(), key=lambda kv: -sum(x[0] for x in kv[1])):
                each: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
                for name, hit, read, fetches in scans_of[k]:
                    for i, v in enumerate((hit, read, fetches)):
                        each[name][i] += v
                for name, (hit, read, fetches) in sorted(each.items(), key=lambda kv: -kv[1][0]):
                    c = len(xs)
                    print(f"  {k[:20]:<20} {name[:41]:<41} {hit / c:7.1f} {read / c:7.1f} "
                          f"{fetches / c:12.1f}")
        for k in by:
            slow = sorted((s for s in seen if s[0] == k), key=lambda s: -s[1])[:args.plans]
            for s in slow:
                print(f"\n--- {k}: {s[1]:.2f} ms, {s[7]}\n{s[6]}")

    asyncio.run(run())


if __name__ == "__main__":
    main()
