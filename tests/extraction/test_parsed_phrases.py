"""Speaker phrases on hand-annotated Docs: what a tagger or parser may get wrong, and the
speaker the rules must still find (no trained model involved, so the parse is fixed)."""

from __future__ import annotations

import spacy
from spacy.tokens import Doc

from app.extraction.component import COMPONENT, SPAN_KEY
from app.extraction.pipeline import Extractor


def _quotes(lang: str, words: list[str], spaces: list[bool], pos: list[str], heads: list[int],
            deps: list[str], ents: list[str]) -> list[tuple[str, str, str | None, str | None]]:
    """(text, type, speaker, mention) of the quotes the component finds in this Doc."""
    nlp = spacy.blank(lang)
    nlp.add_pipe(COMPONENT, config={"language": lang})
    doc = Doc(nlp.vocab, words=words, spaces=spaces, pos=pos, heads=heads, deps=deps,
              ents=ents, sent_starts=[True] + [False] * (len(words) - 1))
    doc = nlp.get_pipe(COMPONENT)(doc)
    return [(s.text, s._.citat_type, s._.citat_speaker, s._.citat_mention)
            for s in doc.spans[SPAN_KEY]]


def test_inverted_cue_past_an_organisation_tagged_as_a_person() -> None:
    """"säger IF Metalls förbundsordförande Stefan Löfven": a tagger that takes "IF" for a
    person must not end the phrase there; the genitive goes on to the name it qualifies."""
    words = ["De", "har", "ett", "alternativ", ",", "säger", "IF", "Metalls",
             "förbundsordförande", "Stefan", "Löfven", "."]
    got = _quotes(
        "sv", words, [True, True, True, False, True, True, True, True, True, True, False, False],
        ["PRON", "VERB", "DET", "NOUN", "PUNCT", "VERB", "PROPN", "PROPN", "NOUN", "PROPN",
         "PROPN", "PUNCT"],
        [1, 1, 3, 1, 5, 1, 5, 8, 5, 8, 9, 1],
        ["nsubj", "ROOT", "det", "obj", "punct", "parataxis", "nsubj", "nmod:poss", "nsubj",
         "appos", "flat:name", "punct"],
        ["O", "O", "O", "O", "O", "O", "B-PER", "B-ORG", "O", "B-PER", "I-PER", "O"],
    )
    assert [(t, s) for t, _, s, _ in got] == [("De har ett alternativ", "Stefan Löfven")]


def test_parsed_subject_headed_by_a_place_gives_the_person_before_the_verb() -> None:
    """"Scotland First Minister Nicola Sturgeon said …": a parse that makes the place the
    subject's head still attributes the words to the person named right before the verb."""
    words = ["Scotland", "First", "Minister", "Nicola", "Sturgeon", "said", "it", "could", "be",
             '"', "inevitable", '"', "."]
    got = _quotes(
        "en", words, [True, True, True, True, True, True, True, True, True, False, False,
                      False, False],
        ["PROPN", "PROPN", "PROPN", "PROPN", "PROPN", "VERB", "PRON", "AUX", "AUX", "PUNCT",
         "ADJ", "PUNCT", "PUNCT"],
        [5, 2, 0, 4, 0, 5, 10, 10, 10, 10, 5, 10, 5],
        ["nsubj", "compound", "appos", "compound", "appos", "ROOT", "nsubj", "aux", "cop",
         "punct", "ccomp", "punct", "punct"],
        ["B-LOC", "O", "O", "B-PER", "I-PER", "O", "O", "O", "O", "O", "O", "O", "O"],
    )
    assert [(t, s) for t, _, s, _ in got] == [("inevitable", "Nicola Sturgeon")]


def test_first_person_subject_is_not_replaced_by_a_name_inside_its_phrase() -> None:
    """"Vi i Seko Stockholm tycker att …" in an opinion piece: the parsed subject is "Vi",
    and the (mis-tagged) name inside its phrase does not become a reported speaker."""
    words = ["Vi", "i", "Seko", "Stockholm", "tycker", "att", "frågan", "är", "viktig", "."]
    got = _quotes(
        "sv", words, [True, True, True, True, True, True, True, True, False, False],
        ["PRON", "ADP", "PROPN", "PROPN", "VERB", "SCONJ", "NOUN", "AUX", "ADJ", "PUNCT"],
        [4, 2, 0, 2, 4, 8, 8, 8, 4, 4],
        ["nsubj", "case", "nmod", "flat:name", "ROOT", "mark", "nsubj", "cop", "ccomp",
         "punct"],
        ["O", "O", "B-PER", "I-PER", "O", "O", "O", "O", "O", "O"],
    )
    assert all(s != "Seko Stockholm" for _, _, s, _ in got)


def test_every_new_line_starts_a_sentence(extractor: Extractor) -> None:
    """A line is a paragraph: the trained parser never runs a sentence across a line break
    (it once glued the "–" opening a dash quote to the paragraph before)."""
    text = ("Flera forskare har också medverkat i tidningen\n\n– Det är roligt att "
            "populärvetenskapen belönas, säger Patrik Hadenius.\nHan är uppvuxen i staden")
    doc = extractor.pipelines["sv"](text)
    starts = [s.start_char for s in doc.sents]
    for line in (text.index("–"), text.index("Han")):
        assert line in starts
    assert all("\n" not in s.text.strip() for s in doc.sents)
    [quote] = extractor.extract(text).quotes
    assert (quote.text, quote.speaker) == (
        "Det är roligt att populärvetenskapen belönas", "Patrik Hadenius")
