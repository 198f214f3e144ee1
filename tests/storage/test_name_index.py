"""The names in memory (app/storage/name_index.py) answer the search page's name questions as
the database does: names that contain the text (in name order), speakers named exactly,
speakers within a few typos (and, unlike SQLite's first-letter candidates, a typo in the first
letter too); and the search page uses them while a process keeps counts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.config import Settings
from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.main import create_app
from app.storage import name_index, queries
from tests.factories import soup

PEOPLE = [("Sergej Lavrov", "Lavrov"), ("Åsa Öberg", "Öberg"), ("Anna Berg", "Berg"),
          ("Annika Bergström", "Bergström"), ("Jens Stoltenberg", "Stoltenberg"),
          ("Kajsa Lund", "hon"), ("Länsstyrelsen i Skåne", "Länsstyrelsen")]
PLACES = ["Malmö", "Bergen", "Lunds universitet"]


def _text(i: int, name: str, mention: str) -> str:
    return f"{mention} sade: ”Vi talar om {PLACES[i % 3]} och om läget nr {i}”."


class People:
    """Each article: one quote by one person, mentioned by a short form, naming a place."""

    def extract(self, text: str, language: str | None = None) -> Extraction:
        i = int(text.rsplit("nr ", 1)[1].split("”")[0])
        name, mention = PEOPLE[i % len(PEOPLE)]
        said = text[text.index("”") + 1:text.rindex("”")]
        start = text.index(said)
        place = PLACES[i % 3]
        at = text.index(place)
        return Extraction("sv", (ExtractedQuote(said, start, start + len(said), "direct", name,
                                                mention, "sade", 0.9, 0.95, "sv"),),
                          (ExtractedEntity(place, "LOC", at, at + len(place)),),
                          (ExtractedSpeaker(name, "PER", (name, mention), ()),))


def _store(session: Session) -> None:
    for i in range(len(PEOPLE) * 2):
        name, mention = PEOPLE[i % len(PEOPLE)]
        ingest(session, People(), ArticleIn(text=_text(i, name, mention), title=f"A{i}"))
    session.commit()


def test_the_same_answers_as_the_database(session: Session) -> None:
    _store(session)
    names = name_index.load(session)
    for text in ("berg", "Berg", "ÅSA", "an", "lunds", "stolten", "skåne", "nobody", "v",
                 "länsstyrelsen i", "Bergen"):
        asked = queries.find_by_name(session, text)
        held = queries.find_by_name(session, text, names=names)
        assert [s.id for s in held[0]] == [s.id for s in asked[0]], text
        assert [e.id for e in held[1]] == [e.id for e in asked[1]], text
    # Fewer asked for than contain the text: the first in name order, as the database sorts
    # them (the scan stops there; Anna Berg's name and her mention "Berg" both hold it).
    for text, limit in (("berg", 2), ("berg", 1), ("an", 1), ("er", 2)):
        asked = queries.find_by_name(session, text, limit=limit)
        held = queries.find_by_name(session, text, limit=limit, names=names)
        assert [s.id for s in held[0]] == [s.id for s in asked[0]], text
        assert len(held[0]) == limit, text
        assert [e.id for e in held[1]] == [e.id for e in asked[1]], text
    for text in ("Lavrov", "sergej lavrov", "berg", "Öberg", "hon", "Länsstyrelsen",
                 "Lavrof", "Stoltenber", "Bergstrom", "nobody at all"):
        asked_n = queries.named_speakers(session, text)
        held_n = queries.named_speakers(session, text, names=names)
        assert [(n.speaker.id, n.quotes, n.fuzzy) for n in held_n] == [
            (n.speaker.id, n.quotes, n.fuzzy) for n in asked_n], text
    # A typo in the first letter: the database's SQLite candidates share the first letter,
    # the names in memory do not need to.
    typo = queries.named_speakers(session, "Kavrov", names=names)
    assert [n.speaker.name for n in typo] == ["Sergej Lavrov"] and typo[0].fuzzy


def test_the_names_found_are_plain_rows_not_orm_objects(session: Session) -> None:
    """The search page's name box (``find_by_name`` and ``named_speakers`` with the names in
    memory) reads the few rows it shows on the connection: every column, the right ones, in
    order, and nothing left in the session's identity map."""
    _store(session)
    names = name_index.load(session)
    session.expunge_all()
    speakers, entities = queries.find_by_name(session, "berg", names=names)
    named = queries.named_speakers(session, "Lavrov", names=names)
    fuzzy = queries.named_speakers(session, "Lavrof", names=names)
    assert len(session.identity_map) == 0
    assert [(s.name, s.slug) for s in speakers] == [
        ("Anna Berg", "anna-berg"), ("Annika Bergström", "annika-bergstrom"),
        ("Jens Stoltenberg", "jens-stoltenberg"), ("Åsa Öberg", "asa-oberg")]
    assert all(isinstance(s.id, int) and s.kind for s in speakers)
    assert [(e.name, e.label) for e in entities] == [("Bergen", "LOC")]
    assert [(n.speaker.name, n.speaker.surname, n.quotes, n.fuzzy) for n in named] == [
        ("Sergej Lavrov", "lavrov", 2, False)]
    assert [(n.speaker.slug, n.fuzzy) for n in fuzzy] == [("sergej-lavrov", True)]


