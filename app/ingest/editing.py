"""The write path for people's corrections and reports: one transaction each."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlmodel import Session, select

from app.ingest.readers import IngestError
from app.storage.models import Quote, Report

P = ParamSpec("P")
T = TypeVar("T")

MAX_REPORT = 2000


def in_transaction(session: Session, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run one correction and commit it, or roll everything back."""
    try:
        result = fn(*args, **kwargs)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return result


def report_quote(session: Session, public_id: str, message: str) -> Report:
    """A visitor reports a wrong attribution; it waits for an editor."""
    message = " ".join(message.split())
    if not message:
        raise IngestError("Say what is wrong with this quote.", "message")
    if len(message) > MAX_REPORT:
        raise IngestError(f"A report is at most {MAX_REPORT} characters.", "message")
    if session.exec(select(Quote.id).where(Quote.public_id == public_id)).first() is None:
        raise IngestError("No such quote.", "message")
    report = Report(quote_public_id=public_id, message=message)
    return in_transaction(session, _add, session, report)


def close_report(session: Session, report_id: int) -> None:
    """Mark a report handled."""
    report = session.get(Report, report_id)
    if report is None:
        raise IngestError("No such report.")
    report.status = "closed"
    in_transaction(session, _add, session, report)


def _add(session: Session, row: Report) -> Report:
    session.add(row)
    session.flush()
    return row
