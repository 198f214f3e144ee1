"""One place that maps domain exceptions to HTML pages or JSON, by what the client asked for."""

from __future__ import annotations

import logging
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.ingest.isolated import TIMED_OUT
from app.refusals import Refusal
from app.storage.queries import NotFound
from app.verify.claim import BadPaste
from app.web import i18n
from app.web.auth import NotAuthorised
from app.web.bodylimit import BodyTooLarge
from app.web.filters import BadFilter
from app.web.i18n import format_number, gettext_
from app.web.i18n import gettext_ as _
from app.web.messages import N_, localise

log = logging.getLogger("citat.web")

#: A JSON body whose bytes are not UTF-8 (RFC 8259 requires it; nothing is guessed or replaced).
BAD_UTF8 = ("The request body is not valid UTF-8 (at byte %(position)s): send the JSON "
            "encoded as UTF-8.")


def wants_json(request: Request) -> bool:
    """API paths, and clients that prefer JSON, get JSON errors."""
    if request.url.path.startswith("/api/"):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def error_response(request: Request, status: int, title: str, detail: str) -> Response:
    """An error as JSON (English, as given) or as the HTML error page (in the reader's
    language: ``title`` is a msgid, ``detail`` goes through :func:`localise`)."""
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, "error.html",
        {"status": status, "title": _(title), "detail": localise(detail)},
        status_code=status,
    )
    return response


def asks_for_language(request: Request) -> bool:
    """Whether the client named a language (``?lang=``, the switch's cookie, Accept-Language)."""
    return bool(request.query_params.get("lang") or request.cookies.get(i18n.COOKIE)
                or request.headers.get("accept-language"))


def refusal_message(exc: Refusal) -> str:
    """The refusal in the reader's language: a message raised with its msgid and parameters is
    translated from the catalog, the others through :func:`localise`'s patterns."""
    return i18n.localize(exc.msgid, exc.params) if exc.translate else localise(exc.message)


def _pattern(msgid: str) -> re.Pattern[str]:
    """A regex matching the English text of ``msgid`` with its number placeholders filled."""
    parts = re.split(r"%\((\w+)\)s", msgid)
    return re.compile("".join(re.escape(p) if n % 2 == 0 else f"(?P<{p}>\\d+)"
                              for n, p in enumerate(parts)))


#: Reasons stored on a failed article that are shown in the reader's language.
_STORED_REASONS = [(TIMED_OUT, _pattern(TIMED_OUT))]


def article_error(text: str | None) -> str:
    """A failed article's stored reason in the reader's language when it is one of ours
    (others, e.g. a library's error, are shown as stored)."""
    for msgid, pattern in _STORED_REASONS:
        m = pattern.fullmatch(text or "")
        if m is not None:
            return i18n.localize(msgid, {k: int(v) for k, v in m.groupdict().items()})
    return text or ""


def retry_after(exc: Refusal) -> dict[str, str]:
    """A Retry-After header for a refusal that says when to try again."""
    wait = exc.params.get("retry_after") if exc.status in (429, 503) else None
    return {"Retry-After": str(wait)} if wait is not None else {}


