"""HTML routes, named, with permalink-stable URLs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from sqlmodel import Session
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.routing import Route, request_response

from app.ingest.readers import MAX_YEAR, MIN_YEAR
from app.ingest.service import IngestResult
from app.ingest.uploads import Upload
from app.refusals import Refusal
from app.storage import profiles, queries
from app.storage.browse import QuoteFilters
from app.web import attribution, errors, i18n
from app.web.api import check_upload_rate, upload_service
from app.web.cards import card_etag, render_card
from app.web.deps import CsrfDep, RowId, SessionDep, SettingsDep, TemplatesDep, templates_of
from app.web.etags import PAGE_KEY
from app.web.forms import read_form
from app.web.i18n import gettext_ as _
from app.web.localized import request_root
from app.web.messages import format_size
from app.web.pagecache import cache_page
from app.web.refusals import FormError
from app.web.render import Mark, paragraphs, render_span
from app.web.rows import esc
from app.web.typography import quote_plain
from app.web.urls import absolute_url, export_links

router = APIRouter(default_response_class=HTMLResponse)

UPLOAD_FIELDS = ("text", "title", "source", "url", "published_at")


@router.get("/", name="home")
def home(request: Request) -> Response:
    """Latest quotes, the most quoted speakers and a search box."""
    cache_page(request)
    # The session and the templates taken here, not through FastAPI's dependencies (an
    # async generator and an exit stack a request, and a thread-pool hop to close it).
    with Session(request.app.state.reader) as session:
        context = request.app.state.cache.get("home", lambda: {
            "latest": queries.latest_quotes(session, 10),
            "speakers": queries.top_speakers(session, 10),
            "articles": queries.count_articles(session),
        })
        return templates_of(request).TemplateResponse(request, "home.html", context)


async def quote(request: Request) -> Response:
    """A quote's permalink: the quote, its speaker, its paragraph with the quote marked.

    Async: for a reader who is not logged in the page was read with its version by the ETag
    middleware (``app.web.etags``) and nothing here blocks, so it is rendered without a hop
    to the thread pool; otherwise (a logged-in editor: the template asks the database who it
    is) it is read and rendered in the pool, as a sync route is.

    A plain Starlette route (below): its one parameter is a string taken as it is, so
    FastAPI's dependency solving and validation a request (~0.1 ms) buy nothing."""
    if request.method != "GET":
        raise HTTPException(status_code=405, headers={"Allow": "GET"})
    cache_page(request)
    public_id: str = request.path_params["public_id"]
    templates, settings = templates_of(request), request.app.state.settings
    page = request.scope.get(PAGE_KEY)
    if isinstance(page, profiles.Permalink) and page.row.quote.public_id == public_id:
        return _quote_page(request, public_id, page, templates, settings)
    return await run_in_threadpool(_read_and_render, request, public_id, templates, settings)


class _EveryMethod:
    """The route's endpoint as an ASGI app, so Starlette's route takes every method and the
    route refuses all but GET itself (HEAD comes as GET: ``app.web.head``) as FastAPI's
    routes do, ``Allow: GET``: Starlette's own refusal names its methods from a set ("GET,
    HEAD" or "HEAD, GET", depending on the process)."""

    def __init__(self, endpoint: Any) -> None:
        self.app = request_response(endpoint)

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await self.app(scope, receive, send)


#: Not on ``router``: the app puts it first on its own router (``app.main``), so the most
#: asked page is not looked for through the pages router (one router level less a request).
permalink_route = Route("/q/{public_id}", _EveryMethod(quote), name="quote",
                        include_in_schema=False)


def _read_and_render(request: Request, public_id: str, templates: Any, settings: Any
                     ) -> Response:
    page = profiles.read_permalink(request.app.state.reader, public_id)
    return _quote_page(request, public_id, page, templates, settings)


