"""Paragraph languages: lingua's fast mode on long paragraphs, its full mode on short ones."""

from __future__ import annotations

from app.extraction import segments
from app.extraction.segments import LOW_ACCURACY_MIN_CHARS, detect_paragraphs, guess_language

# An invented headline of the kind the low-accuracy mode got wrong (too few trigrams).
HEADLINE = "Arrest made as mayor of Lund, Sweden stabbed on stage"
SV_LONG = ("Regeringen presenterade på tisdagen ett förslag som ska göra det lättare för "
           "kommunerna att bygga fler bostäder, och oppositionen var snabb att kritisera det.")
EN_LONG = ("The government presented a proposal on Tuesday that is meant to make it easier "
           "for municipalities to build more homes, and the opposition was quick to object.")


def test_short_text_uses_the_full_mode_and_long_text_the_fast_one(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    modes: list[bool] = []
    real = segments._detector

    def spy(low_accuracy: bool = False, names: tuple[str, ...] = ()) -> object:
        modes.append(low_accuracy)
        return real(low_accuracy, names)

    monkeypatch.setattr(segments, "_detector", spy)
    assert sum(ch.isalpha() for ch in HEADLINE) < LOW_ACCURACY_MIN_CHARS
    assert guess_language(HEADLINE)[0] == "en"
    assert guess_language(SV_LONG) == ("sv", guess_language(SV_LONG)[1])
    assert guess_language(EN_LONG)[0] == "en"
    assert modes == [False, True, True, True]


def test_an_english_paragraph_inside_a_swedish_article_keeps_its_language() -> None:
    text = f"{SV_LONG}\n\n{EN_LONG}\n\n{HEADLINE}\n\n{SV_LONG}"
    article, paragraphs = detect_paragraphs(text)
    assert article == "sv"
    assert [p.language for p in paragraphs] == ["sv", "en", "en", "sv"]
    assert [text[p.start:p.end] for p in paragraphs] == [SV_LONG, EN_LONG, HEADLINE, SV_LONG]


def test_sentence_bounds_end_at_stops_before_capitals_but_not_after_abbreviations() -> None:
    """Sentences end at . ! ? … (a closing mark or bracket may follow) before a capital, a
    digit, a mark or a dash; not after an abbreviation ("Dr.") or an initial ("J.")."""
    from app.extraction.lexicon import load_lexicon
    from app.extraction.segments import sentence_bounds

    text = "Dr. Ek kom hem. ”Det var bra.” Sedan gick J. Holm ut (igen.) Nu? – Ja... 12 st."
    bounds = sentence_bounds(text, 0, len(text), load_lexicon("sv").abbreviations)
    assert [text[s:e] for s, e in bounds] == [
        "Dr. Ek kom hem.", "”Det var bra.", "Sedan gick J. Holm ut (igen.)", "Nu?", "– Ja...",
        "12 st."]
    assert bounds[:2] == [(0, 15), (16, 29)]
    # a range inside a longer text: offsets stay the text's
    assert sentence_bounds("Slut. Början här. Mer.", 6, 22, frozenset()) == [(6, 17), (18, 22)]
