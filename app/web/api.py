"""JSON API: the same read functions as the pages, and ingest through the one write path."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse

from app.ingest.readers import build_article
from app.ingest.service import ingest
from app.storage import queries
from app.web.deps import ExtractorDep, SessionDep, SettingsDep
from app.web.schemas import (
    ArticleIn,
    ArticleOut,
    QuoteList,
    QuoteOut,
    SpeakerDetail,
    SpeakerList,
    SpeakerOut,
)

router = APIRouter(prefix="/api", tags=["api"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]


@router.get("/quotes", name="api_quotes")
def api_quotes(
    session: SessionDep,
    q: Annotated[str, Query(max_length=500)] = "",
    speaker: Annotated[str | None, Query(max_length=320)] = None,
    article: Annotated[int | None, Query(ge=1)] = None,
    limit: Limit = 20,
    offset: Offset = 0,
) -> QuoteList:
    """Quotes, filtered by words (ranked), speaker slug and/or article id."""
    page = queries.search_quotes(session, q=q, speaker=speaker, article=article,
                                 limit=limit, offset=offset)
    return QuoteList(total=page.total, limit=limit, offset=offset,
                     items=[QuoteOut.of(r) for r in page.items])


@router.get("/quotes/{public_id}", name="api_quote")
def api_quote(public_id: str, session: SessionDep) -> QuoteOut:
    """One quote by its permalink id."""
    return QuoteOut.of(queries.get_quote(session, public_id))


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
    slug: str, session: SessionDep, limit: Limit = 50, offset: Offset = 0
) -> SpeakerDetail:
    """One speaker with mentions, roles and quotes."""
    view = queries.get_speaker(session, slug, limit=limit, offset=offset)
    s = view.speaker
    return SpeakerDetail(
        name=s.name, slug=s.slug, kind=s.kind, mentions=view.mentions, roles=view.roles,
        quotes=QuoteList(total=view.quotes.total, limit=limit, offset=offset,
                         items=[QuoteOut.of(r) for r in view.quotes.items]),
    )


@router.get("/articles/{article_id}", name="api_article")
def api_article(article_id: int, session: SessionDep) -> ArticleOut:
    """One article with its quotes and entities."""
    return ArticleOut.of(queries.get_article(session, article_id))


@router.post(
    "/articles",
    name="api_ingest",
    status_code=201,
    responses={200: {"model": ArticleOut, "description": "The same text was already stored."},
               400: {"description": "Invalid input, with a message."}},
)
def api_ingest(
    body: ArticleIn, session: SessionDep, extractor: ExtractorDep, settings: SettingsDep
) -> JSONResponse:
    """Ingest an article; posting the same text again answers with the stored article."""
    item = build_article(
        text=body.text, title=body.title, source=body.source, url=body.url,
        published_at=body.published_at, max_bytes=settings.max_upload_bytes,
    )
    result = ingest(session, extractor, item)
    out = ArticleOut.of(queries.get_article(session, result.article_id), created=result.created)
    return JSONResponse(out.model_dump(mode="json"), status_code=201 if result.created else 200)
