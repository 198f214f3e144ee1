"""The per-request work around the pages: dates formatted without Babel's per-call cost and
its locale data loaded at start-up, start-up's objects left out of garbage collections, one
path builder for every link, and the hot pages' session and templates taken without FastAPI's
dependency injection."""

from __future__ import annotations

import gc
import secrets
import time
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from babel import localedata
from babel.dates import format_date
from fastapi import Request
from fastapi.testclient import TestClient
from itsdangerous import URLSafeTimedSerializer
from sqlmodel import Session, select
from starlette.routing import NoMatchFound

from app.config import Settings
from app.main import GC_YOUNG, create_app
from app.storage import profiles
from app.storage.models import Article, Entity, Quote, Speaker
from app.web import attribution, i18n, lists, pages, render
from app.web.csrf import Csrf
from app.web.urls import Paths, route_table
from tests.factories import EXTRACTIONS, TEXT_A, TEXT_B, ByText, soup


@pytest.fixture
def archive(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, extractor=ByText(EXTRACTIONS))) as client:
        for text in (TEXT_A, TEXT_B):
            assert client.post("/api/articles", json={"text": text}).status_code == 201
        yield client


# Every day of a leap year and of a plain one, the first days of the calendar and its last.
DAYS = ([date(2024, 1, 1) + timedelta(days=k) for k in range(366)]
        + [date(2023, 1, 1) + timedelta(days=k) for k in range(365)]
        + [date(1, 1, 1), date(9, 9, 9), date(999, 12, 31), date(9999, 12, 31)])


@pytest.mark.parametrize("locale", i18n.LOCALES)
@pytest.mark.parametrize("pattern", ["medium", "LLLL y", "long", "short", "dd MMMM yyyy G",
                                     "d MMM yy"])
def test_dates_are_formatted_as_babel_formats_them(locale: str, pattern: str) -> None:
    fmt = i18n._formatter(pattern, locale)
    assert [fmt(d) for d in DAYS] == [format_date(d, pattern, locale=locale) for d in DAYS]


def test_a_pattern_with_fields_of_the_day_is_left_to_babel() -> None:
    # The weekday and the day of the year depend on the day, not the month: not cached.
    for pattern in ("EEE d MMM", "D"):
        fmt = i18n._formatter(pattern, "sv")
        assert [fmt(d) for d in DAYS[:40]] == [format_date(d, pattern, locale="sv")
                                               for d in DAYS[:40]]


def test_the_interface_filters_give_babels_dates() -> None:
    token = i18n.current_locale.set("en")
    try:
        assert i18n.format_iso_day(date(2025, 2, 7)) == "Feb 7, 2025"
        assert i18n.format_month("2025-02") == "February 2025"
    finally:
        i18n.current_locale.reset(token)
    token = i18n.current_locale.set("sv")
    try:
        assert i18n.format_iso_day(date(2025, 2, 7)) == format_date(date(2025, 2, 7), "medium",
                                                                    locale="sv")
        assert i18n.format_month("2025-13") == "2025-13"  # not a month: shown as it is
    finally:
        i18n.current_locale.reset(token)


