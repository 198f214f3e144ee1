"""All table models. Machine output lives here; corrections by people get their own tables."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel, col


def utcnow() -> datetime:
    """Timezone-aware now (SQLModel 0.0.50 rejects naive datetimes)."""
    return datetime.now(UTC)


def as_utc(value: datetime | None) -> datetime | None:
    """A stored instant as an aware UTC datetime: SQLite hands it back naive (in UTC, as it
    was stored), PostgreSQL aware; either way it is written out the same."""
    if value is None:
        return None
    return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)


class Article(SQLModel, table=True):
    """One ingested article. ``content_hash`` makes ingest idempotent."""

    id: int | None = Field(default=None, primary_key=True)
    content_hash: str = Field(max_length=64, unique=True, index=True)
    title: str | None = Field(default=None, max_length=500)
    source: str | None = Field(default=None, max_length=200, index=True)
    url: str | None = Field(default=None, max_length=2000)
    published_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True, index=True)
    )
    language: str = Field(default="sv", max_length=8)
    # Openly licensed text (the demo archive) carries its licence and the credit it requires.
    licence: str | None = Field(default=None, max_length=200)
    attribution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )
    # Processing state: queued -> processing -> done | failed (with the error).
    status: str = Field(
        default="done", max_length=16, index=True, sa_column_kwargs={"server_default": "done"}
    )
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    attempts: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    lease_until: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )
    processed_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Speaker(SQLModel, table=True):
    """A person or organisation that is quoted, under one canonical name."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=300, index=True)
    slug: str = Field(max_length=320, unique=True, index=True)
    kind: str = Field(default="PER", max_length=8)
    #: The name casefolded, and its last part casefolded ("Anna-Lena Berg" -> "berg"): saving
    #: an article finds the same name, and the stored people who share a surname, through
    #: these indexes instead of a scan of every name (and with Python's Unicode casefold on
    #: every engine: SQLite's lower() folds A-Z only). Kept in step with ``name`` on every
    #: insert and update (see the listener below).
    name_key: str = Field(default="", max_length=300, index=True,
                          sa_column_kwargs={"server_default": ""})
    surname: str = Field(default="", max_length=300, index=True,
                         sa_column_kwargs={"server_default": ""})


def name_parts(name: str) -> list[str]:
    """The parts of a person's name: "Anna-Lena B. Berg" -> Anna, Lena, B, Berg."""
    return [p for p in name.replace("-", " ").replace(".", " ").split() if p]


def surname_key(name: str) -> str:
    """What ``Speaker.surname`` holds for ``name``: its last part, casefolded."""
    parts = name_parts(name)
    return parts[-1].casefold()[:300] if parts else ""


@event.listens_for(Speaker, "before_insert")
@event.listens_for(Speaker, "before_update")
def _keep_keys(_mapper: Any, _connection: Any, speaker: Speaker) -> None:
    speaker.name_key = fold_key(speaker.name)
    speaker.surname = surname_key(speaker.name)


