"""Alembic environment. The URL comes from the caller (app.storage.migrate) or the settings."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlmodel import SQLModel

import app.storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from app.config import get_settings
from app.storage.db import make_engine

config = context.config
target_metadata = SQLModel.metadata

# The search tables (FTS5 with its shadow tables on SQLite, a tsvector table on PostgreSQL) are
# created by hand in migrations; autogenerate must not try to drop them.
IGNORED_PREFIXES = ("quote_fts", "quote_search")


#: PostgreSQL's trigram indexes (migration 0007) and its indexes in an order SQLite cannot
#: declare (``NULLS LAST``, migration 0022) and its covering indexes (``INCLUDE``, migration
#: 0023) have no counterpart in the models.
IGNORED_INDEX_PREFIXES = ("trgm_", "pgsort_", "pgcover_")


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Leave hand-made search tables and indexes out of autogenerate."""
    if name is None:
        return True
    if type_ == "table":
        return not name.startswith(IGNORED_PREFIXES)
    return not (type_ == "index" and name.startswith(IGNORED_INDEX_PREFIXES))


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (a passed-in one, or a new engine)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        # A batch migration copies and drops tables; with foreign keys on, dropping a parent
        # table would cascade-delete its children. Off for the migration only.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        include_name=include_name,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
