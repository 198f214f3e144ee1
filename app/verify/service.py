"""verify(): a pasted quote against the archive -> a verdict with its evidence; save() keeps
it behind a permalink; link_translations() pairs Swedish and English quotes at ingest."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from app.services.transaction import transaction
from app.storage import verifications as store
from app.storage.models import utcnow
from app.storage.queries import QuoteRow
from app.verify.align import Alignment, align, context_word
from app.verify.claim import MAX_WORDS, Claim
from app.verify.pairs import MAX_DAYS, pairs
from app.verify.words import STOPWORDS, Token, tokens

#: An alignment scoring at least this is a match ("found"); below, a near miss.
FOUND = 0.62
#: Matches shown beside the verdict, and near misses when nothing is found.
MAX_MATCHES = 5
MAX_MISSES = 3
#: Characters of article text read on each side of a quote for its context.
CONTEXT_CHARS = 300

VERDICTS = ("verbatim", "reworded", "other_speaker", "reported", "out_of_context",
            "not_found")


@dataclass(frozen=True)
class Stored:
    """A stored verification: its permalink id, when it was made and its result."""

    public_id: str
    created_at: datetime
    result: dict[str, Any]


def _content_words(paste: Sequence[Token]) -> list[str]:
    """The words to search for: content words, longest first (function words only when the
    paste has nothing else)."""
    content = [t.norm for t in paste if t.norm not in STOPWORDS] or [t.norm for t in paste]
    return sorted(dict.fromkeys(content), key=lambda w: (-len(w), w))


def speaker_matches(claimed: str, names: set[str]) -> bool:
    """Whether a claimed name refers to a speaker known by ``names`` (casefolded): the same
    name, or every part of one inside the other ("Trump" / "Donald Trump" / "President
    Donald Trump")."""
    want = set(store.speaker_key(claimed).replace(".", " ").split())
    if not want:
        return True
    for name in names:
        have = set(name.replace(".", " ").split())
        if have and (want <= have or have <= want):
            return True
    return False


def _paragraph(text: str, start: int) -> int:
    """The 1-based number of the article paragraph (non-empty line) holding ``start``."""
    n = 0
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            n += 1
        if start <= pos + len(line):
            return max(n, 1)
        pos += len(line) + 1
    return max(n, 1)


def _match(a: Alignment, row: QuoteRow, claim: Claim, article_text: str | None,
           names: dict[int, set[str]], translations: list[QuoteRow],
           paste: Sequence[Token]) -> dict[str, Any]:
    q = row.quote
    qt = tokens(q.text)
    context = None
    if a.matched and qt:
        before = q.text[:qt[a.start].start]
        after = q.text[qt[a.end - 1].end:]
        if article_text is not None:
            before = article_text[max(0, q.start - CONTEXT_CHARS):q.start] + before
            after = after + article_text[q.end:q.end + CONTEXT_CHARS]
        context = context_word(before, after, paste)
    if context is None and a.dropped:
        context = a.dropped[0]
    speaker_ok: bool | None = None
    if claim.speaker and row.speaker is not None and row.speaker.id is not None:
        speaker_ok = speaker_matches(claim.speaker, names.get(row.speaker.id, set()))
    if speaker_ok is False:
        verdict = "other_speaker"
    elif context is not None:
        verdict = "out_of_context"
    elif q.type == "indirect":
        verdict = "reported"
    elif a.exact:
        verdict = "verbatim"
    else:
        verdict = "reworded"
    art = row.article
    return {
        "verdict": verdict,
        "score": a.score,
        "share": a.share,
        "exact": a.exact,
        "reordered": a.reordered,
        "context_word": context,
        "speaker_matches": speaker_ok,
        "quote": {
            "id": q.public_id, "text": q.text, "type": q.type, "language": q.language,
            "confidence": q.confidence, "cue": q.cue,
            "original": " ".join(t.text for t in qt[a.start:a.end]) if a.matched else "",
            "speaker": ({"name": row.speaker.name, "slug": row.speaker.slug}
                        if row.speaker else None),
        },
        "article": {
            "id": art.id, "title": art.title, "source": art.source,
            "published_at": art.published_at.date().isoformat() if art.published_at else None,
            "paragraph": _paragraph(article_text, q.start) if article_text else None,
        },
        "diff": [{"op": d.op, "pasted": d.pasted, "original": d.original} for d in a.ops],
        "translations": [
            {"id": t.quote.public_id, "text": t.quote.text, "language": t.quote.language,
             "speaker": t.speaker.name if t.speaker else None}
            for t in translations],
    }


def _primary(found: list[dict[str, Any]], claimed: bool) -> dict[str, Any]:
    """The match the verdict is about: a match by the claimed speaker when there is one,
    then words rather than a report of them, then the closest."""
    pool = [m for m in found if m["speaker_matches"]] if claimed else []
    if not pool:
        best = found[0]["score"]
        pool = [m for m in found if m["score"] >= best - 0.1]
    return max(pool, key=lambda m: (m["quote"]["type"] != "indirect", m["score"]))


def _aligned(paste: Sequence[Token], found: Sequence[store.Candidate]
             ) -> list[tuple[Alignment, store.Candidate]]:
    return [(align(paste, tokens(c.text), c.text), c) for c in found]


def _settled(session: Session, scored: Sequence[tuple[Alignment, store.Candidate]],
             claim: Claim) -> bool:
    """Whether the first ask already decided the verdict: a quote (not a report of one) holds
    the paste word for word, said by the claimed speaker when one is claimed. The loose ask
    could add only lesser matches then."""
    exact = [c for a, c in scored if a.exact and c.type != "indirect"]
    if not exact or not claim.speaker:
        return bool(exact)
    names = store.speaker_names(session, (c.speaker_id for c in exact if c.speaker_id))
    return any(c.speaker_id is not None and speaker_matches(claim.speaker, names[c.speaker_id])
               for c in exact)


def verify(session: Session, claim: Claim) -> dict[str, Any]:
    """The verdict on a claim, with the matches (or the near misses) as evidence.

    Candidates come from two asks of the full-text index: every word of the paste, then
    (unless the first found the paste word for word) any two of its rarest words; the words
    are counted in the index only for the second.
    """
    paste = tokens(claim.text)[:MAX_WORDS]
    words, terms = store.search_terms(_content_words(paste))
    scored = _aligned(paste, store.candidate_texts(session, store.all_words_ids(session, terms)))
    if not _settled(session, scored, claim):
        # How rare each word is picks the loose ask's words; a word no quote holds is left
        # out of both asks (with it, the first found nothing).
        counts = store.count_words(session, words, terms)
        present = [terms[i] for i, n in enumerate(counts.counts) if n > 0]
        if len(present) < len(terms):
            scored = _aligned(paste, store.candidate_texts(
                session, store.all_words_ids(session, present)))
        if not _settled(session, scored, claim):
            seen = {c.id for _, c in scored}
            more = [i for i in store.loose_ids(session, counts) if i not in seen]
            scored += _aligned(paste, store.candidate_texts(session, more))
    scored.sort(key=lambda x: (-x[0].score, x[1].id))
    best = [(a, c) for a, c in scored if a.score >= FOUND][:MAX_MATCHES]
    misses = [] if best else [(a, c) for a, c in scored if a.score > 0][:MAX_MISSES]
    # Only the few shown are read whole (speaker, article).
    read = {r.quote.id: r for r in store.candidate_rows(session, [c.id for _, c in
                                                                   best or misses])}
    found = [(a, read[c.id]) for a, c in best if c.id in read]
    shown = found or [(a, read[c.id]) for a, c in misses if c.id in read]
    texts = store.article_texts(session, (r.article.id for _, r in shown
                                          if r.article.id is not None))
    names = store.speaker_names(session, (r.speaker.id for _, r in shown
                                          if r.speaker is not None and r.speaker.id))
    linked = store.translations_of(session, (r.quote.id for _, r in shown
                                             if r.quote.id is not None))
    matches = [_match(a, r, claim, texts.get(r.article.id or 0), names,
                      linked.get(r.quote.id or 0, []), paste) for a, r in shown]
    result: dict[str, Any] = {
        "text": claim.text, "claimed_speaker": claim.speaker, "verdict": "not_found",
        "matches": [], "nearest": [], "candidates": len(scored),
    }
    if not found:
        result["nearest"] = matches
        return result
    primary = _primary(matches, bool(claim.speaker))
    result["verdict"] = primary["verdict"]
    result["matches"] = [primary, *[m for m in matches if m is not primary]]
    return result


def new_public_id() -> str:
    """A random, unguessable permalink id (12 base32 characters)."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")[:12].lower()


def save(session: Session, result: dict[str, Any]) -> Stored:
    """Store a verification as it stands now; its permalink id."""
    public_id = new_public_id()
    created = utcnow()
    result = {**result, "id": public_id, "created_at": created.isoformat()}
    with transaction(session):
        store.add_verification(session, public_id, result["text"], result["claimed_speaker"],
                               result["verdict"], json.dumps(result, ensure_ascii=False),
                               created)
    return Stored(public_id, created, result)


def load(session: Session, public_id: str) -> Stored:
    """A stored verification (``NotFound`` when there is none)."""
    row = store.get_verification(session, public_id)
    return Stored(row.public_id, row.created_at, json.loads(row.result))


def link_translations(session: Session, article_ids: Sequence[int]) -> int:
    """Link the quotes of these articles to their translations in the archive (the caller
    commits); how many pairs were found."""
    new, others = store.pairing_facts(session, article_ids, MAX_DAYS)
    if not new:
        return 0
    found = pairs(new, [*new, *others])
    store.replace_translation_links(session, [r.id for r in new], found)
    return len(found)
