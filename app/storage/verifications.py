"""Storage for verifying a pasted quote: candidate quotes, their speakers' names, their
translations and article text, stored verifications, and translation links (written by the
ingest service; these helpers add to the session and never commit)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, or_
from sqlalchemy import select as core_select
from sqlmodel import Session, col, select

from app.storage.models import (
    Article,
    Quote,
    QuoteTranslation,
    Speaker,
    SpeakerAlias,
    Verification,
    fold_key,
)
from app.storage.queries import NotFound, QuoteRow, visible_rows
from app.storage.search import QueryTerm, any_of_ids, capped_counts, word_terms


@dataclass(frozen=True)
class Words:
    """The paste's content words as full-text terms, and how many quotes hold each (capped)."""

    words: list[str]
    terms: list[QueryTerm]
    counts: list[int]

    def present(self) -> list[tuple[int, int]]:
        """(count, index) of the words the index holds, rarest first."""
        return sorted((n, i) for i, n in enumerate(self.counts) if n > 0)


@dataclass(frozen=True)
class Candidate:
    """A visible candidate quote: what aligning it and choosing among matches needs."""

    id: int
    text: str
    type: str
    speaker_id: int | None


#: A word found in more quotes than this is counted only up to it.
COUNT_CAP = 20_000
#: The rarest words of the paste whose pairs form the loose query.
RARE_WORDS = 4
#: A word this rare is also asked for alone.
ALONE_BELOW = 2_000
#: Candidates per ask.
LIMIT = 30
#: SQLite ranks the newest this many matches of the loose ask (any two of the rarest words).
LOOSE_WINDOW = 10_000


def search_terms(content_words: Sequence[str]) -> tuple[list[str], list[QueryTerm]]:
    """The paste's words (at most 12) and their full-text terms."""
    words = list(dict.fromkeys(content_words))[:12]
    return words, word_terms(words)


def count_words(session: Session, words: list[str], terms: list[QueryTerm]) -> Words:
    """How many quotes hold each word, counted up to ``COUNT_CAP`` in one statement."""
    return Words(words, terms, capped_counts(session, terms, COUNT_CAP))


def all_words_ids(session: Session, terms: Sequence[QueryTerm], limit: int = LIMIT
                  ) -> list[int]:
    """The best-ranked quotes holding every one of these words (the paste as it stands, or
    a fragment of a quote); none for one word."""
    return any_of_ids(session, [list(terms)], limit) if len(terms) > 1 else []


def loose_ids(session: Session, w: Words, limit: int = LIMIT) -> list[int]:
    """The best-ranked quotes holding any two of the ``RARE_WORDS`` rarest words (a word
    changed, added or left out), or one of the two rarest alone when it is in fewer than
    ``ALONE_BELOW`` quotes (or is the only word)."""
    present = w.present()
    rare = [w.terms[i] for _, i in present[:RARE_WORDS]]
    clauses: list[list[QueryTerm]] = [[a, b] for k, a in enumerate(rare) for b in rare[k + 1:]]
    clauses += [[w.terms[i]] for n, i in present[:2] if n < ALONE_BELOW or len(rare) == 1]
    return any_of_ids(session, clauses, limit, LOOSE_WINDOW)


def candidate_texts(session: Session, ids: Sequence[int]) -> list[Candidate]:
    """The visible quotes with these ids, in the order of ``ids``: text, type and speaker
    only (the few shown are then read whole with ``candidate_rows``)."""
    if not ids:
        return []
    stmt = core_select(col(Quote.id), col(Quote.text), col(Quote.type),
                       col(Quote.speaker_id)).where(col(Quote.id).in_(list(ids)),
                                                    col(Quote.hidden).is_(False))
    found = {int(i): Candidate(int(i), t, ty, sid)
             for i, t, ty, sid in session.execute(stmt)}
    return [found[i] for i in ids if i in found]


def candidate_rows(session: Session, ids: list[int]) -> list[QuoteRow]:
    """The visible quotes with these ids (speaker and article, not the article's text)."""
    return visible_rows(session, ids)


def speaker_names(session: Session, speaker_ids: Iterable[int]) -> dict[int, set[str]]:
    """Every name (canonical and mentions, casefolded) each of these speakers is known by."""
    wanted = sorted(set(speaker_ids))
    names: dict[int, set[str]] = {i: set() for i in wanted}
    if not wanted:
        return names
    for sid, key in session.exec(select(Speaker.id, Speaker.name_key)
                                 .where(col(Speaker.id).in_(wanted))):
        if sid is not None:
            names[sid].add(key)
    for sid, key in session.exec(
            select(SpeakerAlias.speaker_id, SpeakerAlias.text_key)
            .where(col(SpeakerAlias.speaker_id).in_(wanted), SpeakerAlias.kind != "role")):
        names[sid].add(key)
    return names


