"""Highlighting a shown quote without stemming every word of it: the spans must stay exactly
those of stemming (and splitting) every word, on invented sentences of Swedish and English
words, compounds and inflections, with every kind of query the search box takes."""

from __future__ import annotations

import snowballstemmer
from hypothesis import given, settings
from hypothesis import strategies as st

from app.storage.lexicon import compound_heads, compound_parts, lemma_stem
from app.storage.search import WORD_RE, _highlighted, highlight_spans, stem

# Invented material (no corpus text): word stems, endings, joints and punctuation.
SV = ("skatt", "hus", "bil", "väg", "skol", "regering", "förslag", "sjukhus", "klimat",
      "flykting", "bostad", "kostnad", "arbete", "lärare", "elev", "polis", "gräns", "energi",
      "pris", "ränta", "hyra", "barn", "bok", "man", "kvinn", "stad", "land", "vatten", "skog",
      "fisk", "båt", "tåg", "järnväg", "djur", "läkare", "ägg", "öl", "år", "dag", "natt",
      "hjälp", "fråga", "beslut", "plan", "lag", "stöd", "mål", "ansvar", "trygg", "säker",
      "nyckel", "nyckl", "muskel", "muskl", "kabel", "kabl", "medel", "medl", "toffl")
EN = ("government", "housing", "policy", "study", "fly", "tax", "run", "happy", "city",
      "analysis", "early", "only", "sky", "die", "lie", "news", "generous", "universe",
      "organ", "past", "agree", "hope", "cry", "try", "nation", "relate", "conditional")
ENDINGS = ("", "", "en", "et", "ar", "arna", "er", "erna", "ens", "s", "a", "ing", "ed",
           "ies", "ly", "ies", "ation", "ness", "ning", "ningen", "ande", "t")
PUNCT = (" ", " ", " ", ", ", ". ", "! ", " – ", ": ", "? ", " \"", "\" ")


@st.composite
def word(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(SV + EN), min_size=1, max_size=3))
    joints = draw(st.lists(st.sampled_from(("", "s", "")), min_size=len(parts),
                           max_size=len(parts)))
    w = "".join(p + j for p, j in zip(parts, joints, strict=True)).rstrip("s") or parts[0]
    w += draw(st.sampled_from(ENDINGS))
    if draw(st.integers(0, 5)) == 0:
        w = w.capitalize()
    if draw(st.integers(0, 12)) == 0:
        w = w.upper()
    return w


@st.composite
def sentence(draw: st.DrawFn) -> str:
    ws = draw(st.lists(word(), min_size=1, max_size=14))
    gaps = draw(st.lists(st.sampled_from(PUNCT), min_size=len(ws), max_size=len(ws)))
    return "".join(w + g for w, g in zip(ws, gaps, strict=True)).strip()


@st.composite
def query(draw: st.DrawFn, text_: str) -> str:
    """Words of the sentence or not, whole or cut (being typed), with the operators."""
    own = [w for w in WORD_RE.findall(text_)]
    pool = st.sampled_from(own) | word() if own else word()
    ws = draw(st.lists(pool, min_size=1, max_size=3))
    out: list[str] = []
    for w in ws:
        form = draw(st.integers(0, 7))
        if form == 0 and len(w) > 2:
            w = w[: draw(st.integers(1, len(w) - 1))]  # a piece
        elif form == 1:
            w = "-" + w
        elif form == 2:
            w = f'"{w} {draw(word())}"'
        elif form == 3 and out:
            out.append("OR")
        out.append(w)
    return " ".join(out) + draw(st.sampled_from(("", "", " ")))


