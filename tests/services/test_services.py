"""The one transaction helper and the commands built on it: what reaches the database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from app.services.accounts import AccountError, authenticate, create_user, end_sessions
from app.services.editing import EditError, close_report, correct_quote, report_quote
from app.services.transaction import transaction
from app.storage.desk import open_reports
from app.storage.models import User
from app.storage.users import user_named


def _stored(engine: Engine, name: str) -> User | None:
    with Session(engine) as other:  # a second session sees only what was committed
        return user_named(other, name)


def test_a_block_that_ends_is_committed(engine: Engine, session: Session) -> None:
    with transaction(session):
        session.add(User(username="ingrid-ek", password_hash="x", role="editor"))
    assert _stored(engine, "ingrid-ek") is not None


def test_a_block_that_raises_is_rolled_back(engine: Engine, session: Session) -> None:
    with pytest.raises(RuntimeError, match="half way"), transaction(session):
        session.add(User(username="olle-berg", password_hash="x", role="editor"))
        session.flush()  # the row is in the transaction, not yet committed
        raise RuntimeError("half way")
    assert _stored(engine, "olle-berg") is None
    # The session is usable again after the rollback.
    with transaction(session):
        session.add(User(username="olle-berg", password_hash="y", role="editor"))
    stored = _stored(engine, "olle-berg")
    assert stored is not None and stored.password_hash == "y"


def test_a_dry_run_is_rolled_back(engine: Engine, session: Session) -> None:
    with transaction(session, commit=False):
        session.add(User(username="dry-run", password_hash="x", role="editor"))
        session.flush()
    assert _stored(engine, "dry-run") is None


def test_logout_raises_the_session_version(engine: Engine, session: Session) -> None:
    user = create_user(session, "karin-lind", "a long enough password")
    assert user.session_version == 0
    end_sessions(session, user.id)
    end_sessions(session, "not an id")  # ignored
    stored = _stored(engine, "karin-lind")
    assert stored is not None and stored.session_version == 1


def test_a_report_on_no_quote_stores_nothing(session: Session) -> None:
    with pytest.raises(EditError, match="No such quote"):
        report_quote(session, "nosuchquote1", "The speaker is wrong.")
    assert open_reports(session) == []
    with pytest.raises(EditError, match="No such report"):
        close_report(session, 12345)


def test_an_unknown_correction_is_refused(session: Session) -> None:
    user = create_user(session, "per-holm", "a long enough password")
    with pytest.raises(EditError, match="Unknown correction 'shout'"):
        correct_quote(session, user, "nosuchquote1", "shout", "")


def test_accounts_hash_passwords(session: Session) -> None:
    user = create_user(session, "eva", "ett långt lösenord")
    assert user.password_hash.startswith("$argon2id$") and "långt" not in user.password_hash
    assert authenticate(session, "eva", "ett långt lösenord") is not None
    assert authenticate(session, "eva", "fel lösenord här") is None
    assert authenticate(session, "ingen", "ett långt lösenord") is None
    with pytest.raises(AccountError, match="at least 10"):
        create_user(session, "kort", "kort")
    with pytest.raises(AccountError, match="exists"):
        create_user(session, "eva", "ett annat långt lösenord")
