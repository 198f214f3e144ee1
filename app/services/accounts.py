"""Editor accounts: argon2 password hashes (argon2-cffi), creation and verification."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session

from app.refusals import Refusal
from app.services.transaction import transaction
from app.storage.models import User
from app.storage.users import all_users, user_named

_hasher = PasswordHasher()
ROLES = ("editor", "admin")
MIN_PASSWORD = 10
# Verifying against a dummy hash when the user does not exist keeps timing the same.
_DUMMY = _hasher.hash("citat-dummy-password")


class AccountError(Refusal):
    """An account that cannot be made or changed (a short password, a taken or unknown name)."""


def create_user(session: Session, username: str, password: str, role: str = "editor") -> User:
    """Create an account (committed); refuses short passwords and taken names."""
    username = username.strip()
    if not (2 <= len(username) <= 80) or not username.replace("-", "").replace("_", "").replace(
            ".", "").isalnum():
        raise AccountError("A user name is 2–80 letters, digits, '.', '-' or '_'.", "username")
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password has at least {MIN_PASSWORD} characters.", "password")
    if role not in ROLES:
        raise AccountError(f"Role must be one of {', '.join(ROLES)}.", "role")
    if user_named(session, username) is not None:
        raise AccountError(f"The user {username} exists already.", "username")
    user = User(username=username, password_hash=_hasher.hash(password), role=role)
    with transaction(session):
        session.add(user)
    session.refresh(user)
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None."""
    # No user name holds NUL (PostgreSQL cannot even be asked about one: it refuses it).
    user = None if "\x00" in username else user_named(session, username.strip())
    try:
        _hasher.verify(user.password_hash if user else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        with transaction(session):
            session.add(user)
    return user


def list_users(session: Session) -> list[User]:
    """Every account, by name."""
    return all_users(session)


def _user(session: Session, username: str) -> User:
    user = user_named(session, username.strip())
    if user is None:
        raise AccountError(f"There is no user {username}.", "username")
    return user


def remove_user(session: Session, username: str) -> None:
    """Deactivate an account (committed): no login, its sessions end (current_editor checks
    ``active``); the row stays so the audit log keeps who made each correction."""
    user = _user(session, username)
    user.active = False
    with transaction(session):
        session.add(user)


def set_password(session: Session, username: str, password: str) -> None:
    """A new password (committed): the old sessions end, since they carry a fragment of the
    old hash; a removed account becomes active again."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"A password has at least {MIN_PASSWORD} characters.", "password")
    user = _user(session, username)
    user.password_hash = _hasher.hash(password)
    user.active = True
    with transaction(session):
        session.add(user)


def session_holder(session: Session, user_id: object, hash_tail: object,
                   version: object) -> User | None:
    """The active user a session cookie names, if the cookie is still valid: the password it
    was made with (its hash's tail) and the user's session version (raised at logout) match."""
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        return None
    user = session.get(User, user_id)
    if (user is None or not user.active or user.password_hash[-16:] != hash_tail
            or user.session_version != version):
        return None
    return user


def end_sessions(session: Session, user_id: object) -> None:
    """Invalidate every session cookie of this user (server side: the version goes up)."""
    if not isinstance(user_id, int):
        return
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1
        with transaction(session):
            session.add(user)
