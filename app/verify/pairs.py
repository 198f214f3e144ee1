"""Is one quote the other's translation (Swedish <-> English)? Evidence without a model.

The archive often holds a statement twice: the English original (a post, a tweet) and a
Swedish rendering in the article around it, or in another article. Two quotes are taken as a
pair when the same speaker is quoted, in the other language, in the same article or within a
few days, and they share enough of what survives translation: names and numbers, words with a
shared root (British/britterna, soldiers/soldater, military/militärer) and the words of a small
Swedish-English word list (hjälp/help, alltid/always).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Protocol

from app.verify.words import STOPWORDS, tokens

#: Two quotes in different articles are compared when published at most this far apart.
MAX_DAYS = 3
#: Shared evidence needed, and the share of the shorter quote's content words it must reach.
MIN_SHARED = 3
MIN_RATIO = 0.3

#: Swedish word starts and English word starts that translate each other (news vocabulary).
LEXICON: tuple[tuple[str, str], ...] = (
    ("hjälp", "help"), ("alltid", "always"), ("aldrig", "never"), ("behöv", "need"),
    ("inte", "not"), ("om ", "if"), ("krig", "war"), ("fred", "peace"), ("land", "country"),
    ("länder", "countr"), ("regering", "government"), ("folk", "people"), ("människ", "people"),
    ("säker", "secur"), ("trupp", "troop"), ("styrk", "force"), ("avtal", "deal"),
    ("avtal", "agreement"), ("stöd", "support"), ("allierad", "all"), ("vänn", "friend"),
    ("vän", "friend"), ("fiend", "enem"), ("otrolig", "incredibl"), ("fantastisk", "fantastic"),
    ("stor", "great"), ("störst", "biggest"), ("bäst", "best"), ("sämst", "worst"),
    ("ta hand", "take care"), ("själv", "themselves"), ("själv", "ourselves"),
    ("tull", "tariff"), ("skatt", "tax"), ("pris", "price"), ("jobb", "job"), ("arbet", "work"),
    ("ekonom", "econom"), ("pengar", "money"), ("dollar", "dollar"), ("kron", "crown"),
    ("val", "election"), ("röst", "vote"), ("president", "president"), ("minister", "minister"),
    ("premiärminister", "prime"), ("ledare", "leader"), ("förhandl", "negotiat"),
    ("samtal", "talk"), ("möte", "meeting"), ("träff", "met"), ("vecka", "week"),
    ("år", "year"), ("dag", "day"), ("idag", "today"), ("imorgon", "tomorrow"),
    ("snart", "soon"), ("nu", "now"), ("mycket", "very"), ("mer", "more"), ("mindre", "less"),
    ("gräns", "border"), ("invandr", "immigra"), ("brott", "crime"), ("polis", "police"),
    ("domstol", "court"), ("lag", "law"), ("rätt", "right"), ("fel", "wrong"),
    ("sann", "true"), ("lög", "lie"), ("falsk", "fake"), ("nyhet", "news"),
    ("vinn", "win"), ("förlor", "los"), ("seger", "victory"), ("stark", "strong"),
    ("svag", "weak"), ("rädd", "afraid"), ("hot", "threat"), ("attack", "attack"),
    ("bomb", "bomb"), ("vapen", "weapon"), ("missil", "missile"), ("armé", "army"),
    ("soldat", "soldier"), ("militär", "militar"), ("försvar", "defen"), ("energi", "energy"),
    ("olja", "oil"), ("gas", "gas"), ("klimat", "climate"), ("skol", "school"),
    ("sjukhus", "hospital"), ("vård", "care"), ("barn", "child"), ("famil", "famil"),
    ("hem", "home"), ("stad", "city"), ("värld", "world"), ("europ", "europ"),
    ("amerikan", "americ"), ("brit", "brit"), ("rysk", "russia"), ("ryss", "russia"),
    ("ukrain", "ukrain"), ("kines", "chin"), ("svensk", "swed"), ("tysk", "germ"),
    ("fransk", "fren"), ("tack", "thank"), ("hopp", "hope"), ("tro", "believe"),
    ("vet", "know"), ("tänk", "think"), ("vill", "want"), ("måste", "must"),
    ("kommer att", "will"), ("kan", "can"), ("ska", "will"), ("sa", "said"), ("säg", "say"),
    ("skrev", "wrote"), ("skriv", "write"), ("svar", "answer"), ("fråg", "question"),
    ("problem", "problem"), ("lösning", "solution"), ("plan", "plan"), ("beslut", "decision"),
    ("ansvar", "responsib"), ("frihet", "freedom"), ("demokrati", "democra"),
    ("lång", "long"), ("kort", "short"), ("halv", "half"), ("väntelist", "waiting"),
    ("sjukskötersk", "nurse"), ("läkare", "doctor"), ("patient", "patient"),
    ("arbete", "job"), ("fabrik", "factor"), ("företag", "compan"), ("stäng", "close"),
    ("öppn", "open"), ("bygg", "build"), ("försälj", "sales"), ("ök", "gr"),
    ("ök", "increas"), ("minsk", "fall"), ("räkn", "expect"), ("procent", "percent"),
    ("storbritannien", "britain"), ("england", "england"), ("sverige", "sweden"),
    ("ny", "new"), ("gammal", "old"), ("ung", "young"), ("bra", "good"), ("dålig", "bad"),
    ("en", "one"), ("två", "two"), ("tre", "three"), ("fyra", "four"), ("fem", "five"),
    ("sex", "six"), ("sju", "seven"), ("åtta", "eight"), ("nio", "nine"), ("tio", "ten"),
    ("elva", "eleven"), ("tolv", "twelve"), ("tjugo", "twenty"), ("hundra", "hundred"),
    ("tusen", "thousand"), ("miljon", "million"), ("miljard", "billion"),
)

#: Speech verbs that name the same act in the two languages (the extractor's cue).
CUES: tuple[tuple[str, str], ...] = (
    ("sa", "said"), ("sade", "said"), ("säger", "says"), ("skrev", "wrote"),
    ("skriver", "writes"), ("twittrade", "tweeted"), ("tweetade", "tweeted"),
    ("meddelade", "announced"), ("förklarade", "explained"), ("svarade", "replied"),
    ("lovade", "promised"), ("varnade", "warned"), ("hävdade", "claimed"),
)


class QuoteFacts(Protocol):
    """What pairing looks at in one quote (storage's ``QuoteFactsRow`` is one)."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def speaker_id(self) -> int | None: ...
    @property
    def article_id(self) -> int: ...
    @property
    def cue(self) -> str | None: ...
    @property
    def published_at(self) -> datetime | None: ...


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word.casefold())
                   if not unicodedata.combining(c))


