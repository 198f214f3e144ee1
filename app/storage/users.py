"""Editor accounts as stored: the named reads the account commands need."""

from __future__ import annotations

from sqlmodel import Session, select

from app.storage.models import User


def user_named(session: Session, username: str) -> User | None:
    """The account with this exact user name, if any (active or not)."""
    return session.exec(select(User).where(User.username == username)).first()


def all_users(session: Session) -> list[User]:
    """Every account, by name."""
    return list(session.exec(select(User).order_by(User.username)).all())