def reference_spans(text_: str, q: str) -> list[tuple[int, int]]:
    """Highlighting as it was: every word stemmed in both languages, every long word that has
    not met all the query's stems split as a compound."""
    exact, own, prefixes = _highlighted(q)
    spans: list[tuple[int, int]] = []
    if not exact and not prefixes and not own:
        return spans
    for m in WORD_RE.finditer(text_):
        w = m.group().lower()
        stems = {stem(w, lang) for lang in ("sv", "en")}
        lemmas = {lemma_stem(w, lang) or "" for lang in ("sv", "en")} - {""}
        if stems & own:
            spans.append((m.start(), m.end()))
            continue
        found = stems | lemmas
        if exact - found and len(w) >= 7:
            found = found | {lemma_stem(w, "sv") or ""} - {""} | set(compound_parts(w))
        if found & exact or any(s.startswith(p) for s in found for p in prefixes):
            spans.append((m.start(), m.end()))
    return spans


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_highlight_equals_stemming_every_word(data: st.DataObject) -> None:
    text_ = data.draw(sentence())
    q = data.draw(query(text_))
    assert highlight_spans(text_, q) == reference_spans(text_, q)


def test_highlight_examples() -> None:
    t = "Skattesänkningen och bostadskostnaderna steg, sa hon om regeringsförslaget."
    marked = {q: [t[s:e] for s, e in highlight_spans(t, q)]
              for q in ("kostnad ", "förslag ", "regeringen", "bost", "skatt ", "hon ")}
    assert marked == {
        "kostnad ": ["bostadskostnaderna"], "förslag ": ["regeringsförslaget"],
        "regeringen": ["regeringsförslaget"], "bost": ["bostadskostnaderna"],
        "skatt ": ["Skattesänkningen"], "hon ": ["hon"],
    }
    assert highlight_spans(t, "flygplatsen ") == []
    # A compound whose head is found by its lemma, not a piece of the word (nyckl -> nyckel).
    t = "Bilnycklarna låg kvar."
    assert [t[s:e] for s, e in highlight_spans(t, "nyckel ")] == ["Bilnycklarna"]


def test_highlight_of_repeated_words_and_of_another_query() -> None:
    """A word is decided once per query and word (kept): every occurrence is marked at its
    own offsets, and the same word under another query is decided again."""
    t = "Skatten, skatten och SKATTEN: skatter höjs; ingen skatt i dag."
    assert highlight_spans(t, "skatt ") == [(0, 7), (9, 16), (21, 28), (30, 37), (50, 55)]
    assert highlight_spans(t, "dag ") == [(58, 61)]
    assert highlight_spans(t, "skatt ") == [(0, 7), (9, 16), (21, 28), (30, 37), (50, 55)]
    assert highlight_spans(t, "-skatt ") == []


letters = st.text(alphabet="abcdefghijklmnopqrstuvwxyzåäöéüy", min_size=1, max_size=16)


@settings(max_examples=2000, deadline=None)
@given(letters)
def test_stems_keep_what_highlighting_relies_on(w: str) -> None:
    # A Swedish stem is the start of its word; an English stem keeps the first letter.
    assert w.startswith(snowballstemmer.stemmer("swedish").stemWord(w))
    assert snowballstemmer.stemmer("english").stemWord(w)[:1] == w[:1]


@settings(max_examples=300, deadline=None)
@given(word())
def test_compound_parts_are_pieces_or_heads(w: str) -> None:
    w = w.lower()
    for part in compound_parts(w):
        assert part in w or part in compound_heads(w)


def test_the_kept_word_answers_leave_the_collector_nothing_to_walk() -> None:
    """Highlighting keeps up to 100,000 answers a word (its lemmas' stems, its compound
    heads) in each web process: tuples of strings, which a collection stops following once it
    has met them; sets it walked again at every collection for as long as they were kept."""
    import gc

    from app.storage.search import _word_lemmas

    # Invented compounds and inflected forms: some with heads and lemmas, some without.
    words = ["skolböckerna", "järnvägsbroarna", "vattenhjulen", "kvinnorna", "männen",
             "flyktingbåtarna", "xyzzyq"]
    kept = [compound_heads(w) for w in words] + [_word_lemmas(w) for w in words]
    assert any(kept[:len(words)]) and any(kept[len(words):])
    gc.collect()
    assert [x for x in kept if gc.is_tracked(x)] == []
    assert compound_heads("skolböckerna") == compound_heads("skolböckerna")
    assert len(set(compound_heads("skolböckerna"))) == len(compound_heads("skolböckerna"))
