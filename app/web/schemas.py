"""JSON shapes of the API (pydantic), built from the storage read views."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from app.ingest.readers import MAX_YEAR, MIN_YEAR
from app.storage import certainty, queries
from app.storage.models import as_utc

SPEAKER_CONFIDENCE = (
    "The extractor's probability (0 to 1) that `speaker` is the right speaker: a calibrated "
    "estimate, so of all attributions near 0.9 about nine in ten are right. 0 when no speaker "
    "is named. Kept as the machine gave it even when an editor later chose or confirmed the "
    "speaker (see `speaker_checked`).")
SPEAKER_STATUS = (
    "How the site shows the attribution: `certain` (speaker_confidence at or above the "
    "CITAT_SPEAKER_SURE setting, default 0.9, or checked by an editor), `uncertain` (a speaker "
    "is named with less confidence; pages say \"probably <name>\"), `unknown` (no speaker).")


class SpeakerRef(BaseModel):
    """A speaker as referenced from a quote."""

    name: str
    slug: str
    kind: str


class QuoteOut(BaseModel):
    """One quote with its speaker and article."""

    id: str = Field(description="Stable permalink id.")
    text: str
    type: str
    language: str
    start: int
    end: int
    speaker: SpeakerRef | None
    speaker_mention: str | None
    cue: str | None
    confidence: float = Field(description="The extractor's confidence that this is a quote.")
    speaker_confidence: float = Field(description=SPEAKER_CONFIDENCE)
    speaker_status: certainty.Status = Field(description=SPEAKER_STATUS)
    speaker_checked: bool = Field(description="An editor chose or confirmed the speaker.")
    article_id: int
    article_title: str | None
    url: str = Field(description="Path of the quote's permalink page.")

    @classmethod
    def of(cls, row: queries.QuoteRow, sure: float) -> QuoteOut:
        """From a storage row; ``sure`` is the CITAT_SPEAKER_SURE setting."""
        q, s = row.quote, row.speaker
        return cls(
            id=q.public_id, text=q.text, type=q.type, language=q.language, start=q.start,
            end=q.end,
            speaker=SpeakerRef(name=s.name, slug=s.slug, kind=s.kind) if s else None,
            speaker_mention=q.speaker_mention, cue=q.cue, confidence=q.confidence,
            speaker_confidence=round(q.speaker_confidence, 3),
            speaker_status="unknown" if s is None else certainty.status(q, sure),
            speaker_checked=q.speaker_checked,
            article_id=row.article.id or 0, article_title=row.article.title,
            url=f"/q/{q.public_id}",
        )


class FacetOut(BaseModel):
    """One facet value and its count."""

    value: str
    label: str
    count: int


class QuoteList(BaseModel):
    """A page of quotes (with facet counts when asked for)."""

    total: int
    #: ``total`` is an estimate: a text search counts its matches exactly up to 1,000 (the
    #: newest, which it ranks) and estimates beyond, from how densely those 1,000 lie.
    total_is_estimate: bool = False
    limit: int
    offset: int
    items: list[QuoteOut]
    facets: dict[str, list[FacetOut]] | None = None


class EntityDetail(BaseModel):
    """An entity with the quotes that mention it."""

    name: str
    slug: str
    label: str
    speaker: str | None = Field(description="Slug of the speaker page, when the entity speaks.")
    quotes: QuoteList


class SpeakerOut(BaseModel):
    """A speaker in a list."""

    name: str
    slug: str
    kind: str
    quotes: int


class SpeakerList(BaseModel):
    """A page of speakers."""

    total: int
    limit: int
    offset: int
    items: list[SpeakerOut]


class SpeakerDetail(BaseModel):
    """A speaker with mentions, roles and a page of quotes."""

    name: str
    slug: str
    kind: str
    mentions: list[str]
    roles: list[str]
    quotes: QuoteList


class EntityOut(BaseModel):
    """An entity mention in an article."""

    text: str
    label: str
    start: int
    end: int
    entity: str
    slug: str


class ArticleOut(BaseModel):
    """An article with its quotes and entities."""

    id: int
    title: str | None
    source: str | None
    url: str | None
    published_at: datetime | None
    language: str
    licence: str | None = Field(default=None, description="The licence of openly licensed text.")
    attribution: str | None = Field(default=None,
                                    description="The credit line that licence requires.")
    status: str = Field(description="queued, processing, done or failed.")
    error: str | None = Field(default=None, description="Why extraction failed.")
    text: str
    quotes: list[QuoteOut]
    entities: list[EntityOut]
    created: bool | None = Field(
        default=None, description="On POST: false when the same text was already stored."
    )

    @classmethod
    def of(cls, view: queries.ArticleView, sure: float, created: bool | None = None
           ) -> ArticleOut:
        """From a storage view."""
        a = view.article
        return cls(
            id=a.id or 0, title=a.title, source=a.source, url=a.url,
            published_at=as_utc(a.published_at), language=a.language, licence=a.licence,
            attribution=a.attribution, status=a.status, error=a.error, text=a.text,
            quotes=[QuoteOut.of(r, sure) for r in view.quotes],
            entities=[
                EntityOut(text=m.text, label=e.label, start=m.start, end=m.end, entity=e.name,
                          slug=e.slug)
                for m, e in view.mentions
            ],
            created=created,
        )


class ArticleIn(BaseModel):
    """Ingest an article (the same field names as the upload form)."""

    text: str = Field(default="", description="The article text (or leave it empty and give "
                      "only `url` to have the page fetched).", max_length=20_000_000)
    title: str | None = Field(default=None, max_length=2000)
    source: str | None = Field(default=None, max_length=2000)
    url: str | None = Field(default=None, max_length=4000)
    published_at: str | None = Field(
        default=None, max_length=64, description=f"YYYY-MM-DD or ISO 8601, the years "
        f"{MIN_YEAR} to {MAX_YEAR} (an offset is converted to UTC; outside them: 422)."
    )


class VerifyIn(BaseModel):
    """A quote to verify: the pasted words, and who is said to have said them."""

    text: str = Field(description="The quote as pasted; \"Name: …\" or \"… — Name\" names "
                      "the speaker.", max_length=2_000_000)
    speaker: str | None = Field(default=None, max_length=2000,
                                description="The claimed speaker (wins over a name in text).")


class VerifiedQuote(BaseModel):
    """The stored quote a match points at."""

    id: str
    text: str
    type: str
    language: str
    confidence: float = Field(description="The extractor's confidence in the quote.")
    cue: str | None
    original: str = Field(description="The words of the quote the paste lines up with.")
    speaker: dict[str, str] | None
    url: str = ""


class VerifiedArticle(BaseModel):
    """Where the quote was found."""

    id: int
    title: str | None
    source: str | None
    published_at: str | None
    paragraph: int | None
    url: str = ""


class DiffOut(BaseModel):
    """One step of the word diff (pasted -> original)."""

    op: str = Field(description="equal, replace, delete (only pasted) or insert (only in "
                    "the original).")
    pasted: str
    original: str


class TranslationOut(BaseModel):
    """A quote linked as the other-language version of a match."""

    id: str
    text: str
    language: str
    speaker: str | None
    url: str = ""


class MatchOut(BaseModel):
    """A stored quote close to the paste, with its verdict and the evidence."""

    verdict: str
    score: float
    share: float = Field(description="Share of the words that match.")
    exact: bool
    reordered: bool
    context_word: str | None = Field(description="The negation or condition the paste "
                                     "leaves out (out of context).")
    speaker_matches: bool | None
    quote: VerifiedQuote
    article: VerifiedArticle
    diff: list[DiffOut]
    translations: list[TranslationOut]


class VerificationOut(BaseModel):
    """A verification as stored behind its permalink."""

    id: str
    url: str
    card_url: str
    created_at: str
    text: str
    claimed_speaker: str | None
    verdict: str = Field(description="verbatim, reworded, other_speaker, reported, "
                         "out_of_context or not_found.")
    matches: list[MatchOut]
    nearest: list[MatchOut] = Field(description="When not found: the closest quotes.")
    candidates: int

    @classmethod
    def of(cls, result: dict[str, object]) -> VerificationOut:
        """From a stored result, with the paths of every quote, article and card."""
        out = cls.model_validate({**result, "url": f"/verify/{result['id']}",
                                  "card_url": f"/verify/{result['id']}/card.png"})
        for m in [*out.matches, *out.nearest]:
            m.quote.url = f"/q/{m.quote.id}"
            m.article.url = f"/articles/{m.article.id}" + (
                f"#p{m.article.paragraph}" if m.article.paragraph else "")
            for t in m.translations:
                t.url = f"/q/{t.id}"
        return out
