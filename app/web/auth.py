"""Editor sessions: a signed, HttpOnly, SameSite=Lax cookie; login and logout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlmodel import Session

from app.services import accounts
from app.services.accounts import authenticate, session_holder
from app.storage.models import User
from app.web.deps import CsrfDep, SessionDep, SettingsDep, TemplatesDep
from app.web.i18n import localize
from app.web.messages import localise
from app.web.refusals import FormError, RequestRefused

COOKIE = "citat_session"
MAX_AGE = 7 * 24 * 3600

router = APIRouter(default_response_class=HTMLResponse)


class NotAuthorised(PermissionError):
    """The action needs an editor who is logged in."""


def over_limit(exc: RequestRefused, response: Response) -> Response:
    """``response`` (a form shown again with the refusal) with the Retry-After of ``exc``."""
    response.headers["Retry-After"] = str(exc.params["retry_after"])
    return response


def _signer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(request.app.state.secret, salt="citat-session")


def _cookie_data(request: Request) -> dict[str, Any] | None:
    """What the signed session cookie says (not yet checked against the database)."""
    raw = request.cookies.get(COOKIE)
    if not raw or len(raw) > 500:
        return None
    try:
        data = _signer(request).loads(raw, max_age=MAX_AGE)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and "id" in data else None


def _holder(request: Request, session: Session) -> User | None:
    data = _cookie_data(request)
    if data is None:
        return None
    # The hash fragment ends sessions when the password changes, the version when the user
    # logs out (every copy of the cookie, not only the browser's).
    return session_holder(session, data["id"], data.get("h"), data.get("v"))


def session_user(request: Request) -> dict[str, Any] | None:
    """Who is logged in (``{"id", "name"}``), checked against the database once per request:
    a cookie of a session that ended (logout, password change, deactivated account) is no one.
    """
    cached = request.scope.get("citat.session_user", _UNSET)
    if cached is not _UNSET:
        return cached  # type: ignore[no-any-return]
    found: dict[str, Any] | None = None
    if _cookie_data(request) is not None:
        with Session(request.app.state.engine) as session:
            user = _holder(request, session)
            if user is not None:
                found = {"id": user.id, "name": user.username}
    request.scope["citat.session_user"] = found
    return found


_UNSET = object()


def current_editor(request: Request, session: SessionDep) -> User:
    """The logged-in, active editor; otherwise NotAuthorised (-> login page or 401)."""
    user = _holder(request, session)
    if user is None:
        raise NotAuthorised("Log in as an editor to do that.")
    return user


EditorDep = Annotated[User, Depends(current_editor)]


def _login_page(request: Request, templates: Any, csrf: Any, error: str | None,
                status: int, next_url: str = "/") -> Response:
    raw, token = csrf.token_for(request)
    response: Response = templates.TemplateResponse(
        request, "login.html",
        {"error": localise(error) if error else None, "csrf_token": token, "next": next_url},
        status_code=status)
    csrf.set_cookie(request, response, raw)
    return response


def _safe_next(value: object) -> str:
    """Only a local path: never redirect to another site after login."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith(("//", "/\\")):
        return value
    return "/editor"


@router.get("/login", name="login")
def login_form(request: Request, templates: TemplatesDep, csrf: CsrfDep,
               next: str = "/editor") -> Response:
    """The login form."""
    return _login_page(request, templates, csrf, None, 200, _safe_next(next))


@router.post("/login", name="login_post")
async def login(request: Request, templates: TemplatesDep, csrf: CsrfDep,
                settings: SettingsDep) -> Response:
    """Check the password and start a session."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=4096)
    next_url = _safe_next(form.get("next"))
    if not csrf.valid(request, form.get("csrf_token")):
        return _login_page(request, templates, csrf, "The form has expired. Please try again.",
                           403, next_url)
    try:
        request.app.state.ratelimits.check("login", request)
    except RequestRefused as exc:
        return over_limit(exc, _login_page(request, templates, csrf, localize(
            exc.msgid, exc.params), 429, next_url))
    username, password = form.get("username"), form.get("password")
    if not isinstance(username, str) or not isinstance(password, str) or len(password) > 1000:
        return _login_page(request, templates, csrf, "Give a user name and a password.", 400,
                           next_url)

    def check() -> User | None:
        with Session(request.app.state.engine) as session:
            return authenticate(session, username, password)

    user = await run_in_threadpool(check)
    if user is None:
        return _login_page(request, templates, csrf, "Wrong user name or password.", 401,
                           next_url)
    response = RedirectResponse(next_url, status_code=303)
    token = _signer(request).dumps(
        {"id": user.id, "name": user.username, "h": user.password_hash[-16:],
         "v": user.session_version})
    response.set_cookie(COOKIE, token, max_age=MAX_AGE, httponly=True, samesite="lax",
                        secure=settings.secure_cookies or request.url.scheme == "https")
    return response


def end_sessions(engine: Any, user_id: object) -> None:
    """Invalidate every session cookie of this user (server side: the version goes up)."""
    with Session(engine) as session:
        accounts.end_sessions(session, user_id)


@router.post("/logout", name="logout")
async def logout(request: Request, csrf: CsrfDep) -> Response:
    """End the session: for every copy of the cookie, not only in this browser."""
    form = await request.form(max_files=0, max_fields=5, max_part_size=1024)
    if not csrf.valid(request, form.get("csrf_token")):
        raise FormError("The form has expired. Please try again.", status=403)
    data = _cookie_data(request)
    if data is not None:
        request.app.state.ratelimits.check("edit", request)  # each logout is a write
        await run_in_threadpool(end_sessions, request.app.state.engine, data.get("id"))
    response = RedirectResponse("/", status_code=303)
    response.delete_cookie(COOKIE)
    return response