def _quote_page(request: Request, public_id: str, page: profiles.Permalink, templates: Any,
                settings: Any) -> Response:
    row = page.row
    sure = settings.speaker_sure
    text = row.article.text
    q = row.quote
    paras = paragraphs(text)
    first = next((p for p in paras if p[0] <= q.start <= p[1]), (q.start, q.end))
    last = next((p for p in paras if p[0] <= q.end <= p[1]), first)
    context = render_span(
        text, first[0], last[1],
        [Mark(q.start, q.end, Markup('<mark class="quote">'), Markup("</mark>"))],
    )
    paths = request.app.state.paths
    path = paths("quote", public_id=public_id)
    card_path = paths("quote_card", public_id=public_id)
    # The page's links with parameters, as the templates' url_for builds them (under the
    # request's root path), without three calls through Jinja and url_for's cache.
    root = request_root(request)
    day = _date(row.article.published_at)
    canonical = absolute_url(request, settings.base_url, str(path))
    response: Response = templates.TemplateResponse(
        request,
        "quote.html",
        {
            "row": row,
            "description": row.quote.text[:300],
            "article_path": root + paths("article", article_id=row.article.id),
            "day_path": root + paths("date_day", day=day) if day else "",
            "report_path": root + paths("report_quote", public_id=q.public_id),
            "context": context,
            "canonical": canonical,
            # The card's URL carries its version: a correction gives the card a new URL, so
            # no cache (a browser's, a social site's) shows the old speaker.
            "card_url": absolute_url(request, settings.base_url,
                                     f"{card_path}?v={_card_version(row, sure)}"),
            "also": page.also,
            "citation": _citation(row, canonical, sure),
            "og_title": _og_title(row, sure),
            # An editor chose the speaker: the machine's mention was wrong (it stays in the
            # audit log), so it is not shown beside the corrected name.
            "show_mention": not page.speaker_corrected,
        },
    )
    return response


def _card_parts(row: queries.QuoteRow, sure: float) -> tuple[str, str, str]:
    """What the share card shows: the quote, the speaker ("probably …" when uncertain) and the
    footer (in the quote's own language: the card is the same image for every reader)."""
    lang = row.quote.language if row.quote.language in i18n.LOCALES else "sv"
    speaker = attribution.who(row, sure, i18n.translations(lang).gettext)
    footer = " · ".join(x for x in (row.article.source, _date(row.article.published_at)) if x)
    return quote_plain(row.quote.text, lang, row.quote.type), speaker, footer


def _card_version(row: queries.QuoteRow, sure: float) -> str:
    return card_etag(*_card_parts(row, sure)).strip('"')[:12]


@router.get("/q/{public_id}/card.png", name="quote_card", response_class=Response)
def quote_card(request: Request, public_id: str, session: SessionDep,
               settings: SettingsDep) -> Response:
    """The quote's 1200×630 share card (PNG). Asked for with its current version (``?v=``,
    as the page links it) it may be kept for a day; otherwise it is revalidated (ETag)."""
    row = queries.get_quote(session, public_id)
    text, speaker, footer = _card_parts(row, settings.speaker_sure)
    etag = card_etag(text, speaker, footer)
    current = request.query_params.get("v") == etag.strip('"')[:12]
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400, immutable" if current
               else "public, no-cache"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    png = render_card(text, speaker, footer, settings.static_dir / "fonts")
    return Response(png, media_type="image/png", headers=headers)


@router.get("/q/{public_id}/{slug}", name="quote_slug")
def quote_with_slug(request: Request, public_id: str, slug: str, session: SessionDep) -> Response:
    """A readable permalink (/q/ID/speaker-words…): redirects to the canonical /q/ID."""
    queries.get_quote(session, public_id)  # 404 for an unknown id, not a redirect
    return RedirectResponse(str(request.app.url_path_for("quote", public_id=public_id)),
                            status_code=301)


def _date(value: datetime | None) -> str:
    return value.date().isoformat() if value else ""


def _capital(text: str) -> str:
    """A label that begins a title or a citation: "probably X" -> "Probably X"."""
    return text[:1].upper() + text[1:]


