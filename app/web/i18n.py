"""Swedish and English interface (Babel/gettext): locale choice, catalogs, dates, numbers.

The templates are written with English msgids; ``locales/sv/LC_MESSAGES/messages.po`` holds
the Swedish catalog, compiled in memory at startup. The locale comes from ``?lang=``, then the
``citat_lang`` cookie (set by the switch, so the choice sticks), then Accept-Language.
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Callable
from contextvars import ContextVar
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import DateTimeFormat, format_date, parse_pattern
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import Translations

LOCALES = ("sv", "en")
DEFAULT_LOCALE = "sv"
COOKIE = "citat_lang"
CATALOG_DIR = Path(__file__).with_name("locales")

current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


@lru_cache(maxsize=len(LOCALES))
def translations(locale: str) -> gettext.NullTranslations:
    """The compiled catalog for ``locale`` (English msgids need none)."""
    po = CATALOG_DIR / locale / "LC_MESSAGES" / "messages.po"
    if locale == "en" or not po.exists():
        return gettext.NullTranslations()
    with po.open("rb") as fh:
        catalog = read_po(fh, locale=locale)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return Translations(buf)


def switch_url(request: Any, locale: str) -> str:
    """This page's URL with ``?lang=locale`` (the language switch's link): what
    ``request.url.include_query_params(lang=locale)`` gives, which for an address without a
    query (a permalink, an article) is the URL and ``?lang=…``, made here without the URL
    being split and put together again twice (~25 µs a page); any other address is left to
    Starlette."""
    url = str(request.url)
    if (not request.scope.get("query_string") and "?" not in url and "#" not in url
            and locale in LOCALES):
        return f"{url}?lang={locale}"
    return str(request.url.include_query_params(lang=locale))


def choose_locale(query: str | None, cookie: str | None, accept_language: str | None) -> str:
    """The interface language for a request."""
    for candidate in (query, cookie):
        if candidate in LOCALES:
            return candidate
    if accept_language:
        wanted = []
        for part in accept_language.split(",")[:20]:
            tag, _, q = part.strip().partition(";q=")
            try:
                weight = float(q) if q else 1.0
            except ValueError:
                weight = 0.0
            wanted.append((weight, tag.strip().replace("-", "_")))
        wanted.sort(key=lambda w: -w[0])
        try:
            best = Locale.negotiate([t for _, t in wanted if t], list(LOCALES), sep="_")
        except (UnknownLocaleError, ValueError):
            best = None
        if best is not None:
            return str(best.language)
    return DEFAULT_LOCALE


def gettext_(message: str) -> str:
    """Translate ``message`` into the request's language."""
    return translations(current_locale.get()).gettext(message)


def ngettext_(singular: str, plural: str, n: int) -> str:
    """Translate with a plural form."""
    return translations(current_locale.get()).ngettext(singular, plural, n)


# Babel's formatting costs 50-100 µs a call (it parses the pattern and looks the locale up
# each time), and a list page formats the same few dates and numbers dozens of times: each
# value is formatted once per locale and remembered.
@lru_cache(maxsize=20_000)
def _day(value: date, locale: str) -> str:
    return _formatter("medium", locale)(value)


#: Pattern fields that do not depend on the day of the month (era, year, month).
_MONTH_FIELDS = re.compile(r"G{1,5}|y{1,4}|[ML]{1,5}")
#: The day of the month, as Babel writes it ("d": 3, "dd": 03).
_DAY_FIELDS: dict[str, Callable[[int], str]] = {"d": str, "dd": lambda day: f"{day:02d}"}


@lru_cache(maxsize=16)
def _formatter(pattern: str, locale: str) -> Callable[[date], str]:
    """A function that formats a date as Babel's ``format_date(value, pattern, locale)``
    does, a few µs a call instead of 50-100: Babel looks the locale up and parses the pattern
    on every call. For patterns made of era, year, month and day-of-month fields (both
    interface locales' "medium" date, "LLLL y") the fields but the day are Babel's own
    values, computed once per month; any other pattern is left to Babel."""
    loc = Locale.parse(locale)
    spec = loc.date_formats[pattern] if pattern in loc.date_formats else parse_pattern(pattern)
    template = str(spec.format)
    fields = re.findall(r"%\((\w+)\)s", template)
    if not all(f in _DAY_FIELDS or _MONTH_FIELDS.fullmatch(f) for f in fields):
        return lambda value: str(format_date(value, format=pattern, locale=locale))
    day_fields = [(f, _DAY_FIELDS[f]) for f in fields if f in _DAY_FIELDS]

    @lru_cache(maxsize=4096)
    def month(year: int, number: int) -> dict[str, str]:
        values = DateTimeFormat(date(year, number, 1), loc)
        return {f: str(values[f]) for f in fields if f not in _DAY_FIELDS}

    def format_one(value: date) -> str:
        values = month(value.year, value.month)
        if day_fields:
            values = {**values, **{f: make(value.day) for f, make in day_fields}}
        return template % values

    return format_one


def warm() -> None:
    """Load every locale's catalog, dates and numbers now (at start-up), not on a reader's
    first request: Babel's first use of a locale reads and unpickles its data (tens of ms)."""
    for locale in LOCALES:
        translations(locale)
        _formatter("medium", locale)(date(2000, 1, 1))
        _formatter("LLLL y", locale)(date(2000, 1, 1))
        format_decimal(1234.5, locale=locale)


@lru_cache(maxsize=20_000, typed=True)
def _number(value: int | float, locale: str) -> str:
    return str(format_decimal(value, locale=locale))


def format_day(value: datetime | None) -> str:
    """A date in the request's locale ("27 feb. 2025" / "Feb 27, 2025")."""
    if value is None:
        return ""
    return _day(value.date(), current_locale.get())


def format_number(value: int | float) -> str:
    """A number in the request's locale (1 234 / 1,234)."""
    return _number(value, current_locale.get())


def localize(msgid: str, params: dict[str, object] | None = None) -> str:
    """A message id translated, then its ``%(name)s`` placeholders filled (numbers per
    locale: 2 097 152 / 2,097,152)."""
    text = gettext_(msgid)
    if not params:
        return text
    return text % {k: format_number(v) if isinstance(v, int) and not isinstance(v, bool)
                   else v for k, v in params.items()}


def format_month(value: str) -> str:
    """A "YYYY-MM" month in the request's locale ("februari 2025" / "February 2025")."""
    return _month(value, current_locale.get())


@lru_cache(maxsize=5_000)
def _month(value: str, locale: str) -> str:
    try:
        day = date(int(value[:4]), int(value[5:7]), 1)
    except (ValueError, IndexError):
        return value
    return _formatter("LLLL y", locale)(day)


def format_iso_day(value: date) -> str:
    """A date (no time) in the request's locale."""
    return _day(value, current_locale.get())
