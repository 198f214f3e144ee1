"""PostgreSQL: the search facets' and the speaker page's lookups off covering indexes, and
the visibility map kept up on tables that only grow

A search page's facets read the newest 250 matches' quote, article and speaker (a few
columns of each), its entity facet the entities' names, and a speaker page its topics' names:
1,000-2,000 lookups of a row by its id a page, each a walk of the
primary key and then a read of the table's page. At a million quotes the tables (quote
~250 MB, article ~190 MB) no longer fit in the server's default 128 MB of shared buffers,
and a third of those reads went to the operating system (``bench/pg_explain.py``). Here each
of those lookups is answered by an index holding the columns it reads (``INCLUDE``): an
index-only scan, no table page, and indexes a fraction of the tables' size (the quote's
~40 bytes an entry against its ~250-byte row with the text).

An index-only scan reads the table after all for a page the visibility map does not mark
all-visible, and only VACUUM sets the map. Autovacuum vacuums a table that only grows after
``autovacuum_vacuum_insert_scale_factor`` (default 0.2) of its rows were inserted: at a
million quotes the newest 200,000, exactly the ones a search and a speaker page read, could
go unmarked. These tables vacuum after 1 % instead (a vacuum of new pages only: quick).

PostgreSQL only (SQLite reads a row by its rowid off the table's own b-tree, and has no
``INCLUDE`` nor autovacuum); ``migrations/env.py`` leaves "pgcover_" indexes out of
autogenerate. The speakers (a small table, always in the buffers) get no such
index: a full scan of it was, for the planner, a cheaper substitute on a small table for
the trigram indexes the misspelt-name look-up relies on.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-05 15:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: (index, table, included columns): each on the table's id.
COVERING = (
    ("pgcover_quote", "quote", ("article_id", "speaker_id", "language", "type")),
    ("pgcover_article", "article", ("source", "published_at", "created_at")),
    ("pgcover_entity", "entity", ("slug", "name", "label", "name_key")),
)
#: Tables whose rows are mostly inserted (and read by index-only scans).
GROWING = ("quote", "quote_search", "article", "entityquote", "entitymention", "entity")
INSERT_SCALE = 0.01


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, columns in COVERING:
        op.execute(f"CREATE INDEX {name} ON {table} (id) INCLUDE ({', '.join(columns)})")
    for table in GROWING:
        op.execute(f"ALTER TABLE {table} SET (autovacuum_vacuum_insert_scale_factor = "
                   f"{INSERT_SCALE})")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in GROWING:
        op.execute(f"ALTER TABLE {table} RESET (autovacuum_vacuum_insert_scale_factor)")
    for name, _, _ in COVERING:
        op.execute(f"DROP INDEX IF EXISTS {name}")
