"""The shipped sv/en pipelines: they load, tag the seed article, and keep our typography rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import spacy
from spacy.language import Language

import app.extraction.typography  # noqa: F401  (must be imported before spacy.load)
from app.extraction.typography import fix_quote_sentence_starts

if TYPE_CHECKING:
    from app.extraction.pipeline import Extractor

ROOT = Path(__file__).resolve().parents[2]
MODELS = ROOT / "app" / "extraction" / "models"
SEED = ROOT / "seeds" / "sv-rt-trump-starmer-2025-02-27.txt"
COMPONENTS = ["citat_quote_sentences", "tok2vec", "tagger", "morphologizer", "parser",
              "trainable_lemmatizer", "ner"]


@pytest.fixture(scope="module")
def sv_nlp() -> Language:
    """The shipped Swedish pipeline."""
    return spacy.load(MODELS / "sv")


@pytest.fixture(scope="module")
def en_nlp() -> Language:
    """The shipped English pipeline."""
    return spacy.load(MODELS / "en")


def _tokens(nlp: Language, text: str) -> list[str]:
    return [t.text for t in nlp.make_doc(text)]


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_shipped_pipeline_files_licence_and_size(lang: str) -> None:
    folder = MODELS / lang
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    assert size < 25 * 1024 * 1024
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    assert meta["lang"] == lang
    assert meta["license"] == "CC BY-SA 4.0"
    assert meta["vectors"]["width"] == 0
    assert meta["citat_evaluation"]["smoke"] is False
    assert "https://creativecommons.org/licenses/by-sa/4.0/" in (
        folder / "LICENSE").read_text(encoding="utf-8")
    attribution = (folder / "ATTRIBUTION.md").read_text(encoding="utf-8")
    for name in ("Universal Dependencies", "Universal NER", "Mayhew"):
        assert name in attribution
    if lang == "sv":
        for name in ("Talbanken", "Swedish-PUD", "SweLL", "swedish-ner-corpus", "Språkbanken"):
            assert name in attribution
    else:
        for name in ("English-EWT", "GUM", "WikiGold", "Broad Twitter Corpus"):
            assert name in attribution


def test_pipelines_have_all_components(sv_nlp: Language, en_nlp: Language) -> None:
    for nlp in (sv_nlp, en_nlp):
        assert nlp.pipe_names == COMPONENTS
        assert set(nlp.get_pipe("ner").labels) == {"PER", "ORG", "LOC"}
        assert nlp.vocab.vectors.shape[0] == 0


def test_seed_article_people(sv_nlp: Language, extractor: Extractor) -> None:
    """The seed article's people and places as the entity pages get them (the pipeline's NER
    made consistent across the article, app.extraction.entities)."""
    text = SEED.read_text(encoding="utf-8")
    ents = extractor.extract(text, language="sv").entities
    people = {e.text for e in ents if e.label == "PER"}
    for name in ("Donald Trump", "Keir Starmer", "Sergey Lavrov", "Emmanuel Macron",
                 "Vladimir Putin", "Starmer", "Trump"):
        assert name in people, sorted(people)
    # Known slips of the shipped model (MODELS.md): "Kiev" once and "Moskva" once as people.
    assert people - {"Kiev", "Moskva"} <= {
        "Donald Trump", "Keir Starmer", "Sergey Lavrov", "Emmanuel Macron", "Vladimir Putin",
        "Starmer", "Trump", "Putin"}, sorted(people)
    places = {e.text for e in ents if e.label == "LOC"}
    assert {"Ukraina", "Storbritannien", "Moskva", "Washington"} <= places, sorted(places)
    # Syntax and lemmas come out too.
    doc = sv_nlp(text)
    trump = next(t for t in doc if t.text == "Trump")
    assert trump.pos_ == "PROPN"
    assert any(t.lemma_ == "säga" for t in doc if t.text in ("sade", "sa"))
    assert all(t.dep_ for t in doc if not t.is_space)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("”Hej”, sa han.", ["”", "Hej", "”", ",", "sa", "han", "."]),
        ("»Nej«", ["»", "Nej", "«"]),
        ("»Nej»", ["»", "Nej", "»"]),
        ("’Ja’", ["’", "Ja", "’"]),
        ("Stockholm–Göteborg", ["Stockholm", "–", "Göteborg"]),
        ("nu—eller aldrig", ["nu", "—", "eller", "aldrig"]),
        ("– Vi kommer.", ["–", "Vi", "kommer", "."]),
        ("Han sa:”Nej.”Sedan", ["Han", "sa", ":", "”", "Nej", ".", "”", "Sedan"]),
        ("USA:s och FN:s roll", ["USA:s", "och", "FN:s", "roll"]),
        ("(USA:s)", ["(", "USA:s", ")"]),
        ("klart.”", ["klart", ".", "”"]),
    ],
)
def test_swedish_tokenizer_typography(sv_nlp: Language, text: str, expected: list[str]) -> None:
    assert _tokens(sv_nlp, text) == expected


def test_english_tokenizer_keeps_apostrophes_and_splits_quotes(en_nlp: Language) -> None:
    assert _tokens(en_nlp, "“Don’t go,” she said—twice.") == [
        "“", "Do", "n’t", "go", ",", "”", "she", "said", "—", "twice", "."]
    assert _tokens(en_nlp, "Macron’s plan") == ["Macron", "’s", "plan"]


@pytest.mark.parametrize(
    "text",
    [
        "Han sa: ”Det är klart.” Sedan gick han hem.",
        "– Vi ger aldrig upp!” säger hon till tidningen. Sedan går hon.",
        "”Kommer ni?” frågade hon. Ingen svarade.",
    ],
)
def test_closing_quote_stays_in_its_sentence(sv_nlp: Language, text: str) -> None:
    doc = sv_nlp(text)
    for token in doc:
        if token.i > 0 and token.text == "”" and doc[token.i - 1].text in ".?!":
            assert not token.is_sent_start
            assert token.sent == doc[token.i - 1].sent
    assert len(list(doc.sents)) == 2


def test_quote_fix_component_on_a_blank_doc() -> None:
    nlp = spacy.blank("sv")
    doc = fix_quote_sentence_starts(nlp.make_doc("Det är klart.” Sedan ” Ja"))
    marks = [t for t in doc if t.text == "”"]
    assert marks[0].is_sent_start is False  # glued to "." -> closes the sentence
    assert marks[1].is_sent_start is None  # after a space: left to the parser
    sedan = next(t for t in doc if t.text == "Sedan")
    assert sedan.is_sent_start is True  # a capital after a closed quote starts a sentence
    doc = fix_quote_sentence_starts(nlp.make_doc("”Nej.” sa hon.\nSedan kom han"))
    assert [t.text for t in doc[1:] if t.is_sent_start] == ["Sedan"]  # a new line, not "sa"
    assert next(t for t in doc if t.text == "sa").is_sent_start is None


def test_english_pipeline_finds_people_and_places(en_nlp: Language) -> None:
    doc = en_nlp("British Prime Minister Keir Starmer met Donald Trump at the White House "
                 "in Washington on Thursday, and later spoke with Emmanuel Macron.")
    people = {e.text for e in doc.ents if e.label_ == "PER"}
    assert {"Keir Starmer", "Donald Trump", "Emmanuel Macron"} <= people, people
    assert any(e.text == "Washington" and e.label_ == "LOC" for e in doc.ents)
    met = next(t for t in doc if t.text == "met")
    assert met.lemma_ == "meet" and met.pos_ == "VERB" and met.dep_ == "ROOT"


def test_extraction_frees_the_word_forms_it_meets(extractor: Extractor) -> None:
    """A long-running worker must not keep every new name, number and typo it has read: the
    pipelines' vocab is the same size after an article full of unseen words, and what the
    extraction returned is whole after spaCy freed them (and the same the second time)."""
    sv = extractor.pipelines["sv"]
    text = ("Blorfqvist Zintermark är ordförande i Grävlingsförbundet Xyloqua i Qwentorp.\n\n"
            "”Vi kräver qwertyfierade zonbidrag nu”, säger Blorfqvist Zintermark.")
    strings, lexemes = len(sv.vocab.strings), sum(1 for _ in sv.vocab)
    first = extractor.extract(text, language="sv")
    assert (len(sv.vocab.strings), sum(1 for _ in sv.vocab)) == (strings, lexemes)
    assert "qwertyfierade" not in sv.vocab.strings
    [quote] = first.quotes
    assert (quote.start, quote.end) == (79, 115)
    assert quote.text == text[79:115] == "Vi kräver qwertyfierade zonbidrag nu"
    assert (quote.speaker, quote.cue) == ("Blorfqvist Zintermark", "säger")
    assert [(e.text, e.start, e.end) for e in first.entities if e.label == "LOC"] == [
        ("Qwentorp", 67, 75)]
    assert extractor.extract(text, language="sv") == first
    # Seen in two texts now: its chunks are kept for the tokenizer (ChunkLearner, bounded).
    assert "qwertyfierade" in sv.vocab.strings


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_tokenizer_warmup_keeps_tokens_and_frees_the_rest(lang: str, extractor: Extractor) -> None:
    """Each shipped pipeline lists its training text's most frequent chunks; loading tokenizes
    them outside any memory zone, so they stay cached and in the vocab while extraction's
    memory zones run. The tokens are exactly those of a tokenizer that was never warmed, and
    words not on the list are still freed after the zone."""
    from app.extraction.pipeline import WARMUP_FILE

    chunks = (MODELS / lang / WARMUP_FILE).read_text(encoding="utf-8").splitlines()
    assert len(chunks) == len(set(chunks)) == 20_000
    assert all(c and not any(ch.isspace() for ch in c) for c in chunks)
    top = {"sv": ["och", "i", "att"], "en": ["the", "to", "and"]}[lang]
    assert set(top) <= set(chunks[:10])
    nlp = extractor.pipelines[lang]
    assert all(c in nlp.vocab for c in ("säger", "regeringen") if lang == "sv")
    assert nlp.tokenizer.max_cache_size >= 20_000
    cold = spacy.load(MODELS / lang).tokenizer  # the same rules, never warmed
    text = (SEED.read_text(encoding="utf-8") if lang == "sv" else
            "”We won’t back down,” Mr. O’Neill told reporters in New York on Monday. "
            "The U.S.-based group's e-mail (sent 3.5 hours later) said: \"No comment.\"")
    text += " Vrimplund-Zoxtermark, plimsqueradet."
    lexemes = sum(1 for _ in nlp.vocab)
    with nlp.memory_zone():
        warm = [(t.text, t.idx, t.whitespace_) for t in nlp.make_doc(text)]
    assert sum(1 for _ in nlp.vocab) == lexemes
    assert "plimsqueradet" not in nlp.vocab.strings
    assert warm == [(t.text, t.idx, t.whitespace_) for t in cold(text)]


def test_chunks_that_recur_are_learned_once_and_tokenize_the_same(extractor: Extractor) -> None:
    """Extraction runs in memory zones, where the tokenizer caches nothing: chunks that recur
    across texts are tokenized once outside the zone afterwards, so they stay cached. A chunk
    seen in one text only is not (it is still freed), the budget is never passed, and the
    tokens are exactly those of a tokenizer that learned nothing."""
    from app.extraction.pipeline import ChunkLearner

    nlp = extractor.pipelines["sv"]
    cold = spacy.load(MODELS / "sv").tokenizer
    learner = ChunkLearner(nlp, budget=3)
    first = "Gnartqvist (Wexelmork) sa: ”Snorkifierad.” Plyxa-Brunn, 12,5 procent."
    second = "Wexelmork och Gnartqvist talade om Plyxa-Brunn, i Qwaxby."
    learner.observe([first])
    assert learner.learned == 0 and "Gnartqvist" not in nlp.vocab.strings
    learner.observe([second])  # Gnartqvist, Plyxa-Brunn: now seen in two texts
    assert learner.learned == 2
    learned = {t.text for t in cold("Gnartqvist Plyxa-Brunn,")}
    assert learned == {"Gnartqvist", "Plyxa-Brunn", ","}
    assert learned <= {lex.orth_ for lex in nlp.vocab}
    with nlp.memory_zone():
        tokens = [[(t.text, t.idx, t.whitespace_) for t in nlp.make_doc(x)]
                  for x in (first, second)]
    assert "Qwaxby" not in nlp.vocab.strings  # seen once: freed with the zone
    assert tokens == [[(t.text, t.idx, t.whitespace_) for t in cold(x)] for x in (first, second)]
    learner.observe([second, first + " Qwaxby"])  # Wexelmork, "Wexelmork)" … : budget of 3
    assert learner.learned == 3
    learner.observe([second, second])
    assert learner.learned == 3
