"""Finding reported speech without marks in English (issue 20): which clauses are reported and
where their spans start and end, on the shipped pipelines (the parse decides most of these).

Invented sentences. Only the spans and types are checked here: who said it is the speaker
rules' and the chooser's business (test_error_classes.py, test_attribution.py).
"""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

Expected = list[tuple[str, str]]

CASES: list[tuple[str, str, Expected]] = [
    # -- reported clauses without "that" whose subject the parser hung on the verb ----------
    (
        "time-phrase-then-subject-with-relative",
        "Ferry captain Nils Warden said on Tuesday the harbour wall, which is old in places, "
        "will be repaired before winter.",
        [("the harbour wall, which is old in places, will be repaired before winter",
          "indirect")],
    ),
    (
        "name-with-relative-clause-as-subject",
        "The Weekly Courier reported Marsh, who lives in Dover, will be buried on Friday.",
        [("Marsh, who lives in Dover, will be buried on Friday", "indirect")],
    ),
    (
        "no-starts-the-subject-not-a-negation",
        "Hospital staff in Lenton said no trace of the drug was found in his blood.",
        [("no trace of the drug was found in his blood", "indirect")],
    ),
    (
        "negated-cue-reports-nothing",
        "The coach did not say the team would move to a new ground.",
        [],
    ),
    (
        "relative-clause-after-report-still-ends-it",
        "The clerk said the hall was closed, which upset the choir.",
        [("the hall was closed", "indirect")],
    ),
    (
        "subject-hung-on-a-time-noun",
        "Port official Dan Moss said this morning the pier itself, which is new, will be "
        "checked as part of the inquiry.",
        [("the pier itself, which is new, will be checked as part of the inquiry",
          "indirect")],
    ),
    # -- reported speech in a relative clause: the predicate only --------------------------
    (
        "relative-with-a-noun-subject",
        "The tower was closed in May, which the city council said was due to cracks.",
        [("was due to cracks", "indirect")],
    ),
    (
        "relative-with-a-plural-subject",
        "The roads were flooded, which police say could take days to clear.",
        [("could take days to clear", "indirect")],
    ),
    (
        "relative-clause-without-a-speech-verb-is-no-report",
        "The roads were flooded, which the farmers had feared for weeks.",
        [],
    ),
    # -- "…, X announced." closing the sentence ------------------------------------------
    (
        "closing-attribution-with-a-role-before-the-name",
        "The singer died on Friday at the age of 80, her daughter Ann Lowe announced.",
        [("The singer died on Friday at the age of 80", "indirect")],
    ),
    (
        "closing-attribution-by-generic-officials",
        "The water has been cut off, council officials stated.",
        [("The water has been cut off", "indirect")],
    ),
    (
        "closing-relative-clause-is-no-attribution",
        "The crowd heard pleas from the lawyers, who argued his youth.",
        [],
    ),
    (
        "scene-setting-clause-before-the-reporter-is-not-reported",
        "While few of the players were fans at first, coach Ana Tell said she had always "
        "loved the game.",
        [("she had always loved the game", "indirect")],
    ),
    (
        "closing-attribution-then-a-participle",
        "The firm cut forty jobs, its owners said on Sunday, citing falling sales.",
        [("The firm cut forty jobs", "indirect")],
    ),
    (
        "infinitive-after-the-verb-is-no-report",
        "Rolf Akers later claimed to have no memory of the night the shed burned.",
        [],
    ),
    (
        "split-attribution-reports-only-the-clause-after-a-semicolon",
        "The van hit the barrier; some 40 litres of oil, police said, spilled onto "
        "the road.",
        [("some 40 litres of oil", "indirect"), ("spilled onto the road", "indirect")],
    ),
    (
        "closing-attribution-reports-only-the-clause-after-a-semicolon",
        "The match was called off; the pitch was flooded, the club said.",
        [("the pitch was flooded", "indirect")],
    ),
    # -- "…, according to X." with a longer source phrase ----------------------------------
    (
        "according-to-a-possessive-plural-name",
        "The retired judge died early this morning, in a Lund hospital, according to the "
        "Swedish Judges' Association.",
        [("The retired judge died early this morning, in a Lund hospital", "indirect")],
    ),
    (
        "according-to-a-statement-issued-by",
        "Yesterday, former mayor Ann Holt died, according to a statement released by her "
        "family.",
        [("Yesterday, former mayor Ann Holt died", "indirect")],
    ),
    # -- where the reported clause ends --------------------------------------------------
    (
        "ends-before-a-participle-of-the-reporter",
        "The landlord wrote the heating would be fixed, saying the parts had "
        "finally arrived.",
        [("the heating would be fixed", "indirect"),
         ("the parts had finally arrived", "indirect")],
    ),
    (
        "ends-before-with-and-a-participle",
        "The pilot said he lost sight of the runway, with some passengers claiming the "
        "lights were off.",
        [("he lost sight of the runway", "indirect"), ("the lights were off", "indirect")],
    ),
    (
        "ends-before-a-participle-without-a-clause",
        "The landlord said the heating would be fixed on Monday, citing a delay in parts.",
        [("the heating would be fixed on Monday", "indirect")],
    ),
    (
        "ends-before-prior-to",
        "Magistrate Ellen Cray said she considered the man a danger, prior to setting bail.",
        [("she considered the man a danger", "indirect")],
    ),
    (
        "ends-at-a-semicolon",
        "According to the league, the match was moved to Sunday; fans were told by email.",
        [("the match was moved to Sunday", "indirect")],
    ),
    (
        "ends-at-a-colon-that-opens-a-quote",
        'Nurse Pia Lund said the new wards were only a start: "We need staff '
        'more than beds."',
        [("the new wards were only a start", "indirect"),
         ("We need staff more than beds.", "direct")],
    ),
    (
        "according-to-then-colon-quote",
        'According to inspector Mo Reyes, the fire began in the kitchen: "It spread '
        'within minutes."',
        [("the fire began in the kitchen", "indirect"),
         ("It spread within minutes.", "direct")],
    ),
    (
        "including-stays-in-the-clause",
        "The council said nine roads were closed, including the coast road.",
        [("nine roads were closed, including the coast road", "indirect")],
    ),
    (
        "infinitive-after-decision-is-no-report",
        "The board decided to sell the old depot next year.",
        [],
    ),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reported_clauses(extractor: Extractor, name: str, text: str,
                          expected: Expected) -> None:
    result = extractor.extract(text)
    got = [(q.text, q.type) for q in result.quotes]
    assert got == expected
    for q, (quote, _) in zip(result.quotes, expected, strict=True):
        assert q.start == text.index(quote)
        assert text[q.start : q.end] == quote
