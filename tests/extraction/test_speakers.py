"""Canonical names within an article: surnames, titles and roles come back to one speaker."""

from __future__ import annotations

from app.extraction.pipeline import Extractor

ARTICLE = (
    "Socialministerns pressekreterare svarade inte.\n"
    "Statsminister Eva Lund talade i riksdagen på onsdagen.\n"
    "Lund sa att budgeten är ”stark nog för två år”.\n"
    "”Vi har gjort vårt jobb”, sade statsministern efter debatten.\n"
    "Oppositionsledaren Jonas Berg var inte imponerad.\n"
    "– Det här är en budget för de redan rika, säger Berg."
)


def test_mentions_resolve_to_one_canonical_name(extractor: Extractor) -> None:
    result = extractor.extract(ARTICLE)
    speakers = [q.speaker for q in result.quotes if q.type != "indirect"]
    assert speakers == ["Eva Lund", "Eva Lund", "Jonas Berg"]


def test_speaker_records_keep_roles_and_mentions(extractor: Extractor) -> None:
    result = extractor.extract(ARTICLE)
    by_name = {s.name: s for s in result.speakers}
    lund = by_name["Eva Lund"]
    assert lund.kind == "PER"
    assert "Statsminister" in lund.roles
    assert "statsministern" in lund.mentions
    assert "Jonas Berg" in by_name


def test_unknown_speaker_is_null_not_a_guess(extractor: Extractor) -> None:
    result = extractor.extract("”Det här blir bra.”\nVädret var fint i hela landet i går.")
    assert [q.speaker for q in result.quotes] == [None]


def test_english_title_and_surname(extractor: Extractor) -> None:
    text = (
        "Prime Minister Alan Grey met the unions on Tuesday.\n"
        '"We have found common ground," Grey said after the meeting.'
    )
    (q,) = extractor.extract(text).quotes
    assert q.speaker == "Alan Grey"
    assert q.speaker_mention == "Grey"


def test_entities_skip_sentence_initial_words(extractor: Extractor) -> None:
    result = extractor.extract("Strax därpå kom beskedet från Anna Berg i Umeå.")
    texts = {e.text for e in result.entities}
    assert "Anna Berg" in texts
    assert "Strax" not in texts
    assert all(e.source in ("ner", "heuristic") for e in result.entities)


def test_interview_answers_belong_to_the_interviewee(extractor: Extractor) -> None:
    text = (
        "Intervju: Lena Falk driver en gård utanför byn.\n"
        "Hur går det?\n– Bra, men det är tufft.\n"
        "Vad gör du nu?\n– Jag planerar för nästa år."
    )
    assert [q.speaker for q in extractor.extract(text).quotes] == ["Lena Falk", "Lena Falk"]
