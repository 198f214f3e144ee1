"""Index pages: every article (by source), every entity (by kind), and the date archive
(a calendar per month, a page per day), linked from every date shown."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import Annotated
from urllib.parse import urlencode

from babel.dates import get_day_names
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from app.storage import indexes
from app.web import i18n
from app.web.deps import SessionDep, TemplatesDep
from app.web.filters import BadFilter
from app.web.pagecache import cache_page

router = APIRouter(default_response_class=HTMLResponse, include_in_schema=False)

PAGE_SIZE = 50
PageNo = Annotated[int, Query(ge=1, le=100_000)]
Year = Annotated[int, Path(ge=1, le=9999)]
Month = Annotated[int, Path(ge=1, le=12)]


@router.get("/articles", name="articles")
def articles(request: Request, session: SessionDep, templates: TemplatesDep, page: PageNo = 1,
             source: Annotated[str, Query(max_length=200)] = "") -> Response:
    """Every article, newest first, with its number of quotes; narrowed to one source."""
    cache_page(request)
    total, rows = indexes.articles(session, PAGE_SIZE, (page - 1) * PAGE_SIZE, source or None)
    return templates.TemplateResponse(request, "articles.html", {
        "rows": rows, "total": total, "source": source,
        "sources": request.app.state.cache.get("sources", lambda: indexes.sources(session)),
        "page": page, "pages": max(1, -(-total // PAGE_SIZE)),
        "pager_query": urlencode({"source": source}) + "&" if source else "",
    })


@router.get("/entities", name="entities")
def entities(request: Request, session: SessionDep, templates: TemplatesDep) -> Response:
    """People, organisations, places and other names, by kind, most mentioned first."""
    cache_page(request)
    groups = indexes.entities_by_kind(session)
    order = ["PER", "ORG", "LOC", *sorted(k for k in groups if k not in ("PER", "ORG", "LOC"))]
    return templates.TemplateResponse(request, "entities.html", {
        "groups": [(k, groups[k]) for k in order if k in groups]})


@router.get("/dates", name="dates")
def dates(request: Request, session: SessionDep, templates: TemplatesDep) -> Response:
    """Every month that has articles, newest first."""
    cache_page(request)
    return templates.TemplateResponse(request, "dates.html",
                                      {"months": indexes.months(session)})


@router.get("/dates/{year}/{month}", name="date_month")
def date_month(request: Request, year: Year, month: Month, session: SessionDep,
               templates: TemplatesDep, page: PageNo = 1) -> Response:
    """A month as a calendar (days with articles link to their day) and its articles."""
    cache_page(request)
    start = date(year, month, 1)
    end = _next_month(start)
    counts = indexes.month_days(session, year, month)
    total, rows = indexes.articles(session, PAGE_SIZE, (page - 1) * PAGE_SIZE,
                                   start=start, end=end)
    locale = i18n.current_locale.get()
    first = 6 if locale == "en" else 0  # Sunday first in English, Monday in Swedish
    cal = calendar.Calendar(firstweekday=first)
    names = get_day_names("abbreviated", locale=locale)
    # Day numbers, 0 for the days of the months around (which may not exist: December 9999).
    weeks = [[date(year, month, n) if n else None for n in week]
             for week in cal.monthdayscalendar(year, month)]
    return templates.TemplateResponse(request, "date_month.html", {
        "month": f"{year:04d}-{month:02d}", "weeks": weeks,
        "weekdays": [names[(first + i) % 7] for i in range(7)], "counts": counts,
        "rows": rows, "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "pager_query": "",
        "prev": before.replace(day=1) if (before := _step(start, -1)) else None, "next": end,
    })


@router.get("/dates/{day}", name="date_day")
def date_day(request: Request, session: SessionDep, templates: TemplatesDep,
             day: Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")],
             page: PageNo = 1) -> Response:
    """The articles of one day."""
    cache_page(request)
    try:
        when = date.fromisoformat(day)
    except ValueError:
        raise BadFilter(f"day: not a date: {day}", "day", day) from None
    total, rows = indexes.articles(session, PAGE_SIZE, (page - 1) * PAGE_SIZE, start=when,
                                   end=_step(when, 1))
    return templates.TemplateResponse(request, "date_day.html", {
        "day": when, "rows": rows, "total": total, "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)), "pager_query": "",
        "prev": _step(when, -1), "next": _step(when, 1),
    })


def _step(day: date, days: int) -> date | None:
    """``day`` moved by ``days``, or None past the calendar's ends (0001-01-01, 9999-12-31):
    a day page at an end has no link beyond it, and never overflows."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return None


def _next_month(start: date) -> date | None:
    """The first day of the month after ``start``'s (None after December 9999)."""
    if start.month < 12:
        return start.replace(month=start.month + 1, day=1)
    return date(start.year + 1, 1, 1) if start.year < date.max.year else None
