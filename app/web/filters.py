"""Reading quote filters from the query string (shared by pages, exports and the API).

Forms send empty strings for "any"; every parameter accepts "" as "no filter".
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Depends, Query

from app.ingest.readers import MAX_YEAR, MIN_YEAR
from app.storage.browse import QuoteFilters

DATE = r"^(\d{4}-\d{2}-\d{2})?$"


class BadFilter(ValueError):
    """A filter value that passed the pattern but is still not valid (e.g. 2025-02-30)."""

    def __init__(self, message: str, field: str = "", value: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.value = value

    def sentence(self) -> str:
        """The refusal in the reader's language."""
        from app.web.i18n import gettext_

        return gettext_("%(value)s is not a date (use YYYY-MM-DD).") % {"value": self.value}


#: Date filters are clamped to the years a publication date may have (readers.MIN_YEAR ..
#: MAX_YEAR): ``to=9999-12-31`` means "no end", and the day after it still exists.
EARLIEST, LATEST = date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise BadFilter(f"{name}: not a date: {value}", name, value) from None
    return min(max(day, EARLIEST), LATEST)


async def quote_filters(  # async: no thread-pool hop (nothing here blocks)
    q: Annotated[str, Query(max_length=500)] = "",
    speaker: Annotated[str, Query(max_length=320)] = "",
    entity: Annotated[str, Query(max_length=320)] = "",
    article: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    source: Annotated[str, Query(max_length=200)] = "",
    language: Annotated[str, Query(max_length=8)] = "",
    kind: Annotated[str, Query(pattern=r"^(direct|partial|indirect)?$")] = "",
    month: Annotated[str, Query(pattern=r"^(\d{4}-(0[1-9]|1[0-2]))?$")] = "",
    date_from: Annotated[str, Query(alias="from", pattern=DATE)] = "",
    date_to: Annotated[str, Query(alias="to", pattern=DATE)] = "",
    sort: Annotated[str, Query(pattern=r"^(relevance|newest)?$")] = "",
) -> QuoteFilters:
    """Filters from query parameters."""
    return QuoteFilters(
        q=q, speaker=speaker or None, entity=entity or None, article=article,
        source=source or None, language=language or None, kind=kind or None,
        month=month or None, date_from=_date(date_from, "from"), date_to=_date(date_to, "to"),
        sort=sort or "relevance",
    )


FiltersDep = Annotated[QuoteFilters, Depends(quote_filters)]