class SpeakerAlias(SQLModel, table=True):
    """A way a speaker was written (``kind='mention'``) or a role seen (``kind='role'``)."""

    __table_args__ = (
        UniqueConstraint("speaker_id", "kind", "text", name="uq_speaker_alias"),
        # Saving an article looks up the names editors merged away by (kind, text).
        Index("ix_speakeralias_kind_text", "kind", "text"),
        # An entity page finds the speaker its name was merged into by (kind, text_key).
        Index("ix_speakeralias_kind_text_key", "kind", "text_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    speaker_id: int = Field(foreign_key="speaker.id", index=True, ondelete="CASCADE")
    kind: str = Field(default="mention", max_length=16)
    text: str = Field(max_length=300)
    #: ``text`` casefolded (as ``Speaker.name_key``): the search page's "people named ..."
    #: box matches it on every engine, whatever the capitals (Å, Ä, Ö included).
    text_key: str = Field(default="", max_length=300, sa_column_kwargs={"server_default": ""})


class Quote(SQLModel, table=True):
    """A quotation in an article. ``public_id`` is derived from the article and span: stable."""

    __table_args__ = (
        UniqueConstraint("article_id", "start", "end", name="uq_quote_span"),
        Index("ix_quote_speaker_article", "speaker_id", "article_id"),
        # How many of a speaker's visible quotes are uncertain: an index-only range over them.
        Index("ix_quote_speaker_uncertain", "speaker_id", "hidden", "speaker_checked",
              "speaker_confidence"),
    )

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=16, unique=True, index=True)
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    start: int
    end: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    type: str = Field(max_length=16)
    language: str = Field(default="sv", max_length=8)
    speaker_id: int | None = Field(
        default=None, foreign_key="speaker.id", index=True, ondelete="SET NULL"
    )
    speaker_mention: str | None = Field(default=None, max_length=300)
    cue: str | None = Field(default=None, max_length=100)
    confidence: float = 0.5
    speaker_confidence: float = 0.0
    # Set by corrections (never by extraction): hidden = "not a quote"; reviewed by an editor.
    hidden: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    reviewed: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    #: An editor chose this speaker or confirmed it ("Attribution is right"): the attribution
    #: is certain whatever ``speaker_confidence`` (the machine's) says. Set by corrections.
    speaker_checked: bool = Field(default=False, sa_column_kwargs={"server_default": "0"})
    #: The article's date (published, else stored) copied when the quote is saved: lists
    #: newest first are ordered on it (with article_id, start) without reading the articles.
    article_date: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


# Every list's order (newest first, then an article's quotes in text order): a whole-archive
# export reads its rows straight off this index instead of sorting every quote first.
Index("ix_quote_list_order", col(Quote.article_date).desc(), col(Quote.article_id).desc(),
      col(Quote.start))
# A speaker's visible quotes in list order (then id): a page of them is a range of this index
# after the last row shown (keyset pagination, ``app.storage.keyset``), and an old ``?page=N``
# an index-only skip.
Index("ix_quote_speaker_list", col(Quote.speaker_id), col(Quote.hidden),
      col(Quote.article_date).desc(), col(Quote.article_id).desc(), col(Quote.start),
      col(Quote.id))


class Entity(SQLModel, table=True):
    """A named entity (person, organisation, place, other) across articles."""

    __table_args__ = (UniqueConstraint("label", "name", name="uq_entity_label_name"),)

    id: int | None = Field(default=None, primary_key=True)
    # Saving an article looks its entities up by name (every label at once).
    name: str = Field(max_length=300, index=True)
    label: str = Field(max_length=8)
    slug: str = Field(max_length=320, unique=True, index=True)
    #: ``name`` casefolded, for the search page's name matches (see ``SpeakerAlias.text_key``),
    #: the key saving finds an entity by (one entity per name, whatever the letters), and the
    #: entities of a speaker's name (``profiles.speaker_stats``).
    name_key: str = Field(default="", max_length=300, index=True,
                          sa_column_kwargs={"server_default": ""})


def fold_key(text: str) -> str:
    """What the ``*_key`` columns hold: the text casefolded (Python's Unicode casefold)."""
    return text.casefold()[:300]


def like_escape(value: str) -> str:
    """``value`` as plain text in a LIKE pattern escaped with a backslash (% _ and \\)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@event.listens_for(SpeakerAlias, "before_insert")
@event.listens_for(SpeakerAlias, "before_update")
def _keep_alias_key(_mapper: Any, _connection: Any, alias: SpeakerAlias) -> None:
    alias.text_key = fold_key(alias.text)


@event.listens_for(Entity, "before_insert")
@event.listens_for(Entity, "before_update")
def _keep_entity_key(_mapper: Any, _connection: Any, entity: Entity) -> None:
    entity.name_key = fold_key(entity.name)


class EntityMention(SQLModel, table=True):
    """Where an entity is mentioned: character offsets into the article text."""

    #: An entity's page lists the newest articles that mention it (an index-only read).
    __table_args__ = (Index("ix_entitymention_entity_article", "entity_id", "article_id"),)

    id: int | None = Field(default=None, primary_key=True)
    entity_id: int = Field(foreign_key="entity.id", index=True, ondelete="CASCADE")
    article_id: int = Field(foreign_key="article.id", index=True, ondelete="CASCADE")
    start: int
    end: int
    text: str = Field(max_length=300)
    #: The label the extractor gave this mention (PER, ORG, LOC, ...): an entity is labelled
    #: by the majority of its mentions (``citat names merge``).
    label: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})


class User(SQLModel, table=True):
    """An editor or admin account. Passwords are stored as argon2 hashes only."""

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    password_hash: str = Field(max_length=300)
    role: str = Field(default="editor", max_length=16)
    active: bool = Field(default=True)
    #: In every session cookie; logging out adds one, which ends every copy of every cookie.
    session_version: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Correction(SQLModel, table=True):
    """A correction by a person, kept apart from machine output and re-applied after every
    extraction. The rows are also the audit log: who, when, before -> after."""

    id: int | None = Field(default=None, primary_key=True)
    action: str = Field(max_length=32, index=True)
    # The quote's stable public id, or the speaker's id, the correction is about.
    quote_public_id: str | None = Field(default=None, max_length=16, index=True)
    speaker_id: int | None = Field(default=None, index=True)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class Report(SQLModel, table=True):
    """A visitor's report of a wrong attribution, queued for editors."""

    id: int | None = Field(default=None, primary_key=True)
    quote_public_id: str = Field(max_length=16, index=True)
    message: str = Field(sa_column=Column(Text, nullable=False))
    status: str = Field(default="open", max_length=16, index=True)
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


class QuoteTranslation(SQLModel, table=True):
    """Two quotes where one is the other's translation (Swedish <-> English), linked at ingest
    by speaker, date and the names, numbers and shared words they carry. Stored both ways."""

    __table_args__ = (UniqueConstraint("quote_id", "other_id", name="uq_quote_translation"),)

    id: int | None = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True, ondelete="CASCADE")
    other_id: int = Field(foreign_key="quote.id", index=True, ondelete="CASCADE")
    score: float = 0.0


