"""Search that finds what people type (issue 21): names, inflections, compounds, typos,
fields and operators, on the relevance archive of ``tests/storage/relevance.py`` (both engines)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from bs4 import BeautifulSoup
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy import text as sql
from sqlmodel import Session, select

from app.extraction.records import ExtractedEntity, ExtractedQuote, ExtractedSpeaker, Extraction
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.storage import browse, queries
from app.storage.browse import QuoteFilters
from app.storage.models import Entity
from app.storage.search import parse_query
from tests.factories import ON_POSTGRES, FixedExtractor
from tests.storage import relevance


def _extraction(lang: str, text: str, quotes: list[tuple[str, str, str]],
                entities: list[tuple[str, str]]) -> Extraction:
    recs = []
    for piece, speaker, mention in quotes:
        i = text.index(piece)
        recs.append(ExtractedQuote(piece, i, i + len(piece), "direct", speaker, mention,
                                   "sade", 0.9, 0.9, lang))
    ents = []
    for name, label in entities:
        start = 0
        while (i := text.find(name, start)) >= 0:
            end = i + len(name)
            whole = (i == 0 or not text[i - 1].isalnum()) and (
                end == len(text) or not text[end].isalnum())
            if whole:
                ents.append(ExtractedEntity(name, label, i, end))
            start = end
    people = {s: tuple(sorted({m for _, sp, m in quotes if sp == s})) for _, s, _ in quotes}
    return Extraction(lang, tuple(recs), tuple(ents),
                      tuple(ExtractedSpeaker(s, "PER", m) for s, m in people.items()))


def build_archive(session: Session) -> None:
    """Store the relevance articles, in order."""
    for n, (lang, text, quotes, entities) in enumerate(relevance.ARTICLES):
        ex = _extraction(lang, text, quotes, entities)
        result = ingest(session, FixedExtractor(ex), ArticleIn(text=text, title=f"Artikel {n}"))
        assert result.quotes == len(quotes), result


@pytest.fixture
def archive(session: Session) -> Iterator[Session]:
    build_archive(session)
    yield session


def _top(session: Session, q: str, n: int = 10) -> list[str]:
    return [r.quote.text for r in browse.search(session, QuoteFilters(q=q), n, 0).items]


def test_relevance_set_recall_and_ndcg(archive: Session) -> None:
    results = {q: _top(archive, q) for q in relevance.EXPECTED}
    got = relevance.score(results)
    report = os.environ.get("CITAT_RELEVANCE_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as f:
            json.dump({"recall@10": got.recall, "ndcg@10": got.ndcg, "misses": got.misses,
                       "queries": len(relevance.EXPECTED)}, f, ensure_ascii=False, indent=1)
    assert len(relevance.EXPECTED) >= 60
    assert got.recall >= 0.95, got.misses
    assert got.ndcg >= 0.9, got


def test_a_speakers_surname_brings_their_quotes_first(archive: Session) -> None:
    # Their own quotes rank above the quote that only mentions them ("Trumps tullar" is
    # Trump's too; Starmer's English quote is his as well).
    assert set(_top(archive, "Starmer", 3)) == {
        "Vi bygger en allians med våra grannar.", "Alliansen är starkare än någonsin.",
        "Britain will support Ukraine for as long as it takes."}
    assert _top(archive, "Holm", 3)[0].startswith(("Skatten", "Flyktingar", "Männen"))


def test_swedish_forms_that_stem_apart_find_each_other(archive: Session) -> None:
    want = {"Vi bygger en allians med våra grannar.", "Alliansen är starkare än någonsin.",
            "Allianser av det slaget hotar Ryssland."}
    for q in ("allians", "allianser", "alliansen", "allians "):
        assert set(_top(archive, q)) == want, q
    assert _top(archive, "böcker ") == ["Böckerna om kriget ljuger om vad som hände."]
    assert _top(archive, "men ")[0] == "Männen på bygget arbetade i tio timmar om dagen"


def test_the_head_of_a_compound_finds_the_compound(archive: Session) -> None:
    assert set(_top(archive, "flyktingar ")) == {
        "Flyktingar ska få ett tryggt mottagande i kommunerna.",
        "Klimatflyktingar blir fler för varje år som går."}
    assert set(_top(archive, "skatt ")) == {"Skatten på arbete är för hög i dag.",
                                            "Inkomstskatten måste sänkas för barnfamiljer."}
    # The quote's own word ranks above the compound that ends with it.
    assert _top(archive, "skatten ")[0] == "Skatten på arbete är för hög i dag."


def test_fields_operators_and_phrases(archive: Session) -> None:
    assert set(_top(archive, "speaker:lavrof")) == {
        "Allianser av det slaget hotar Ryssland.", "Rysslands gränser ska respekteras av alla.",
        "Böckerna om kriget ljuger om vad som hände."}
    assert _top(archive, "speaker:nobodyatall") == []
    assert _top(archive, "allians speaker:\"Keir Starmer\"")[0].startswith(("Vi", "Alliansen"))
    assert len(_top(archive, "allians speaker:\"Keir Starmer\"")) == 2
    assert _top(archive, "entity:Ukraina") == [
        "Storbritanniens bidrag till Ukraina växer stadigt."]
    assert _top(archive, "skatt -inkomstskatten") == ["Skatten på arbete är för hög i dag."]
    assert set(_top(archive, "tariffs OR children")) == {
        "The tariffs will protect our workers.", "Children deserve safe schools,"}
    assert _top(archive, '"tryggt mottagande"') == [
        "Flyktingar ska få ett tryggt mottagande i kommunerna."]
    assert _top(archive, '"mottagande tryggt"') == []
    assert parse_query("-nej") == []  # nothing positive: no search, no error


def test_entity_names_are_normalised_and_merged(archive: Session) -> None:
    names = set(archive.exec(select(Entity.name)).all())
    assert {"Ryssland", "USA", "Storbritannien", "Keir Starmer", "Donald Trump"} <= names
    assert not names & {"Rysslands", "USA:s", "Storbritanniens", "Starmer", "Trump", "Trumps",
                        "Lavrov", "Holm"}




def test_misspelt_names_are_offered(archive: Session) -> None:
    found = queries.named_speakers(archive, "Stoltenber")
    assert [(n.speaker.name, n.quotes, n.fuzzy) for n in found] == [
        ("Jens Stoltenberg", 4, True)]
    assert [(n.speaker.name, n.fuzzy) for n in queries.named_speakers(archive, "lavrov")] == [
        ("Sergej Lavrov", False)]
    assert [e.name for e in queries.similar_entities(archive, "Ukriana")] == ["Ukraina"]
    assert queries.named_speakers(archive, "xyzzyq") == []


def test_misspelt_names_on_postgresql_come_from_the_trigram_indexes(archive: Session) -> None:
    """PostgreSQL reads the candidates with pg_trgm's ``%`` (on the GIN trigram indexes), so
    a typo in a name's first letter is found there too; SQLite reads the names that begin
    with the same letter. The decision (RapidFuzz ratio >= 80) is the same on both."""
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = archive.get_bind()
    event.listen(engine, "before_cursor_execute", seen)
    try:
        found = [n.speaker.name for n in queries.named_speakers(archive, "Ztoltenberg")]
        ents = [e.name for e in queries.similar_entities(archive, "Okraina")]
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    trigram = [s for s in statements if "greatest(similarity(" in s]
    if not ON_POSTGRES:
        assert found == ents == [] and trigram == []
        return
    assert found == ["Jens Stoltenberg"] and ents == ["Ukraina"]
    assert len(trigram) == 2 and all(" %% " in s or " % " in s for s in trigram), trigram
    # Both name columns of a speaker have a trigram index the planner can use for it.
    archive.execute(sql("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(archive.execute(sql(
        "EXPLAIN SELECT id FROM speaker WHERE name_key % 'ztoltenberg' "
        "OR surname % 'ztoltenberg'")).scalars())
    assert "trgm_speaker_name_key" in plan and "trgm_speaker_surname" in plan, plan


@pytest.fixture
def web(client: TestClient, engine: Engine) -> TestClient:
    with Session(engine) as s:
        build_archive(s)
    return client


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_search_page_shows_the_named_speakers_quotes_first(web: TestClient, lang: str
                                                          ) -> None:
    page = BeautifulSoup(web.get("/search", params={"q": "Starmer", "lang": lang}).text,
                         "html.parser")
    block = page.select_one("section.by-speaker")
    assert block is not None
    title = block.select_one("h2 a")
    assert title is not None
    assert title.get_text() == ("Citat av Keir Starmer" if lang == "sv"
                                else "Quotes by Keir Starmer")
    assert title["href"] == "?speaker=keir-starmer"
    assert len(block.select("li")) == 3
    first = page.select("ul.results li")[0].get_text()
    assert "Vi bygger en allians" in first or "Alliansen" in first or "Britain" in first
    help_ = page.select_one("details.search-help summary")
    assert help_ is not None
    assert help_.get_text() == ("Så söker du" if lang == "sv" else "How to search")


def test_search_page_offers_a_misspelt_name(web: TestClient) -> None:
    page = BeautifulSoup(web.get("/search", params={"q": "Lavrof", "lang": "sv"}).text,
                         "html.parser")
    dym = page.select_one("p.did-you-mean")
    assert dym is not None
    assert dym.get_text(" ", strip=True).startswith("Menade du Sergej Lavrov")
    assert page.select_one("section.by-speaker h2 a") is not None


def test_api_puts_the_named_speakers_quotes_first(web: TestClient) -> None:
    body = web.get("/api/quotes", params={"q": "Stoltenberg", "limit": 4}).json()
    speakers = [item["speaker"]["name"] for item in body["items"]]
    assert speakers == ["Jens Stoltenberg"] * 4
    body = web.get("/api/quotes", params={"q": "speaker:lavrof"}).json()
    assert {i["speaker"]["name"] for i in body["items"]} == {"Sergej Lavrov"}


@pytest.mark.parametrize("q", ["speaker:", "-", "entity:\"", "OR", "-\"\"", "a OR", ":::"])
def test_odd_syntax_gives_a_page(web: TestClient, q: str) -> None:
    assert web.get("/search", params={"q": q}).status_code == 200
    assert web.get("/api/quotes", params={"q": q}).status_code == 200


def test_api_answers_a_surname_with_that_speakers_quotes_first(seeded_client: TestClient
                                                              ) -> None:
    """The seed article: "Starmer" is in none of Keir Starmer's quotes, and the API still
    puts every one of them first (and the quotes after them are other people's)."""
    own = seeded_client.get("/api/speakers/keir-starmer").json()["quotes"]
    assert own["total"] >= 2
    body = seeded_client.get("/api/quotes", params={"q": "Starmer", "limit": 50}).json()
    names = [item["speaker"]["name"] if item["speaker"] else None for item in body["items"]]
    n = own["total"]
    assert names[:n] == ["Keir Starmer"] * n
    assert "Keir Starmer" not in names[n:]
    assert {i["id"] for i in body["items"][:n]} == {i["id"] for i in own["items"]}
    assert not any("starmer" in i["text"].casefold() for i in own["items"])


def test_a_person_who_speaks_has_one_page(web: TestClient, engine: Engine) -> None:
    """Issue 21: the entity page of a name that is also a speaker sends the reader to the
    speaker's page, which links the quotes that mention them and who mentions them most."""
    with Session(engine) as s:
        slugs = {e.name: e.slug for e in s.exec(select(Entity))}
    r = web.get(f"/entities/{slugs['Donald Trump']}", follow_redirects=False)
    assert r.status_code == 308
    assert r.headers["location"] == "/speakers/donald-trump"
    assert r.headers["cache-control"] == "max-age=3600"
    r = web.get(f"/entities/{slugs['Donald Trump']}?lang=en&page=2", follow_redirects=False)
    assert r.headers["location"] == "/speakers/donald-trump?lang=en"

    page = BeautifulSoup(web.get("/speakers/donald-trump?lang=sv").text, "html.parser")
    section = page.select_one("section.mentioned-in")
    assert section is not None
    assert section.select_one("h2").get_text() == "Citat som nämner Donald Trump"
    links = section.select("a.mentions-link")
    assert [(a["href"], a.get_text()) for a in links] == [
        (f"/search?entity={slugs['Donald Trump']}", "Nämns i 1 citat")]
    assert [(a.get_text(), a["href"]) for a in section.select(".mentioned-by a")] == [
        ("Donald Trump", "/speakers/donald-trump")]  # "Trumps tullar …", his own words
    # The link leads to exactly those quotes.
    found = BeautifulSoup(web.get(links[0]["href"]).text, "html.parser")
    assert found.select_one("#result-count")["data-total"] == "1"
    assert [q.get_text(strip=True) for q in found.select("ul.results blockquote")] == [
        "”Trumps tullar skyddar amerikanska jobb.”"]
    en = BeautifulSoup(web.get("/speakers/donald-trump?lang=en").text, "html.parser")
    assert en.select_one("a.mentions-link").get_text() == "Mentioned in 1 quote"
    assert en.select_one("section.mentioned-in h3").get_text() == "Mentioned most by"
    # Stoltenberg is an entity too, but no quote mentions him: no section, still one page.
    r = web.get(f"/entities/{slugs['Jens Stoltenberg']}", follow_redirects=False)
    assert r.headers["location"] == "/speakers/jens-stoltenberg"
    jens = BeautifulSoup(web.get("/speakers/jens-stoltenberg").text, "html.parser")
    assert jens.select_one("section.mentioned-in") is None
    # A place is not a speaker: its own page.
    assert web.get(f"/entities/{slugs['Ukraina']}", follow_redirects=False).status_code == 200
    # A speaker no entity names has no such section.
    lund = BeautifulSoup(web.get("/speakers/maria-lund").text, "html.parser")
    assert lund.select_one("h1").get_text() == "Maria Lund"
    assert lund.select_one("section.mentioned-in") is None
