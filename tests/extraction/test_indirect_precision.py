"""Unquoted reported speech, precision (issue 20: indirect speech P ≥ 0.85): words after a
speech verb that are no reported clause stay out, the reported clause itself stays in.

Invented sentences, run through the shipped pipelines (the extractor users get).
"""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

#: (name, text, the indirect spans expected, in order)
CASES: list[tuple[str, str, list[str]]] = [
    # -- an -ing participle is no finite verb: no clause after the speech verb -----------
    ("en-participle-after-an-object",
     "A property website reported some sellers offering free parking to buyers.", []),
    ("en-participle-object", "The mayor posted a photo showing the flooded square.", []),
    # -- an agentless "it was reported that" -------------------------------------------------
    ("en-as-someone-said", "As the minister said on Monday, the factory will close in March.",
     ["the factory will close in March"]),
    ("en-it-was-reported", "It was reported that the bridge was unsafe.", []),
    ("en-was-told-that", "Lund was told that the ferry had sunk.", []),
    ("en-were-warned-that", "Residents were warned that the river would flood.", []),
    ("en-told-that-active", "Police told residents that the river would flood.",
     ["the river would flood"]),
    ("en-said-to-be", "The bridge is said to be unsafe.", []),
    # -- the speech verb after a comma has its own complement ------------------------------
    ("en-recalled-doing",
     "While few of the players had met before, Kerr recalled meeting the coach in 2010.", []),
    ("en-described-doing",
     "Although the ferry was late, Lund described arriving in time for the wedding.", []),
    ("en-lead-said", "The ferry will be late on Monday, Lund said.",
     ["The ferry will be late on Monday"]),
    ("en-lead-told-an-addressee", "The ferry will be late on Monday, Lund told reporters.",
     ["The ferry will be late on Monday"]),
    # -- a conjunction before "according to" ends the reporter's own clause ---------------
    ("en-but-according-to",
     "The company gave no reason for the delay, but, according to a union official, the "
     "machines had failed.", ["the machines had failed"]),
    ("en-but-according-to-no-comma",
     "The council gave no figures but according to the police, 20 people were hurt.",
     ["20 people were hurt"]),
    ("sv-men-enligt",
     "Bolaget gav inget skäl till förseningen, men enligt facket hade maskinerna gått sönder.",
     ["hade maskinerna gått sönder"]),
    # -- a subordinate clause alone before ", X recalled …" states nothing (2026-12-05) -----
    ("en-subordinate-lead-own-complement",
     "While few of the young players were fans of the sport at first, Marsh recalled going "
     "to matches with her uncle every Saturday.", []),
    ("en-subordinate-lead-then-main-clause",
     "Although the storm had passed, the ferry stayed in port, Lund said.",
     ["Although the storm had passed, the ferry stayed in port"]),
    # -- where a clause without "that" cannot start or is no statement (2026-12-05) -------
    ("en-said-weekday-dash-aside",
     "Investigators charged the driver with manslaughter, they said Tuesday — a charge "
     "carrying a sentence of up to ten years.",
     ["Investigators charged the driver with manslaughter"]),
    ("en-said-weekday-clause", "Officials said Monday the bridge would reopen in May.",
     ["the bridge would reopen in May"]),
    ("en-elliptical-it-would",
     "The bridge collapsed far from where the engineers had earlier predicted it would.", []),
    ("en-long-clause-ending-in-would",
     "Rescuers said the boat sank faster than the crew had expected it would.",
     ["the boat sank faster than the crew had expected it would"]),
    ("en-said-in-a-televised-address",
     '"We will not give up," Mr Dalton said in a widely watched address.', []),
    ("en-announced-time-comma-clause",
     "The company announced on its website at noon, the ferry would resume on Friday.",
     ["the ferry would resume on Friday"]),
    # -- an object, then a relative clause without "that" --------------------------------
    ("en-object-then-relative", "He continued to write letters he would send to his sister.",
     []),
    ("en-object-then-relative-2", "She wrote songs her brother would sing at weddings.", []),
    ("en-the-subject-after-the-verb",
     "On Tuesday the forecasters reported the storm weakened off the coast.",
     ["the storm weakened off the coast"]),
    # -- the reporter's question before ", X said" is nobody's words ----------------------
    ("sv-question-then-answer", "Betyder det att bron stängs för gott? Nej, inte alls, säger "
     "Per Lund.", ["Nej, inte alls"]),
    ("en-question-then-answer",
     "Will the ferry run in winter? The company expects it will not, a spokesman said.",
     ["The company expects it will not"]),
    # -- questions, and reports that stay ------------------------------------------------
    ("en-asked-whether", "Lund asked whether the bridge would reopen.", []),
    ("en-explained-why", "Lund explained why the ferry was late on Monday.", []),
    ("en-told-reporters-what", "Lund told reporters what the council had decided.", []),
    ("en-saying-how", "The company posted a notice saying how many ships are in use.", []),
    ("en-a-question-word-inside-the-clause", "Lund said questions remain how the ferry sank.",
     ["questions remain how the ferry sank"]),
    ("sv-frågade-om", "Lund frågade om bron skulle öppna igen.", []),
    ("sv-det-uppges", "Det uppges att bron är osäker.", []),
    ("en-police-said", "Police said two men were arrested on Monday.",
     ["two men were arrested on Monday"]),
    ("en-told-reporters-bare", "The minister told reporters the bridge would reopen in May.",
     ["the bridge would reopen in May"]),
    ("en-according-to-first", "According to the fire service, the blaze started in the kitchen.",
     ["the blaze started in the kitchen"]),
    # -- an aside about the source after "According to X," is no part of the report -------
    ("en-according-to-role-apposition",
     "According to Ann Reid, the port authority's spokeswoman, the crossing was delayed by fog.",
     ["the crossing was delayed by fog"]),
    ("en-according-to-who",
     "According to Professor Tom Hale, who chairs the harbour board, the crossing was delayed "
     "by fog.", ["the crossing was delayed by fog"]),
    ("en-according-to-which",
     "According to the harbour report, which was published on Monday, the crossing was "
     "delayed by fog.", ["the crossing was delayed by fog"]),
    ("sv-enligt-som",
     "Enligt Eva Lind, som leder hamnstyrelsen, försenades överfarten av dimma.",
     ["försenades överfarten av dimma"]),
    # (a subject with an apposition of its own, no role word: the report keeps it)
    ("en-according-to-then-subject-apposition",
     "According to the police, the driver, a 40-year-old man, was arrested.",
     ["the driver, a 40-year-old man, was arrested"]),
    ("sv-säger-att", "Polisen säger att två män har gripits.", ["två män har gripits"]),
    ("sv-lead-säger", "Färjan blir sen på måndag, säger Lund.", ["Färjan blir sen på måndag"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reported_clauses_and_what_is_none(
    extractor: Extractor, name: str, text: str, expected: list[str]
) -> None:
    """Exactly the reported clauses come out as indirect quotes, at their offsets."""
    got = [(q.start, q.end) for q in extractor.extract(text).quotes if q.type == "indirect"]
    assert got == [(text.index(x), text.index(x) + len(x)) for x in expected]


def test_a_first_person_lead_keeps_its_own_question(extractor: Extractor) -> None:
    """A lead paragraph in the speaker's words asks its own question: all of it is direct."""
    text = ("Vi måste bygga nu. Vem ska annars göra det? Vi har väntat i tio år, säger "
            "kommunalrådet Per Lund.\n\nBron ska vara klar 2028.")
    span = "Vi måste bygga nu. Vem ska annars göra det? Vi har väntat i tio år"
    (q,) = extractor.extract(text).quotes
    assert (q.start, q.end, q.type, q.speaker) == (0, len(span), "direct", "Per Lund")