class Verification(SQLModel, table=True):
    """A verification of a pasted quote, as it was answered at that moment (``result`` is the
    JSON of the verdict and its matches), behind the permalink ``/verify/{public_id}``."""

    id: int | None = Field(default=None, primary_key=True)
    public_id: str = Field(max_length=16, unique=True, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    claimed_speaker: str | None = Field(default=None, max_length=300)
    verdict: str = Field(max_length=32)
    result: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(
        default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False)
    )


# Aggregates kept by the write path (app/storage/aggregates.py), so that a speaker's or an
# entity's page reads a few rows instead of counting over every quote. Each is a sum over
# articles of what the article's visible quotes contribute; a test recounts them from scratch.


class SpeakerCount(SQLModel, table=True):
    """A speaker's visible quotes and the articles they are in."""

    speaker_id: int = Field(foreign_key="speaker.id", primary_key=True, ondelete="CASCADE")
    quotes: int = 0
    articles: int = 0


class SpeakerMonth(SQLModel, table=True):
    """A speaker's visible quotes per month (``YYYY-MM`` of the article's date)."""

    speaker_id: int = Field(foreign_key="speaker.id", primary_key=True, ondelete="CASCADE")
    month: str = Field(max_length=7, primary_key=True)
    quotes: int = 0


class SpeakerEntity(SQLModel, table=True):
    """How many of a speaker's visible quotes mention an entity inside their span."""

    #: Who mentions an entity most, and what a speaker talks about most: the top ten read
    #: off an index, not every speaker who ever mentioned it (a place in a million quotes:
    #: every speaker) or every entity a speaker ever named sorted (migration 0020).
    __table_args__ = (Index("ix_speakerentity_entity_quotes", "entity_id", "quotes"),
                      Index("ix_speakerentity_speaker_quotes", "speaker_id", "quotes"))

    speaker_id: int = Field(foreign_key="speaker.id", primary_key=True, ondelete="CASCADE")
    entity_id: int = Field(foreign_key="entity.id", primary_key=True, ondelete="CASCADE")
    quotes: int = 0


class SpeakerPair(SQLModel, table=True):
    """How many articles quote both speakers (visible quotes); stored both ways round."""

    #: A speaker's ten most frequent co-speakers read off the index (not all of them sorted).
    __table_args__ = (Index("ix_speakerpair_speaker_articles", "speaker_id", "articles"),)

    speaker_id: int = Field(foreign_key="speaker.id", primary_key=True, ondelete="CASCADE")
    other_id: int = Field(foreign_key="speaker.id", primary_key=True, index=True,
                          ondelete="CASCADE")
    articles: int = 0


class EntityCount(SQLModel, table=True):
    """How many visible quotes mention an entity inside their span."""

    entity_id: int = Field(foreign_key="entity.id", primary_key=True, ondelete="CASCADE")
    quotes: int = 0


class EntityQuote(SQLModel, table=True):
    """A visible quote that mentions an entity inside its span, with the quote's place in list
    order: an entity's page reads its quotes a page at a time off ``ix_entityquote_list``
    instead of matching every mention to the quotes around it (``ix_entityquote_list``,
    below). Rewritten for the articles every write touches (``aggregates.relink``)."""

    quote_id: int = Field(foreign_key="quote.id", primary_key=True, ondelete="CASCADE")
    entity_id: int = Field(foreign_key="entity.id", primary_key=True, ondelete="CASCADE")
    article_id: int = Field(index=True)
    article_date: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    start: int


Index("ix_entityquote_list", col(EntityQuote.entity_id), col(EntityQuote.article_date).desc(),
      col(EntityQuote.article_id).desc(), col(EntityQuote.start), col(EntityQuote.quote_id))


class QuoteEcho(SQLModel, table=True):
    """The same or a near-identical quote in another article ("also reported in"), found when
    either was saved; stored both ways round. Hidden quotes are left out when read."""

    quote_id: int = Field(foreign_key="quote.id", primary_key=True, ondelete="CASCADE")
    other_id: int = Field(foreign_key="quote.id", primary_key=True, index=True,
                          ondelete="CASCADE")


class QuoteEchoKey(SQLModel, table=True):
    """The keys that find a quote's echoes by an index lookup: hashes of runs of its words
    (``aggregates.echo_keys``), with what the fuzzy check reads first (the article, to
    skip the quote's own, and the length of its words). Written when a quote is saved and
    deleted with it (``aggregates.unlink_echoes``, by primary key: the keys are computed
    again from the quote). No foreign key and no index on the quote, whose upkeep would cost
    every insert a lookup per row: the keys of a quote deleted with its article stay, and
    the lookup leaves them out (it joins the quote, by id and article)."""

    __table_args__ = ({"sqlite_with_rowid": False},)

    hash: int = Field(sa_type=BigInteger, primary_key=True,
                      sa_column_kwargs={"autoincrement": False})
    quote_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    article_id: int
    #: The length of the quote's words joined by spaces (what the fuzzy check compares).
    chars: int