def _anchors(text: str) -> set[str]:
    """Numbers, and capitalised words not opening a sentence (names), folded to 4 letters."""
    out: set[str] = set()
    toks = tokens(text)
    for i, t in enumerate(toks):
        if any(c.isdigit() for c in t.text):
            out.add("".join(c for c in t.text if c.isdigit()))
        elif i > 0 and t.text[:1].isupper() and text[toks[i - 1].end:t.start].strip() not in (
                ".", "!", "?") and len(t.text) > 2:
            out.add(_fold(t.text)[:4])
    return out


def _content(text: str) -> list[str]:
    return [t.norm for t in tokens(text) if t.norm not in STOPWORDS and len(t.norm) > 1]


def shared_evidence(sv: str, en: str) -> tuple[int, int]:
    """(pieces of shared evidence, content words of the shorter text) for a Swedish and an
    English text: each Swedish content word counts once, for a shared name or number, a
    shared root of five letters or more, or a word-list pair."""
    sv_words, en_words = _content(sv), _content(en)
    if not sv_words or not en_words:
        return 0, 0
    en_folded = [_fold(w) for w in en_words]
    en_text = " " + " ".join(en_words) + " "
    anchors = _anchors(en) & _anchors(sv)
    shared = len(anchors)
    for w in dict.fromkeys(sv_words):
        f = _fold(w)
        if any(c.isdigit() for c in w) or (len(f) >= 4 and f[:4] in anchors):
            continue  # counted as an anchor
        root = len(f) >= 5 and any(e[:4] == f[:4] and len(e) >= 5 for e in en_folded)
        if root or any(w.startswith(s.strip()) and f" {e}" in en_text for s, e in LEXICON):
            shared += 1
    return shared, min(len(set(sv_words)), len(set(en_words)))


def _cue_pair(a: str | None, b: str | None) -> bool:
    pair = {(a or "").casefold(), (b or "").casefold()}
    return any(pair == {s, e} for s, e in CUES)


def translation_score(one: QuoteFacts, other: QuoteFacts) -> float:
    """How strongly ``one`` and ``other`` look like the same words in two languages (0: not
    a pair). The same speaker, the other language and a date close enough are required."""
    if (one.speaker_id is None or one.speaker_id != other.speaker_id
            or {one.language, other.language} != {"sv", "en"}):
        return 0.0
    same_article = one.article_id == other.article_id
    if not same_article:
        if one.published_at is None or other.published_at is None:
            return 0.0
        if abs(one.published_at - other.published_at) > timedelta(days=MAX_DAYS):
            return 0.0
    sv, en = (one, other) if one.language == "sv" else (other, one)
    shared, size = shared_evidence(sv.text, en.text)
    if size == 0:
        return 0.0
    n_sv, n_en = len(tokens(sv.text)), len(tokens(en.text))
    if not 0.4 <= n_sv / max(n_en, 1) <= 2.5:
        return 0.0
    ratio = shared / size
    bonus = 0.1 if _cue_pair(sv.cue, en.cue) else 0.0
    if shared >= MIN_SHARED and ratio >= MIN_RATIO:
        return round(min(1.0, ratio + bonus), 4)
    return 0.0


_OTHER = {"sv": "en", "en": "sv"}


def pairs(new: Sequence[QuoteFacts], others: Sequence[QuoteFacts]
          ) -> list[tuple[int, int, float]]:
    """(id, id, score) of every translation pair between ``new`` quotes and ``others`` (which
    may include the new ones), each pair once with the smaller id first."""
    found: dict[tuple[int, int], float] = {}
    # Only the same speaker in the other language can score (translation_score's first
    # test): each quote is compared with those alone, not with every other.
    by_key: dict[tuple[int, str], list[QuoteFacts]] = {}
    for o in others:
        if o.speaker_id is not None:
            by_key.setdefault((o.speaker_id, o.language), []).append(o)
    for q in new:
        if q.speaker_id is None or q.language not in _OTHER:
            continue
        for o in by_key.get((q.speaker_id, _OTHER[q.language]), ()):
            if o.id == q.id:
                continue
            key = (min(q.id, o.id), max(q.id, o.id))
            if key in found:
                continue
            score = translation_score(q, o)
            if score > 0:
                found[key] = score
    return [(a, b, s) for (a, b), s in sorted(found.items())]
