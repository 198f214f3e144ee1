"""Names that stay one person: normalisation, same_person(), saving, entity pages and
``citat names merge`` on a stored archive (invented examples, both languages)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.storage import aggregates, corrections
from app.storage.archive_names import SYSTEM_USER, merge_names
from app.storage.models import (
    Article,
    Correction,
    Entity,
    EntityMention,
    Quote,
    Speaker,
    User,
)
from app.storage.names import clean_name, name_key
from app.storage.people import Person, full_name_in_article, same_person, the_one
from tests.factories import FixedExtractor, soup

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

    from app.config import Settings
    from app.extraction.pipeline import Extractor

KNOWN = {"ryssland", "acme", "norrvik"}


@pytest.mark.parametrize(("name", "label", "stored"), [
    # Titles and adjectives in front of a person's name (sv, en); "" when nothing is left.
    ("Pressade Anna Berg", "PER", "Anna Berg"),
    ("förre statsministern Göran Ek", "PER", "Göran Ek"),
    ("Immunologen Karin Sund", "PER", "Karin Sund"),
    ("Struggling Tom Hale", "PER", "Tom Hale"),
    ("Immunologist Jane Roe", "PER", "Jane Roe"),
    ("Retired Lt", "PER", ""),
    ("State Mary Quill", "PER", "Mary Quill"),
    ("Dr. Lee Park", "PER", "Lee Park"),
    # Only people lose words in front: an organisation's name is its name.
    ("General Widgets", "ORG", "General Widgets"),
    # Genitives: a mark makes it certain; a bare -s needs the base known.
    ("USA:s", "LOC", "USA"),
    ("Acme's", "ORG", "Acme"),
    ("Acme\u2019s", "ORG", "Acme"),
    ("Rysslands", "LOC", "Ryssland"),
    ("Norrviks", "LOC", "Norrvik"),
    ("Lars", "PER", "Lars"),  # not the genitive of "Lar"
    ("Moss", "PER", "Moss"),  # -ss is no genitive
    ("Bus", "ORG", "Bus"),  # too short
    ("Västeråkers", "LOC", "Västeråkers"),  # the base is known nowhere
    # White space.
    ("  Anna   Berg ", "PER", "Anna Berg"),
])
def test_clean_name(name: str, label: str, stored: str) -> None:
    assert clean_name(name, label, KNOWN.__contains__) == stored


def test_case_makes_no_new_name() -> None:
    assert name_key("Kommunen") == name_key("kommunen") == name_key(" KOMMUNEN ")
    assert name_key("Åsa  Öberg") == name_key("åsa öberg")


def test_titles_are_data_not_code() -> None:
    """The words come from the lexicon file, per language, and an unknown key fails."""
    from app.storage.names import LEXICON
    data = json.loads(LEXICON.read_text(encoding="utf-8"))
    assert set(data["languages"]) == {"sv", "en"}
    assert "immunologist" in data["languages"]["en"]["titles"]
    assert "pressade" in data["languages"]["sv"]["adjectives"]


R = frozenset({"chef på ekbackens bruk"})


@pytest.mark.parametrize(("a", "b", "same"), [
    (Person("Donald Trump"), Person("Donald J. Trump"), True),
    (Person("Anna-Lena Berg"), Person("Anna-Lena K. Berg"), True),
    (Person("Anna Lind"), Person("Eva Lind"), False),
    (Person("kommunen", "ORG"), Person("Kommunen", "ORG"), True),
    (Person("Polisen", "ORG"), Person("Polisen i Norrvik", "ORG"), False),
    # A bare surname: only with evidence, never on the name alone.
    (Person("Lindqvist"), Person("Maria Lindqvist"), False),
    (Person("Lindqvist", roles=R), Person("Maria Lindqvist", roles=R), True),
    (Person("Lindqvist", sources=frozenset({"Norrviks Tidning"})),
     Person("Maria Lindqvist", sources=frozenset({"Norrviks Tidning"})), True),
    (Person("Lindqvist", articles=frozenset({7})), Person("Maria Lindqvist",
                                                           articles=frozenset({7})), True),
    (Person("Lindqvist", entities=frozenset({"ekbackens bruk"})),
     Person("Maria Lindqvist", entities=frozenset({"ekbackens bruk"})), True),
    # Their own names are no shared evidence.
    (Person("Lindqvist", entities=frozenset({"lindqvist", "maria lindqvist"})),
     Person("Maria Lindqvist", entities=frozenset({"lindqvist", "maria lindqvist"})), False),
    (Person("Lindqvist", roles=R), Person("Maria Berg", roles=R), False),
    (Person("Lindqvist", "ORG", roles=R), Person("Maria Lindqvist", roles=R), False),
])
def test_same_person(a: Person, b: Person, same: bool) -> None:
    assert same_person(a, b) is same
    assert same_person(b, a) is same


def test_the_one_needs_a_single_person_with_the_surname() -> None:
    bare = Person("Lind", roles=frozenset({"minister"}))
    anna = Person("Anna Lind", roles=frozenset({"minister"}))
    eva = Person("Eva Lind")
    assert the_one(bare, [anna]) == 0
    # Eva shares no evidence, but she has the surname: nobody is chosen.
    assert the_one(bare, [anna, eva]) is None
    assert the_one(Person("Anna K. Lind"), [eva, anna]) == 1
    assert full_name_in_article("Berg", ["Anna Berg", "Tom Hale"]) == "Anna Berg"
    assert full_name_in_article("Anna", ["Anna Berg", "Tom Hale"]) == "Anna Berg"
    assert full_name_in_article("Berg", ["Anna Berg", "Olle Berg"]) is None
    assert full_name_in_article("Anna Berg", ["Anna Berg"]) is None


FIRST = ("Maria Lindqvist, chef på Ekbackens Bruk, säger att fabriken ska byggas ut.\n"
         "”Vi anställer trettio personer till hösten”, säger Maria Lindqvist.\n")
LATER = ("Bruket i Ekbacken växer igen.\n"
         "”Orderboken är full året ut”, säger Lindqvist, chef på Ekbackens Bruk.\n")
OTHER = ("Ishockeyn i Norrvik har en ny tränare.\n"
         "”Vi ska spela snabbare”, säger Lindqvist.\n")


def test_a_bare_surname_later_lands_on_the_full_name(session: Session,
                                                      extractor: Extractor) -> None:
    """Two articles by the real extractor: the later one names only "Lindqvist", with the
    same company; one speaker, one person entity. An unrelated Lindqvist stays apart."""
    ingest(session, extractor, ArticleIn(text=FIRST, source="Ekbackens Kuriren"))
    ingest(session, extractor, ArticleIn(text=LATER, source="Norrviks Tidning"))
    speakers = session.exec(select(Speaker)).all()
    assert [s.name for s in speakers] == ["Maria Lindqvist"]
    quotes = session.exec(select(Quote)).all()
    assert {q.speaker_id for q in quotes} == {speakers[0].id}
    people = session.exec(select(Entity).where(Entity.label == "PER")).all()
    assert [e.name for e in people] == ["Maria Lindqvist"]
    ingest(session, extractor, ArticleIn(text=OTHER, source="Sporten"))
    assert sorted(s.name for s in session.exec(select(Speaker))) == [
        "Lindqvist", "Maria Lindqvist"]


def _article(text: str, entities: list[tuple[str, str]], speaker: str | None = None
             ) -> Extraction:
    ents = tuple(ExtractedEntity(t, label, text.index(t), text.index(t) + len(t))
                 for t, label in entities)
    quotes: tuple[ExtractedQuote, ...] = ()
    speakers: tuple[ExtractedSpeaker, ...] = ()
    if speaker:
        start = text.index("”") + 1
        end = text.index("”", start)
        quotes = (ExtractedQuote(text[start:end], start, end, "direct", speaker, speaker),)
        speakers = (ExtractedSpeaker(speaker, "PER", (speaker,), ()),)
    return Extraction("sv", quotes=quotes, entities=ents, speakers=speakers)


def test_entity_names_are_one_entity_on_save(session: Session) -> None:
    """Genitive, case, a label that varies and a surname after the full name: one entity
    each, labelled by its mentions."""
    t1 = "Rysslands svar kom sent. Ryssland teg. Kommunen i Norrvik och kommunen svarade."
    ingest(session, FixedExtractor(_article(t1, [("Rysslands", "LOC"), ("Ryssland", "LOC"),
                                         ("Kommunen", "ORG"), ("kommunen", "ORG"),
                                         ("Norrvik", "LOC")])), ArticleIn(text=t1))
    t2 = "Ryssland och USA:s regering. Tom Hale talade. Hale var nöjd. RYSSLAND igen."
    ingest(session, FixedExtractor(_article(t2, [("Ryssland", "ORG"), ("USA:s", "LOC"),
                                         ("Tom Hale", "PER"), ("Hale", "PER"),
                                         ("RYSSLAND", "LOC")])), ArticleIn(text=t2))
    stored = {e.name: e.label for e in session.exec(select(Entity))}
    assert stored == {"Ryssland": "LOC", "Kommunen": "ORG", "Norrvik": "LOC", "USA": "LOC",
                      "Tom Hale": "PER"}
    labels = sorted(m.label for m in session.exec(select(EntityMention))
                    if m.text.casefold() == "ryssland")
    assert labels == ["LOC", "LOC", "ORG"]


def test_entity_page_shows_the_merged_entity_once(client: TestClient, settings: Settings
                                                  ) -> None:
    """"Trump" in an article that names Donald Trump is the same entity, and a person who
    speaks has one page: the entity's address leads to the speaker page."""
    from app.storage.db import make_engine
    text = "”Vi bygger murar”, sade Donald Trump. Trump upprepade det. Trump's plan."
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        ingest(session, FixedExtractor(_article(text, [("Donald Trump", "PER"), ("Trump", "PER"),
                                              ("Trump's", "PER")], "Donald Trump")),
               ArticleIn(text=text))
        entity = session.exec(select(Entity)).one()
        speaker = session.exec(select(Speaker)).one()
        slug, speaker_slug = entity.slug, speaker.slug
    engine.dispose()
    moved = client.get(f"/entities/{slug}", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (308, f"/speakers/{speaker_slug}")
    speaker_page = soup(client.get(f"/speakers/{speaker_slug}").text)
    assert [h.get_text(strip=True) for h in speaker_page.select("h1")] == ["Donald Trump"]
    entities = client.get("/entities").text
    assert soup(entities).get_text().count("Donald Trump") == 1


def _legacy(session: Session) -> None:
    """An archive saved by the rules before: titles in names, a genitive entity, a bare
    surname apart from the full name, a case variant."""
    def add(name: str, kind: str = "PER") -> Speaker:
        sp = Speaker(name=name, slug=name.lower().replace(" ", "-"), kind=kind)
        session.add(sp)
        session.flush()
        return sp
    texts = ["”Ett”, sade Maria Lindqvist om Ekbackens Bruk.",
             "”Två”, sade Lindqvist om Ekbackens Bruk.",
             "”Tre”, sade Pressade Olle Berg.",
             "”Fyra”, sade Olle Berg. Rysslands svar. Ryssland."]
    for text in texts:
        ingest(session, FixedExtractor(Extraction("sv")), ArticleIn(text=text))
    who = [add("Maria Lindqvist"), add("Lindqvist"), add("Pressade Olle Berg"),
           add("Olle Berg")]
    articles = session.exec(select(Article).order_by(col(Article.id))).all()
    for article, sp, text in zip(articles, who, texts, strict=True):
        start = text.index("”") + 1
        end = text.index("”", start)
        session.add(Quote(public_id=f"q{article.id}", article_id=article.id or 0,
                          start=start, end=end, text=text[start:end], type="direct",
                          speaker_id=sp.id))
    bruk = Entity(name="Ekbackens Bruk", label="ORG", slug="ekbackens-bruk")
    gen = Entity(name="Rysslands", label="LOC", slug="rysslands")
    base = Entity(name="Ryssland", label="ORG", slug="ryssland")
    session.add_all([bruk, gen, base])
    session.flush()
    for article, ent, label in ((articles[0], bruk, "ORG"), (articles[1], bruk, "ORG"),
                                (articles[3], gen, "LOC"), (articles[3], base, "LOC")):
        text = article.text
        i = text.index(ent.name)
        session.add(EntityMention(entity_id=ent.id or 0, article_id=article.id or 0,
                                  start=i, end=i + len(ent.name), text=ent.name, label=label))
    session.flush()
    aggregates.rebuild(session)
    aggregates.rebuild_entity_quotes(session)
    session.commit()


def test_names_merge_command(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """``citat names merge``: a dry run changes nothing; the run merges through the audit
    log, relabels by the mentions, and leaves alone what an editor split apart."""
    from app.cli import cli
    from app.storage.db import make_engine
    from app.storage.identity import new_speaker

    monkeypatch.setenv("CITAT_DATABASE_URL", settings.database_url)
    from app.config import get_settings
    get_settings.cache_clear()
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        _legacy(session)
        editor = User(username="redaktor", password_hash="x")
        session.add(editor)
        session.flush()
        # An editor moved the "Tre" quote to a speaker of their own: it must stay there.
        chosen = new_speaker(session, "Pressade Olle Berg (red.)")
        corrections.set_quote_speaker(session, editor, "q3", chosen.name)
        session.commit()
        before = sorted(s.name for s in session.exec(select(Speaker)))
    runner = CliRunner()
    dry = runner.invoke(cli, ["names", "merge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "speaker_merge\tLindqvist\t->\tMaria Lindqvist" in dry.output
    with Session(engine) as session:
        assert sorted(s.name for s in session.exec(select(Speaker))) == before
        assert session.exec(select(Correction).where(Correction.action == "speaker_merge")
                            ).all() == []
    done = runner.invoke(cli, ["names", "merge"])
    assert done.exit_code == 0, done.output
    with Session(engine) as session:
        names = sorted(s.name for s in session.exec(select(Speaker)))
        # Lindqvist merged (shared company); "Pressade Olle Berg" into Olle Berg; the
        # editor's own speaker untouched.
        assert names == ["Maria Lindqvist", "Olle Berg", "Pressade Olle Berg (red.)"]
        q3 = session.exec(select(Quote).where(Quote.public_id == "q3")).one()
        chosen_now = session.get(Speaker, q3.speaker_id)
        assert chosen_now is not None and chosen_now.name == "Pressade Olle Berg (red.)"
        entities = {e.name: e.label for e in session.exec(select(Entity))}
        assert entities == {"Ekbackens Bruk": "ORG", "Ryssland": "LOC"}
        log = session.exec(select(Correction, User).join(User)).all()
        merges = {(c.action, json.loads(c.before or "{}")["name"]) for c, u in log
                  if u.username == SYSTEM_USER}
        assert ("speaker_merge", "Lindqvist") in merges
        assert ("speaker_merge", "Pressade Olle Berg") in merges
        assert ("entity_merge", "Rysslands") in merges
        assert aggregates.stored(session) == aggregates.recount(session)
        assert aggregates.stored_entity_quotes(session) == aggregates.recount_entity_quotes(
            session)
    # Run again: nothing left to do.
    again = runner.invoke(cli, ["names", "merge"])
    assert again.output.strip().endswith("0 change(s) made.")
    engine.dispose()
    get_settings.cache_clear()


def test_a_split_is_not_undone(session: Session) -> None:
    """An editor splits "Lindqvist" off Maria Lindqvist: neither the next ingest nor the
    merge command puts them back together."""
    _legacy(session)
    editor = User(username="redaktor", password_hash="x")
    session.add(editor)
    session.flush()
    corrections.merge_speakers(session, editor, "lindqvist", "maria-lindqvist")
    corrections.split_alias(session, editor, "maria-lindqvist", "Lindqvist")
    session.commit()
    merge_names(session)
    session.commit()
    names = sorted(s.name for s in session.exec(select(Speaker)))
    assert "Lindqvist" in names and "Maria Lindqvist" in names
