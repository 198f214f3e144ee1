"""The fast CSV/JSON exports (issue 25, "Exports stream fast") give what the implementation
before them gave: the same CSV byte for byte and JSON that parses equal, on an invented archive
with every awkward value (formula starts in every column, commas, quotes, line breaks, missing
values, dates with and without microseconds, negative numbers, confidences on a rounding edge,
hidden quotes, corrected attributions), on the engine under test; and they read the list's
order off an index instead of sorting every quote first."""

from __future__ import annotations

import csv
import io
import json
import random
from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, insert, text
from sqlmodel import Session, col

from app.config import Settings
from app.main import create_app
from app.storage import exports
from app.storage.browse import QuoteFilters, filtered, joins_article
from app.storage.certainty import status_of
from app.storage.db import make_engine
from app.storage.models import Article, Quote, Speaker, as_utc
from tests.factories import ON_POSTGRES

BASE = "http://testserver/q/"

# -- the implementation before (commit 188ea9f), kept as the reference ---------------------


class _OldRow(NamedTuple):
    public_id: str
    text: str
    type: str
    language: str
    speaker: str | None
    speaker_slug: str | None
    speaker_mention: str | None
    cue: str | None
    confidence: float
    speaker_confidence: float
    speaker_checked: bool
    article_id: int
    article_title: str | None
    source: str | None
    url: str | None
    published_at: datetime | None
    start: int
    end: int


_OLD_COLUMNS = ("id", "permalink", "text", "type", "language", "speaker", "speaker_slug",
                "speaker_mention", "cue", "confidence", "speaker_confidence", "speaker_status",
                "article_id", "article_title", "source", "url", "published_at", "start", "end")


def _old_rows(session: Session, f: QuoteFilters) -> Iterator[_OldRow]:
    quotes, _ = filtered(session, f)
    if not joins_article(f):
        quotes = quotes.join(Article, col(Article.id) == Quote.article_id)
    stmt = quotes.outerjoin(Speaker, col(Speaker.id) == col(Quote.speaker_id)).with_only_columns(
        col(Quote.public_id), col(Quote.text), col(Quote.type), col(Quote.language),
        col(Speaker.name), col(Speaker.slug), col(Quote.speaker_mention), col(Quote.cue),
        col(Quote.confidence), col(Quote.speaker_confidence), col(Quote.speaker_checked),
        col(Quote.article_id), col(Article.title), col(Article.source),
        col(Article.url), col(Article.published_at), col(Quote.start), col(Quote.end),
        maintain_column_froms=False,
    )
    for row in session.execute(stmt):
        yield _OldRow(*row)


