"""The newest matches of a common search, read in id windows on PostgreSQL
(``app.storage.pgwindows``): the same ids, ranks and totals as one statement over every
match, on both engines; the estimate of a search's share and the windows' bounds."""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlmodel import Session

from app.storage import pgwindows, search
from app.storage.models import Article, Quote
from app.storage.pgwindows import Stats

# Sixty invented quotes: "kvarn" in every second, "slussport" in every third, "tegel" in
# every fifth, so the words' newest matches lie at different depths.
WORDS = {2: "kvarn", 3: "slussport", 5: "tegel"}


def _text(i: int) -> str:
    said = [w for step, w in WORDS.items() if i % step == 0]
    return " ".join(["Byborna talade om", *said, f"dag {i}"])


def _archive(session: Session) -> list[int]:
    article = Article(title="Byn", source="Bladet", text="Byn.", language="sv",
                      published_at=datetime(2026, 5, 1, tzinfo=UTC), content_hash="h-win",
                      status="done")
    session.add(article)
    session.flush()
    assert article.id is not None
    quotes = [Quote(public_id=f"win{i:013d}", article_id=article.id, start=i, end=i + 1,
                    text=_text(i), type="direct", language="sv",
                    article_date=article.published_at) for i in range(60)]
    session.add_all(quotes)
    session.flush()
    search.index_quotes(session, quotes, fresh=True)
    session.commit()
    return [int(q.id or 0) for q in quotes]


def _expected(ids: list[int], word: str, n: int) -> list[int]:
    """The newest ``n`` ids whose text holds ``word`` (by id, newest first)."""
    return sorted((qid for i, qid in enumerate(ids) if word in _text(i).split()),
                  reverse=True)[:n]


def _small_windows(monkeypatch: pytest.MonkeyPatch, ids: list[int]) -> None:
    """Seven matches ranked; windows of 3 ids, then 8, 32, …: every boundary is crossed."""
    monkeypatch.setattr(search, "RANK_WINDOW", 7)
    monkeypatch.setattr(pgwindows, "MIN_WINDOW", 3)
    monkeypatch.setattr(pgwindows, "WALK_MAX", 3)
    monkeypatch.setattr(pgwindows, "stats", lambda _s: Stats({}, 0.01, 60.0, max(ids), 0.0))
    monkeypatch.setattr(pgwindows, "share", lambda _terms, _st: 1.0)


QUERIES = ["kvarn", "slussport", "tegel", "kvarn tegel", "slussport OR tegel", "kvarn -tegel",
           "slus", "ingenting"]


