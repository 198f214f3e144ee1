"""Rule by rule, on hand-built Docs (no pipeline): one table per rule, invented sentences."""

from __future__ import annotations

import pytest

from app.extraction.attribute.kinds import is_direct, not_a_quote
from app.extraction.attribute.names import is_genitive
from app.extraction.attribute.unmarked import IndirectFinder
from app.extraction.resolve.speakers import decide_speakers

from .handbuilt import rules, view, word

# -- the cue predicate (TextView.cue_at) ------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "lang", "at", "lemma", "pos"),
    [
        ("Det var bra, sade Eva Lind.", "sv", "sade", "säga", None),
        ("Det var bra, menar hon.", "sv", "menar", "mena", None),
        ("Sade hon något?", "sv", "Sade", None, None),  # capitalised: a question, no cue
        ("Det så kallade förslaget.", "sv", "kallade", None, None),  # naming a term
        ("”Nej” är ett svar, sade han.", "sv", "Nej", None, None),  # no speech verb at all
        ("It will work, she said.", "en", "said", "say", None),
        ("The reports were late.", "en", "reports", None, None),  # after a determiner
        ("It was commonly called a plan.", "en", "called", None, None),  # naming
        ("Claims of fraud spread.", "en", "Claims", None, None),  # capitalised
        ("Its claims were false.", "en", "claims", None, {"claims": "NOUN"}),  # tagged noun
        ("She claims it was false.", "en", "claims", "claim", {"claims": "VERB"}),
    ],
)
def test_cue_at(text: str, lang: str, at: str, lemma: str | None,
                pos: dict[str, str] | None) -> None:
    v = view(text, lang, pos)
    cue = v.cue_at(word(v, at))
    assert (cue.lemma if cue else None) == lemma


def test_a_speech_verb_inside_quotes_is_no_cue_unless_asked() -> None:
    v = view("Hon skrev: ”Vi sade nej.”")
    at = word(v, "sade")
    assert v.cue_at(at) is None
    cue = v.cue_at(at, inside_quotes=True)
    assert cue is not None and cue.lemma == "säga"


# -- owners (attribute/names.is_genitive): the s-genitive is a Swedish behaviour flag --------


@pytest.mark.parametrize(
    ("text", "lang", "at", "owner"),
    [
        ("Bolagets vd Eva Lind svarade.", "sv", "Bolagets", True),
        ("Kommunens ordförande Per Ek svarade.", "sv", "Kommunens", True),
        ("Jonas har svarat.", "sv", "Jonas", False),  # a verb follows: a name
        ("Thomas ordförande svarade.", "en", "Thomas", False),  # no s-genitive in English
        ("The company's chair said no.", "en", "company", True),  # English 's
    ],
)
def test_is_genitive(text: str, lang: str, at: str, owner: bool) -> None:
    v = view(text, lang)
    assert is_genitive(v, v.words[word(v, at)]) is owner


# -- speaker evidence of a marked quote (attribute/marked.Attributor) ------------------------


@pytest.mark.parametrize(
    ("text", "lang", "how", "mention", "cue"),
    [
        ("”Vi bygger en bro”, sade Eva Lind.", "sv", "inverted", "Eva Lind", "sade"),
        ("”Vi bygger en bro”, säger kommunens ordförande Per Ek.", "sv", "inverted", "Per Ek",
         "säger"),
        ("”Vi bygger en bro”, enligt Eva Lind.", "sv", "according", "Eva Lind", "enligt"),
        ("Eva Lind: ”Vi bygger en bro.”", "sv", "colon", "Eva Lind", None),
        ("Eva Lind sade att de ”bygger en bro”.", "sv", "cue", "Eva Lind", "sade"),
        ("”We will build a bridge,” Mary Stone said.", "en", "subject", "Mary Stone", "said"),
        ("”We will build a bridge,” said Mary Stone.", "en", "inverted", "Mary Stone", "said"),
    ],
)
def test_marked_quote_evidence(text: str, lang: str, how: str, mention: str,
                               cue: str | None) -> None:
    r = rules(text, lang)
    (region,) = r.view.regions
    (cand,) = r.attributor.marked(region, None)
    assert (cand.how, cand.mention.text if cand.mention else None, cand.cue) == (
        how, mention, cue)


