"""Issue 20 item 2 (reader side): how sure Citat is of each speaker — "probably X" /
"troligen X" on every quote row, the permalink, its titles and card; "speaker unknown";
corrected attributions certain; the API and the exports carry the number and the status;
the speaker page counts the uncertain ones. Issue 24's leftover: a permalink page is fresh at
once after a correction (ETag, 304, other web processes)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError
from sqlmodel import Session, select

from app.config import Settings, get_settings
from app.main import create_app
from app.storage import corrections
from app.storage.db import make_engine
from app.storage.models import Article, Quote, Speaker
from app.storage.queries import QuoteRow
from app.web.pages import _card_parts
from tests.factories import (
    EN,
    HALF,
    LIBRARY_EXTRACTION,
    LIBRARY_TEXT,
    NOBODY,
    SURE,
    SV,
    UNSURE,
    FixedExtractor,
    add_editor,
    app_with_article,
    csrf_token,
    login,
    soup,
)

NBSP = "\u00a0"


def _app(settings: Settings, **update: Any) -> Any:
    return create_app(settings.model_copy(update=update),
                      extractor=FixedExtractor(LIBRARY_EXTRACTION))


@pytest.fixture
def library(settings: Settings) -> Iterator[TestClient]:
    """An app with the library article (tests/factories.py) and one editor account."""
    add_editor(settings.database_url)
    with app_with_article(settings, LIBRARY_EXTRACTION, text=LIBRARY_TEXT,
                          title="The valley library", source="Valley Post",
                          published_at="2025-04-02") as client:
        yield client


def _ids(client: TestClient) -> dict[str, str]:
    items = client.get("/api/quotes", params={"limit": 50}).json()["items"]
    return {q["text"]: q["id"] for q in items}


def _correct(client: TestClient, qid: str, action: str, value: str = "") -> None:
    r = client.post(f"/q/{qid}/correct", data={"csrf_token": csrf_token(client, f"/q/{qid}"),
                                               "action": action, "value": value})
    assert r.status_code in (200, 303)


def _rows(client: TestClient, path: str, headers: dict[str, str]) -> dict[str, Any]:
    """Each quote row of a page, by the quote's permalink id: its .meta paragraph."""
    page = soup(client.get(path, headers=headers).text)
    out = {}
    for item in page.select("li.quote-item"):
        link = item.select_one("blockquote a")
        assert link is not None
        out[str(link["href"]).rsplit("/", 1)[-1]] = item.select_one("p.meta")
    return out


# -- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["1.5", "-0.1", "nan"])
def test_speaker_sure_outside_zero_to_one_is_refused_clearly(value: str) -> None:
    with pytest.raises(ValidationError, match="CITAT_SPEAKER_SURE is a probability from 0 to 1"):
        Settings(speaker_sure=value)
    assert Settings(speaker_sure="0.75").speaker_sure == 0.75
    assert Settings().speaker_sure == 0.9


