"""Issue 25, third round (an independent audit): the gaps a probe still found — date pages at
the calendar's ends, publication dates checked after their offset, the same instant answered
the same way on both engines, 429 with Retry-After on every write, bounded request bodies,
a server that stops on SIGTERM while a client holds a request open, `citat ingest` on link
loops and unreadable folders, invisible characters in texts and fields."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import soup

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