def install(app: FastAPI) -> None:
    """Register the exception handlers."""

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": f"No {exc.what} here."}, status_code=404)
        return error_response(request, 404, N_("Not found"),
                              _(NOT_FOUND.get(exc.what, N_("Nothing here."))))

    @app.exception_handler(Refusal)  # every kind: IngestError, AccountError, FormError, …
    async def _refused(request: Request, exc: Refusal) -> Response:
        message = refusal_message(exc)
        if wants_json(request):
            # The JSON API speaks English unless the client names a language.
            detail = message if asks_for_language(request) else exc.message
            return JSONResponse({"detail": detail, "field": exc.field},
                                status_code=exc.status,
                                headers=retry_after(exc))
        response = error_response(request, exc.status, N_("Bad input"), message)
        response.headers.update(retry_after(exc))
        return response

    @app.exception_handler(BadPaste)
    async def _bad_paste(request: Request, exc: BadPaste) -> Response:
        if wants_json(request) and not asks_for_language(request):
            # The JSON API speaks English unless the client names a language.
            return JSONResponse({"detail": str(exc)}, status_code=exc.status)
        return error_response(request, exc.status, N_("Cannot verify this"),
                              paste_message(exc))

    @app.exception_handler(NotAuthorised)
    async def _not_authorised(request: Request, exc: NotAuthorised) -> Response:
        if request.method == "GET" and not wants_json(request):
            login = str(request.app.url_path_for("login"))
            return RedirectResponse(f"{login}?{urlencode({'next': request.url.path})}",
                                    status_code=303)
        return error_response(request, 401, N_("Log in"), str(exc))

    @app.exception_handler(BadFilter)
    async def _bad_filter(request: Request, exc: BadFilter) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": str(exc)}, status_code=400)
        return error_response(request, 400, N_("Bad request"), exc.sentence())

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)
        parts = [validation_sentence(e) for e in exc.errors()]
        return error_response(request, 400, N_("Bad request"),
                              " ".join(parts) or _("The address is not valid."))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if isinstance(exc, BodyTooLarge):
            detail = localise(exc.detail) if asks_for_language(request) else exc.detail
            if wants_json(request):
                return JSONResponse({"detail": detail, "field": None, "limit": exc.limit},
                                    status_code=413)
            return error_response(request, 413, N_("Too large"), exc.detail)
        undecodable = exc.__cause__
        if exc.status_code == 400 and isinstance(undecodable, UnicodeDecodeError):
            # FastAPI's JSON body parsing found bytes that are not UTF-8: say so, with where.
            message = i18n.localize(BAD_UTF8, {"position": undecodable.start})
            if wants_json(request):
                return JSONResponse({"detail": message, "field": None}, status_code=400)
            return error_response(request, 400, N_("Bad request"), message)
        titles = {404: N_("Not found"), 405: N_("Method not allowed"), 413: N_("Too large")}
        details = {404: N_("There is no page at this address."),
                   405: N_("This address does not accept that kind of request.")}
        if wants_json(request):
            detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
            response: Response = JSONResponse({"detail": detail}, status_code=exc.status_code)
        else:
            response = error_response(request, exc.status_code,
                                      titles.get(exc.status_code, N_("Error")),
                                      details.get(exc.status_code, N_("The request failed.")))
        # The exception's own headers stay: a 405 says which methods the address allows.
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, N_("Server error"),
                              N_("Something went wrong on our side."))


#: What a reader calls each thing that may be missing.
NOT_FOUND = {
    "quote": N_("There is no quote with this address."),
    "speaker": N_("There is no speaker with this address."),
    "article": N_("There is no article with this address."),
    "entity": N_("There is nothing with this name in the archive."),
}

#: The query and path parameters by what a reader calls them.
FIELDS = {
    "q": N_("The search words"), "page": N_("The page number"), "speaker": N_("The speaker"),
    "entity": N_("The name"), "article": N_("The article number"), "source": N_("The source"),
    "language": N_("The language"), "kind": N_("The kind"), "month": N_("The month"),
    "from": N_("The from date"), "to": N_("The to date"), "sort": N_("The order"),
    "initial": N_("The initial"), "article_id": N_("The article number"),
    "limit": N_("The number of results"), "offset": N_("The offset"),
    "year": N_("The year"), "day": N_("The day"),
}


def validation_sentence(error: Any) -> str:
    """One human sentence, in the reader's language, for one validation error."""
    loc = [str(x) for x in error.get("loc", ())[1:]]
    name = loc[-1] if loc else ""
    field = _(FIELDS.get(name, N_("A value in the address")))
    ctx = error.get("ctx") or {}
    kind = str(error.get("type", ""))
    if kind == "string_too_long":
        return _("%(field)s may be at most %(n)s characters long.") % {
            "field": field, "n": format_number(int(ctx.get("max_length", 0)))}
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return _("%(field)s must be a whole number.") % {"field": field}
    if kind in ("greater_than_equal", "greater_than"):
        return _("%(field)s must be at least %(n)s.") % {
            "field": field, "n": format_number(ctx.get("ge", ctx.get("gt", 0)))}
    if kind in ("less_than_equal", "less_than"):
        return _("%(field)s must be at most %(n)s.") % {
            "field": field, "n": format_number(ctx.get("le", ctx.get("lt", 0)))}
    if kind == "missing":
        return _("%(field)s is missing.") % {"field": field}
    return _("%(field)s is not valid.") % {"field": field}


def _plain(errors: object) -> object:
    """Validation errors without the raw input echoed back (may be huge or binary)."""
    if isinstance(errors, list | tuple):
        return [
            {k: v for k, v in e.items() if k in ("loc", "msg", "type")}
            for e in errors
            if isinstance(e, dict)
        ]
    return errors


def paste_message(exc: BadPaste) -> str:
    """Why a paste cannot be verified, in the request's language."""
    message = gettext_(exc.message)
    return message % exc.params if exc.params else message
