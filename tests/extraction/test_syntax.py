"""Rules on hand-built Docs: a parse and entities, as a trained pipeline would set them."""

from __future__ import annotations

import pytest
from spacy.strings import get_string_id
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
    from app.extraction.text.view import words_of

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



def _token_fields(doc: Doc) -> list[tuple[str, str, str, str, str, str, str]]:
    """What words_of must give for each non-space token, read through the Token API."""
    return [(t.text, t.lower_, t.lemma_, t.pos_, t.dep_, t.ent_type_, t.ent_iob_)
            for t in doc if not t.is_space]


def _word_fields(doc: Doc) -> list[tuple[str, str, str, str, str, str, str]]:
    from app.extraction.text.view import words_of

    return [(w.text, w.lower, w.lemma, w.pos, w.dep, w.ent_type, w.ent_iob)
            for w in words_of(doc)]


def test_words_of_string_cache_spans_vocabs_and_stays_bounded(
    extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    """words_of keeps the strings it read across Docs (keyed by hash): a Doc of another
    pipeline's vocab, a word first seen inside a memory zone and read again after it, and a
    cache emptied at its bound all still give what each Token says."""
    from app.extraction.text import view

    sv, en = extractor.pipelines["sv"], extractor.pipelines["en"]
    texts = ["Kommunalrådet Ylva Quarnström sade att bron öppnar i maj.",
             "Councillor Ylva Quarnström said the bridge opens in May."]
    for nlp, text in ((sv, texts[0]), (en, texts[1]), (sv, texts[0])):
        with nlp.memory_zone():
            doc = nlp(text)
            assert _word_fields(doc) == _token_fields(doc)
        # A new Doc after the zone freed its strings: the cached ones must still be right.
        again = nlp(text)
        assert _word_fields(again) == _token_fields(again)
    assert get_string_id("bron") in view._NAMES
    monkeypatch.setattr(view, "NAMES_KEPT", 10)
    for nlp, text in ((sv, texts[0]), (en, texts[1])):
        doc = nlp(text)
        assert _word_fields(doc) == _token_fields(doc)
        # emptied before each Doc when over the bound: only this Doc's strings are left
        assert len(view._NAMES) <= 1 + 6 * len(doc)
    assert get_string_id("bron") not in view._NAMES  # the Swedish Doc's word went
    assert view._NAMES[0] == ""

def _matcher_speakers(nlp: object, lang: str, doc: Doc) -> dict[int, int]:
    """What spaCy's DependencyMatcher gives for the language's pattern file (the reference)."""
    from spacy.matcher import DependencyMatcher

    from app.extraction.lexicon import dependency_patterns
    from app.extraction.text.syntax import _fill

    component = nlp.get_pipe(COMPONENT)  # type: ignore[attr-defined]
    matcher = DependencyMatcher(nlp.vocab)  # type: ignore[attr-defined]
    forms = sorted(component.lexicons[lang].verb_forms)
    for entry in dependency_patterns(lang):
        matcher.add(entry["id"], [_fill(entry["pattern"], forms)])
    out: dict[int, int] = {}
    for _, (cue, speaker, *_rest) in matcher(doc):
        out.setdefault(cue, speaker)
    return out


def test_direct_patterns_equal_the_dependency_matcher(extractor: Extractor) -> None:
    """The shipped two-node patterns run straight on the token arrays: same cue -> speaker as
    the DependencyMatcher, with two subjects of one verb (the first wins), a passive subject,
    a root cue, "according to" (the cue depends on its speaker) and words the vocab lacks."""
    nlp = extractor.pipelines["en"]
    words = ["Zqxbrook", "and", "Lee", "said", "it", ",", "according", "to", "Vwyth", ",",
             "and", "it", "was", "said", "by", "Holm", "."]
    heads = [3, 2, 3, 3, 3, 3, 8, 6, 3, 3, 13, 13, 13, 3, 15, 13, 3]
    deps = ["nsubj", "cc", "nsubj", "ROOT", "obj", "punct", "case", "fixed", "obl", "punct",
            "cc", "nsubj:pass", "aux:pass", "conj", "case", "obl:agent", "punct"]
    pos = ["PROPN", "CCONJ", "PROPN", "VERB", "PRON", "PUNCT", "VERB", "ADP", "PROPN",
           "PUNCT", "CCONJ", "PRON", "AUX", "VERB", "ADP", "PROPN", "PUNCT"]
    doc = Doc(nlp.vocab, words=words, heads=heads, deps=deps, pos=pos)
    component = nlp.get_pipe(COMPONENT)
    assert component.syntax.matcher is None  # the shipped patterns take the direct path
    got = component.syntax.speakers(doc)
    assert got == {3: 0, 6: 8, 13: 11}
    assert got == _matcher_speakers(nlp, "en", doc)


def test_direct_patterns_equal_the_matcher_on_parsed_swedish(extractor: Extractor) -> None:
    nlp = extractor.pipelines["sv"]
    text = ("– Det här är fel, sade statsministern Ulf Kristersson på tisdagen. Enligt "
            "Magdalena Andersson har regeringen misslyckats. Hon sa att det var dags, och "
            "Jimmie Åkesson och Ebba Busch sade detsamma.")
    with nlp.select_pipes(disable=[COMPONENT]):
        doc = nlp(text)
    got = nlp.get_pipe(COMPONENT).syntax.speakers(doc)
    assert got  # the parse gives at least one speaker here
    assert got == _matcher_speakers(nlp, "sv", doc)


def test_other_pattern_shapes_run_on_the_dependency_matcher(extractor: Extractor,
                                                           monkeypatch: object) -> None:
    """A pattern the direct path does not cover (here: a three-node one) is not dropped."""
    import app.extraction.text.syntax as syntax

    nlp = extractor.pipelines["en"]
    three = [{"RIGHT_ID": "cue", "RIGHT_ATTRS": {"LOWER": "said"}},
             {"LEFT_ID": "cue", "REL_OP": ">", "RIGHT_ID": "speaker",
              "RIGHT_ATTRS": {"DEP": "nsubj"}},
             {"LEFT_ID": "speaker", "REL_OP": ">", "RIGHT_ID": "part",
              "RIGHT_ATTRS": {"DEP": "compound"}}]
    monkeypatch.setattr(syntax, "dependency_patterns",  # type: ignore[attr-defined]
                        lambda lang, lexicon_dir=None: [{"id": "three", "pattern": three}])
    rules = syntax.SyntaxRules(nlp.vocab, nlp.get_pipe(COMPONENT).lexicons["en"])
    assert rules.pairs is None and rules.matcher is not None
    assert rules.speakers(parsed_doc(extractor)) == {8: 1}