def _og_title(row: queries.QuoteRow, sure: float) -> str:
    words = row.quote.text.split()
    start = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    who = _capital(attribution.who(row, sure))
    return f"{who}: {quote_plain(start, row.quote.language, row.quote.type)}"


def _citation(row: queries.QuoteRow, url: str, sure: float) -> str:
    who = _capital(attribution.who(row, sure))
    parts = [f"{who}: {quote_plain(row.quote.text, row.quote.language, row.quote.type)}",
             row.article.source or "", _date(row.article.published_at), url]
    return ", ".join(p for p in parts if p)


@router.get("/articles/{article_id}", name="article")
def article(request: Request, article_id: RowId) -> Response:
    """An article with every quote marked and linked, and its entities linked."""
    with Session(request.app.state.reader) as session:
        return _article_page(request, session, article_id)


def _article_page(request: Request, session: Session, article_id: int) -> Response:
    templates, settings = templates_of(request), request.app.state.settings
    view = queries.get_article(session, article_id)
    if view.article.status == "done":  # a queued article's page changes when it is done
        cache_page(request)
    marks: list[Mark] = []
    for row in view.quotes:
        href = request.app.state.paths("quote", public_id=row.quote.public_id)
        who = attribution.who(row, settings.speaker_sure)
        kind = esc(row.quote.type)
        # f-strings with every value escaped (Markup.format cost ~10 µs a mark).
        marks.append(Mark(
            row.quote.start, row.quote.end,
            # A <mark>, not a link: entity links may sit inside a quote and links never nest.
            Markup(f'<mark class="quote quote-{kind}" data-quote="{esc(row.quote.public_id)}" '  # noqa: S704
                   f'title="{esc(f"{who} ({_(row.quote.type)})")}">'),
            Markup(f'</mark><a class="quote-link" href="{esc(href)}" '  # noqa: S704
                   f'title="{esc(_("%(who)s: permalink") % {"who": who})}" '
                   f'aria-label="{esc(_("Permalink: %(who)s") % {"who": who})}">↗</a>'),
        ))
    entity_list: dict[str, Any] = {}
    for mention, entity in view.mentions:
        href = request.app.state.paths("entity", slug=entity.slug)
        marks.append(Mark(
            mention.start, mention.end,
            Markup(f'<a class="entity entity-{esc(entity.label.lower())}" '  # noqa: S704
                   f'href="{esc(href)}">'),
            Markup("</a>"), outer=False,
        ))
        entity_list.setdefault(entity.slug, entity)
    body = [render_span(view.article.text, s, e, marks) for s, e in paragraphs(view.article.text)]
    return templates.TemplateResponse(
        request,
        "article.html",
        {"view": view, "body": body,
         "entities": sorted(entity_list.values(), key=lambda e: (e.label, e.name)),
         "exports": export_links(request, QuoteFilters(article=article_id, sort="newest"))},
    )


@router.get("/articles/{article_id}/status", name="article_status")
def article_status(
    request: Request, article_id: RowId, session: SessionDep, templates: TemplatesDep
) -> Response:
    """The article's processing state (polled by its page until done)."""
    view = queries.get_article(session, article_id)
    response: Response = templates.TemplateResponse(request, "_status.html", {"view": view})
    if view.article.status == "done":
        response.headers["HX-Refresh"] = "true"  # show the quotes: reload the whole page
    return response


@router.get("/upload", name="upload")
def upload_form(request: Request, templates: TemplatesDep, csrf: CsrfDep,
                settings: SettingsDep) -> Response:
    """The upload form."""
    return _render_upload(request, templates, csrf, settings, {}, None, 200)


