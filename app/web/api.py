"""JSON API: the same read functions as the pages, and ingest through the one write path."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from sqlmodel import Session

from app.ingest.service import IngestResult
from app.ingest.uploads import Upload, Uploads
from app.storage import browse, profiles, queries
from app.storage.browse import QuoteFilters
from app.web.deps import RowId, SessionDep, SettingsDep
from app.web.errors import asks_for_language
from app.web.filters import FiltersDep
from app.web.messages import localise
from app.web.ratelimit import FetchQueue
from app.web.refusals import RequestRefused
from app.web.schemas import (
    ArticleIn,
    ArticleOut,
    EntityDetail,
    FacetOut,
    QuoteList,
    QuoteOut,
    SpeakerDetail,
    SpeakerList,
    SpeakerOut,
)

router = APIRouter(prefix="/api", tags=["api"])
T = TypeVar("T")

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/quotes", name="api_quotes")
def api_quotes(
    session: SessionDep, f: FiltersDep, settings: SettingsDep, limit: Limit = 20,
    offset: Offset = 0,
    with_facets: Annotated[bool, Query(alias="facets")] = False,
) -> QuoteList:
    """Quotes filtered by words (ranked), speaker, entity, article, source, language, kind,
    month and date range; ``facets=true`` adds the facet counts."""
    page = browse.search(session, f, limit, offset)
    return QuoteList(
        total=page.total, total_is_estimate=page.estimated, limit=limit, offset=offset,
        items=[QuoteOut.of(r, settings.speaker_sure) for r in page.items],
        facets={k: [FacetOut(value=v.value, label=v.label, count=v.count) for v in vs]
                for k, vs in browse.facets(session, f).items()} if with_facets else None,
    )


@router.get("/quotes/{public_id}", name="api_quote")
def api_quote(public_id: str, session: SessionDep, settings: SettingsDep) -> QuoteOut:
    """One quote by its permalink id."""
    return QuoteOut.of(queries.get_quote(session, public_id), settings.speaker_sure)


@router.get("/speakers", name="api_speakers")
def api_speakers(session: SessionDep, limit: Limit = 50, offset: Offset = 0) -> SpeakerList:
    """Speakers, most quoted first."""
    rows = queries.top_speakers(session, limit, offset)
    return SpeakerList(
        total=queries.count_speakers(session), limit=limit, offset=offset,
        items=[SpeakerOut(name=s.name, slug=s.slug, kind=s.kind, quotes=n) for s, n in rows],
    )


@router.get("/speakers/{slug}", name="api_speaker")
def api_speaker(
    slug: str, session: SessionDep, settings: SettingsDep, limit: Limit = 50,
    offset: Offset = 0,
) -> SpeakerDetail:
    """One speaker with mentions, roles and quotes."""
    view = queries.get_speaker(session, slug)
    quotes = browse.search(session, QuoteFilters(speaker=slug, sort="newest"), limit, offset)
    s = view.speaker
    return SpeakerDetail(
        name=s.name, slug=s.slug, kind=s.kind, mentions=view.mentions, roles=view.roles,
        quotes=QuoteList(total=quotes.total, limit=limit, offset=offset,
                         items=[QuoteOut.of(r, settings.speaker_sure) for r in quotes.items]),
    )


@router.get("/entities/{slug}", name="api_entity")
def api_entity(slug: str, session: SessionDep, settings: SettingsDep, limit: Limit = 50,
               offset: Offset = 0) -> EntityDetail:
    """One entity with the quotes that mention it."""
    view = profiles.get_entity(session, slug)
    quotes = browse.search(session, QuoteFilters(entity=slug, sort="newest"), limit, offset)
    e = view.entity
    return EntityDetail(
        name=e.name, slug=e.slug, label=e.label,
        speaker=view.speaker.slug if view.speaker else None,
        quotes=QuoteList(total=quotes.total, limit=limit, offset=offset,
                         items=[QuoteOut.of(r, settings.speaker_sure) for r in quotes.items]),
    )


@router.get("/articles/{article_id}", name="api_article")
def api_article(article_id: RowId, session: SessionDep, settings: SettingsDep) -> ArticleOut:
    """One article with its quotes and entities."""
    return ArticleOut.of(queries.get_article(session, article_id), settings.speaker_sure)


def document_limits(app: FastAPI, max_upload_bytes: int) -> None:
    """The API's documentation of ``text`` states the upload limit of these settings."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            text = schema["components"]["schemas"]["ArticleIn"]["properties"]["text"]
            text["description"] += (f" At most {max_upload_bytes:,} bytes in UTF-8 (larger: "
                                    "413 with `limit` and `size`).")
        return app.openapi_schema or build()

    app.openapi = openapi  # type: ignore[method-assign]


def check_upload_rate(request: Request) -> None:
    """Count an upload; RequestRefused (429, with Retry-After) when the client is over the
    limit."""
    request.app.state.ratelimits.check("upload", request)


def upload_service(request: Request) -> Uploads:
    """The ingest service for what the form or the API sends, on this app's database and
    queue: blocking work on the request thread pool, URL fetches on the fetch threads."""
    state = request.app.state
    return Uploads(state.settings, state.engine, state.queue, in_thread=run_in_threadpool,
                   on_fetch_thread=partial(_on_fetch_thread, state.fetches))


async def _on_fetch_thread(fetches: FetchQueue, fn: Callable[[], T]) -> T:
    """``fn()`` on a fetch thread, waiting for a turn (the request thread is not held); 503
    with Retry-After when too many fetches wait already."""
    done: T | None = await fetches.run(fn)
    if done is None:
        raise RequestRefused("Too many pages are being fetched right now: try again in "
                             "%(retry_after)s seconds.", "url", params={"retry_after": 5},
                             status=503)
    return done


def _answer(request: Request, result: IngestResult) -> ArticleOut:
    """The stored article as the API answers it."""
    with Session(request.app.state.engine) as session:
        return ArticleOut.of(queries.get_article(session, result.article_id),
                             request.app.state.settings.speaker_sure, created=result.created)


@router.post(
    "/articles",
    name="api_ingest",
    status_code=201,
    responses={200: {"model": ArticleOut, "description": "The same text was already stored."},
               400: {"description": "Invalid input, with a message."},
               422: {"description": "A field out of range (e.g. a far date), with a message."},
               429: {"description": "Too many uploads from this client (Retry-After)."},
               503: {"description": "Too many URL fetches waiting (Retry-After)."},
               413: {"description": "The text is larger than the limit (`limit`, `size`)."}},
)
async def api_ingest(request: Request, body: ArticleIn, settings: SettingsDep) -> JSONResponse:
    """Ingest an article (text, or only a ``url`` to fetch); posting the same text again
    answers with the stored article. Rate-limited together with the upload form."""
    await run_in_threadpool(check_upload_rate, request)
    upload = Upload(text=body.text, title=body.title, source=body.source, url=body.url,
                    published_at=body.published_at)
    size = len(body.text.encode("utf-8"))
    if not upload.only_url and size > settings.max_upload_bytes:
        # Too much: 413, saying how much is allowed.
        detail = f"The text is longer than the limit of {settings.max_upload_bytes:,} bytes."
        return JSONResponse({
            "detail": localise(detail) if asks_for_language(request) else detail,
            "field": "text", "limit": settings.max_upload_bytes, "size": size},
            status_code=413)
    result = await upload_service(request).ingest(upload)
    assert isinstance(result, IngestResult)  # no files: one article
    out = await run_in_threadpool(_answer, request, result)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.created else 200)
