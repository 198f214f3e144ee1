"""Where a reported clause starts and ends (issue 20, extents): the span the guidelines give
(corpus/GUIDELINES.md section 1 and the decisions of section 5), to the character.

Invented sentences, run through the shipped pipelines (the extractor users get).
"""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

#: (name, text, the indirect spans expected, in order)
CASES: list[tuple[str, str, list[str]]] = [
    # -- "that" clauses conjoined after semicolons are one report (section 1) -------------
    ("en-semicolon-that",
     "The board said that the plan was dropped; that the costs had doubled; and that the "
     "mayor would resign.",
     ["the plan was dropped; that the costs had doubled; and that the mayor would resign"]),
    ("sv-semikolon-att",
     "Styrelsen uppger att planen har skrotats; att kostnaderna har fördubblats; och att "
     "ordföranden avgår.",
     ["planen har skrotats; att kostnaderna har fördubblats; och att ordföranden avgår"]),
    # (a semicolon before a new main clause still ends the report)
    ("en-semicolon-new-clause",
     "The board said that the plan was dropped; the mayor stayed silent.",
     ["the plan was dropped"]),
    # -- a participle inside the reported clause stays in it (decision 22) ----------------
    ("en-participle-in-clause",
     "Officials said the ferry hit a rock, leading to a leak in the hull.",
     ["the ferry hit a rock, leading to a leak in the hull"]),
    # (a speech verb's or a credit's participle is the reporter's: a report of its own, or
    # none)
    ("en-citing-after-clause",
     "The landlord said the boiler would be fixed soon, citing a shortage of parts.",
     ["the boiler would be fixed soon"]),
    ("en-saying-after-clause",
     "The company said the plant would close, saying demand had fallen.",
     ["the plant would close", "demand had fallen"]),
    # -- a gerund subject opens the clause ------------------------------------------------
    ("en-gerund-subject",
     "The chef said cooking for the whole village was the best part of the job.",
     ["cooking for the whole village was the best part of the job"]),
    ("en-gerund-subject-bare-clause",
     "The bank said paying back the loan seems realistic.",
     ["paying back the loan seems realistic"]),
    ("en-gerund-subject-short",
     "Tom Hale said paying the debt seems hard.", ["paying the debt seems hard"]),
    # -- "according to" an outlet that relays what a named speaker said -----------------
    # (section 2: the outlet is a credit; the clause the speaker's verb reports is the report)
    ("en-according-lead-relays-that-clause",
     "According to the Daily Post, the mayor has said that the trams will stop running.",
     ["the trams will stop running"]),
    ("en-according-trailing-relays-bare-clause",
     "Acme Paper said it was working hard to restock, according to the Daily Post.",
     ["it was working hard to restock"]),
    ("sv-enligt-relays-att-clause",
     "Enligt Dagens Post säger borgmästaren Eva Lind att spårvagnarna slutar gå.",
     ["spårvagnarna slutar gå"]),
    # (an unnamed source inside: the outlet's sentence stays the report)
    ("en-according-relays-unnamed",
     "According to the Daily Post, staff at the depot have said that the trams will stop "
     "running.", ["staff at the depot have said that the trams will stop running"]),
    # (no verb of its own: the clause after the source is the report)
    ("en-according-lead-plain",
     "According to the Daily Post, the trams will stop running.",
     ["the trams will stop running"]),
    # -- a credit that closes a relative clause reports its predicate (decision 14) ------
    ("en-according-closes-relative",
     "The chief apologised to the council, which the mayor accepted according to a statement "
     "by the city.", ["the mayor accepted"]),
    # -- a credit that closes a subordinate clause: without the subordinator (section 1) --
    ("en-according-closes-subordinate",
     "While few residents own a car according to a 2015 survey, most drivers commute from "
     "the suburbs.", ["few residents own a car"]),
    # -- a name in apposition to the source is no part of the report ---------------------
    ("en-according-name-apposition",
     "According to his sister, Maria, the climber fell from a ledge near the summit.",
     ["the climber fell from a ledge near the summit"]),
    # -- a sentence-initial connective stays out (decision 26) ---------------------------
    ("en-however-said",
     "However, the road was closed for two days, the council said.",
     ["the road was closed for two days"]),
    ("sv-men-säger",
     "Men vägen var stängd i två dagar, enligt kommunen.",
     ["vägen var stängd i två dagar"]),
    ("sv-däremot-säger",
     "Däremot, vägen var stängd i två dagar, säger kommunen.",
     ["vägen var stängd i två dagar"]),
    # (a time phrase is not a connective: it stays)
    ("en-yesterday-said",
     "Yesterday, the road was closed for two days, the council said.",
     ["Yesterday, the road was closed for two days"]),
    # -- the comma after "that" before an aside is no part of the span --------------------
    ("en-that-comma-aside",
     "The mayor said that, in a phone call on Monday, the minister had promised new funds.",
     ["in a phone call on Monday, the minister had promised new funds"]),
    ("sv-att-komma",
     "Borgmästaren säger att, efter mötet i går, ministern lovade nya pengar.",
     ["efter mötet i går, ministern lovade nya pengar"]),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reported_clause_extents(
    extractor: Extractor, name: str, text: str, expected: list[str]
) -> None:
    """Exactly the reported clauses come out as indirect quotes, at their offsets."""
    got = [(q.start, q.end) for q in extractor.extract(text).quotes if q.type == "indirect"]
    assert got == [(text.index(x), text.index(x) + len(x)) for x in expected]
