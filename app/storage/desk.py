"""What the editors' desk reads: open reports and the audit log of corrections. Reads only:
the changes are commands in ``app.services``."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.storage.models import Correction, Quote, Report, User


def quote_exists(session: Session, public_id: str) -> bool:
    """Whether a quote has this public id."""
    return session.exec(select(Quote.id).where(Quote.public_id == public_id)).first() is not None


def open_reports(session: Session, limit: int = 200) -> list[Report]:
    """The newest reports nobody has handled yet."""
    return list(session.exec(select(Report).where(Report.status == "open")
                             .order_by(col(Report.id).desc()).limit(limit)).all())


def audit_log(session: Session, limit: int = 200) -> list[tuple[Correction, User]]:
    """The newest corrections with who made them."""
    return [(c, u) for c, u in session.exec(
        select(Correction, User).join(User, col(User.id) == Correction.user_id)
        .order_by(col(Correction.id).desc()).limit(limit)
    ).all()]
