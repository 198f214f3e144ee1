"""Corrections by people: stored apart from machine output, re-applied after extraction.

Every correction is a row in ``correction`` (who, when, before -> after), which is also the
audit log. Quote corrections are keyed by the quote's stable public id, so they survive
re-extraction and re-ingest; speaker corrections (merge, rename, split) leave aliases that
make the next extraction land on the corrected speaker.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, or_
from sqlmodel import Session, col, select

from app.storage import aggregates
from app.storage.identity import add_alias, new_speaker
from app.storage.models import Article, Correction, Quote, Speaker, SpeakerAlias, User
from app.storage.queries import NotFound
from app.storage.search import index_quotes, reindex_where, unindex_quotes
from app.storage.writes import SavedQuote

KINDS = ("direct", "partial", "indirect")


class CorrectionError(ValueError):
    """A correction that cannot be made (message for the editor)."""


def _quote(session: Session, public_id: str) -> Quote:
    quote = session.exec(select(Quote).where(Quote.public_id == public_id)).first()
    if quote is None:
        raise NotFound("quote", public_id)
    return quote


def _speaker(session: Session, slug: str) -> Speaker:
    speaker = session.exec(select(Speaker).where(Speaker.slug == slug)).first()
    if speaker is None:
        raise NotFound("speaker", slug)
    return speaker


def _log(session: Session, user: User, action: str, *, quote: str | None = None,
         speaker_id: int | None = None, before: Any = None, after: Any = None) -> Correction:
    assert user.id is not None
    row = Correction(
        action=action, quote_public_id=quote, speaker_id=speaker_id, user_id=user.id,
        before=json.dumps(before, ensure_ascii=False), after=json.dumps(after, ensure_ascii=False),
    )
    session.add(row)
    session.flush()
    return row


def _speaker_ref(session: Session, speaker_id: int | None) -> dict[str, Any] | None:
    if speaker_id is None:
        return None
    s = session.get(Speaker, speaker_id)
    return {"id": s.id, "name": s.name, "slug": s.slug} if s else None


def set_quote_speaker(session: Session, user: User, public_id: str, name: str) -> Correction:
    """Attribute a quote to the speaker with this name (created when new); empty = unknown."""
    quote = _quote(session, public_id)
    name = " ".join(name.split())[:300]
    speaker: Speaker | None = None
    if name:
        speaker = session.exec(select(Speaker).where(Speaker.name == name)).first() or (
            new_speaker(session, name))
    before = _speaker_ref(session, quote.speaker_id)
    with aggregates.kept(session, [quote.article_id]):
        quote.speaker_id = speaker.id if speaker else None
        quote.reviewed = True
        quote.speaker_checked = speaker is not None
        session.add(quote)
    if not quote.hidden and quote.id is not None:
        reindex_where(session, ids=[quote.id])
    return _log(session, user, "quote_speaker", quote=public_id, before=before,
                after=_speaker_ref(session, quote.speaker_id))


def set_quote_kind(session: Session, user: User, public_id: str, kind: str) -> Correction:
    """Change a quote's kind (direct, partial, indirect)."""
    if kind not in KINDS:
        raise CorrectionError(f"Unknown kind {kind!r}: use direct, partial or indirect.")
    quote = _quote(session, public_id)
    before, quote.type, quote.reviewed = quote.type, kind, True
    session.add(quote)
    return _log(session, user, "quote_kind", quote=public_id, before=before, after=kind)


def set_not_a_quote(session: Session, user: User, public_id: str, hidden: bool = True
                    ) -> Correction:
    """Mark a span "not a quote" (hidden everywhere) or undo that."""
    quote = _quote(session, public_id)
    with aggregates.kept(session, [quote.article_id]):
        before, quote.hidden, quote.reviewed = quote.hidden, hidden, True
        session.add(quote)
    if hidden:
        unindex_quotes(session, [quote.id] if quote.id is not None else [])
    else:
        index_quotes(session, [quote])
    return _log(session, user, "not_a_quote", quote=public_id, before=before, after=hidden)


