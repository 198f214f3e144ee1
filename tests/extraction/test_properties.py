"""Property tests: any text, no exception, offsets inside the text, no overlapping quotes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from spacy.util import raise_error

from app.extraction.component import COMPONENT, keep_going
from app.extraction.pipeline import Extractor


@pytest.fixture(scope="module")
def strict(extractor: Extractor) -> Iterator[Extractor]:
    """The shared extractor with its quote components raising instead of degrading
    (spaCy's default error handler)."""
    components = [nlp.get_pipe(COMPONENT) for nlp in extractor.pipelines.values()]
    for c in components:
        c.set_error_handler(raise_error)
    try:
        yield extractor
    finally:
        for c in components:
            c.set_error_handler(keep_going)

PIECES = [
    "”", "“", "„", "»", "«", '"', "'", "’", "‘", "–", "—", "-", ":", ",", ".", "?", "\n",
    "\n\n", " ", "säger", "sade", "hon", "han", "att", "enligt", "said", "according to",
    "Anna Berg", "Lund", "Polisen", "the police", "Det", "I’ll", "USA:s", "’90-talet",
    "jag", "premiärministern", "och", "that", "he", "she", "Trump", "Vi ses", "We agree",
]
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(max_size=6)), max_size=40
).map(" ".join)
quick = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@quick
@given(text=texts)
def test_any_text_gives_valid_quotes(strict: Extractor, text: str) -> None:
    result = strict.extract(text)
    last_end = -1
    for q in result.quotes:
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text
        assert q.start >= last_end  # sorted and never overlapping
        last_end = q.end
        assert q.type in ("direct", "partial", "indirect")
        assert 0.0 <= q.confidence <= 1.0
    for e in result.entities:
        assert text[e.start : e.end] == e.text


@quick
@given(text=st.text(max_size=300))
def test_arbitrary_unicode(strict: Extractor, text: str) -> None:
    result = strict.extract(text)
    for q in result.quotes:
        assert text[q.start : q.end] == q.text


def test_empty_and_whitespace(strict: Extractor) -> None:
    assert strict.extract("").quotes == ()
    assert strict.extract(" \n\n\t ").quotes == ()


def test_a_failing_doc_degrades(extractor: Extractor, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("odd text")

    monkeypatch.setattr("app.extraction.component.analyse", boom)
    for nlp in extractor.pipelines.values():  # the handler load_pipeline sets
        monkeypatch.setattr(nlp.get_pipe(COMPONENT), "error_handler", keep_going)
    result = extractor.extract("”Hej”, säger Anna Berg.")
    assert result.quotes == ()
    assert result.stats["failed"] == 1


def test_without_a_handler_a_failure_raises_like_any_spacy_component(
    extractor: Extractor, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("odd text")

    monkeypatch.setattr("app.extraction.component.analyse", boom)
    nlp = extractor.pipelines["sv"]
    monkeypatch.setattr(nlp.get_pipe(COMPONENT), "error_handler", raise_error)
    with pytest.raises(RuntimeError, match="odd text"):
        nlp("”Hej”, säger Anna Berg.")
