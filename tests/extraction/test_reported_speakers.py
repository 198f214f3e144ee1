"""Who speaks in reported speech (issue 20, helper "enindir"): generic speakers are nobody,
organisation names keep their numbers, "No.", "and" and the body noun after them. Invented
texts; each case runs the shipped pipelines with the learned chooser (what users get) and
checks the exact quote, its type and its speaker."""

from __future__ import annotations

import pytest

from app.extraction.pipeline import Extractor

LEAD_EN = "A storm hit the coast of Velmar on Tuesday. "
LEAD_SV = "Stormen drog in över Sjöstad i tisdags. "

CASES: list[tuple[str, str, list[tuple[str, str, str | None]]]] = [
    # -- a generic plural is nobody (GUIDELINES section 2, decision 3) ----------------------
    ("en-officials", LEAD_EN + "Officials said the harbour wall had cracked in two places.",
     [("the harbour wall had cracked in two places", "indirect", None)]),
    ("en-authorities", LEAD_EN + "Authorities stated the bridge was closed until Friday.",
     [("the bridge was closed until Friday", "indirect", None)]),
    ("en-experts", "A storm hit the coast. Experts said the damage would take months to repair.",
     [("the damage would take months to repair", "indirect", None)]),
    ("en-nationality-officials", LEAD_EN + "Norwegian officials said two sailors were missing.",
     [("two sailors were missing", "indirect", None)]),
    ("en-local-officials", LEAD_EN + "Local officials said on Saturday, about 20 sheds collapsed.",
     [("about 20 sheds collapsed", "indirect", None)]),
    ("en-officials-split", LEAD_EN + "The harbour wall, officials said, had cracked in two places.",
     [("The harbour wall", "indirect", None), ("had cracked in two places", "indirect", None)]),
    # -- unless the phrase names the body they speak for (decision 3) ---------------------
    ("en-body-officials", LEAD_EN + "Health Ministry officials said three people were injured.",
     [("three people were injured", "indirect", "Health Ministry")]),
    # -- the whole organisation name ------------------------------------------------------
    ("en-us-survey", LEAD_EN + "The US Geological Survey said the tremor was minor.",
     [("the tremor was minor", "indirect", "US Geological Survey")]),
    ("en-number-in-name", LEAD_EN + "The Harbour 9 Project said three boats had sunk.",
     [("three boats had sunk", "indirect", "Harbour 9 Project")]),
    ("en-and-in-name",
     LEAD_EN + "The Flood and Storm Response Agency reported the river was rising.",
     [("the river was rising", "indirect", "Flood and Storm Response Agency")]),
    ("en-body-noun", LEAD_EN + "The Chilean government said it would send aid.",
     [("it would send aid", "indirect", "Chilean government")]),
    ("en-place-police", LEAD_EN + "Kent County police said two roads were flooded.",
     [("two roads were flooded", "indirect", "Kent County police")]),
    ("en-according-embassy",
     LEAD_EN + "According to the Canadian embassy in Lima, two tourists were missing.",
     [("two tourists were missing", "indirect", "Canadian embassy")]),
    # -- "X noted, that …": the cue reports the that-clause, not the words before it -------
    ("en-noted-comma-that",
     LEAD_EN + "Forecasters said the storm was stronger than expected, suggesting, officials "
     "noted, that the models need work.",
     [("the storm was stronger than expected", "indirect", None),
      ("the models need work", "indirect", None)]),
    # -- Swedish: the same generic plural after the verb ----------------------------------
    ("sv-myndigheterna-after", LEAD_SV + "Tre personer skadades, uppger myndigheterna.",
     [("Tre personer skadades", "indirect", None)]),
]


@pytest.mark.parametrize(("name", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reported_speakers(
    extractor: Extractor, name: str, text: str, expected: list[tuple[str, str, str | None]]
) -> None:
    quotes = extractor.extract(text).quotes
    assert [(q.text, q.type, q.speaker) for q in quotes] == expected
    assert all(text[q.start : q.end] == q.text for q in quotes)


@pytest.mark.parametrize(("text", "names"), [
    # numbers, "No." and "and" inside an organisation's capitalised run
    ("Yesterday the Harbour 9 Project and Jane Roe stayed silent.",
     [("Harbour 9 Project", "org"), ("Jane Roe", "name")]),
    ("The judges read the Coastal Relief Act No. 12 aloud.",
     [("Coastal Relief Act No. 12", "name")]),
    ("Later the Flood and Storm Response Agency closed the road.",
     [("Flood and Storm Response Agency", "org")]),
    # two bodies joined by "and" stay two; a person before "and" is no part of a body
    ("Later the Acme Agency and Beta Bank closed the road.",
     [("Acme Agency", "org"), ("Beta Bank", "org")]),
    ("Later Jane Roe and Acme Agency closed the road.",
     [("Jane Roe", "name"), ("Acme Agency", "org")]),
    # a body noun after capitals; not after a time word
    ("Later the Chilean government closed the road.", [("Chilean government", "org")]),
    ("In June police closed the road.", [("police", "org")]),
    # an all-capital "US" is the country, "us" is not a name
    ("Later the US Geological Survey closed the road for us.",
     [("US Geological Survey", "org")]),
])
def test_organisation_names_keep_their_inner_words(text: str, names: list[tuple[str, str]]
                                                   ) -> None:
    """Capitalisation rules alone (no tagger): the organisation is one name."""
    from app.extraction.attribute.mentions import find_mentions
    from tests.extraction.handbuilt import view

    got = [(m.text, m.kind) for m in find_mentions(view(text, lang="en"))
           if m.kind in ("org", "name")]
    assert got == names


@pytest.mark.parametrize(("text", "kinds"), [
    ("Officials said it was over.", [("Officials", "generic")]),
    ("Later experts and officials met.", [("experts", "generic"), ("officials", "generic")]),
    ("Senare sa experterna att det var över.", [("experterna", "generic")]),
])
def test_generic_speakers_are_generic_mentions(text: str, kinds: list[tuple[str, str]]) -> None:
    """The lexicon's generic_speakers make generic mentions, whatever the language."""
    from app.extraction.attribute.mentions import find_mentions
    from tests.extraction.handbuilt import view

    lang = "sv" if "experterna" in text else "en"
    got = [(m.text, m.kind) for m in find_mentions(view(text, lang=lang))
           if m.kind in ("org", "name", "generic")]
    assert got == kinds


@pytest.mark.parametrize(("text", "present", "absent"), [
    ('The Chilean government sent two divers. "The hull is intact," said Dana Kerr.',
     "Chilean government", "Chilean"),
    ('Two US military divers reached the wreck. "The hull is intact," said Dana Kerr.',
     "Dana Kerr", "US military"),
])
def test_a_body_noun_names_an_organisation_unless_it_modifies_a_noun(
    extractor: Extractor, text: str, present: str, absent: str
) -> None:
    """With the tagger: "the Chilean government" is one organisation, but in "US military
    divers" the body noun modifies "divers" and no "US military" may become a candidate."""
    seen: list[object] = []
    extractor.set_recorder(lambda art, lang: seen.append(art))
    try:
        extractor.extract(text)
    finally:
        extractor.set_recorder(None)
    names = set(seen[-1].by_name)  # type: ignore[attr-defined]
    assert present in names and absent not in names
