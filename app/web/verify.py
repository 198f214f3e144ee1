"""Verify a quote: the /verify form and result permalinks (HTML, share card) and the JSON API.

The routes only parse, check CSRF and rate limits, and call ``app.verify.service``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlmodel import Session
from starlette.formparsers import MultiPartException

from app.plaintext import without_invisible
from app.verify import service
from app.verify.claim import MAX_CHARS, BadPaste, parse
from app.web.auth import over_limit
from app.web.cards import card_etag, render_verification_card
from app.web.deps import CsrfDep, SessionDep, SettingsDep, TemplatesDep
from app.web.errors import paste_message
from app.web.i18n import gettext_, localize
from app.web.pagecache import cache_page
from app.web.refusals import RequestRefused
from app.web.schemas import VerificationOut, VerifyIn
from app.web.urls import absolute_url

router = APIRouter(default_response_class=HTMLResponse)
api_router = APIRouter(prefix="/api", tags=["verification"])

VerificationId = Annotated[str, Path(min_length=1, max_length=16, pattern=r"^[a-z0-9]+$")]
#: A form larger than this is refused before it is read (the paste limit is MAX_CHARS).
MAX_FORM_BYTES = 64 * 1024


def verdict_label(code: str) -> str:
    """The verdict in plain words, in the request's language."""
    labels = {
        "verbatim": gettext_("Found verbatim"),
        "reworded": gettext_("Found, worded differently"),
        "other_speaker": gettext_("Found, said by someone else"),
        "reported": gettext_("Found as reported speech only"),
        "out_of_context": gettext_("Found, out of context"),
        "not_found": gettext_("Not found"),
    }
    return labels.get(code, code)


def _run(request: Request, text: str, speaker: str | None) -> service.Stored:
    """Verify and store (in a worker thread, with its own session). Invisible characters are
    taken out first: stored on a shared page, an override would turn the paste around (the
    page would show words other than those that were looked for)."""
    claim = parse(without_invisible(text), without_invisible(speaker) if speaker else None)
    with Session(request.app.state.engine) as session:
        return service.save(session, service.verify(session, claim))


@router.get("/verify", name="verify")
def verify_form(request: Request, templates: TemplatesDep, csrf: CsrfDep) -> Response:
    """The paste box."""
    return _render_form(request, templates, csrf, {}, None, 200)


def _render_form(request: Request, templates: Any, csrf: Any, values: dict[str, str],
                 error: str | None, status: int) -> Response:
    raw, token = csrf.token_for(request)
    response: Response = templates.TemplateResponse(
        request, "verify.html",
        {"values": values, "error": error, "csrf_token": token, "max_chars": MAX_CHARS},
        status_code=status)
    csrf.set_cookie(request, response, raw)
    return response


@router.post("/verify", name="verify_post")
async def verify_post(request: Request, templates: TemplatesDep, csrf: CsrfDep) -> Response:
    """Verify the pasted quote and go to the verification's permalink; bad input comes back
    on the form with a message."""
    values: dict[str, str] = {}
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_FORM_BYTES:
        message = paste_message(BadPaste(
            "The form is too large (%(n)s bytes): a quote of at most %(max)s characters can "
            "be verified.", 413, n=f"{int(declared):,}", max=f"{MAX_CHARS:,}"))
        return _render_form(request, templates, csrf, values, message, 413)
    try:
        form = await request.form(max_files=0, max_fields=5, max_part_size=MAX_FORM_BYTES)
    except MultiPartException:
        return _render_form(request, templates, csrf, values,
                            gettext_("The form could not be read."), 400)
    try:
        for name in ("text", "speaker"):
            v = form.get(name)
            values[name] = v if isinstance(v, str) else ""
        if not csrf.valid(request, form.get("csrf_token")):
            return _render_form(request, templates, csrf, values, gettext_(
                "The form has expired or was not sent from this site. Please submit it "
                "again."), 403)
        try:
            request.app.state.ratelimits.check("verify", request)
        except RequestRefused as exc:
            return over_limit(exc, _render_form(request, templates, csrf, values,
                                                localize(exc.msgid, exc.params), 429))
        try:
            stored = await run_in_threadpool(_run, request, values["text"], values["speaker"])
        except BadPaste as exc:
            return _render_form(request, templates, csrf, values, paste_message(exc),
                                exc.status)
    finally:
        await form.close()
    target = request.app.url_path_for("verification", public_id=stored.public_id)
    return RedirectResponse(str(target), status_code=303)


@router.get("/verify/{public_id}", name="verification")
def verification(request: Request, public_id: VerificationId, session: SessionDep,
                 templates: TemplatesDep, settings: SettingsDep) -> Response:
    """A verification's permalink: the paste, the verdict and the matches as they were."""
    cache_page(request)
    stored = service.load(session, public_id)
    result = stored.result
    path = str(request.app.url_path_for("verification", public_id=public_id))
    card = str(request.app.url_path_for("verification_card", public_id=public_id))
    label = verdict_label(result["verdict"])
    words = result["text"].split()
    short = " ".join(words[:14]) + (" …" if len(words) > 14 else "")
    return templates.TemplateResponse(request, "verification.html", {
        "v": result, "stored": stored, "label": label,
        "canonical": absolute_url(request, settings.base_url, path),
        "card_url": absolute_url(request, settings.base_url, card),
        "og_title": f"{label}: ”{short}”",
        "verdict_label": verdict_label,
    })


def _card_parts(result: dict[str, Any]) -> tuple[str, str, str, str]:
    """(verdict, pasted, original, who-and-where) drawn on the card."""
    label = verdict_label(result["verdict"])
    matches = result["matches"]
    if not matches:
        return label, result["text"], "", gettext_("Nothing close in the archive")
    m = matches[0]
    speaker = m["quote"]["speaker"]["name"] if m["quote"]["speaker"] else gettext_(
        "Unknown speaker")
    where = " · ".join(x for x in (speaker, m["article"]["source"],
                                   m["article"]["published_at"]) if x)
    return label, result["text"], m["quote"]["original"] or m["quote"]["text"], where


@router.get("/verify/{public_id}/card.png", name="verification_card", response_class=Response)
def verification_card(request: Request, public_id: VerificationId, session: SessionDep,
                      settings: SettingsDep) -> Response:
    """The verification's 1200×630 share card: the verdict large, the pasted words beside
    the original ones."""
    result = service.load(session, public_id).result
    label, pasted, original, where = _card_parts(result)
    heads = (gettext_("Pasted"), gettext_("Original"))
    etag = card_etag("\x00".join((label, pasted, original, *heads)), result["verdict"], where)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    png = render_verification_card(label, result["verdict"], pasted, original, where, heads,
                                   settings.static_dir / "fonts")
    return Response(png, media_type="image/png", headers=headers)


@api_router.post("/verify", name="api_verify", status_code=201,
                 responses={400: {"description": "Nothing to verify, with a message."},
                            413: {"description": "The paste is too long."},
                            429: {"description": "Too many verifications (Retry-After)."}})
async def api_verify(request: Request, body: VerifyIn) -> JSONResponse:
    """Verify a pasted quote against the archive; the result is stored behind ``url``."""
    request.app.state.ratelimits.check("verify", request)  # 429 with Retry-After
    stored = await run_in_threadpool(_run, request, body.text, body.speaker)
    out = VerificationOut.of(stored.result)
    return JSONResponse(out.model_dump(mode="json"), status_code=201)


@api_router.get("/verify/{public_id}", name="api_verification")
def api_verification(public_id: VerificationId, session: SessionDep) -> VerificationOut:
    """A stored verification."""
    return VerificationOut.of(service.load(session, public_id).result)
