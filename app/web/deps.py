"""Annotated dependency aliases used by the routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from app.config import Settings
from app.ingest.queue import JobQueue
from app.ingest.service import ExtractorLike
from app.web.csrf import Csrf
from app.web.localized import LocalizedTemplates


# The dependencies are async so that FastAPI runs them on the event loop: a sync dependency
# costs a hop to the thread pool each. None of them blocks (a Session connects lazily, when
# the route, which runs in the thread pool, first uses it).
async def get_session(request: Request) -> AsyncIterator[Session]:
    """A database session for one request."""
    session = Session(request.app.state.engine)
    try:
        yield session
    finally:
        if session.in_transaction():  # returning a connection may touch the pool
            await run_in_threadpool(session.close)
        else:  # never connected (a page read elsewhere, a cached count): nothing to return
            session.close()


async def get_settings_dep(request: Request) -> Settings:
    """The app's settings."""
    settings: Settings = request.app.state.settings
    return settings


async def get_extractor(request: Request) -> ExtractorLike:
    """The extractor loaded at startup."""
    extractor: ExtractorLike = request.app.state.extractor
    return extractor


async def get_queue(request: Request) -> JobQueue:
    """The job queue."""
    queue: JobQueue = request.app.state.queue
    return queue


async def get_templates(request: Request) -> Jinja2Templates:
    """The Jinja environment."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


def templates_of(request: Request) -> LocalizedTemplates:
    """The app's templates (for routes that take them without a dependency)."""
    templates: LocalizedTemplates = request.app.state.templates
    return templates


async def get_csrf(request: Request) -> Csrf:
    """The CSRF token issuer/checker."""
    csrf: Csrf = request.app.state.csrf
    return csrf


SessionDep = Annotated[Session, Depends(get_session)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
ExtractorDep = Annotated[ExtractorLike, Depends(get_extractor)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
CsrfDep = Annotated[Csrf, Depends(get_csrf)]
QueueDep = Annotated[JobQueue, Depends(get_queue)]

# Row ids in URLs: bounded so that no value overflows a 32-bit INTEGER (PostgreSQL).
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]