def article_texts(session: Session, article_ids: Iterable[int]) -> dict[int, str]:
    """The text of these articles (the few whose quotes matched)."""
    wanted = sorted(set(article_ids))
    if not wanted:
        return {}
    return {int(i): t for i, t in session.exec(
        select(Article.id, Article.text).where(col(Article.id).in_(wanted))) if i is not None}


def translations_of(session: Session, quote_ids: Iterable[int]) -> dict[int, list[QuoteRow]]:
    """The visible quotes linked to each of these as its translation, best first."""
    wanted = sorted(set(quote_ids))
    out: dict[int, list[QuoteRow]] = {i: [] for i in wanted}
    if not wanted:
        return out
    links = session.exec(
        select(QuoteTranslation.quote_id, QuoteTranslation.other_id)
        .where(col(QuoteTranslation.quote_id).in_(wanted))
        .order_by(col(QuoteTranslation.score).desc(), col(QuoteTranslation.other_id))).all()
    rows = {r.quote.id: r for r in visible_rows(session, sorted({o for _, o in links}))}
    for qid, other in links:
        if other in rows:
            out[qid].append(rows[other])
    return out


# --- stored verifications -------------------------------------------------------------

def add_verification(session: Session, public_id: str, text: str, claimed: str | None,
                     verdict: str, result: str, created_at: datetime) -> None:
    """Add a verification (the caller commits)."""
    session.add(Verification(public_id=public_id, text=text, claimed_speaker=claimed,
                             verdict=verdict, result=result, created_at=created_at))


def get_verification(session: Session, public_id: str) -> Verification:
    """The stored verification behind a permalink."""
    found = session.exec(select(Verification).where(Verification.public_id == public_id)
                         ).first()
    if found is None:
        raise NotFound("verification", public_id)
    return found


# --- translation links (ingest) -------------------------------------------------------

@dataclass(frozen=True)
class QuoteFactsRow:
    """A quote's columns that translation pairing needs."""

    id: int
    text: str
    language: str
    speaker_id: int | None
    article_id: int
    cue: str | None
    published_at: datetime | None


def _facts(rows: Any) -> list[QuoteFactsRow]:
    return [QuoteFactsRow(int(i), t, lang, sid, int(aid), cue, pub)
            for i, t, lang, sid, aid, cue, pub in rows]


def _fact_select() -> Any:
    return core_select(col(Quote.id), col(Quote.text), col(Quote.language),
                       col(Quote.speaker_id), col(Quote.article_id), col(Quote.cue),
                       col(Article.published_at)
                       ).join(Article, col(Article.id) == col(Quote.article_id))


def pairing_facts(session: Session, article_ids: Sequence[int], days: int
                  ) -> tuple[list[QuoteFactsRow], list[QuoteFactsRow]]:
    """(the quotes of these articles, the quotes they may be translations of): the same
    speakers' visible quotes in these articles, or in articles published within ``days``."""
    if not article_ids:
        return [], []
    new = _facts(session.execute(
        _fact_select().where(col(Quote.article_id).in_(article_ids), col(Quote.hidden).is_(False),
               col(Quote.speaker_id).is_not(None))))
    if not new:
        return [], []
    speakers = sorted({q.speaker_id for q in new if q.speaker_id is not None})
    languages = sorted({q.language for q in new})
    dates = [q.published_at for q in new if q.published_at is not None]
    near: ColumnElement[bool] = col(Quote.article_id).in_(article_ids)
    if dates:
        near = or_(near, col(Article.published_at).between(
            min(dates) - timedelta(days=days), max(dates) + timedelta(days=days)))
    wanted = ["sv", "en"]
    if len(languages) == 1:  # a pair needs the other language: the rest is not read
        wanted = [lang for lang in wanted if lang != languages[0]]
    others = _facts(session.execute(
        _fact_select().where(col(Quote.speaker_id).in_(speakers), col(Quote.hidden).is_(False),
               near, col(Quote.language).in_(wanted))
        .order_by(col(Quote.id))))
    return new, others


def replace_translation_links(session: Session, quote_ids: Sequence[int],
                              links: Sequence[tuple[int, int, float]]) -> None:
    """Drop the links of these quotes and store ``links`` (each pair both ways)."""
    for i in range(0, len(quote_ids), 500):
        chunk = list(quote_ids[i:i + 500])
        session.execute(delete(QuoteTranslation).where(or_(
            col(QuoteTranslation.quote_id).in_(chunk), col(QuoteTranslation.other_id).in_(chunk))))
    rows = [{"quote_id": x, "other_id": y, "score": s}
            for a, b, s in links for x, y in ((a, b), (b, a))]
    if rows:
        session.execute(insert(QuoteTranslation), rows)


def speaker_key(name: str) -> str:
    """A claimed speaker's name as the stored keys hold names."""
    return fold_key(" ".join(name.split()))