def _render_upload(
    request: Request, templates: Any, csrf: Any, settings: Any,
    values: dict[str, str], error: Refusal | None, status: int,
) -> Response:
    raw, token = csrf.token_for(request)
    response: Response = templates.TemplateResponse(
        request,
        "upload.html",
        {
            "values": values,
            "error": error,
            "error_message": errors.refusal_message(error) if error else "",
            "csrf_token": token,
            "max_size": format_size(settings.max_upload_bytes),
            "max_files": settings.max_batch_files, "min_year": MIN_YEAR, "max_year": MAX_YEAR,
        },
        status_code=status,
    )
    csrf.set_cookie(request, response, raw)
    return response


@router.post("/upload", name="upload_post")
async def upload_post(
    request: Request, templates: TemplatesDep, csrf: CsrfDep, settings: SettingsDep
) -> Response:
    """Ingest pasted text, files (or a .zip of them) or a URL; errors come back on the form.

    One article: go to its page. Several: a summary of what became of each file.
    """
    limit = settings.max_upload_bytes
    values: dict[str, str] = {}
    declared = request.headers.get("content-length", "")
    max_files = settings.max_batch_files
    if declared.isdigit() and int(declared) > max_files * limit + 256 * 1024:
        err = FormError(f"The upload is larger than the limit of {limit:,} bytes a file.", "file")
        return _render_upload(request, templates, csrf, settings, values, err, 413)
    try:
        # Over-long text fields are cut, not refused: the form comes back filled in.
        form, dropped = await read_form(request, max_files=max_files, max_fields=20,
                                        max_part_size=limit)
    except (MultiPartException, HTTPException) as exc:
        # Starlette turns the parser's MultiPartException into HTTPException(400) in an app.
        reason = str(exc.detail if isinstance(exc, HTTPException) else exc.message)
        err = (FormError("At most %(max)s files in one upload.", "file",
                         params={"max": max_files})
               if reason.startswith("Too many files") else
               FormError(f"The form could not be read: {reason}", "file"))
        return _render_upload(request, templates, csrf, settings, values, err, 400)
    try:
        for name in UPLOAD_FIELDS:
            v = form.get(name)
            values[name] = v if isinstance(v, str) else ""
        if dropped.get("text"):
            err = FormError(_too_long(limit, len(values["text"].encode("utf-8")),
                                      dropped["text"]), "text")
            return _render_upload(request, templates, csrf, settings, values, err, 413)
        if not csrf.valid(request, form.get("csrf_token")):
            err = FormError("The form has expired or was not sent from this site. "
                            "Please submit it again.", None)
            return _render_upload(request, templates, csrf, settings, values, err, 403)
        check_upload_rate(request)
        files: list[tuple[str, bytes]] = []
        for upload in form.getlist("file"):
            if isinstance(upload, UploadFile) and upload.filename:
                data = await upload.read(limit + 1)  # one byte more: the service refuses it
                if data:
                    files.append((upload.filename, data))
        outcome = await upload_service(request).ingest(Upload(
            text=values["text"], title=values["title"], source=values["source"],
            url=values["url"], published_at=values["published_at"], files=files))
    except Refusal as err:  # the ingest layer's, and the rate limits'
        response = _render_upload(request, templates, csrf, settings, values, err, err.status)
        response.headers.update(errors.retry_after(err))
        return response
    finally:
        await form.close()
    if isinstance(outcome, IngestResult):
        target = request.app.url_path_for("article", article_id=outcome.article_id)
        suffix = "" if outcome.created else "?duplicate=1"
        return RedirectResponse(str(target) + suffix, status_code=303)
    results = [(o.name, o.result, errors.refusal_message(o.error) if o.error else None)
               for o in outcome]
    return templates.TemplateResponse(request, "upload_batch.html", {"results": results})


def _too_long(limit: int, kept: int, dropped: int) -> str:
    """The paste-limit message, in the reader's language, sizes formatted for the locale."""
    return _("The text is %(over)s over the limit of %(limit)s. The first %(kept)s are kept "
             "below: shorten the text, or upload it as a file in parts.") % {
        "over": format_size(dropped), "limit": format_size(limit), "kept": format_size(kept)}
