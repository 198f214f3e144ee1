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


def test_words_of_reads_the_same_values_as_the_token_api(extractor: Extractor) -> None:
    """words_of reads one array per Doc; every field must equal what each Token says."""
    from app.extraction.textview import words_of

    nlp = extractor.pipelines["en"]
    words = ["Anna", "Berg", "\n\n", "said", ":", '"', "Yes", '"']
    spaces = [True, False, False, False, True, False, False, False]
    doc = Doc(nlp.vocab, words=words, spaces=spaces, heads=[1, 3, 3, 3, 3, 6, 3, 6],
              deps=["compound", "nsubj", "dep", "ROOT", "punct", "punct", "ccomp", "punct"],
              pos=["PROPN", "PROPN", "SPACE", "VERB", "PUNCT", "PUNCT", "INTJ", "PUNCT"],
              ents=["B-PER", "I-PER", "O", "O", "O", "O", "O", "O"])
    got = words_of(doc)
    tokens = [t for t in doc if not t.is_space]
    position = {t.i: n for n, t in enumerate(tokens)}
    assert [w.text for w in got] == ["Anna", "Berg", "said", ":", '"', "Yes", '"']
    for n, (w, t) in enumerate(zip(got, tokens, strict=True)):
        assert (w.i, w.start, w.end) == (n, t.idx, t.idx + len(t.text))
        assert doc.text[w.start:w.end] == t.text
        assert (w.lower, w.lemma, w.pos, w.dep) == (t.lower_, t.lemma_, t.pos_, t.dep_)
        assert (w.ent_type, w.ent_iob, w.is_stop) == (t.ent_type_, t.ent_iob_, t.is_stop)
        assert w.head == position[t.head.i]
    # Heads before and after the token, across the dropped space token.
    assert got[1].head == 2 and got[0].head == 1 and got[5].head == 2
    assert words_of(nlp.make_doc("")) == []
