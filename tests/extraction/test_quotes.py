"""Finding quote regions in raw text: marks, apostrophes, mismatches, unbalanced marks."""

from __future__ import annotations

import pytest

from app.extraction.find.marks import QuoteRegion, find_quotes, is_dash_paragraph
from app.extraction.lexicon import load_lexicon, load_marks
from app.extraction.segments import Paragraph, paragraph_bounds

SV = load_lexicon("sv")


def regions(text: str, lang: str = "sv") -> tuple[list[QuoteRegion], dict[str, int]]:
    paras = [Paragraph(s, e, lang) for s, e in paragraph_bounds(text)]
    return find_quotes(
        text, paras, load_marks(), frozenset({"sv"}), lambda w: SV.cue_lemma(w) is not None
    )


def contents(text: str, lang: str = "sv") -> list[str]:
    found, _ = regions(text, lang)
    return [text[r.start : r.end] for r in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hon sa: ”Vi kommer tillbaka i morgon.”", ["Vi kommer tillbaka i morgon."]),
        ("»Det här är bra», säger Per.", ["Det här är bra"]),
        ("»Det här är bra«, säger Per.", ["Det här är bra"]),
        ("«Oui», he said.", ["Oui"]),
        ("„Ja“, sade hon.", ["Ja"]),
        ('"Yes," she said.', ["Yes,"]),
        ("‘No,’ he said.", ["No,"]),
        ("“We are ready,” she said.", ["We are ready,"]),
        ("De kallade idén ” tomma ” i går.", ["tomma"]),
        ("Han sa att de ”kan klara sig själva ” utan hjälp.", ["kan klara sig själva"]),
        # Apostrophes are no quotation marks.
        ("I’ll come back to USA’s plan from the ’90s, he said.", []),
        ("Musiken från ’90-talet och USA:s plan.", []),
        ("The players' union met on Monday.", []),
        # Nested single quotes stay inside the double quote.
        ("“He told me ‘never again’ in May,” she said.", ["He told me ‘never again’ in May,"]),
    ],
)
def test_marked_quotes(text: str, expected: list[str]) -> None:
    assert contents(text) == expected


def test_offsets_exclude_marks() -> None:
    text = "Hon sa: ”Vi ses.”"
    (r,) = regions(text)[0]
    assert (r.start, r.end) == (9, 16)
    assert text[r.open_mark or 0] == "”" and text[r.close_mark or 0] == "”"


def test_mismatched_pairs_from_machine_translation() -> None:
    text = "Hon kallade det en ”stark allians ’, och tillade att ’vi står alltid bakom er”."
    assert contents(text) == ["stark allians", "vi står alltid bakom er"]


def test_unbalanced_mark_is_skipped_and_counted() -> None:
    text = "Han sa ”hej och gick.\nHon svarade ”ja” direkt."
    found, stats = regions(text)
    assert [text[r.start : r.end] for r in found] == ["ja"]
    assert stats["unbalanced_marks"] == 1


def test_missing_opening_mark_before_attribution_is_repaired() -> None:
    text = "”Jag är glad”, säger Eva. Nu börjar arbetet.” , fortsätter hon."
    assert contents(text) == ["Jag är glad", "Nu börjar arbetet."]


def test_english_multi_paragraph_quote_is_one_group() -> None:
    text = "“The first part goes on.\n“The second part ends here,” she said."
    found, stats = regions(text, "en")
    assert [text[r.start : r.end] for r in found] == [
        "The first part goes on.",
        "The second part ends here,",
    ]
    assert found[0].group == found[1].group
    assert stats["multi_paragraph"] == 1


@pytest.mark.parametrize(
    ("text", "is_quote"),
    [
        ("– Vi ses i morgon, säger Anna.", True),
        ("- Vi ses i morgon, säger Anna.", True),
        ("-För mig är det viktigt, säger Anna.", True),
        ("— Göteborgs Tidning (@gtidning) 3 mars 2025", False),
        ("-5 grader i natt.", False),
    ],
)
def test_dash_paragraphs(text: str, is_quote: bool) -> None:
    assert (is_dash_paragraph(text, 0, len(text), load_marks()) is not None) is is_quote


def test_dash_quotes_only_in_dash_languages() -> None:
    text = "– This is a list item in English."
    assert contents(text, "en") == []
    assert contents(text.replace("This is a list item in English", "Vi ses"), "sv") == ["Vi ses."]
