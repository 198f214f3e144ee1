"""People's work on the archive as commands: corrections by editors, reports by visitors.

Each command is one transaction; a correction that cannot be made raises ``EditError``
with a message for the editor, and nothing of it is stored.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from app.plaintext import without_invisible
from app.refusals import Refusal
from app.services.transaction import transaction
from app.storage import corrections
from app.storage.corrections import CorrectionError
from app.storage.desk import quote_exists
from app.storage.models import Report, User

MAX_REPORT = 2000
QUOTE_ACTIONS = ("speaker", "kind", "not_quote", "restore", "reviewed")
SPEAKER_ACTIONS = ("rename", "merge", "split")


class EditError(Refusal):
    """A correction or a report that cannot be made (unknown action, no such quote, …)."""


def _plain(value: str) -> str:
    """Typed text as it may be stored: no NUL (PostgreSQL refuses it: a 500), no control or
    invisible characters (a name with a zero-width space is another name that looks the
    same), white space collapsed."""
    return " ".join(without_invisible(value).replace("\x00", " ").split())


def correct_quote(session: Session, editor: User, public_id: str, action: str,
                  value: str) -> None:
    """Change a quote's speaker or kind, mark it "not a quote" (or undo), or confirm it."""
    value = _plain(value)
    actions: dict[str, Callable[[], object]] = {
        "speaker": lambda: corrections.set_quote_speaker(session, editor, public_id, value),
        "kind": lambda: corrections.set_quote_kind(session, editor, public_id, value),
        "not_quote": lambda: corrections.set_not_a_quote(session, editor, public_id, True),
        "restore": lambda: corrections.set_not_a_quote(session, editor, public_id, False),
        "reviewed": lambda: corrections.mark_reviewed(session, editor, public_id),
    }
    if action not in actions:
        raise EditError(f"Unknown correction {action!r}.")
    _correct(session, actions[action])


def correct_speaker(session: Session, editor: User, slug: str, action: str, value: str) -> str:
    """Rename a speaker, merge it into another, or split a mention off it; the slug of the
    speaker to show afterwards (the target of a merge)."""
    value = _plain(value)
    if action == "rename":
        _correct(session, lambda: corrections.rename_speaker(session, editor, slug, value))
    elif action == "merge":
        target = value.rsplit("/", 1)[-1]  # a slug, or a pasted speaker URL
        _correct(session, lambda: corrections.merge_speakers(session, editor, slug, target))
        return target
    elif action == "split":
        _correct(session, lambda: corrections.split_alias(session, editor, slug, value))
    else:
        raise EditError(f"Unknown correction {action!r}.")
    return slug


def _correct(session: Session, change: Callable[[], object]) -> None:
    try:
        with transaction(session):
            change()
    except CorrectionError as exc:
        raise EditError(str(exc)) from None


def report_quote(session: Session, public_id: str, message: str) -> Report:
    """A visitor reports a wrong attribution; it waits for an editor."""
    message = _plain(message)
    if not message:
        raise EditError("Say what is wrong with this quote.", "message")
    if len(message) > MAX_REPORT:
        raise EditError(f"A report is at most {MAX_REPORT} characters.", "message")
    if not quote_exists(session, public_id):
        raise EditError("No such quote.", "message")
    report = Report(quote_public_id=public_id, message=message)
    with transaction(session):
        session.add(report)
        session.flush()
    return report


def close_report(session: Session, report_id: int) -> None:
    """Mark a report handled."""
    report = session.get(Report, report_id)
    if report is None:
        raise EditError("No such report.")
    report.status = "closed"
    with transaction(session):
        session.add(report)
