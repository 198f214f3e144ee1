"""Corrections by editors, reports by visitors, and the editors' desk (reports, audit log)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.services import editing
from app.storage.desk import audit_log, open_reports
from app.web.auth import EditorDep
from app.web.deps import CsrfDep, RowId, SessionDep, TemplatesDep
from app.web.refusals import FormError

router = APIRouter(default_response_class=HTMLResponse)


async def _form(request: Request, csrf: CsrfDep, limit: str = "edit") -> dict[str, str]:
    """The posted form, checked for its CSRF token and counted against the rate ``limit``
    (429 with Retry-After when the client is over it)."""
    form = await request.form(max_files=0, max_fields=10, max_part_size=8192)
    if not csrf.valid(request, form.get("csrf_token")):
        raise FormError("The form has expired or was not sent from this site. Reload the "
                        "page and try again.", status=403)
    request.app.state.ratelimits.check(limit, request)
    return {k: v for k, v in form.items() if isinstance(v, str)}


@router.post("/q/{public_id}/correct", name="correct_quote")
async def correct_quote(request: Request, public_id: str, session: SessionDep,
                        editor: EditorDep, csrf: CsrfDep) -> Response:
    """Change a quote's speaker or kind, mark it "not a quote" (or undo), or confirm it."""
    form = await _form(request, csrf)
    action = form.get("action", "")
    editing.correct_quote(session, editor, public_id, action, form.get("value", ""))
    path = request.app.url_path_for("quote", public_id=public_id)
    return RedirectResponse(f"{path}?corrected={action}", status_code=303)


@router.post("/speakers/{slug}/correct", name="correct_speaker")
async def correct_speaker(request: Request, slug: str, session: SessionDep, editor: EditorDep,
                          csrf: CsrfDep) -> Response:
    """Rename a speaker, merge it into another, or split a mention off it."""
    form = await _form(request, csrf)
    action, value = form.get("action", ""), form.get("value", "").strip()
    target = editing.correct_speaker(session, editor, slug, action, value)
    path = request.app.url_path_for("speaker", slug=target)
    return RedirectResponse(f"{path}?corrected={action}", status_code=303)


@router.post("/q/{public_id}/report", name="report_quote")
async def report(request: Request, public_id: str, session: SessionDep,
                 csrf: CsrfDep) -> Response:
    """Anyone can report a wrong attribution (rate-limited)."""
    form = await _form(request, csrf, limit="report")
    editing.report_quote(session, public_id, form.get("message", ""))
    path = request.app.url_path_for("quote", public_id=public_id)
    return RedirectResponse(f"{path}?reported=1", status_code=303)


@router.get("/editor", name="editor")
def desk(request: Request, session: SessionDep, editor: EditorDep,
         templates: TemplatesDep) -> Response:
    """Open reports and the audit log of corrections."""
    return templates.TemplateResponse(request, "editor.html", {
        "editor": editor, "reports": open_reports(session), "log": audit_log(session)})


@router.post("/editor/reports/{report_id}/close", name="close_report")
async def close(request: Request, report_id: RowId, session: SessionDep, editor: EditorDep,
                csrf: CsrfDep) -> Response:
    """Mark a report handled."""
    await _form(request, csrf)
    editing.close_report(session, report_id)
    return RedirectResponse(str(request.app.url_path_for("editor")), status_code=303)
