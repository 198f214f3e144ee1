"""Translation pairing (app/verify/pairs.py): ``pairs`` compares each quote with the same
speaker's quotes in the other language only, and finds exactly what scoring every pair would."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.storage.verifications import QuoteFactsRow as Facts
from app.verify.pairs import pairs, translation_score

SV = "Vi behöver hjälp med ekonomin och tullarna, och vi får alltid stöd av Norge"
EN = "We need help with the economy and the tariffs, and we always get support from Norway"
OTHER_SV = "Skolan i Lund ska byggas om under hösten"


def _every_pair(new: list[Facts], others: list[Facts]) -> list[tuple[int, int, float]]:
    found: dict[tuple[int, int], float] = {}
    for q in new:
        for o in others:
            if o.id != q.id and (score := translation_score(q, o)) > 0:
                found[(min(q.id, o.id), max(q.id, o.id))] = score
    return sorted((a, b, s) for (a, b), s in found.items())


def test_pairs_equal_scoring_every_pair() -> None:
    day = datetime(2026, 3, 1)
    rows = []
    for i in range(60):  # speakers 1-4 and none, sv/en/de, articles a day apart
        lang = ("sv", "en", "de")[i % 3]
        text = {"sv": SV, "en": EN, "de": EN}[lang] if i % 4 else OTHER_SV
        rows.append(Facts(i + 1, text, lang, (i % 5) or None, 1 + i // 6, None,
                          day + timedelta(days=i // 6)))
    new, others = rows[:20], rows[20:]
    got = pairs(new, [*new, *others])
    assert got == _every_pair(new, [*new, *others])
    assert len(got) > 5 and all(a < b and s > 0 for a, b, s in got)
    ids = {q.id: q for q in rows}
    for a, b, _ in got:  # same speaker, one Swedish and one English quote
        assert ids[a].speaker_id == ids[b].speaker_id is not None
        assert {ids[a].language, ids[b].language} == {"sv", "en"}


def test_a_pair_needs_the_same_speaker() -> None:
    day = datetime(2026, 3, 1)
    sv = Facts(1, SV, "sv", 7, 1, None, day)
    assert pairs([sv], [Facts(2, EN, "en", 7, 2, None, day)])[0][:2] == (1, 2)
    assert pairs([sv], [Facts(2, EN, "en", 8, 2, None, day)]) == []
    assert pairs([sv], [Facts(2, EN, "en", None, 2, None, day)]) == []
