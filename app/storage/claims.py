"""Which worker holds an article: its status, attempts and lease, changed in one statement
each so that two workers given the same article never both process it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from app.storage.models import Article


def claim(session: Session, article_id: int, *, now: datetime, lease: timedelta,
          refresh: bool = False) -> bool:
    """Mark the article processing (one more attempt, a lease until ``now + lease``) if it is
    queued or its lease ran out (with ``refresh``, also if done or failed); False when
    another worker has it. The caller commits."""
    claimable = [col(Article.status) == "queued",
                 (col(Article.status) == "processing")
                 & (col(Article.lease_until).is_(None) | (col(Article.lease_until) < now))]
    if refresh:
        claimable.append(col(Article.status).in_(("done", "failed")))
    claimed = session.execute(
        update(Article).where(col(Article.id) == article_id, or_(*claimable))
        .values(status="processing", attempts=col(Article.attempts) + 1,
                lease_until=now + lease)
        .execution_options(synchronize_session=False)
    )
    return bool(claimed.rowcount)  # type: ignore[attr-defined]


def update_if_held(session: Session, article_id: int, token: int, **values: Any) -> bool:
    """Set ``values`` on the article if the claim numbered ``token`` (its attempts) still
    holds (nobody took over after a lease ran out); False when another worker has it."""
    taken = session.execute(
        update(Article).where(col(Article.id) == article_id,
                              col(Article.status) == "processing",
                              col(Article.attempts) == token)
        .values(**values).execution_options(synchronize_session=False))
    return bool(taken.rowcount)  # type: ignore[attr-defined]


def lost_articles(session: Session, now: datetime, *, starting: bool = False) -> list[int]:
    """Articles whose job was lost: processing past their lease, queued with no lease or an
    expired one (``starting``: every queued article)."""
    expired = or_(col(Article.lease_until).is_(None), col(Article.lease_until) < now)
    return [i for i in session.exec(
        select(Article.id).where(
            col(Article.status).in_(("queued", "processing")),
            or_(col(Article.status) == "queued", expired) if starting else expired,
        )
    ).all() if i is not None]