def test_the_command_says_which_setting_is_wrong(monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    from app import cli

    monkeypatch.setenv("CITAT_SPEAKER_SURE", "2")
    monkeypatch.setattr("sys.argv", ["citat", "migrate"])
    get_settings.cache_clear()
    try:
        with pytest.raises(SystemExit) as stop:
            cli.main()
    finally:
        get_settings.cache_clear()
    assert stop.value.code == 2
    assert capsys.readouterr().err.strip() == (
        "Setting CITAT_SPEAKER_SURE: CITAT_SPEAKER_SURE is a probability from 0 to 1, not 2.0")


# -- quote rows on every page ---------------------------------------------------------------


@pytest.mark.parametrize(("headers", "probably", "unknown", "pct"), [
    (EN, "probably Maria Lindqvist", "speaker unknown", "62%"),
    (SV, "troligen Maria Lindqvist", "okänd talare", f"62{NBSP}%"),
])
def test_rows_show_certain_uncertain_and_unknown_attributions(
        library: TestClient, headers: dict[str, str], probably: str, unknown: str,
        pct: str) -> None:
    ids = _ids(library)
    article_id = library.get("/api/quotes").json()["items"][0]["article_id"]
    entity = next(e["slug"] for e in library.get(f"/api/articles/{article_id}").json()[
        "entities"] if e["text"] == "Sundays")
    for path in ("/", "/search?q=sundays", "/search?q=books+OR+sundays+OR+readers",
                 f"/articles/{article_id}", "/speakers/maria-lindqvist", f"/entities/{entity}"):
        rows = _rows(library, path, headers)
        if ids[SURE] in rows:
            sure = rows[ids[SURE]]
            assert sure.select_one(".attribution-certain a.speaker").get_text() == (
                "Maria Lindqvist"), path
            assert sure.select_one(".attribution-uncertain") is None
            assert "probably" not in sure.get_text() and "troligen" not in sure.get_text()
        unsure = rows[ids[UNSURE]]  # every one of these pages lists it
        hedge = unsure.select_one(".attribution-uncertain")
        assert hedge is not None, path
        assert hedge.get_text(" ", strip=True) == f"{probably} ({pct})"
        assert hedge.select_one("a.speaker.uncertain")["href"] == "/speakers/maria-lindqvist"
        assert pct in hedge["title"] and hedge["data-confidence"] == "0.620"
        if ids[NOBODY] in rows:
            assert rows[ids[NOBODY]].select_one(".speaker.unknown").get_text() == unknown
    # The home page lists all three.
    home = _rows(library, "/", headers)
    assert {ids[SURE], ids[UNSURE], ids[NOBODY]} <= home.keys()


def test_the_uncertain_style_is_not_the_certain_one() -> None:
    from app.config import PROJECT_ROOT

    css = (PROJECT_ROOT / "static" / "style.css").read_text(encoding="utf-8")
    assert ".attribution-uncertain { font-style: italic; }" in css
    assert "text-decoration: underline dotted" in css


@pytest.mark.parametrize(("headers", "said", "title"), [
    (EN, "— probably Maria Lindqvist (62%)", "Probably Maria Lindqvist"),
    (SV, f"— troligen Maria Lindqvist (62{NBSP}%)", "Troligen Maria Lindqvist"),
])
def test_permalink_titles_and_citation_say_probably(
        library: TestClient, headers: dict[str, str], said: str, title: str) -> None:
    qid = _ids(library)[UNSURE]
    page = soup(library.get(f"/q/{qid}", headers=headers).text)
    line = page.select_one(".attribution")
    assert line.get_text(" ", strip=True).startswith(said + " (")  # then the mention
    assert "— " + line.select_one(".attribution-uncertain").get_text(" ", strip=True) == said
    quoted = "\u201cWe will open on Sundays too\u201d"  # the comma joins it to "she added"
    assert page.select_one("meta[property='og:title']")["content"] == f"{title}: {quoted}"
    assert page.select_one("button.copy-citation")["data-copy"].startswith(f"{title}: {quoted}")
    fact = page.select_one("dd.speaker-confidence-fact").get_text()
    assert fact == ("62%" if headers is EN else f"62{NBSP}%")


def test_the_share_card_says_probably_in_the_quotes_language() -> None:
    article = Article(id=1, content_hash="x", text="t", source="Dalarnas Tidning",
                      published_at=datetime(2025, 4, 2, tzinfo=UTC))
    speaker = Speaker(id=1, name="Maria Lindqvist", slug="maria-lindqvist")

    def row(language: str, confidence: float, checked: bool = False) -> QuoteRow:
        quote = Quote(public_id="p", article_id=1, start=0, end=1, text="Vi öppnar", type="direct",
                      language=language, speaker_id=1, speaker_confidence=confidence,
                      speaker_checked=checked)
        return QuoteRow(quote, speaker, article)

    assert _card_parts(row("sv", 0.62), 0.9)[1] == "troligen Maria Lindqvist"
    assert _card_parts(row("en", 0.62), 0.9)[1] == "probably Maria Lindqvist"
    assert _card_parts(row("sv", 0.95), 0.9)[1] == "Maria Lindqvist"
    assert _card_parts(row("sv", 0.62, checked=True), 0.9)[1] == "Maria Lindqvist"
    assert _card_parts(row("sv", 0.62), 0.6)[1] == "Maria Lindqvist"


def test_the_setting_moves_the_line(settings: Settings) -> None:
    with TestClient(_app(settings, speaker_sure=0.6)) as client:
        client.post("/api/articles",
                    json={"text": LIBRARY_TEXT, "title": "The valley library"})
        ids = _ids(client)
        rows = _rows(client, "/", EN)
        assert rows[ids[UNSURE]].select_one(".attribution-certain a.speaker").get_text() == (
            "Maria Lindqvist")
        assert client.get(f"/api/quotes/{ids[UNSURE]}").json()["speaker_status"] == "certain"
        assert client.get(f"/api/quotes/{ids[HALF]}").json()["speaker_status"] == "uncertain"


# -- corrections ----------------------------------------------------------------------------


@pytest.mark.parametrize("headers", [EN, SV])
def test_corrected_and_confirmed_attributions_are_certain(library: TestClient,
                                                          headers: dict[str, str]) -> None:
    ids = _ids(library)
    assert login(library) == 303
    _correct(library, ids[HALF], "speaker", "Tom Whitaker")  # chosen by an editor
    _correct(library, ids[UNSURE], "reviewed")  # "Attribution is right"
    library.cookies.delete("citat_session")
    for qid, name in ((ids[HALF], "Tom Whitaker"), (ids[UNSURE], "Maria Lindqvist")):
        page = soup(library.get(f"/q/{qid}", headers=headers).text)
        line = page.select_one(".attribution").get_text(" ", strip=True)
        # The chosen speaker alone; the confirmed one with the mention the machine read.
        assert (line == f"— {name}") if qid == ids[HALF] else line.startswith(f"— {name} (")
        assert page.select_one(".attribution-uncertain") is None
        assert page.select_one(".attribution .attribution-certain a.speaker").get_text() == name
        assert page.select_one("dd.speaker-confidence-fact").get_text() == (
            "checked by an editor" if headers is EN else "kontrollerad av en redaktör")
        api = library.get(f"/api/quotes/{qid}").json()
        assert (api["speaker_status"], api["speaker_checked"]) == ("certain", True)
    # The machine's number is kept as it was.
    assert library.get(f"/api/quotes/{ids[HALF]}").json()["speaker_confidence"] == 0.5
    rows = _rows(library, "/speakers/maria-lindqvist", headers)
    assert rows[ids[UNSURE]].select_one(".attribution-uncertain") is None


def test_a_correction_to_no_speaker_reads_unknown_and_is_not_checked(library: TestClient
                                                                     ) -> None:
    qid = _ids(library)[SURE]
    assert login(library) == 303
    _correct(library, qid, "speaker", "")
    api = library.get(f"/api/quotes/{qid}").json()
    assert (api["speaker"], api["speaker_status"], api["speaker_checked"]) == (
        None, "unknown", False)


def test_a_correction_survives_re_extraction_as_certain(library: TestClient,
                                                        settings: Settings) -> None:
    ids = _ids(library)
    assert login(library) == 303
    _correct(library, ids[HALF], "speaker", "Tom Whitaker")
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as session:
            quote = session.exec(select(Quote).where(Quote.public_id == ids[HALF])).one()
            quote.speaker_checked = False  # as a fresh extraction leaves it
            session.add(quote)
            article = session.get(Article, quote.article_id)
            assert article is not None
            corrections.reapply(session, article)
            session.commit()
            session.refresh(quote)
            assert quote.speaker_checked is True
    finally:
        engine.dispose()


# -- speaker page ---------------------------------------------------------------------------


@pytest.mark.parametrize(("headers", "text"), [(EN, "2 quotes, 1 uncertain"),
                                               (SV, "2 citat, 1 osäkert")])
def test_speaker_page_counts_the_uncertain(library: TestClient, headers: dict[str, str],
                                           text: str) -> None:
    page = soup(library.get("/speakers/maria-lindqvist", headers=headers).text)
    count = page.select_one(".speaker-kind .n-quotes")
    assert count.get_text(" ", strip=True) == text
    assert count.select_one(".n-uncertain")["data-n"] == "1"
    # A speaker without uncertain quotes: no "0 uncertain".
    assert login(library) == 303
    _correct(library, _ids(library)[HALF], "reviewed")
    library.cookies.delete("citat_session")
    whitaker = soup(library.get("/speakers/tom-whitaker", headers=headers).text)
    assert whitaker.select_one(".n-uncertain") is None


# -- API and exports ------------------------------------------------------------------------


def test_api_carries_confidence_and_status(library: TestClient) -> None:
    items = {q["text"]: q for q in library.get("/api/quotes").json()["items"]}
    got = {t: (q["speaker_confidence"], q["speaker_status"], q["speaker_checked"])
           for t, q in items.items()}
    assert got == {SURE: (0.95, "certain", False), UNSURE: (0.62, "uncertain", False),
                   NOBODY: (0.0, "unknown", False), HALF: (0.5, "uncertain", False)}
    article = library.get(f"/api/articles/{items[SURE]['article_id']}").json()
    assert [q["speaker_status"] for q in article["quotes"]] == [
        "certain", "uncertain", "unknown", "uncertain"]
    speaker = library.get("/api/speakers/maria-lindqvist").json()
    assert {q["speaker_status"] for q in speaker["quotes"]["items"]} == {"certain", "uncertain"}
    schema = library.get("/openapi.json").json()
    quote = schema["components"]["schemas"]["QuoteOut"]["properties"]
    assert "probability" in quote["speaker_confidence"]["description"]
    assert quote["speaker_status"]["enum"] == ["certain", "uncertain", "unknown"]
    assert "speaker_confidence" in schema["info"]["description"]


def test_csv_and_json_exports_carry_confidence_and_status(library: TestClient) -> None:
    text = library.get("/export/quotes.csv", params={"sort": "newest"}).text.lstrip("\ufeff")
    rows = {r["text"]: r for r in csv.DictReader(io.StringIO(text))}
    assert {t: (r["speaker_confidence"], r["speaker_status"]) for t, r in rows.items()} == {
        SURE: ("0.950", "certain"), UNSURE: ("0.620", "uncertain"),
        NOBODY: ("0.000", "unknown"), HALF: ("0.500", "uncertain")}
    items = {i["text"]: i for i in json.loads(library.get("/export/quotes.json").text)}
    assert {t: (i["speaker_confidence"], i["speaker_status"]) for t, i in items.items()} == {
        SURE: (0.95, "certain"), UNSURE: (0.62, "uncertain"), NOBODY: (0.0, "unknown"),
        HALF: (0.5, "uncertain")}


def test_the_json_export_is_linked_where_the_csv_is(library: TestClient) -> None:
    article_id = library.get("/api/quotes").json()["items"][0]["article_id"]
    for path in ("/search?q=library", f"/articles/{article_id}", "/speakers/maria-lindqvist",
                 "/entities/maria-lindqvist"):
        page = soup(library.get(path).text)
        csv_link = page.select_one("a.export-csv")["href"]
        json_link = page.select_one("a.export-json")["href"]
        assert csv_link.startswith("/export/quotes.csv?"), path
        assert json_link == csv_link.replace("/export/quotes.csv", "/export/quotes.json"), path
        assert page.select_one("a.export-api")["href"].startswith("/api/quotes?")
        exported = library.get(json_link)
        assert exported.status_code == 200 and isinstance(json.loads(exported.text), list)


# -- fresh pages after a correction (issue 24) ----------------------------------------------


def test_permalink_etag_304_and_a_new_page_after_a_correction(library: TestClient) -> None:
    qid = _ids(library)[UNSURE]
    library.get("/")  # the reader has the CSRF cookie the page's form is made for
    first = library.get(f"/q/{qid}", headers=EN)
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"
    card_before = soup(first.text).select_one("meta[property='og:image']")["content"]
    same = library.get(f"/q/{qid}", headers={**EN, "If-None-Match": etag})
    assert same.status_code == 304 and same.headers["etag"] == etag and not same.content
    # Another language is another page.
    assert library.get(f"/q/{qid}", headers={**SV, "If-None-Match": etag}).status_code == 200
    assert login(library) == 303
    _correct(library, qid, "speaker", "Tom Whitaker")
    library.cookies.delete("citat_session")
    after = library.get(f"/q/{qid}", headers={**EN, "If-None-Match": etag})
    assert after.status_code == 200 and after.headers["etag"] != etag
    page = soup(after.text)
    assert page.select_one(".attribution").get_text(" ", strip=True) == "— Tom Whitaker"
    card_after = page.select_one("meta[property='og:image']")["content"]
    assert card_after != card_before and card_after.split("?v=")[0] == card_before.split("?v=")[0]
    again = library.get(f"/q/{qid}", headers={**EN, "If-None-Match": after.headers["etag"]})
    assert again.status_code == 304


def test_editors_get_no_etag(library: TestClient) -> None:
    qid = _ids(library)[SURE]
    assert login(library) == 303
    r = library.get(f"/q/{qid}")
    assert r.status_code == 200 and "etag" not in r.headers
    assert soup(r.text).select_one("form.correct-speaker") is not None


def test_a_correction_in_another_web_process_shows_at_once(library: TestClient,
                                                           settings: Settings) -> None:
    """Two apps on one database stand for two web processes, each with its page cache."""
    qid = _ids(library)[UNSURE]
    with TestClient(_app(settings, cache_seconds=300)) as reader:
        before = soup(reader.get(f"/q/{qid}", headers=EN).text)
        assert before.select_one(".attribution").get_text(" ", strip=True).startswith(
            "— probably Maria Lindqvist")
        assert soup(reader.get(f"/q/{qid}", headers=EN).text).select_one(
            ".attribution-uncertain") is not None  # served from the reader's cache
        assert login(library) == 303
        _correct(library, qid, "speaker", "Tom Whitaker")  # through the other process
        after = soup(reader.get(f"/q/{qid}", headers=EN).text)
        assert after.select_one(".attribution").get_text(" ", strip=True) == "— Tom Whitaker"
        card = reader.get(after.select_one("meta[property='og:image']")["content"])
        assert card.status_code == 200 and "immutable" in card.headers["cache-control"]
