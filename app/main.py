"""create_app(): wiring only — lifespan (engine, spaCy pipelines, seeds), routers, templates."""

from __future__ import annotations

import gc
import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from functools import partial
from typing import Any

import jinja2
from anyio import to_thread
from fastapi import APIRouter, FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.staticfiles import StaticFiles
from sqlmodel import Session
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from app import __version__
from app.config import Settings, get_settings
from app.ingest.queue import (
    JobQueue,
    WorkerContext,
    isolated_extractor,
    start_in_process,
    stop_in_process,
)
from app.ingest.service import ExtractorLike, ingest_files, iter_article_files
from app.storage import lexicon, pgwindows
from app.storage.db import make_engine, reading
from app.storage.profiles import Permalink, read_permalink, read_version
from app.storage.queries import NotFound, count_articles, count_quotes
from app.web import (
    api,
    attribution,
    auth,
    editor,
    errors,
    i18n,
    indexes,
    lists,
    pages,
    rows,
    verify,
)
from app.web.audit import action_label, audit_value
from app.web.auth import session_user
from app.web.bodylimit import BodyLimit
from app.web.cache import PageCache
from app.web.csrf import Csrf, resolve_secret
from app.web.etags import VersionedPages
from app.web.head import HeadAsGet
from app.web.localized import LocalizedTemplates
from app.web.middleware import RequestContext
from app.web.pagecache import PageCacheMiddleware, RenderedPages
from app.web.ratelimit import FetchQueue, RateLimits
from app.web.templatecode import BYTECODE_PATTERN, CitatEnvironment
from app.web.typography import quote_html
from app.web.urls import Paths, cached_url_for

log = logging.getLogger("citat")


def load_extractor(settings: Settings) -> ExtractorLike:
    """Load the spaCy pipelines named by the settings (shipped ones by default)."""
    from app.extraction.pipeline import Extractor

    extractor: ExtractorLike = Extractor.load(settings.models)
    return extractor


def needs_seeds(settings: Settings, engine: Any) -> bool:
    """Whether the database is empty (so the seeds would be ingested)."""
    with Session(engine) as session:
        return count_articles(session) == 0


def seed_if_empty(settings: Settings, engine: Any, extractor: ExtractorLike) -> None:
    """Ingest every article in the seeds folder (and the demo archive, unless ``load_demo`` is
    off) when the database has no articles."""
    with Session(engine) as session:
        stored = count_articles(session)
        if stored > 0:
            _say(f"The database holds {stored} articles and {count_quotes(session)} quotes: "
                 "the seeds are not loaded again.")
            return
    files = list(iter_article_files([settings.seeds_dir])) if settings.seeds_dir.exists() else []
    if settings.load_demo and settings.demo_dir.exists():
        # The demo archive's articles are the texts that come with their credit (a .meta.json).
        files += [f for f in iter_article_files([settings.demo_dir])
                  if f.with_name(f.stem + ".meta.json").is_file()]
    summary = ingest_files(lambda: Session(engine), extractor, files, settings.max_upload_bytes)
    with Session(engine) as session:
        quotes = count_quotes(session)
    _say(f"Loaded {summary.new} seed and demo articles ({len(summary.failed)} failed): "
         f"{quotes} quotes.")


#: Allocations between two collections of the youngest generation (Python's default: 700).
GC_YOUNG = 7000


def freeze_startup_objects() -> tuple[int, ...]:
    """Leave what start-up made (modules, templates, routes, search word tables, pipelines:
    ~190,000 objects) out of every later garbage collection, and collect the youngest
    objects ten times less often; returns the thresholds it replaced. A full collection
    walked every start-up object, 100-130 ms of CPU that fell on whichever request was
    running (the p99 of the pages); a page allocates thousands of objects that mostly die
    with it, and a collection every 700 of them kept promoting some (~0.1-0.3 ms of GC a
    speaker or entity page, ~5-70 µs now). Called once the app is ready, after a last
    collection of start-up's garbage."""
    gc.collect()
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(GC_YOUNG, *before[1:])
    return before


def thaw_startup_objects(thresholds: tuple[int, ...]) -> None:
    """Undo :func:`freeze_startup_objects` (the app is stopping): what start-up made may be
    collected again, with the thresholds as they were."""
    gc.unfreeze()
    gc.set_threshold(*thresholds)


