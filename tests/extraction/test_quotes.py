"""Finding quote regions in raw text: marks, apostrophes, mismatches, unbalanced marks."""

from __future__ import annotations

import pytest

from app.extraction.find.marks import (
    QuoteRegion,
    find_quotes,
    is_dash_paragraph,
    join_broken_lines,
)
from app.extraction.lexicon import load_lexicon, load_marks
from app.extraction.pipeline import Extractor
from app.extraction.segments import Paragraph, paragraph_bounds

SV = load_lexicon("sv")
EN = load_lexicon("en")


def regions(text: str, lang: str = "sv") -> tuple[list[QuoteRegion], dict[str, int]]:
    paras = [Paragraph(s, e, lang) for s, e in paragraph_bounds(text)]
    lex = EN if lang == "en" else SV
    return find_quotes(
        text, paras, load_marks(), frozenset({"sv"}), lambda w: lex.cue_lemma(w) is not None
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
    """A mark left open inside the reporter's phrase opens no quote."""
    text = "Den ”nya bron öppnar i maj.\nHon svarade ”ja” direkt."
    found, stats = regions(text)
    assert [text[r.start : r.end] for r in found] == ["ja"]
    assert stats["unbalanced_marks"] == 1


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Han sa ”hej och gick.\nHon svarade ”ja” direkt.", "sv", ["hej och gick.", "ja"]),
        ('Eva Holm said: "We will not sell. It stays ours.\n\nThe board meets in May.', "en",
         ["We will not sell. It stays ours."]),
        ("Mötet drog ut på tiden. ”Vi säljer inte hamnen\n\nFullmäktige möts i maj.", "sv",
         ["Vi säljer inte hamnen"]),
        # an earlier quote restarted by a second opening mark: nothing runs on
        ('Eva Holm said "We will not sell. "It stays ours.\n\nThe board meets.', "en", []),
    ],
)
def test_quote_that_never_closes_runs_to_the_end_of_its_paragraph(
    text: str, lang: str, expected: list[str]
) -> None:
    """GUIDELINES: a mark that opens an utterance (after a speech verb, a colon, a sentence
    end, or at the paragraph's start) and never closes: the span runs to the paragraph end."""
    found, _ = regions(text, lang)
    assert [text[r.start : r.end] for r in found] == expected
    assert all(r.close_mark is None for r in found[:1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('Ola Berg wrote: "The "new" pier is the old one. Nobody was fooled."',
         ['The "new" pier is the old one. Nobody was fooled.']),
        ("Ola Berg wrote: “The “new” pier is the old one.” Then he left.",
         ["The “new” pier is the old one."]),
        ("Han skrev: ”Den ”nya” piren är den gamla.” Sedan gick han.",
         ["Den ”nya” piren är den gamla."]),
        ("‘They told us “wait”, so we waited,’ Ola Berg said.",
         ["They told us “wait”, so we waited,"]),
        ("'They told us \"wait\", so we waited,' Ola Berg said.",
         ['They told us "wait", so we waited,']),
        # the first quote lost its closing mark: the second starts afresh, as before
        ('He was calm. "We are ready. "We will win," Ola Berg said.', ["We will win,"]),
    ],
)
def test_double_quote_nested_in_a_quote_is_one_quote(
    text: str, expected: list[str]
) -> None:
    """GUIDELINES: marks nested inside a quote are not annotated apart, also when the
    nested marks are the same double marks as the outer ones, or double inside single."""
    assert contents(text, "en") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('We will open the pier in May," Ola Berg said.', ["We will open the pier in May,"]),
        ('It was cold. We will open the pier in May," Mayor Ola Berg told reporters.',
         ["We will open the pier in May,"]),
        ('Berg spoke first. "We will go," she said. Lund agreed. We will help," he said.',
         ["We will go,", "We will help,"]),
        # no attribution after the mark: a stray mark (inches, a typo), skipped
        ('The shop sold a 55" screen for half price.', []),
        ('We will open the pier in May" and the mayor said so.', []),
    ],
)
def test_missing_opening_mark_before_a_named_speaker_is_repaired(
    text: str, expected: list[str]
) -> None:
    """A closing mark with no opening one, followed by a short speaker phrase and its verb:
    the quote starts where the sentence does."""
    assert contents(text, "en") == expected