def test_no_locale_data_is_read_on_a_readers_request(settings: Settings,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    create_app(settings, extractor=ByText(EXTRACTIONS))
    loaded: list[str] = []
    original = localedata.load

    def load(name: str, merge_inherited: bool = True) -> Any:
        loaded.append(name)
        return original(name, merge_inherited)

    monkeypatch.setattr(localedata, "load", load)
    i18n._day.cache_clear()
    i18n._month.cache_clear()
    for locale in i18n.LOCALES:
        token = i18n.current_locale.set(locale)
        try:
            i18n.format_iso_day(date(1987, 6, 5))
            i18n.format_month("1987-06")
            i18n.format_number(1234)
            attribution.percent(0.42)
        finally:
            i18n.current_locale.reset(token)
    assert loaded == []


def test_start_up_objects_are_left_out_of_collections_while_the_app_runs(
        settings: Settings) -> None:
    app = create_app(settings, extractor=ByText(EXTRACTIONS))
    assert gc.get_freeze_count() == 0
    before = gc.get_threshold()
    with TestClient(app) as client:
        # The app's own objects (routes, compiled templates) are among the frozen ones.
        assert gc.get_freeze_count() > 10_000
        assert client.get("/").status_code == 200
        # The youngest objects are collected less often; the older generations as before.
        assert gc.get_threshold() == (GC_YOUNG, *before[1:]) and before[0] < GC_YOUNG
    # Stopped: given back to the collector (an app made and stopped in a test leaks nothing).
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


def _params(path_format: str) -> dict[str, Any]:
    names = [p.split("}")[0].split(":")[0] for p in path_format.split("{")[1:]]
    return {n: (7 if n.endswith("_id") and n != "public_id" else f"x-{n}") for n in names}


def test_one_path_builder_gives_starlettes_path_of_every_route(archive: TestClient) -> None:
    app: Any = archive.app
    paths = Paths(app)
    checked = 0
    for prefix, name, path in route_table(app):
        if not name or not path or name in ("static",):
            continue
        params = _params(prefix + path)
        try:
            expected = app.url_path_for(name, **params)
        except NoMatchFound:  # another route of the same name comes first
            continue
        assert paths(name, **params) == str(expected) == paths.builder(name)(**params)
        if len(params) == 1:
            assert paths.single(name)(*params.values()) == str(expected)
        checked += 1
    assert checked > 30
    assert {"quote", "speaker", "entity", "article", "search"} <= paths.plain
    # A value is put through its route's convertor, as Starlette does.
    assert paths("article", article_id=12) == "/articles/12"
    with pytest.raises(NoMatchFound):
        paths("quote", slug="x")  # not its parameter
    with pytest.raises(NoMatchFound):
        paths("no_such_route")


HOT = ("home", "quote", "article", "search", "speaker", "entity")


def test_the_hot_pages_take_no_injected_session_or_templates() -> None:
    by_name: dict[str, Any] = {getattr(r, "name", ""): r
                               for r in [*pages.router.routes, *lists.router.routes,
                                         pages.permalink_route]}
    for name in HOT:
        # (the permalink is a plain Starlette route: nothing can be injected)
        dependant = getattr(by_name[name], "dependant", None)
        injected = {d.call.__name__ for d in (dependant.dependencies if dependant else [])
                    if d.call is not None}
        assert injected <= {"quote_filters"}, (name, injected)


def test_the_hot_pages_give_their_connection_back(archive: TestClient) -> None:
    engine = archive.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as s:
        qid = s.exec(select(Quote.public_id)).first()
        slug = s.exec(select(Speaker.slug)).first()
        entity = s.exec(select(Entity.slug)).first()
        article = s.exec(select(Article.id)).first()
    for url in ("/", f"/q/{qid}", f"/articles/{article}", "/search?q=Berg",
                f"/speakers/{slug}", f"/entities/{entity}"):
        r = archive.get(url, follow_redirects=False)
        assert r.status_code in (200, 308), url
        assert engine.pool.checkedout() == 0, url
    # And a page that is not found still closes its session.
    assert archive.get("/speakers/nobody-at-all").status_code == 404
    assert archive.get("/articles/999999").status_code == 404
    assert engine.pool.checkedout() == 0
    page = soup(archive.get(f"/speakers/{slug}").text)
    assert page.select("ul.quotes > li")


def test_the_timeline_chart_has_a_bar_a_month_at_its_place() -> None:
    counts = [("2024-11", 4), ("2025-01", 2), ("2025-02", 1)]
    svg = soup(str(render.timeline_svg(counts))).select_one("svg.timeline")
    assert svg is not None
    bars = svg.select("rect.bar")
    # November to February: four months, December's bar empty.
    assert [b.title.text for b in bars] == ["2024-11: 4", "2024-12: 0", "2025-01: 2",
                                            "2025-02: 1"]
    width = (640 - 30 - 8) / 4
    assert [float(b["x"]) for b in bars] == [round(30 + i * width + 1, 1) for i in range(4)]
    assert {float(b["width"]) for b in bars} == {round(width - 2, 1)}
    # Heights against the busiest month (124 px of plot), standing on the axis at y=136.
    assert [float(b["height"]) for b in bars] == [124.0, 0.0, 62.0, 31.0]
    assert [round(float(b["y"]) + float(b["height"]), 1) for b in bars] == [136.0] * 4
    assert [t.text for t in svg.select("text.axis")][1:] == ["2024-11", "2024-12", "2025-01",
                                                            "2025-02"]
    # A second chart of as many months (made from the kept columns) is placed the same.
    again = soup(str(render.timeline_svg([("2020-01", 9), ("2020-04", 3)])))
    assert [b["x"] for b in again.select("rect.bar")] == [b["x"] for b in bars]
    assert [float(b["height"]) for b in again.select("rect.bar")] == [124.0, 0.0, 0.0, 41.3]


def test_a_long_timeline_labels_its_ends_and_stops_at_twenty_years() -> None:
    counts = [(f"{1990 + i // 12:04d}-{i % 12 + 1:02d}", 1) for i in range(0, 300, 3)]
    svg = soup(str(render.timeline_svg(counts))).select_one("svg.timeline")
    assert svg is not None
    assert len(svg.select("rect.bar")) == 240
    assert [t.text for t in svg.select("text.axis")][1:] == ["1990-01", "2009-12"]
    assert render.timeline_svg([("bad", 1)]) == ""


def test_csrf_tokens_are_itsdangerous_tokens(monkeypatch: pytest.MonkeyPatch) -> None:
    csrf = Csrf("a-secret-key-for-the-test-a-secret-key")
    stock = URLSafeTimedSerializer("a-secret-key-for-the-test-a-secret-key", salt="citat-csrf")
    for now in (1_700_000_000.2, 255.0, 4_102_444_800.9):
        monkeypatch.setattr(time, "time", lambda now=now: now)
        for raw in [secrets.token_urlsafe(32) for _ in range(50)] + ["a" * 60, "b" * 100,
                                                                     "å\"<", ""]:
            if not raw:
                continue
            request = Request({"type": "http", "headers": [], "state": {"csrf_raw": raw}})
            token = csrf.token_for(request)[1]
            assert stock.loads(token) == raw
            if raw[0] != "a":  # (a repetitive seed: itsdangerous compresses it; still valid)
                assert token == stock.dumps(raw)  # the very same token
    # A long repetitive value is still compressed as itsdangerous does ("." first).
    long = Request({"type": "http", "headers": [], "state": {"csrf_raw": "b" * 100}})
    assert csrf.token_for(long)[1].startswith(".")


def test_the_permalink_is_read_without_orm_instances(archive: TestClient) -> None:
    engine = archive.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as s:
        quote = s.exec(select(Quote).where(Quote.speaker_id.is_not(None))).first()  # type: ignore[union-attr]
        assert quote is not None
        speaker = s.get(Speaker, quote.speaker_id)
        article = s.get(Article, quote.article_id)
        assert speaker is not None and article is not None
        expected = (quote.public_id, quote.text, quote.start, speaker.name, article.text,
                    article.published_at)
        s.expunge_all()
        page = profiles.permalink(s, quote.public_id)
        row = page.row
        # Plain attributes: nothing for the session to track (but the "also reported" rows).
        assert not isinstance(row.quote, Quote) and not isinstance(row.article, Article)
        also = {id(x) for r in page.also for x in (r.quote, r.article, r.speaker)}
        assert all(id(o) in also for o in s.identity_map.values())
        assert row.speaker is not None
        assert (row.quote.public_id, row.quote.text, row.quote.start, row.speaker.name,
                row.article.text, row.article.published_at) == expected
        # The version is the one the ETag middleware reads on its own.
        assert page.version == profiles.quote_version(s, quote.public_id)
    assert archive.get(f"/q/{quote.public_id}").status_code == 200
