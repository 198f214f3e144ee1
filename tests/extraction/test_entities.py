"""One label per name in an article (app.extraction.resolve.entities.harmonize)."""

from __future__ import annotations

from app.extraction.lexicon import load_lexicon
from app.extraction.records import ExtractedEntity
from app.extraction.resolve.entities import harmonize

ORG_WORD = load_lexicon("sv").is_org_word


def _ents(*items: tuple[str, str]) -> list[ExtractedEntity]:
    out, pos = [], 0
    for text, label in items:
        out.append(ExtractedEntity(text, label, pos, pos + len(text)))
        pos += len(text) + 10
    return out


def _labels(ents: list[ExtractedEntity]) -> list[tuple[str, str]]:
    return [(e.text, e.label) for e in ents]


def test_a_full_name_with_a_known_first_name_is_a_person() -> None:
    got = harmonize(_ents(("Sergey Lavrov", "ORG"), ("Anna Berg", "LOC"),
                          ("Anna Stiftelsen", "ORG"), ("Sergey", "LOC")), ORG_WORD)
    # "Stiftelsen" is an organisation word; a lone first name is not a full name.
    assert _labels(got) == [("Sergey Lavrov", "PER"), ("Anna Berg", "PER"),
                            ("Anna Stiftelsen", "ORG"), ("Sergey", "LOC")]


def test_a_surname_tagged_as_an_organisation_follows_the_person() -> None:
    got = harmonize(_ents(("Keir Starmer", "PER"), ("Starmer", "ORG"),
                          ("George Washington", "PER"), ("Washington", "LOC")), ORG_WORD)
    assert _labels(got) == [("Keir Starmer", "PER"), ("Starmer", "PER"),
                            ("George Washington", "PER"), ("Washington", "LOC")]


def test_the_majority_label_wins_and_a_tie_stays() -> None:
    ents = _ents(("Moskva", "LOC"), ("Moskva", "PER"), ("Moskva", "LOC"),
                 ("Kiev", "PER"), ("Kiev", "LOC"))
    got = harmonize(ents, ORG_WORD)
    assert _labels(got) == [("Moskva", "LOC")] * 3 + [("Kiev", "PER"), ("Kiev", "LOC")]
    assert [(e.start, e.end) for e in got] == [(e.start, e.end) for e in ents]
