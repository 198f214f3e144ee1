"""One place that maps domain exceptions to HTML pages or JSON, by what the client asked for."""

from __future__ import annotations

import logging
import re
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.ingest.isolated import TIMED_OUT
from app.ingest.readers import IngestError
from app.storage.queries import NotFound
from app.web import i18n
from app.web.auth import NotAuthorised
from app.web.filters import BadFilter

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
    """An error as JSON or as the HTML error page."""
    if wants_json(request):
        return JSONResponse({"detail": detail}, status_code=status)
    templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, "error.html", {"status": status, "title": title, "detail": detail},
        status_code=status,
    )
    return response


def ingest_message(exc: IngestError) -> str:
    """The refusal in the reader's language (messages made translatable are in the catalog;
    the others are English)."""
    return i18n.localize(exc.msgid, exc.params) if exc.translate else exc.message


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


def retry_after(exc: IngestError) -> dict[str, str]:
    """A Retry-After header for a refusal that says when to try again."""
    wait = exc.params.get("retry_after") if exc.status in (429, 503) else None
    return {"Retry-After": str(wait)} if wait is not None else {}


def install(app: FastAPI) -> None:
    """Register the exception handlers."""

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> Response:
        return error_response(request, 404, "Not found", f"No {exc.what} here.")

    @app.exception_handler(IngestError)
    async def _ingest_error(request: Request, exc: IngestError) -> Response:
        message = ingest_message(exc)
        if wants_json(request):
            return JSONResponse({"detail": message, "field": exc.field},
                                status_code=exc.status,
                                headers=retry_after(exc))
        response = error_response(request, exc.status, "Bad input", message)
        response.headers.update(retry_after(exc))
        return response

    @app.exception_handler(NotAuthorised)
    async def _not_authorised(request: Request, exc: NotAuthorised) -> Response:
        if request.method == "GET" and not wants_json(request):
            login = str(request.app.url_path_for("login"))
            return RedirectResponse(f"{login}?{urlencode({'next': request.url.path})}",
                                    status_code=303)
        return error_response(request, 401, "Log in", str(exc))

    @app.exception_handler(BadFilter)
    async def _bad_filter(request: Request, exc: BadFilter) -> Response:
        return error_response(request, 400, "Bad request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if wants_json(request):
            return JSONResponse({"detail": _plain(exc.errors())}, status_code=422)
        parts = [f"{'.'.join(str(x) for x in e.get('loc', ())[1:])}: {e.get('msg')}"
                 for e in exc.errors()]
        return error_response(request, 400, "Bad request", "; ".join(parts) or "Invalid input.")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        undecodable = exc.__cause__
        if exc.status_code == 400 and isinstance(undecodable, UnicodeDecodeError):
            # FastAPI's JSON body parsing found bytes that are not UTF-8: say so, with where.
            message = i18n.localize(BAD_UTF8, {"position": undecodable.start})
            if wants_json(request):
                return JSONResponse({"detail": message, "field": None}, status_code=400)
            return error_response(request, 400, "Bad request", message)
        titles = {404: "Not found", 405: "Method not allowed", 413: "Too large"}
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        return error_response(request, exc.status_code, titles.get(exc.status_code, "Error"),
                              detail)

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s", request.url.path)
        return error_response(request, 500, "Server error", "Something went wrong on our side.")


def _plain(errors: object) -> object:
    """Validation errors without the raw input echoed back (may be huge or binary)."""
    if isinstance(errors, list | tuple):
        return [
            {k: v for k, v in e.items() if k in ("loc", "msg", "type")}
            for e in errors
            if isinstance(e, dict)
        ]
    return errors