def mark_reviewed(session: Session, user: User, public_id: str) -> Correction:
    """Confirm the machine's output for a quote."""
    quote = _quote(session, public_id)
    quote.reviewed = True
    quote.speaker_checked = quote.speaker_id is not None
    session.add(quote)
    return _log(session, user, "reviewed", quote=public_id, before=None, after=True)


def rename_speaker(session: Session, user: User, slug: str, name: str) -> Correction:
    """Change a speaker's canonical name; the old name stays as an alias (URL unchanged)."""
    name = " ".join(name.split())[:300]
    if not name:
        raise CorrectionError("The new name is empty.")
    speaker = _speaker(session, slug)
    clash = session.exec(select(Speaker).where(Speaker.name == name, Speaker.id != speaker.id)
                         ).first()
    if clash is not None:
        raise CorrectionError(f"{name} is another speaker: merge the two instead.")
    before = speaker.name
    speaker.name = name
    session.add(speaker)
    add_alias(session, speaker, before, "merged")
    add_alias(session, speaker, name, "mention")
    reindex_where(session, speaker_id=speaker.id)
    return _log(session, user, "speaker_rename", speaker_id=speaker.id, before=before, after=name)


def merge_speakers(session: Session, user: User, source_slug: str, target_slug: str
                   ) -> Correction:
    """Merge ``source`` into ``target``: its quotes, mentions and roles move over."""
    source, target = _speaker(session, source_slug), _speaker(session, target_slug)
    if source.id == target.id:
        raise CorrectionError("A speaker cannot be merged with itself.")
    moved = session.exec(select(Quote).where(Quote.speaker_id == source.id)).all()
    with aggregates.kept(session, {q.article_id for q in moved}):
        for quote in moved:
            quote.speaker_id = target.id
            session.add(quote)
    for alias in session.exec(select(SpeakerAlias).where(SpeakerAlias.speaker_id == source.id)
                              ).all():
        add_alias(session, target, alias.text, alias.kind)
        session.delete(alias)
    add_alias(session, target, source.name, "merged")
    before = {"id": source.id, "name": source.name, "slug": source.slug}
    session.delete(source)
    session.flush()
    reindex_where(session, speaker_id=target.id)
    return _log(session, user, "speaker_merge", speaker_id=target.id, before=before,
                after={"id": target.id, "name": target.name, "slug": target.slug})


def split_alias(session: Session, user: User, slug: str, alias: str) -> Correction:
    """Split a wrongly merged mention off a speaker into a speaker of its own."""
    speaker = _speaker(session, slug)
    rows = session.exec(select(SpeakerAlias).where(
        SpeakerAlias.speaker_id == speaker.id, SpeakerAlias.text == alias)).all()
    if not rows:
        raise CorrectionError(f"{speaker.name} has no mention {alias!r}.")
    if alias == speaker.name:
        raise CorrectionError("The canonical name cannot be split off: rename instead.")
    for row in rows:
        session.delete(row)
    other = session.exec(select(Speaker).where(Speaker.name == alias)).first() or new_speaker(
        session, alias)
    add_alias(session, other, alias, "mention")
    correction = _log(session, user, "speaker_split", speaker_id=speaker.id, before=alias,
                      after={"id": other.id, "name": other.name, "slug": other.slug})
    _apply_split(session, correction, None)
    return correction


def _apply_split(session: Session, correction: Correction, article_id: int | None) -> None:
    after = json.loads(correction.after or "null")
    alias = json.loads(correction.before or "null")
    if not after or session.get(Speaker, after["id"]) is None:
        return
    stmt = select(Quote).where(Quote.speaker_id == correction.speaker_id,
                               Quote.speaker_mention == alias)
    if article_id is not None:
        stmt = stmt.where(Quote.article_id == article_id)
    moved = session.exec(stmt).all()
    with aggregates.kept(session, {q.article_id for q in moved}):
        for quote in moved:
            quote.speaker_id = after["id"]
            session.add(quote)
    reindex_where(session, ids=[q.id for q in moved if not q.hidden and q.id is not None])


