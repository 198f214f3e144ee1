"""Browsing features: facets, exports, speaker/entity profiles, also-reported, the UI language."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import feedparser
import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from app.config import PROJECT_ROOT, Settings
from app.main import create_app
from app.web.i18n import CATALOG_DIR
from tests.factories import EXTRACTION, TEXT, FixedExtractor, soup

# Our own short articles (invented for the tests), in two months, two sources, two languages.
ARTICLES = [
    {"title": "Bron invigd", "source": "Lokaltidningen", "published_at": "2025-01-15",
     "text": "Kommunalrådet Eva Lind invigde den nya bron i Umeå på lördagen.\n"
             "”Det här är en stor dag för hela Umeå”, sade Eva Lind.\n"
             "Oppositionsrådet Per Holm var kritisk.\n"
             "”Bron blev dubbelt så dyr som utlovat”, sade Per Holm."},
    {"title": "Lind försvarar bron", "source": "Norran", "published_at": "2025-02-03",
     "text": "Eva Lind försvarade kostnaderna i fullmäktige på måndagen.\n"
             "”Det här är en stor dag för hela Umeå”, sade Eva Lind igen.\n"
             "”Vi tar ansvar för ekonomin i Umeå”, sade Lind."},
    {"title": "Carter visits Umeå", "source": "Wire", "published_at": "2025-02-10",
     "text": "Prime Minister John Carter visited the new bridge in Umeå on Monday.\n"
             "\"We will build more bridges across the whole country,\" John Carter said.\n"
             "\"The soldiers who helped us deserve our thanks,\" Carter told reporters."},
]


@pytest.fixture
def corpus(settings: Settings, extractor: Any) -> Iterator[TestClient]:
    """A client whose database holds the three articles above, ingested through the API."""
    with TestClient(create_app(settings, extractor=extractor)) as client:
        for article in ARTICLES:
            assert client.post("/api/articles", json=article).status_code == 201
        yield client


def _quotes(client: TestClient, **params: str) -> list[dict[str, Any]]:
    data = client.get("/api/quotes", params={"limit": 500, **params}).json()
    assert data["total"] == len(data["items"])
    return list(data["items"])


def test_facets_count_and_combine(corpus: TestClient) -> None:
    data = corpus.get("/api/quotes", params={"facets": "true", "limit": 500}).json()
    facets = {k: {v["value"]: v["count"] for v in vs} for k, vs in data["facets"].items()}
    total = data["total"]
    assert total == 6
    assert facets["speaker"] == {"eva-lind": 3, "per-holm": 1, "john-carter": 2}
    assert facets["source"] == {"Lokaltidningen": 2, "Norran": 2, "Wire": 2}
    assert facets["language"] == {"sv": 4, "en": 2}
    assert facets["month"] == {"2025-01": 2, "2025-02": 4}
    assert facets["kind"] == {"direct": 6}
    # Facets combine: speaker + month narrows to Eva Lind's February quotes.
    lind_feb = _quotes(corpus, speaker="eva-lind", month="2025-02")
    assert {q["article_title"] for q in lind_feb} == {"Lind försvarar bron"}
    assert len(lind_feb) == 2
    assert _quotes(corpus, language="en", kind="direct", source="Wire")
    assert _quotes(corpus, **{"from": "2025-02-05", "to": "2025-02-28"}) == _quotes(
        corpus, source="Wire")
    assert _quotes(corpus, entity="umea") or _quotes(corpus, q="Umeå")


def test_search_page_facet_links_hold_the_whole_state(corpus: TestClient) -> None:
    page = soup(corpus.get("/search", params={"q": "Umeå"}).text)
    link = page.select_one(".facet-speaker a[data-value='eva-lind']")
    assert link is not None and "q=Ume%C3%A5" in link["href"] and "speaker=eva-lind" in link["href"]
    narrowed = soup(corpus.get("/search" + link["href"]).text)
    assert {a.get_text() for a in narrowed.select(".results .speaker")} == {"Eva Lind"}
    chip = narrowed.select_one(".chip[data-filter='speaker']")
    assert chip is not None and "speaker=" not in chip["href"] and "q=Ume%C3%A5" in chip["href"]
    assert narrowed.select_one(".facet-speaker a.selected")["data-value"] == "eva-lind"
    # The same box offers the speaker page for a name.
    named = soup(corpus.get("/search", params={"q": "Lind"}).text)
    assert named.select_one("a.named-speaker")["href"] == "/speakers/eva-lind"
    # Whatever the capitals: "UMEÅ" finds the place Umeå on every engine.
    upper = soup(corpus.get("/search", params={"q": "UMEÅ"}).text)
    places = upper.select("a.named-entity")
    assert "/entities/umea" in [a["href"] for a in places]
    assert {a.contents[0].strip() for a in places} == {"Umeå"}


def test_search_partial_for_htmx(corpus: TestClient) -> None:
    r = corpus.get("/search", params={"q": "bro"}, headers={"HX-Request": "true"})
    assert r.status_code == 200 and "<html" not in r.text
    assert soup(r.text).select_one("#result-count") is not None


def test_csv_export_streams_every_row(corpus: TestClient) -> None:
    from app.web import lists

    lists_page = lists.PAGE_SIZE
    r = corpus.get("/export/quotes.csv", params={"language": "sv"})
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    assert len(rows) == len(_quotes(corpus, language="sv")) <= lists_page
    assert {r["speaker"] for r in rows} == {"Eva Lind", "Per Holm"}
    assert all(r["permalink"].startswith("http://testserver/q/") for r in rows)
    assert "Umeå" in r.text  # UTF-8 intact


def test_csv_export_is_not_limited_to_a_page(corpus: TestClient, monkeypatch: Any) -> None:
    from app.storage import browse

    real = browse.iter_rows
    monkeypatch.setattr(browse, "iter_rows", lambda s, f, batch=500: real(s, f, batch=2))
    rows = list(csv.DictReader(io.StringIO(
        corpus.get("/export/quotes.csv").text.lstrip("\ufeff"))))
    assert len(rows) == len(_quotes(corpus))


def test_atom_feed_is_valid(corpus: TestClient) -> None:
    r = corpus.get("/export/quotes.atom", params={"speaker": "eva-lind"})
    assert r.headers["content-type"].startswith("application/atom+xml")
    feed = feedparser.parse(r.content)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert len(feed.entries) == 3
    assert all(e.author == "Eva Lind" and e.link.startswith("http://testserver/q/")
               for e in feed.entries)
    assert feed.entries[0].updated.startswith("2025-02-03")  # newest first


def test_speaker_page_profile(corpus: TestClient) -> None:
    page = soup(corpus.get("/speakers/eva-lind").text)
    assert page.select_one(".n-quotes")["data-n"] == "3"
    assert page.select_one(".n-articles")["data-n"] == "2"
    svg = page.select_one("svg.timeline")
    assert svg is not None and len(svg.select("rect.bar")) == 2  # Jan and Feb 2025
    assert {a.get_text() for a in page.select(".co-speakers a")} == {"Per Holm"}
    mentions = {li.get_text() for li in page.select(".mention")}
    assert {"Eva Lind", "Lind"} <= mentions
    filtered = soup(corpus.get("/speakers/eva-lind", params={"q": "ekonomin"}).text)
    assert len(filtered.select(".quote-item")) == 1
    assert filtered.select_one("mark.hit").get_text() == "ekonomin"


def test_speakers_index_by_initial(corpus: TestClient) -> None:
    # People are filed by surname: Eva Lind under L, not E.
    page = soup(corpus.get("/speakers", params={"initial": "L"}).text)
    assert [a.get_text() for a in page.select("ol.speakers a")] == ["Eva Lind"]
    page = soup(corpus.get("/speakers", params={"initial": "E"}).text)
    assert "Eva Lind" not in [a.get_text() for a in page.select("ol.speakers a")]
    assert [a.get_text() for a in page.select(".alphabet a")][-3:] == ["Å", "Ä", "Ö"]


def test_entity_page_and_also_reported(corpus: TestClient) -> None:
    lind = [q for q in _quotes(corpus, speaker="eva-lind") if "stor dag" in q["text"]]
    assert len(lind) == 2
    page = soup(corpus.get(lind[0]["url"]).text)
    also = page.select(".also-reported a")
    assert [a["href"] for a in also] == [lind[1]["url"]]


def test_entity_page_lists_quotes_and_who_mentions_it(settings: Settings) -> None:
    # A fixed extraction, so the entity layer is exactly known.
    with TestClient(create_app(settings, extractor=FixedExtractor(EXTRACTION))) as client:
        assert client.post("/api/articles", json={"text": TEXT}).status_code == 201
        page = soup(client.get("/entities/goteborg").text)
        assert page.select_one("h1").get_text() == "Göteborg"
        assert [a.get_text() for a in page.select(".mentioned-by a")] == ["Polisen"]
        # Reported speech: labelled, never inside quotation marks.
        assert [q.get_text(" ", strip=True) for q in page.select(".quote-item blockquote")] == [
            "Refererat tal: ingen skadades i Göteborg"]
        # A person who also speaks has one page: the speaker's.
        person = client.get("/entities/anna-berg", follow_redirects=False)
        assert (person.status_code, person.headers["location"]) == (308, "/speakers/anna-berg")
        api = client.get("/api/entities/goteborg").json()
        assert api["label"] == "LOC" and api["quotes"]["total"] == 1
        assert client.get("/entities/nowhere").status_code == 404


def test_ui_language_from_header_and_switch_that_sticks(corpus: TestClient) -> None:
    en = soup(corpus.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).text)
    assert en.html["lang"] == "en" and en.select_one("h1").get_text() == "Who said what"
    sv = soup(corpus.get("/", headers={"Accept-Language": "sv-SE,sv;q=0.9"}).text)
    assert sv.html["lang"] == "sv" and sv.select_one("h1").get_text() == "Vem sa vad"
    # Dates per locale.
    assert sv.select_one(".latest time").get_text() == "10 feb. 2025"
    assert en.select_one(".latest time").get_text() == "Feb 10, 2025"
    switch = en.select_one(".lang-switch a[lang='sv']")["href"]
    corpus.get(switch, headers={"Accept-Language": "en"})
    after = soup(corpus.get("/speakers", headers={"Accept-Language": "en"}).text)
    assert after.html["lang"] == "sv" and after.select_one("h1").get_text() == "Talare"


def test_swedish_catalog_is_complete() -> None:
    found = {
        msg[2] if isinstance(msg[2], str) else msg[2][0]
        for msg in extract_from_dir(
            str(PROJECT_ROOT / "templates"),
            method_map=[("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        )
    }
    with (CATALOG_DIR / "sv" / "LC_MESSAGES" / "messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="sv")
    translated = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id and (
        m.string if isinstance(m.string, str) else all(m.string))}
    assert found and found <= translated, sorted(found - translated)