def test_names_of_a_length_range_are_gathered_once(session: Session) -> None:
    """The typo search gathers the names of the lengths a key can reach once per range, and
    answers the same from them the second time; another key of the same length shares them."""
    _store(session)
    names = name_index.load(session)
    first = names.speakers_like("lavrof", 80)
    assert [names.speakers[i] for i in first] == ["Sergej Lavrov"]
    ranges = dict(names._speaker_ranges)
    assert len(ranges) == 1
    (words, owners), = ranges.values()
    assert "lavrov" in words and len(words) == len(owners)
    assert names.speakers_like("lavrof", 80) == first
    assert names.speakers_like("kavrov", 80) == first  # the same length: the same range
    assert names._speaker_ranges == ranges
    assert names.speakers_like("stoltenber", 80) != first
    assert len(names._speaker_ranges) == 2
    assert names.entities_like("malmo", 80, 5) == [
        i for i, n in names.entities.items() if n == "Malmö"]
    assert len(names._entity_ranges) == 1 and not names._entity_ranges.keys() & {(0, 0)}


def test_the_search_page_uses_them_while_counts_are_kept(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"cache_seconds": 30}),
                     extractor=People())  # type: ignore[arg-type]
    with TestClient(app) as client, Session(app.state.engine) as session:
        _store(session)
        page = soup(client.get("/search?q=Lavrof").text)
        assert [a.get_text() for a in page.select(".did-you-mean a")] == ["Sergej Lavrov"]
        page = soup(client.get("/search?q=berg").text)
        expected = [sp.name for sp in queries.find_by_name(session, "berg")[0]]
        assert len(expected) >= 3
        assert [str(a.contents[0]).strip() for a in page.select(".named-speaker")] == expected
        assert isinstance(app.state.cache.kept("name-index", lambda: None),
                          name_index.NameIndex)


def test_a_text_is_looked_for_only_in_the_keys_holding_its_rarest_piece() -> None:
    # Invented keys, several a owner (a name and its aliases), in name order as stored.
    names = {1: "Alma Tovesson", 2: "Bertil Tovesson", 3: "Cilla Rand", 4: "Dora Randberg",
             5: "Einar Ek"}
    pairs = [("alma tovesson", 1), ("tovesson", 1), ("bertil tovesson", 2), ("cilla rand", 3),
             ("dora randberg", 4), ("randberg", 4), ("einar ek", 5), ("ek", 5),
             ("ingen ägare", 9)]  # an owner not among the names: left out
    keys = name_index._Keys.of(pairs, names)
    assert list(keys.keys) == ["alma tovesson", "tovesson", "bertil tovesson", "cilla rand",
                         "dora randberg", "randberg", "einar ek", "ek"]
    assert list(keys.grams["son"]) == [0, 1, 2] and list(keys.grams["and"]) == [3, 4, 5]
    assert "ägar" not in keys.text and "n ä" not in keys.grams

    def scan(needle: str, limit: int) -> list[int]:  # every key in order, as the database
        return list(dict.fromkeys(o for k, o in zip(keys.keys, keys.owners, strict=True)
                                  if needle in k))[:limit]

    for needle in ("tovesson", "son", "vess", "rand", "randb", "a t", "ek", "e", "nar e",
                   "ovesson x", "zzz", "sson\nrand", "berg", "il to", "a"):
        for limit in (1, 2, 5):
            assert keys.containing(needle, limit) == scan(needle, limit), (needle, limit)
    # A text across two names (a space inside one): only the name that holds it.
    assert list(keys.grams["a t"]) == [0] and keys.containing("a t", 5) == [1]
    # A piece in no key: no key is read at all.
    assert keys.grams.get("xyz") is None and keys.containing("xyzzy", 5) == []