def _say(message: str) -> None:
    """A line for whoever started the server (the log, and the console)."""
    log.info(message)
    print(message, flush=True)


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


#: The JSON API's groups on /docs, in this order.
API_TAGS = [
    {"name": "quotes", "description": "Search and read quotes."},
    {"name": "speakers", "description": "Who is quoted, and how often."},
    {"name": "entities", "description": "People, organisations and places that are mentioned."},
    {"name": "articles", "description": "Read an article with its quotes, or add one."},
]


def _tag_api(router: APIRouter) -> None:
    """Group each /api route under its resource ("/api/speakers/{slug}" -> speakers)."""
    names = {t["name"] for t in API_TAGS}
    for route in router.routes:
        if isinstance(route, APIRoute):
            resource = route.path.removeprefix(router.prefix).split("/")[1]
            if resource in names:
                route.tags = [resource]


def create_app(settings: Settings | None = None, extractor: ExtractorLike | None = None) -> FastAPI:
    """Build the app. Heavy things (engine, pipelines) are made in the lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database_url)
        app.state.engine = engine
        # Pages that only read (home, permalink, article, search, speaker, entity): no transaction.
        app.state.reader = reading(engine)
        await run_in_threadpool(lexicon.preload)  # search's word tables, before any request
        await run_in_threadpool(pgwindows.preload, engine)  # and PostgreSQL's statistics
        queue = JobQueue(settings)
        app.state.queue = queue
        # Only immediate mode and seeding an empty database extract in this process; queue
        # workers (the in-process one too) extract in a child process with a time limit.
        if app.state.extractor is None and (
                queue.immediate or (settings.load_seeds and needs_seeds(settings, engine))):
            app.state.extractor = await run_in_threadpool(load_extractor, settings)
        if queue.immediate:
            queue.bind(WorkerContext(engine, app.state.extractor, settings))
        else:
            queue.bind(WorkerContext(engine, isolated_extractor(settings), settings))
        if settings.load_seeds and app.state.extractor is not None:
            await run_in_threadpool(seed_if_empty, settings, engine, app.state.extractor)
        consumer = None
        if settings.worker_in_process and not queue.immediate:
            consumer = await run_in_threadpool(start_in_process, queue, settings.workers)
        if settings.request_threads is not None:  # after start-up's own thread work
            to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        thresholds = freeze_startup_objects()
        yield
        thaw_startup_objects(thresholds)
        if consumer is not None:
            await run_in_threadpool(stop_in_process, queue, consumer)
        else:
            close = getattr(queue.context().extractor, "close", None)
            if close is not None and not queue.immediate:
                close()
        app.state.fetches.close()
        engine.dispose()

    app = FastAPI(
        title="Citat",
        version=__version__,
        description=(
            "Attributed quotes from Swedish and English news.\n\n"
            "Every quote carries `confidence` (that it is a quote) and `speaker_confidence`: the "
            "extractor's probability, 0 to 1, that the named speaker is right (calibrated: of "
            "the attributions near 0.9 about nine in ten are right; 0 when no speaker is "
            "named). `speaker_status` says how the site shows it: `certain` at or above the "
            "CITAT_SPEAKER_SURE setting (default 0.9) or when an editor chose or confirmed the "
            "speaker (`speaker_checked`), `uncertain` below it (\"probably <name>\"), `unknown` "
            "without a speaker. The CSV and JSON exports (`/export/quotes.csv`, "
            "`/export/quotes.json`) carry the same two columns."),
        openapi_tags=API_TAGS,
        lifespan=lifespan,
        docs_url=None,  # served below from vendored files: works without internet
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.extractor = extractor
    app.state.cache = PageCache(settings.cache_seconds)
    app.state.secret = resolve_secret(settings)
    app.state.csrf = Csrf(app.state.secret)
    app.state.fetches = FetchQueue(settings.max_fetches, settings.max_fetches_waiting)
    app.state.ratelimits = RateLimits(settings.ratelimit_storage, {
        "upload": settings.ratelimit_upload, "login": settings.ratelimit_login,
        "report": settings.ratelimit_report, "verify": settings.ratelimit_verify,
        "edit": settings.ratelimit_edit,
    })
    env = CitatEnvironment(  # fewer Python calls a page: app.web.templatecode
        loader=jinja2.FileSystemLoader(str(settings.templates_dir)),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        # Templates are compiled once per process (below), never looked up on disk again per
        # request (no mtime checks), and their bytecode is kept between starts (a per-user
        # folder in the temporary directory). Edited templates show after a restart.
        auto_reload=False,
        bytecode_cache=jinja2.FileSystemBytecodeCache(pattern=BYTECODE_PATTERN),
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        i18n.gettext_, i18n.ngettext_, newstyle=True
    )
    app.state.paths = Paths(app)  # a named route's path, without trying every route
    templates = LocalizedTemplates(env, app.state.paths)
    templates.env.filters["date"] = i18n.format_day
    templates.env.filters["isodate"] = _format_date
    templates.env.filters["number"] = i18n.format_number
    templates.env.filters["licence_url"] = licence_url
    templates.env.filters["month"] = i18n.format_month
    templates.env.filters["day"] = i18n.format_iso_day
    templates.env.filters["action_label"] = action_label
    templates.env.filters["audit_value"] = audit_value
    templates.env.globals["quote_html"] = quote_html
    templates.env.globals["attribution"] = partial(attribution.status, sure=settings.speaker_sure)
    templates.env.filters["percent"] = attribution.percent
    templates.env.globals["version"] = __version__
    templates.env.globals["current_locale"] = i18n.current_locale.get
    templates.env.globals["locales"] = i18n.LOCALES
    templates.env.globals["switch_url"] = i18n.switch_url
    templates.env.globals["csrf_field"] = app.state.csrf.field
    templates.env.globals["session_user"] = session_user
    templates.env.globals["url_for"] = cached_url_for(app.state.paths)
    # quote_item(row), said_by(row)
    rows.install(templates.env, settings.speaker_sure, app.state.paths)
    templates.env.filters["article_error"] = errors.article_error
    app.state.templates = templates
    for name in env.list_templates(extensions=["html"]):
        env.get_template(name)  # compiled now, not by a reader's request
    app.mount("/static", StaticFiles(directory=str(settings.static_dir)), name="static")
    # The HTML pages stay out of the OpenAPI schema: /docs documents the JSON API alone.
    app.include_router(pages.router, include_in_schema=False)
    # The permalink, the most asked page, first on the app's own router: not looked for
    # through the pages router (one router level less a request). Its path is its own.
    app.router.routes.insert(0, pages.permalink_route)
    app.include_router(indexes.router)
    app.include_router(lists.router, include_in_schema=False)
    _tag_api(api.router)
    app.include_router(api.router)
    api.document_limits(app, settings.max_upload_bytes)
    app.include_router(auth.router, include_in_schema=False)
    app.include_router(editor.router, include_in_schema=False)
    app.include_router(verify.router, include_in_schema=False)
    app.include_router(verify.api_router)
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

    def permalink_version(public_id: str, only_version: bool
                          ) -> tuple[str, Permalink | None] | None:
        if only_version:  # the page cache may hold the page: its version is enough
            version = read_version(app.state.reader, public_id)
            return None if version is None else (version, None)
        try:
            page = read_permalink(app.state.reader, public_id)
        except NotFound:
            return None
        return page.version, page

    # Between the two: the language is chosen, and the page cache keys permalinks by version.
    app.add_middleware(VersionedPages, versions=permalink_version, cached=app.state.pages.holds,
                       salt=lambda: f"{__version__}:{settings.speaker_sure}")
    # A JSON text may be escaped to six bytes a character ("\\u00e5"): room for that, no more.
    app.add_middleware(BodyLimit, limit=6 * settings.max_upload_bytes + 64 * 1024,
                       exempt=frozenset({"/upload"}))
    app.add_middleware(RequestContext, csrf=app.state.csrf,
                       secure_cookies=settings.secure_cookies)
    app.add_middleware(HeadAsGet)
    if settings.trusted_proxies.strip():
        # Outermost: the client address is the forwarded one before anything reads it.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    # Every template once per language, its fixed words and links inlined (the routes are all
    # known now: the links are built from them).
    templates.compile_all()
    # Babel's locale data, the catalogs and the formatters loaded now, not by each worker's
    # first readers (its first dates cost tens of ms).
    i18n.warm()
    for locale in i18n.LOCALES:
        attribution.percent(0.5, locale)
    return app
