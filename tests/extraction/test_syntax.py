"""Rules on hand-built Docs: a parse and entities, as a trained pipeline would set them."""

from __future__ import annotations

from spacy.tokens import Doc

from app.extraction.component import COMPONENT
from app.extraction.pipeline import Extractor

# "Anna Berg, who met Per Holm, said "Yes."" — word order alone would take the apposition
# before "said" (Per Holm); the parse says Anna Berg is the subject.
WORDS = ["Anna", "Berg", ",", "who", "met", "Per", "Holm", ",", "said", '"', "Yes", ".", '"']
SPACES = [True, False, True, True, True, True, False, True, True, False, False, False, False]
HEADS = [1, 8, 4, 4, 1, 6, 4, 4, 8, 10, 8, 10, 10]
DEPS = ["compound", "nsubj", "punct", "nsubj", "acl:relcl", "compound", "obj", "punct",
        "ROOT", "punct", "ccomp", "punct", "punct"]
POS = ["PROPN", "PROPN", "PUNCT", "PRON", "VERB", "PROPN", "PROPN", "PUNCT", "VERB", "PUNCT",
       "INTJ", "PUNCT", "PUNCT"]
ENTS = ["B-PER", "I-PER", "O", "O", "O", "B-PER", "I-PER", "O", "O", "O", "O", "O", "O"]


def parsed_doc(extractor: Extractor) -> Doc:
    nlp = extractor.pipelines["en"]
    return Doc(nlp.vocab, words=WORDS, spaces=SPACES, heads=HEADS, deps=DEPS, pos=POS, ents=ENTS)


def test_dependency_patterns_find_the_subject(extractor: Extractor) -> None:
    component = extractor.pipelines["en"].get_pipe(COMPONENT)
    assert component.syntax.speakers(parsed_doc(extractor)) == {8: 1}


def test_component_uses_the_parse_and_entities(extractor: Extractor) -> None:
    component = extractor.pipelines["en"].get_pipe(COMPONENT)
    doc = component(parsed_doc(extractor))
    (span,) = doc.spans["quotes"]
    assert span._.citat_speaker == "Anna Berg"
    assert (span._.citat_start, span._.citat_end) == (doc.text.index("Yes."), len(doc.text) - 1)
    mentions = doc._.citat_analysis.mentions
    assert [(m.text, m.label) for m in mentions if m.kind == "name"] == [
        ("Anna Berg", "PER"),
        ("Per Holm", "PER"),
    ]


def test_entities_label_heuristic_names(extractor: Extractor) -> None:
    nlp = extractor.pipelines["en"]
    words = ["Talks", "in", "Moskva", "ended", ".", "Moskva", "said", "no", "."]
    ents = ["O", "O", "B-LOC", "O", "O", "B-LOC", "O", "O", "O"]
    doc = nlp.get_pipe(COMPONENT)(Doc(nlp.vocab, words=words, ents=ents))
    labels = {(m.text, m.label) for m in doc._.citat_analysis.mentions if m.kind == "name"}
    assert labels == {("Moskva", "LOC")}  # a place: nobody a pronoun can refer to


def test_no_parse_no_syntax(extractor: Extractor) -> None:
    nlp = extractor.pipelines["en"]
    doc = Doc(nlp.vocab, words=WORDS, spaces=SPACES)
    assert nlp.get_pipe(COMPONENT).syntax.speakers(doc) == {}
