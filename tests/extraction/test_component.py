"""The quote component in the shape spaCy expects: what it assigns, nlp.evaluate scores its
quotes, a saved pipeline carries its lexicon."""

from __future__ import annotations

import json
from pathlib import Path

import spacy
from spacy.training import Example
from spacy.util import registry

from app.extraction.component import COMPONENT, SCORER, SPAN_KEY
from app.extraction.pipeline import load_pipeline

TEXT = "”Vi öppnar bron i morgon”, säger Anna Berg.\nHon kvittrar: ”Det blir fint.”"


def test_it_declares_what_it_assigns() -> None:
    nlp = load_pipeline("sv", blank=True)
    meta = nlp.get_pipe_meta(COMPONENT)
    assert "doc.spans" in meta.assigns and "doc._.citat_analysis" in meta.assigns
    assert registry.scorers.get(SCORER) is not None


def test_nlp_evaluate_scores_the_quotes() -> None:
    nlp = load_pipeline("sv", blank=True)
    reference = nlp.make_doc(TEXT)
    gold = reference.char_span(1, 24, label="direct")
    assert gold is not None and gold.text == "Vi öppnar bron i morgon"
    reference.spans[SPAN_KEY] = [gold]
    scores = nlp.evaluate([Example(nlp.make_doc(TEXT), reference)])
    # The second quote (no speech verb in the lexicon) is not in the reference.
    doc = nlp(TEXT)
    found = [s.text for s in doc.spans[SPAN_KEY]]
    assert scores["quotes_r"] == 1.0
    assert scores["quotes_p"] == 1 / len(found)
    assert scores["quotes_per_type"]["direct"]["r"] == 1.0


def test_a_saved_pipeline_carries_its_lexicon(tmp_path: Path) -> None:
    nlp = load_pipeline("sv", blank=True)
    nlp.to_disk(tmp_path / "pipeline")
    saved = tmp_path / "pipeline" / COMPONENT / "lexicon"
    assert sorted(p.name for p in saved.iterdir()) == ["en", "marks.json", "sv"]
    assert (saved / "sv" / "patterns.json").is_file()
    # Teach the saved lexicon a new speech verb: the loaded pipeline reads that file.
    file = saved / "sv" / "lexicon.json"
    data = json.loads(file.read_text(encoding="utf-8"))
    data["speech_verbs"]["kvittra"] = ["kvittrar"]
    file.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    loaded = spacy.load(tmp_path / "pipeline")

    def cues(pipeline: spacy.language.Language) -> list[str | None]:
        doc = pipeline(TEXT)
        return [s._.citat_cue for s in doc.spans[SPAN_KEY]]

    assert "kvittrar" not in cues(nlp)
    assert cues(loaded) == ["säger", "kvittrar"]


def test_pipe_without_spans_keeps_the_analysis_and_makes_no_spans() -> None:
    nlp = load_pipeline("sv", blank=True)
    (with_spans,) = nlp.pipe([TEXT])
    (without,) = nlp.pipe([TEXT], component_cfg={COMPONENT: {"spans": False}})
    first = with_spans.spans[SPAN_KEY][0]
    assert (first.start_char, first.end_char, first._.citat_speaker) == (1, 24, "Anna Berg")
    assert SPAN_KEY not in without.spans
    found = [(c.start, c.end) for c in without._.citat_analysis.candidates]
    assert found == [(c.start, c.end) for c in with_spans._.citat_analysis.candidates]
    assert (1, 24) in found
    assert without._.citat_analysis.decision.resolved[0].name == "Anna Berg"


def test_pipe_reads_the_texts_it_is_given_when_they_fit_the_docs() -> None:
    """The Extractor hands the component the texts the Docs were made from (``Doc.text``
    joins them again from the tokens): a text of the Doc's length is read as given, one of
    another length is not the Doc's and the Doc's own text is read instead."""
    nlp = load_pipeline("sv", blank=True)
    plain = "x" * len(TEXT)  # the Doc's length, no quotation marks in it
    given, shorter = (
        doc._.citat_analysis
        for doc in nlp.pipe([TEXT, TEXT], component_cfg={
            COMPONENT: {"spans": False, "texts": [plain, TEXT[:20]]}}))
    assert given.candidates == []  # it read the text it was given: nothing quoted there
    found = [(c.start, c.end) for c in shorter.candidates]
    assert (1, 24) in found and shorter.decision.resolved[found.index((1, 24))].name == (
        "Anna Berg")