@pytest.mark.parametrize("mark", ["″", "＂"])
def test_other_double_marks(mark: str) -> None:
    """The double prime and the fullwidth mark some sites use as quotation marks."""
    text = f"Ola Berg said: {mark}We will open the pier in May.{mark}"
    assert contents(text, "en") == ["We will open the pier in May."]


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


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ('Eva Holm said: "We will not sell the harbour. It stays ours.\n\nThe board meets.',
         "We will not sell the harbour. It stays ours."),
        ('Eva Holm wrote: "The "new" pier is the old one. Nobody was fooled."',
         'The "new" pier is the old one. Nobody was fooled.'),
        ("Eva Holm said: ″We will open the pier in May.″", "We will open the pier in May."),
    ],
)
def test_unclosed_nested_and_other_marks_end_to_end(
    extractor: Extractor, text: str, span: str
) -> None:
    """Through the shipped pipeline: one direct quote, exact span, the named speaker (the
    unclosed quote once came out as a clause with its opening mark in it)."""
    quotes = extractor.extract(text).quotes
    start = text.index(span)
    assert [(q.start, q.end, q.type, q.speaker) for q in quotes] == [
        (start, start + len(span), "direct", "Eva Holm")]


BLOCK = ("The panel set out what hosts must do:\n\n\n By this ruling, the panel finds that a host "
         "may be told to remove posts that repeat the unlawful one.\n\n\n – Eastwick High Court"
         "\n\nThe ruling cannot be appealed.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (BLOCK, ["By this ruling, the panel finds that a host may be told to remove posts that "
                 "repeat the unlawful one."]),
        # no intro ending in a colon: a paragraph of the reporter's, then a stray line
        (BLOCK.replace("must do:", "must do."), []),
        # a tweet's signature is no credit line
        (BLOCK.replace("– Eastwick High Court", "— Eastwick Court (@ehc) May 2, 2024"), []),
        # a lowercase line after the dash is no name
        (BLOCK.replace("– Eastwick High Court", "– more on this below"), []),
    ],
)
def test_block_quote_credited_by_a_dash_line(text: str, expected: list[str]) -> None:
    """GUIDELINES 11: a passage without marks between a colon intro and a credit line of a
    dash and a name is a quote; the credit line is not."""
    assert contents(text, "en") == expected


def test_block_quote_only_outside_dash_languages() -> None:
    """In Swedish the dash line is a dash quote of its own, and the passage no block quote."""
    text = BLOCK.replace("– Eastwick High Court", "– Vi är klara med domen, säger Eva Holm.")
    assert contents(text, "sv") == ["Vi är klara med domen, säger Eva Holm."]


def test_block_quote_speaker_is_its_credit_line(extractor: Extractor) -> None:
    """Through the shipped pipeline: the body the credit line names is the speaker."""
    text = BLOCK.replace("The panel set out", "Hosts must act fast. The rules set out")
    span = ("By this ruling, the panel finds that a host may be told to remove posts that "
            "repeat the unlawful one.")
    quotes = extractor.extract(text).quotes
    start = text.index(span)
    assert [(q.start, q.end, q.type, q.speaker) for q in quotes] == [
        (start, start + len(span), "direct", "Eastwick High Court")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"We will open\nthe pier\nin May," Ola Berg said.', ['We will open\nthe pier\nin May,']),
        ("”Vi öppnar\npiren\ni maj”, säger Ola Berg.", ["Vi öppnar\npiren\ni maj"]),
        # a blank line between: a new paragraph, no join
        ('"We will open\n\nthe pier\nin May," Ola Berg said.', []),
    ],
)
def test_quote_broken_over_several_lines_is_one_quote(text: str, expected: list[str]) -> None:
    """Hard line breaks inside a paragraph: a quote open at the end of a line that closes a
    few lines on, the lines between without marks, is one quote."""
    paras = join_broken_lines(
        text, [Paragraph(s, e, "en") for s, e in paragraph_bounds(text)], load_marks())
    found, _ = find_quotes(text, paras, load_marks(), frozenset(), lambda w: False)
    assert [text[r.start : r.end] for r in found if r.close_mark is not None] == expected