def _old_safe(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _old_cells(r: _OldRow, sure: float) -> tuple[object, ...]:
    found = status_of(r.speaker is not None, r.speaker_confidence, r.speaker_checked, sure)
    return (r.public_id, BASE + r.public_id, r.text, r.type, r.language, r.speaker or "",
            r.speaker_slug or "", r.speaker_mention, r.cue, f"{r.confidence:.3f}",
            f"{r.speaker_confidence:.3f}", found, r.article_id, r.article_title, r.source, r.url,
            _utc_iso(r.published_at) or "", r.start, r.end)


def _utc_iso(when: datetime | None) -> str | None:
    """The date as the exports write it: in UTC on both engines (issue 25, third round)."""
    utc = as_utc(when)
    return utc.isoformat() if utc else None


def _old_csv(rows: Iterable[_OldRow], sure: float) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(_OLD_COLUMNS)
    for r in rows:
        writer.writerow([_old_safe(v) for v in _old_cells(r, sure)])
    return "\ufeff" + buffer.getvalue()


def _old_json(rows: Iterable[_OldRow], sure: float) -> list[dict[str, Any]]:
    items = []
    for r in rows:
        item = dict(zip(_OLD_COLUMNS, _old_cells(r, sure), strict=True))
        item["confidence"] = round(r.confidence, 3)
        item["speaker_confidence"] = round(r.speaker_confidence, 3)
        item["speaker"], item["speaker_slug"] = r.speaker, r.speaker_slug
        item["published_at"] = _utc_iso(r.published_at)
        items.append(item)
    return items


# -- an invented archive with every awkward value -----------------------------------------

#: Values that start a formula, need CSV quoting, or are otherwise easy to get wrong.
AWKWARD = ["=SUMMA(A1:A3)", "+46 8 123 45", "-minus först", "@hamnchefen", "\tmed tabb",
           "\rmed vagnretur", 'säger "hon", och går', "rad ett\nrad två", "rad\r\nbrytning",
           "komma, mitt i", "  blanksteg först", "åäö ÅÄÖ – ”citat” 🚢", "'redan apostrof",
           "", "vanlig text"]


def _archive(url: str, sure: float, n_articles: int = 30, per: int = 12) -> None:
    rng = random.Random(25)
    engine = make_engine(url)
    pick = rng.choice
    with Session(engine) as s:
        speakers = [Speaker(name=name, slug=slug) for name, slug in (
            ("Lina Berg", "lina-berg"), ("=Formel Person", "formel-person"),
            ('Anna "Nina" Ek, ordf.', "anna-ek"), ("-Bindestreck", "bindestreck"),
            ("Åsa Öhman", "asa-ohman"))]
        s.add_all(speakers)
        articles = []
        for i in range(n_articles):
            published = [None, datetime(2024, 5, 1 + i % 28, 8, 30, tzinfo=UTC),
                         datetime(2023, 1, 2, 3, 4, 5, 678901, tzinfo=UTC),
                         datetime(1899, 12, 31, tzinfo=UTC)][i % 4]
            articles.append(Article(
                content_hash=f"{i:064x}", title=pick([None, *AWKWARD]),
                source=pick([None, "Kusten", "=Källa", "Källa, med komma"]),
                url=pick([None, "https://example.org/a?x=1,2", "-http://x"]),
                published_at=published, text="x", status="done"))
        s.add_all(articles)
        s.flush()
        rows = []
        confidences = [0.0, 0.0005, 0.0015, 1.0005, 0.12345, sure, sure - 1e-12, 1.0, -0.25,
                       -0.0, 0.9999]
        for a in articles:
            for k in range(per):
                speaker = pick([None, *speakers])
                rows.append({
                    "public_id": f"{a.id:08x}{k:08x}", "article_id": a.id,
                    "start": -5 if k == 3 else k * 10, "end": k * 10 + 8,
                    "type": pick(["direct", "partial", "indirect", "=typ"]),
                    "language": pick(["sv", "en"]), "text": pick(AWKWARD[:-2]) + f" {k}",
                    "speaker_id": speaker.id if speaker else None,
                    "speaker_mention": pick([None, *AWKWARD]), "cue": pick([None, *AWKWARD]),
                    "confidence": pick(confidences),
                    "speaker_confidence": pick(confidences),
                    "speaker_checked": k % 5 == 0, "hidden": k % 7 == 6, "reviewed": False,
                    "article_date": a.published_at or datetime(2025, 1, 1, tzinfo=UTC)})
        s.execute(insert(Quote), rows)
        s.commit()
    engine.dispose()


@pytest.fixture
def archive(settings: Settings, extractor: Any) -> Iterator[tuple[TestClient, Settings]]:
    _archive(settings.database_url, settings.speaker_sure)
    with TestClient(create_app(settings, extractor=extractor)) as client:
        yield client, settings


FILTERS: list[tuple[dict[str, str], QuoteFilters]] = [
    ({}, QuoteFilters()), ({"sort": "newest"}, QuoteFilters(sort="newest")),
    ({"speaker": "formel-person"}, QuoteFilters(speaker="formel-person")),
    ({"language": "en"}, QuoteFilters(language="en")),
    ({"kind": "partial", "source": "Kusten"}, QuoteFilters(kind="partial", source="Kusten")),
    ({"from": "2024-01-01"}, QuoteFilters(date_from=date(2024, 1, 1)))]


@pytest.mark.parametrize("chunk_rows", [500, 7])
def test_the_exports_match_the_implementation_before_them(
    archive: tuple[TestClient, Settings], monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    client, settings = archive
    monkeypatch.setattr("app.web.lists.CHUNK_ROWS", chunk_rows)
    engine = make_engine(settings.database_url)
    seen = 0
    for params, f in FILTERS:
        with Session(engine) as s:
            old = list(_old_rows(s, f))
        seen += len(old)
        new_csv = client.get("/export/quotes.csv", params=params)
        assert new_csv.status_code == 200
        assert new_csv.content.decode("utf-8") == _old_csv(old, settings.speaker_sure), params
        new_json = client.get("/export/quotes.json", params=params)
        assert new_json.status_code == 200
        assert json.loads(new_json.content) == _old_json(old, settings.speaker_sure), params
    engine.dispose()
    # The archive holds what the comparison is about: every kind of row was exported.
    assert seen > 300
    lines = list(csv.reader(io.StringIO(client.get("/export/quotes.csv").text.lstrip("\ufeff"))))
    cells = {c for line in lines[1:] for c in line}
    assert {"'=SUMMA(A1:A3)", "'-minus först", "'-0.250", "'-5", "rad ett\nrad två",
            "'\rmed vagnretur", "0.001", "1.000"} <= cells
    # Microseconds kept (SQLite stores the time without its offset, PostgreSQL with it).
    assert any(c.startswith("2023-01-02T03:04:05.678901") for c in cells)
    statuses = {line[11] for line in lines[1:]}
    assert statuses == {"certain", "uncertain", "unknown"}


def test_an_empty_list_exports_a_header_and_an_empty_array(
    archive: tuple[TestClient, Settings]
) -> None:
    client, _ = archive
    r = client.get("/export/quotes.csv", params={"speaker": "ingen-sadan"})
    assert r.text == "\ufeff" + ",".join(_OLD_COLUMNS) + "\r\n"
    assert client.get("/export/quotes.json", params={"speaker": "ingen-sadan"}).json() == []


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite's query plan (PostgreSQL's depends on size)")
def test_the_whole_archive_export_reads_the_list_order_off_an_index(
    archive: tuple[TestClient, Settings]
) -> None:
    _, settings = archive
    engine = make_engine(settings.database_url)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    with Session(engine) as s:
        list(exports.export_rows(s, QuoteFilters(), permalink_base=BASE, sure=0.5,
                                 for_csv=True))
        select = next(x for x in statements if "FROM quote" in x)
        # The parameters (the permalink base, the formula starts) do not change the plan.
        plan = " ".join(str(r[-1]) for r in s.execute(
            text("EXPLAIN QUERY PLAN " + select.replace("?", "NULL"))))
    engine.dispose()
    assert "ix_quote_list_order" in plan
    assert "TEMP B-TREE" not in plan
