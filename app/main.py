"""create_app(): wiring only — lifespan (engine, spaCy pipelines, seeds), routers, templates."""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

import jinja2
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.config import Settings, get_settings
from app.ingest.queue import JobQueue, WorkerContext, start_in_process
from app.ingest.service import ExtractorLike, ingest_files, iter_article_files
from app.storage.db import make_engine
from app.storage.queries import count_articles
from app.web import api, auth, editor, errors, i18n, lists, pages
from app.web.auth import session_user
from app.web.cache import PageCache
from app.web.csrf import Csrf, resolve_secret
from app.web.middleware import RequestContext
from app.web.pagecache import PageCacheMiddleware, RenderedPages
from app.web.ratelimit import FetchSlots, RateLimits

log = logging.getLogger("citat")


def load_extractor(settings: Settings) -> ExtractorLike:
    """Load the spaCy pipelines named by the settings (shipped ones by default)."""
    from app.extraction.pipeline import Extractor

    extractor: ExtractorLike = Extractor.load(settings.models)
    return extractor


def seed_if_empty(settings: Settings, engine: Any, extractor: ExtractorLike) -> None:
    """Ingest every article in the seeds folder (and the demo archive, unless ``load_demo`` is
    off) when the database has no articles."""
    with Session(engine) as session:
        if count_articles(session) > 0:
            return
    files = list(iter_article_files([settings.seeds_dir])) if settings.seeds_dir.exists() else []
    if settings.load_demo and settings.demo_dir.exists():
        # The demo archive's articles are the texts that come with their credit (a .meta.json).
        files += [f for f in iter_article_files([settings.demo_dir])
                  if f.with_name(f.stem + ".meta.json").is_file()]
    summary = ingest_files(lambda: Session(engine), extractor, files, settings.max_upload_bytes)
    log.info("seeded %d articles (%d failed)", summary.new, len(summary.failed))


#: Creative Commons licences by the short name a record gives, and their deeds.
_CC = re.compile(r"^CC (BY(?:-SA|-ND|-NC|-NC-SA|-NC-ND)?) (\d\.\d)$", re.IGNORECASE)


def licence_url(licence: str | None) -> str | None:
    """The deed of a Creative Commons licence named like "CC BY 2.5" (CC0 too), else None."""
    if not licence:
        return None
    name = " ".join(licence.split())
    if name.upper() in ("CC0", "CC0 1.0"):
        return "https://creativecommons.org/publicdomain/zero/1.0/"
    m = _CC.match(name)
    if m is None:
        return None
    return f"https://creativecommons.org/licenses/{m.group(1).lower()}/{m.group(2)}/"


def _format_date(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def create_app(settings: Settings | None = None, extractor: ExtractorLike | None = None) -> FastAPI:
    """Build the app. Heavy things (engine, pipelines) are made in the lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        if app.state.extractor is None:
            app.state.extractor = await run_in_threadpool(load_extractor, settings)
        queue = JobQueue(settings, WorkerContext(engine, app.state.extractor, settings))
        app.state.queue = queue
        if settings.load_seeds:
            await run_in_threadpool(seed_if_empty, settings, engine, app.state.extractor)
        consumer = None
        if settings.worker_in_process and not queue.immediate:
            consumer = await run_in_threadpool(start_in_process, queue, settings.workers)
        yield
        if consumer is not None:
            await run_in_threadpool(consumer.stop, True)
        engine.dispose()

    app = FastAPI(
        title="Citat",
        version=__version__,
        description="Attributed quotes from Swedish and English news.",
        lifespan=lifespan,
        docs_url=None,  # served below from vendored files: works without internet
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.extractor = extractor
    app.state.cache = PageCache(settings.cache_seconds)
    app.state.secret = resolve_secret(settings)
    app.state.csrf = Csrf(app.state.secret)
    app.state.fetch_slots = FetchSlots(settings.max_fetches)
    app.state.ratelimits = RateLimits(settings.ratelimit_storage, {
        "upload": settings.ratelimit_upload, "login": settings.ratelimit_login,
        "report": settings.ratelimit_report,
    })
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(settings.templates_dir)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    templates = Jinja2Templates(env=env)
    templates.env.filters["date"] = i18n.format_day
    templates.env.filters["isodate"] = _format_date
    templates.env.filters["number"] = i18n.format_number
    templates.env.filters["licence_url"] = licence_url
    templates.env.globals["version"] = __version__
    templates.env.globals["current_locale"] = i18n.current_locale.get
    templates.env.globals["locales"] = i18n.LOCALES
    templates.env.globals["csrf_field"] = app.state.csrf.field
    templates.env.globals["session_user"] = session_user
    templates.env.globals["ingest_message"] = errors.ingest_message
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    app.include_router(pages.router)
    app.include_router(lists.router)
    app.include_router(api.router)
    app.include_router(auth.router)
    app.include_router(editor.router)
    errors.install(app)

    @app.get("/docs", include_in_schema=False)
    async def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json", title="Citat API",
            swagger_js_url="/static/vendor/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/vendor/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    # Inside RequestContext: the language is chosen and the CSRF seed prepared before it runs.
    app.state.pages = RenderedPages(settings.cache_seconds)
    app.add_middleware(PageCacheMiddleware, csrf=app.state.csrf, pages=app.state.pages)
    app.add_middleware(RequestContext, csrf=app.state.csrf,
                       secure_cookies=settings.secure_cookies)
    if settings.trusted_proxies.strip():
        # Outermost: the client address is the forwarded one before anything reads it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    return app
