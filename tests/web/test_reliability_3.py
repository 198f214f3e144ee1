"""Issue 25, third round (an independent audit): the gaps a probe still found — date pages at
the calendar's ends, publication dates checked after their offset, the same instant answered
the same way on both engines, 429 with Retry-After on every write, bounded request bodies,
a server that stops on SIGTERM while a client holds a request open, `citat ingest` on link
loops and unreadable folders, invisible characters in texts and fields."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.storage.db import make_engine
from app.storage.models import Article
from tests.conftest import row_counts, soup
from tests.test_reliability import _ingest_cli

EN = {"Accept-Language": "en"}
SV = {"Accept-Language": "sv"}
SAID = "”Bryggan i Ekhamn byggs om under våren”, sade hamnchefen Nora Ek."
TEXT = "Hamnen i Ekhamn får en ny brygga.\n" + SAID


@pytest.fixture
def api(settings: Settings, extractor: Any) -> Iterator[TestClient]:
    with TestClient(create_app(settings, extractor=extractor)) as client:
        yield client


# -- date pages at the ends of the calendar ----------------------------------------------------

@pytest.mark.parametrize(("path", "prev", "next_"), [
    ("/dates/9999-12-31", "/dates/9999-12-30", None),
    ("/dates/0001-01-01", None, "/dates/0001-01-02"),
    ("/dates/9999/12", "/dates/9999/11", None),
    ("/dates/1/1", None, "/dates/1/2"),
    ("/dates/2200-12-31", "/dates/2200-12-30", "/dates/2201-01-01"),
])
def test_date_pages_at_the_ends_of_the_calendar_answer_without_links_beyond(
    api: TestClient, path: str, prev: str | None, next_: str | None
) -> None:
    # Before: 500 (the day after 9999-12-31, the day before 0001-01-01 and the month after
    # December 9999 do not exist).
    assert api.post("/api/articles", json={"text": TEXT,
                                           "published_at": "2200-12-31"}).status_code == 201
    r = api.get(path, headers=EN)
    assert r.status_code == 200, r.text[:300]
    nav = soup(r.text).select_one("nav.date-nav")
    assert nav is not None
    found_prev, found_next = nav.select_one("a[rel=prev]"), nav.select_one("a[rel=next]")
    assert (found_prev["href"] if found_prev else None) == prev
    assert (found_next["href"] if found_next else None) == next_
    for link in (prev, next_):
        if link is not None:
            assert api.get(link).status_code == 200
    summary = soup(r.text).select_one("p.summary[data-total]")
    if summary is not None:  # a day's page: the article of 2200-12-31 is on its own day
        assert summary["data-total"] == ("1" if path == "/dates/2200-12-31" else "0")


# -- publication dates: the range holds for the UTC instant, on every way in -----------------

@pytest.mark.parametrize("when", ["2200-12-31T23:30:00-05:00", "1800-01-01T00:30:00+14:00",
                                  "2200-12-31T10:00:00-14:00"])
def test_an_offset_cannot_carry_a_date_out_of_the_range(
    api: TestClient, settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    when: str
) -> None:
    # Before: stored as 2201-01-01 / 1799-12-31 in UTC, outside the range the filters clamp to.
    r = api.post("/api/articles", json={"text": TEXT, "published_at": when}, headers=EN)
    assert r.status_code == 422
    assert r.json() == {"detail": "The publication date must be between the years 1800 and "
                                  "2200.", "field": "published_at"}
    token = soup(api.get("/upload").text).select_one("input[name=csrf_token]")["value"]
    form = api.post("/upload", data={"csrf_token": token, "text": TEXT, "published_at": when},
                    headers=SV)
    assert form.status_code == 422
    assert soup(form.text).select_one("#form-error").get_text() == (
        "Publiceringsdatumet måste ligga mellan åren 1800 och 2200.")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "brygga.txt").write_text(TEXT, encoding="utf-8")
    (folder / "brygga.meta.json").write_text(json.dumps({"published_at": when}),
                                             encoding="utf-8")
    code, output = _ingest_cli([str(folder)], settings.database_url, monkeypatch)
    assert code == 1
    assert "The publication date must be between the years 1800 and 2200." in " ".join(
        output.split())
    assert row_counts(settings.database_url) == (0, 0)


@pytest.mark.parametrize(("when", "utc"), [
    ("2200-12-31T23:59:59+14:00", datetime(2200, 12, 31, 9, 59, 59, tzinfo=UTC)),
    ("1800-01-01T00:00:00-14:00", datetime(1800, 1, 1, 14, 0, tzinfo=UTC)),
    ("2024-02-29T23:30:00.250000-00:30", datetime(2024, 3, 1, 0, 0, 0, 250000, tzinfo=UTC)),
    ("1800-01-01", datetime(1800, 1, 1, tzinfo=UTC)),
])
def test_dates_at_the_ends_are_stored_as_the_same_instant_and_answered_alike(
    api: TestClient, settings: Settings, when: str, utc: datetime
) -> None:
    r = api.post("/api/articles", json={"text": TEXT, "published_at": when})
    assert r.status_code == 201
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        stored = s.exec(select(Article.published_at)).one()
    engine.dispose()
    assert stored is not None and stored.replace(tzinfo=stored.tzinfo or UTC) == utc
    assert api.get(f"/articles/{r.json()['id']}").status_code == 200
    assert api.get(f"/dates/{utc.date().isoformat()}").status_code == 200


# -- the same instant answered alike on both engines, whatever the server's time zone ---------

def test_an_instant_is_answered_in_utc_alike_on_both_engines(
    settings: Settings, extractor: Any
) -> None:
    if settings.database_url.startswith("postgresql"):
        # A server far from UTC: its sessions would hand back 2025-02-01T13:30+14:00.
        url = make_url(settings.database_url)
        with psycopg.connect(url.set(drivername="postgresql", database="postgres")
                             .render_as_string(hide_password=False), autocommit=True) as c:
            c.execute(f'ALTER DATABASE "{url.database}" SET timezone TO '
                      "'Pacific/Kiritimati'")
    with TestClient(create_app(settings, extractor=extractor)) as client:
        r = client.post("/api/articles", json={"text": TEXT,
                                               "published_at": "2025-01-31T23:30:00Z"})
        assert r.status_code == 201
        article_id = r.json()["id"]
        # Before: "2025-01-31T23:30:00" on SQLite (no zone), "…Z" on PostgreSQL.
        assert client.get(f"/api/articles/{article_id}").json()["published_at"] == (
            "2025-01-31T23:30:00Z")
        rows = list(csv.DictReader(io.StringIO(
            client.get("/export/quotes.csv").text.lstrip("\ufeff"))))
        items = client.get("/export/quotes.json").json()
        assert [row["published_at"] for row in rows] == ["2025-01-31T23:30:00+00:00"]
        assert [item["published_at"] for item in items] == ["2025-01-31T23:30:00+00:00"]
        page = soup(client.get(f"/articles/{article_id}").text)
        assert page.select_one("a.date-link")["href"] == "/dates/2025-01-31"
        months = soup(client.get("/dates").text).select("main li a")
        assert [a["href"] for a in months] == ["/dates/2025/1"]
        facets = client.get("/api/quotes", params={"facets": "true"}).json()["facets"]
        assert [m["value"] for m in facets["month"]] == ["2025-01"]
