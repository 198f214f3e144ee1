"""The one transaction helper: every write path commits and rolls back through it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlmodel import Session


@contextmanager
def transaction(session: Session, *, commit: bool = True) -> Iterator[Session]:
    """Commit what the block wrote when it ends, or roll it all back if it raises.

    ``commit=False`` rolls back even on success: a dry run that shows what would change.
    Committing also returns the connection to the pool, so a caller can use the block to
    end a read before slow work (extraction) without holding a connection.
    """
    try:
        yield session
        if commit:
            session.commit()
        else:
            session.rollback()
    except BaseException:
        session.rollback()
        raise