def test_a_quote_with_no_cue_inherits_its_speaker() -> None:
    r = rules("Eva Lind kom till mötet.\n”Vi bygger en bro i år.”")
    (cand,) = r.attributor.marked(r.view.regions[0], None)
    assert cand.inherit and cand.how == "inherit" and cand.mention is None


# -- what kind of quote (attribute/kinds) ----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "has_cue", "direct", "not_quote"),
    [
        ("Hon sade: ”Vi bygger en bro.”", True, True, False),
        ("Hon sade att de ”bygger en bro” i år.", True, False, False),
        # Without a cue, a few quoted words inside a clause are a term: "”…” i år".
        ("Planen heter ”bygger en bro” i år.", False, False, True),
        ("Det så kallade ”brobygget” fortsätter.", True, False, True),  # a scare marker
        ("En ”Bro mot framtiden”-kampanj startar.", False, False, True),  # part of a compound
    ],
)
def test_kinds(text: str, has_cue: bool, direct: bool, not_quote: bool) -> None:
    r = rules(text)
    (region,) = r.view.regions
    assert is_direct(r.view, r.phrases, region) is direct
    assert not_a_quote(r.view, region, has_cue=has_cue, direct=direct) is not_quote


# -- quotes without marks (attribute/unmarked: reported clauses, attributed sentences) ------


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Eva Lind sade att bron blir klar i maj.", "sv",
         [("bron blir klar i maj", "indirect", "Eva Lind", "sade")]),
        ("Eva Lind sade inte att bron blir klar.", "sv", []),  # negated: no report
        ("Det kommer att bli en bro.", "sv", []),  # "kommer att" reports nothing
        ("Bron blir klar i maj. Det säger Eva Lind.", "sv",
         [("Bron blir klar i maj", "indirect", "Eva Lind", "säger")]),
        ("Mary Stone said that the bridge opens in May.", "en",
         [("the bridge opens in May", "indirect", "Mary Stone", "said")]),
        ("Mary Stone said the bridge was finished in May.", "en",  # a bare report (a flag)
         [("the bridge was finished in May", "indirect", "Mary Stone", "said")]),
    ],
)
def test_unmarked_quotes(text: str, lang: str,
                         expected: list[tuple[str, str, str, str]]) -> None:
    r = rules(text, lang)
    found = IndirectFinder(r.view, r.phrases).find()
    assert [(text[c.start:c.end], c.type, c.mention.text if c.mention else None, c.cue)
            for c in found] == expected


# -- the final speaker (resolve/speakers.decide_speakers) -----------------------------------


@pytest.mark.parametrize(
    ("text", "speakers"),
    [
        # A surname, a pronoun and a title refer back to the person named in full.
        ("Eva Lind leder projektet.\n”Bron blir klar”, säger Lind.", ["Eva Lind"]),
        ("Eva Lind leder projektet.\n”Bron blir klar”, säger hon.", ["Eva Lind"]),
        ("Ordföranden Per Ek svarade.\n”Bron blir klar”, säger ordföranden.", ["Per Ek"]),
        # A continuation paragraph inherits; first person stays unknown.
        ("”Bron blir klar”, säger Eva Lind.\n”Vi är nöjda.”", ["Eva Lind", "Eva Lind"]),
        ("”Bron blir klar”, säger jag.", [None]),
    ],
)
def test_decide_speakers(text: str, speakers: list[str | None]) -> None:
    r = rules(text)
    cands = [c for region in r.view.regions for c in r.attributor.marked(region, None)]
    decision = decide_speakers(cands, r.mentions, r.view.sentences,
                               [(p.start, p.end) for p in r.view.paragraphs])
    assert [res.name for res in decision.resolved] == speakers