def _to_reapply(public_ids: Sequence[str]) -> ColumnElement[bool]:
    """The corrections :func:`reapply` applies to quotes with these permalink ids: theirs,
    and every speaker split."""
    return or_(col(Correction.action) == "speaker_split",
               col(Correction.quote_public_id).in_(public_ids))


def any_to_reapply(session: Session, public_ids: Sequence[str]) -> bool:
    """Whether :func:`reapply` has anything to do for quotes with these permalink ids."""
    ids = sorted(set(public_ids))
    return any(session.exec(select(Correction.id).where(_to_reapply(ids[i:i + 500])).limit(1)
                            ).first() is not None
               for i in range(0, max(len(ids), 1), 500))


def reapply(session: Session, article: Article,
            quotes_saved: Sequence[Quote | SavedQuote] | None = None) -> None:
    """Apply every stored correction to the article's freshly extracted quotes.

    ``quotes_saved``: all of the article's quotes, as saving just returned them (else read);
    records of a new article's quotes are read as rows only when a correction names one.
    """
    if quotes_saved is None:
        quotes_saved = session.exec(select(Quote).where(Quote.article_id == article.id)).all()
    public_ids = [q.public_id for q in quotes_saved]
    # The corrections of these quotes and every speaker split, in one query (saving an
    # article asks this for each article of a bulk ingest, where there are mostly none).
    found = session.exec(select(Correction).where(_to_reapply(public_ids))
                         .order_by(col(Correction.id))).all()
    splits = [c for c in found if c.action == "speaker_split"]
    ids = set(public_ids)
    rows = [c for c in found if c.quote_public_id in ids]
    if rows:  # a quote's speaker or visibility may change: the aggregates follow
        assert article.id is not None
        with aggregates.kept(session, [article.id]):
            _reapply_quotes(session, quotes_saved, rows)
    else:
        _reapply_quotes(session, quotes_saved, rows)
    for split in splits:
        _apply_split(session, split, article.id)
    session.flush()


def _reapply_quotes(session: Session, quotes_saved: Sequence[Quote | SavedQuote],
                    rows: Sequence[Correction]) -> None:
    """Apply these quote corrections to the quotes just saved."""
    public_ids = [q.public_id for q in quotes_saved]
    if public_ids:
        saved = [q for q in quotes_saved if isinstance(q, Quote)]
        if rows and len(saved) < len(quotes_saved):
            saved = list(session.exec(select(Quote).where(col(Quote.public_id).in_(public_ids))))
        quotes = {q.public_id: q for q in saved}
        hidden: list[Quote] = []
        for c in rows:
            quote = quotes[c.quote_public_id or ""]
            after = json.loads(c.after or "null")
            if c.action == "quote_speaker":
                quote.speaker_id = after["id"] if after and session.get(
                    Speaker, after["id"]) else None
                quote.speaker_checked = quote.speaker_id is not None
            elif c.action == "reviewed":
                quote.speaker_checked = quote.speaker_id is not None
            elif c.action == "quote_kind":
                quote.type = after
            elif c.action == "not_a_quote":
                quote.hidden = bool(after)
            quote.reviewed = True
            session.add(quote)
        hidden = [q for q in quotes.values() if q.hidden]
        session.flush()
        unindex_quotes(session, [q.id for q in hidden if q.id is not None])
        respoken = {c.quote_public_id for c in rows if c.action == "quote_speaker"}
        reindex_where(session, ids=[q.id for q in quotes.values() if q.public_id in respoken
                                    and not q.hidden and q.id is not None])