@pytest.mark.parametrize("windowed", [False, True])
def test_the_newest_matches_and_the_page_are_the_same_in_windows(
        engine: Engine, session: Session, monkeypatch: pytest.MonkeyPatch,
        windowed: bool) -> None:
    ids = _archive(session)
    _small_windows(monkeypatch, ids)
    monkeypatch.setattr(pgwindows, "WINDOWED_FROM", 0.0 if windowed else 1e9)
    statements: list[str] = []

    def seen(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", seen)
    for q in QUERIES:
        hits = search.ranked_ids(session, q, limit=3)
        assert hits is not None
        words = [w for w in q.replace("OR", " ").split() if not w.startswith("-")]
        if q == "kvarn tegel":
            expected = [i for i in _expected(ids, "tegel", 60)  # every tenth: both words
                        if i in _expected(ids, "kvarn", 60)][:7]
        elif q == "slussport OR tegel":
            expected = sorted(set(_expected(ids, "slussport", 60))
                              | set(_expected(ids, "tegel", 60)), reverse=True)[:7]
        elif q == "kvarn -tegel":
            expected = [i for i in _expected(ids, "kvarn", 60)
                        if i not in _expected(ids, "tegel", 60)][:7]
        elif q == "slus":  # a word being typed: the prefix of slussport
            expected = _expected(ids, "slussport", 7)
        else:
            expected = _expected(ids, words[0], 7)
        assert list(hits.newest or ()) == expected, q
        assert len(hits.ids) == min(3, len(expected)) and set(hits.ids) <= set(expected), q
    event.remove(engine, "before_cursor_execute", seen)
    used = any("UNION ALL" in s and "quote_search" in s for s in statements)
    assert used == (windowed and engine.dialect.name == "postgresql")


def test_the_page_total_and_ranks_do_not_depend_on_the_windows(
        session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    _small_windows(monkeypatch, _archive(session))
    pages: dict[float, list[tuple[Any, ...]]] = {}
    for windowed_from in (1e9, 0.0):
        monkeypatch.setattr(pgwindows, "WINDOWED_FROM", windowed_from)
        pages[windowed_from] = []
        for q in QUERIES:
            for offset in (0, 3, 6):
                hits = search.ranked_ids(session, q, limit=3, offset=offset)
                assert hits is not None
                pages[windowed_from].append((q, offset, hits.ids, hits.total, hits.estimated))
    assert pages[0.0] == pages[1e9]
    # kvarn: 30 matches, 7 ranked: an estimate; ingenting: none.
    assert pages[0.0][0][:2] == ("kvarn", 0) and pages[0.0][0][4] is True
    assert pages[0.0][-1][2:] == ([], 0, False)


def _stats(**shares: float) -> Stats:
    return Stats(shares, least=0.01, rows=1_000_000, max_id=1_000_000, read_at=0.0)


def test_the_share_of_a_search_is_estimated_as_the_planner_does() -> None:
    st = _stats(kvarn=0.2, kvarnhjul=0.05, tegel=0.1)
    # A kept word: its share; another: half the least kept (0.01 / 2, at most 0.005 / 2).
    assert pgwindows.share(search.parse_query("tegel "), st) == pytest.approx(0.1)
    assert pgwindows.share(search.parse_query("sluss "), st) == pytest.approx(0.0025)
    # Both words: the product; either: independent events.
    assert pgwindows.share(search.parse_query("kvarn tegel "), st) == pytest.approx(0.02)
    assert pgwindows.share(search.parse_query("kvarn OR tegel "), st) == pytest.approx(
        0.2 + 0.1 - 0.02)
    # A word left out does not narrow the estimate.
    assert pgwindows.share(search.parse_query("kvarn -tegel "), st) == pytest.approx(0.2)
    # A word being typed: the kept words it begins, as one alternative of the term.
    typed = search.parse_query("kvarn")
    assert typed[0].prefix
    assert pgwindows.share(typed, st) >= 0.25
    assert st.starting("kvarn") == pytest.approx(0.25)
    assert st.starting("kv") == pytest.approx(0.25) and st.starting("kvarnhjulen") == 0.0
    assert st.starting("") == pytest.approx(0.35)


def test_the_windows_split_the_ids_newest_first_and_grow() -> None:
    st = _stats()
    # 1 % of a million quotes: ~10,000 matches, 100 ids a match.
    bounds = pgwindows.windows(st, 0.01, 1001)
    assert bounds is not None
    assert bounds[0] == 1_000_000 - pgwindows.WALK_MAX  # 2 n matches: 200,200 ids, capped
    assert bounds[1] == bounds[0] - 100_100  # about n matches
    widths = [a - b for a, b in pairwise(bounds)]
    assert all(b > a for a, b in pairwise(widths))
    assert all(b > 0 for b in bounds) and bounds == sorted(bounds, reverse=True)
    # A common word: the first window holds 2 n matches, under the walk's cap.
    common = pgwindows.windows(st, 0.5, 1001)
    assert common is not None and common[0] == 1_000_000 - 5_000  # at least MIN_WINDOW
    # Fewer expected matches than WINDOWED_FROM × n, or nothing known: the planner decides.
    assert pgwindows.windows(st, 0.0001, 1001) is None
    assert pgwindows.windows(Stats({}, 0.01, 0.0, 0, 0.0), 0.5, 1001) is None


def test_the_windowed_statement_binds_its_bounds() -> None:
    sql, params = pgwindows.windowed_sql("quote_id", "quote_search", "body @@ x", [90, 60])
    assert params == {"w0": 90, "w1": 60}
    assert sql.count("UNION ALL") == 2 and sql.endswith("LIMIT :n")
    assert "quote_id > CAST(:w0 AS integer) ORDER BY quote_id DESC" in sql
    assert ("quote_id > CAST(:w1 AS integer) AND quote_id <= CAST(:w0 AS integer) "
            "ORDER BY quote_id + 0 DESC") in sql
    assert "quote_id <= CAST(:w1 AS integer) ORDER BY quote_id + 0 DESC" in sql