def test_the_names_in_memory_give_the_collector_little_to_walk(session: Session) -> None:
    """Built again every CITAT_CACHE_SECONDS in every web process: its numbers and names are
    tuples and strings, which the garbage collector stops following once it has met them, so
    the containers it walks do not grow with the archive (each list and set of ids was walked
    again by every collection of its generation, every request of the process waiting)."""
    import gc

    from app.storage.models import Entity

    _store(session)
    # Invented places, many: the count of containers must not follow them.
    session.add_all(Entity(name=f"Orten Vrå {i}", label="LOC", slug=f"orten-vra-{i}",
                           name_key=f"orten vrå {i}") for i in range(300))
    session.commit()
    names = name_index.load(session)
    assert len(names.entities) > 300

    def containers(root: object) -> int:
        seen: set[int] = set()
        stack, found = [root], 0
        while stack:
            obj = stack.pop()
            if id(obj) in seen or isinstance(obj, type):
                continue
            seen.add(id(obj))
            if gc.is_tracked(obj):
                found += 1
                stack.extend(gc.get_referents(obj))
        return found

    gc.collect()  # what any collection does on meeting it first
    assert containers(names) < 100
    assert names.speakers_like("lavrof", 80) and names.entities_like("orten vrå 7", 90, 3)


def test_the_names_are_read_again_only_when_one_may_have_changed(session: Session) -> None:
    """A web process asks for the names every CITAT_CACHE_SECONDS; while no speaker, alias,
    entity or correction was added or removed it keeps the names it holds (the build held the
    process's requests up), and a new name, an editor's rename or a merge is read again."""
    from app.services.accounts import create_user
    from app.storage import corrections
    from app.storage.models import Entity

    _store(session)
    first = name_index.load(session)
    assert name_index.load(session, first) is first  # nothing changed: the same names
    assert name_index.load(session) is not first  # nothing held: read

    session.add(Entity(name="Ny Plats", label="LOC", slug="ny-plats", name_key="ny plats"))
    session.commit()
    second = name_index.load(session, first)
    assert second is not first and second.stamp != first.stamp
    assert queries.find_by_name(session, "ny plats", names=second)[1][0].name == "Ny Plats"
    assert queries.find_by_name(session, "ny plats", names=first)[1] == []
    assert name_index.load(session, second) is second

    editor = create_user(session, "redaktor", "ett långt lösenord här")
    session.commit()
    assert name_index.load(session, second) is second  # a user is no name
    corrections.rename_speaker(session, editor, "sergej-lavrov", "Sergej V. Lavrov")
    session.commit()
    third = name_index.load(session, second)
    assert third is not second
    assert [s.name for s in queries.find_by_name(session, "sergej v", names=third)[0]] == [
        "Sergej V. Lavrov"]
    anna, annika = (queries.find_by_name(session, n)[0][0].slug for n in ("anna berg",
                                                                         "annika berg"))
    corrections.merge_speakers(session, editor, annika, anna)
    session.commit()
    fourth = name_index.load(session, third)
    assert fourth is not third
    assert [s.slug for s in queries.find_by_name(session, "annika", names=fourth)[0]] == [
        s.slug for s in queries.find_by_name(session, "annika")[0]]
