"""Pages, asserted on parsed HTML, and the JSON API, on the seeded database."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.storage.models import Article, Quote
from tests.factories import SEED_ARTICLE, soup


def _trump_quote_id(client: TestClient) -> str:
    data = client.get("/api/quotes", params={"speaker": "donald-trump", "q": "hjälp"}).json()
    assert data["total"] >= 1
    return str(data["items"][0]["id"])


def _trump_as_titled(client: TestClient, qid: str) -> str:
    """How a title names the speaker of this quote (Swedish UI): as sure as the extractor is."""
    status = client.get(f"/api/quotes/{qid}").json()["speaker_status"]
    return {"certain": "Donald Trump", "uncertain": "Troligen Donald Trump"}[status]


def test_home_lists_latest_quotes_and_top_speakers(seeded_client: TestClient) -> None:
    r = seeded_client.get("/")
    assert r.status_code == 200
    page = soup(r.text)
    assert page.select_one("form[role=search] input[name=q]") is not None
    assert len(page.select(".latest .quote-item")) >= 5
    top = [a.get_text() for a in page.select(".top-speakers a")]
    assert top[:2] == ["Donald Trump", "Keir Starmer"] or set(top[:2]) == {
        "Donald Trump", "Keir Starmer"}


def test_search_by_words_highlights_and_filters_by_speaker(seeded_client: TestClient) -> None:
    r = seeded_client.get("/search", params={"q": "hjälp"})
    assert r.status_code == 200
    page = soup(r.text)
    hits = page.select(".results .quote-item")
    assert hits
    assert all(m.get_text().lower().startswith("hjälp") for m in page.select("mark.hit"))
    r2 = seeded_client.get("/search", params={"q": "hjälp", "speaker": "donald-trump"})
    speakers = {a.get_text() for a in soup(r2.text).select(".results .speaker")}
    assert speakers == {"Donald Trump"}
    r3 = seeded_client.get("/search", params={"speaker": "keir-starmer"})
    assert {a.get_text() for a in soup(r3.text).select(".results .speaker")} == {"Keir Starmer"}


@pytest.mark.parametrize("q", ['"', "-nej", "AND", "(", "*", "'", "NEAR(", "<script>x</script>"])
def test_search_hostile_input_gives_a_page(seeded_client: TestClient, q: str) -> None:
    r = seeded_client.get("/search", params={"q": q})
    assert r.status_code == 200
    assert "<script>x</script>" not in r.text
    assert soup(r.text).select_one("#result-count") is not None
    assert seeded_client.get("/api/quotes", params={"q": q}).status_code == 200


def test_search_bad_page_number_is_a_clear_400(seeded_client: TestClient) -> None:
    r = seeded_client.get("/search", params={"page": "abc"}, headers={"Accept-Language": "en"})
    assert r.status_code == 400
    assert soup(r.text).select_one(".error-detail").get_text() == (
        "The page number must be a whole number.")


def test_speaker_page_shows_name_mentions_and_quotes(seeded_client: TestClient) -> None:
    r = seeded_client.get("/speakers/donald-trump")
    assert r.status_code == 200
    page = soup(r.text)
    assert page.select_one("h1.speaker-name").get_text() == "Donald Trump"
    mentions = {li.get_text() for li in page.select(".mention")}
    assert {"Trump"} <= mentions
    assert "USA:s president" in {s.get_text() for s in page.select(".role")} or \
        "USA:s president Donald Trump" in mentions
    assert len(page.select(".quote-item")) >= 5
    assert seeded_client.get("/speakers/nobody-at-all").status_code == 404


def test_quote_permalink_has_context_and_absolute_og_tags(seeded_client: TestClient) -> None:
    qid = _trump_quote_id(seeded_client)
    r = seeded_client.get(f"/q/{qid}")
    assert r.status_code == 200
    page = soup(r.text)
    quote_text = seeded_client.get(f"/api/quotes/{qid}").json()["text"]
    assert page.select_one(".the-quote").get_text().strip("”") == quote_text
    assert page.select_one(".attribution .speaker").get_text() == "Donald Trump"
    assert page.select_one(".context mark.quote").get_text() == quote_text
    og = {m["property"]: m["content"] for m in page.select("meta[property^='og:']")}
    assert og["og:type"] == "article"
    assert og["og:url"] == f"http://testserver/q/{qid}"
    assert og["og:title"].startswith(f"{_trump_as_titled(seeded_client, qid)}: ”")
    assert page.select_one("meta[name='twitter:card']")["content"]
    article_link = page.select_one("a.article-link")["href"]
    assert re.fullmatch(r"/articles/\d+", article_link)
    assert seeded_client.get("/q/doesnotexist").status_code == 404


def test_quote_ids_survive_restart_and_reingest(seeded_client: TestClient, settings, extractor
                                                ) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app

    before = seeded_client.get("/api/quotes", params={"limit": 500}).json()["items"]
    app = create_app(settings.model_copy(update={"load_seeds": True}), extractor=extractor)
    with TestClient(app) as again:
        r = again.post("/api/articles", json={"text": SEED_ARTICLE.read_text("utf-8")})
        assert r.status_code == 200 and r.json()["created"] is False
        after = again.get("/api/quotes", params={"limit": 500}).json()["items"]
    assert [q["id"] for q in before] == [q["id"] for q in after]


def test_article_page_marks_quotes_and_links_entities(seeded_client: TestClient,
                                                      settings) -> None:  # type: ignore[no-untyped-def]
    from app.storage.db import make_engine

    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        article = s.exec(select(Article)).one()
        n_quotes = len(s.exec(select(Quote).where(Quote.article_id == article.id)).all())
    engine.dispose()
    r = seeded_client.get(f"/articles/{article.id}")
    page = soup(r.text)
    marked = page.select(".article-body mark.quote")
    links = page.select(".article-body a.quote-link")
    assert len({m["data-quote"] for m in marked}) == n_quotes
    assert len({a["href"] for a in links}) == n_quotes
    assert all(re.fullmatch(r"/q/[a-z2-7]{12}", a["href"]) for a in links)
    # Entity links may sit inside a quote, but no link is ever inside another link.
    assert not page.select(".article-body a a")
    entity_links = page.select(".article-entities a.entity")
    names = {a.get_text() for a in entity_links}
    assert {"Donald Trump", "Keir Starmer"} <= names or {"Trump", "Starmer"} & names
    href = entity_links[0]["href"]
    assert seeded_client.get(href).status_code == 200


def test_api_lists_and_details(seeded_client: TestClient) -> None:
    speakers = seeded_client.get("/api/speakers", params={"limit": 2}).json()
    assert speakers["limit"] == 2 and len(speakers["items"]) == 2
    detail = seeded_client.get("/api/speakers/donald-trump").json()
    assert detail["name"] == "Donald Trump" and detail["quotes"]["total"] >= 5
    quotes = seeded_client.get("/api/quotes", params={"limit": 3, "offset": 1}).json()
    assert quotes["offset"] == 1 and len(quotes["items"]) == 3
    art_id = quotes["items"][0]["article_id"]
    article = seeded_client.get(f"/api/articles/{art_id}").json()
    for q in article["quotes"]:
        assert article["text"][q["start"]:q["end"]] == q["text"]
    by_article = seeded_client.get("/api/quotes", params={"article": art_id, "limit": 500}).json()
    assert by_article["total"] == len(article["quotes"])
    assert seeded_client.get("/api/articles/99999").status_code == 404
    assert seeded_client.get("/api/quotes", params={"limit": 0}).status_code == 422
    assert seeded_client.get("/docs").status_code == 200
    assert "/api/articles" in seeded_client.get("/openapi.json").json()["paths"]


def test_api_ingest_and_duplicate(client: TestClient) -> None:
    body = {"text": "”Vi bygger en ny bro”, säger kommunalrådet Eva Lind.",
            "title": "Bron", "source": "Lokaltidningen", "published_at": "2025-03-01"}
    r = client.post("/api/articles", json=body)
    assert r.status_code == 201
    data = r.json()
    assert data["created"] is True and data["title"] == "Bron"
    assert [q["text"] for q in data["quotes"]] == ["Vi bygger en ny bro"]
    again = client.post("/api/articles", json=body)
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    bad = client.post("/api/articles", json={"text": "  "})
    assert bad.status_code == 400 and "empty" in bad.json()["detail"]
    assert client.post("/api/articles", json={"text": "x", "published_at": "igår"}
                       ).json()["field"] == "published_at"


def test_security_headers(client: TestClient) -> None:
    r = client.get("/")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_share_card_png_is_cached_and_revalidated(seeded_client: TestClient) -> None:
    from io import BytesIO

    from PIL import Image

    qid = _trump_quote_id(seeded_client)
    page = soup(seeded_client.get(f"/q/{qid}").text)
    card_url = page.select_one("meta[property='og:image']")["content"]
    assert re.fullmatch(rf"http://testserver/q/{qid}/card\.png\?v=[0-9a-f]{{12}}", card_url)
    assert page.select_one("meta[name='twitter:card']")["content"] == "summary_large_image"
    r = seeded_client.get(card_url)
    assert r.status_code == 200 and r.headers["content-type"] == "image/png"
    assert "max-age" in r.headers["cache-control"]
    assert Image.open(BytesIO(r.content)).size == (1200, 630)
    again = seeded_client.get(card_url, headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and not again.content
    citation = page.select("button.copy")[1]["data-copy"]
    assert citation.startswith(f"{_trump_as_titled(seeded_client, qid)}: ”")
    assert citation.endswith(f"/q/{qid}")


def test_readable_permalink_redirects_to_the_canonical_one(seeded_client: TestClient) -> None:
    qid = _trump_quote_id(seeded_client)
    r = seeded_client.get(f"/q/{qid}/donald-trump-inte-behover", follow_redirects=False)
    assert r.status_code == 301 and r.headers["location"] == f"/q/{qid}"
    assert seeded_client.get(f"/q/{qid}/card.png").headers["content-type"] == "image/png"
    assert seeded_client.get("/q/nope/some-slug", follow_redirects=False).status_code == 404


def test_home_counts_are_cached_for_a_while(settings, extractor) -> None:  # type: ignore[no-untyped-def]
    from app.main import create_app
    from app.web.cache import PageCache

    cached = settings.model_copy(update={"cache_seconds": 60})
    with TestClient(create_app(cached, extractor=extractor)) as client:
        assert soup(client.get("/").text).select_one(".empty") is not None
        client.post("/api/articles", json={"text": "”Vi bygger en bro”, säger Eva Lind."})
        # Within the cache time the home page still shows the counts it computed.
        assert soup(client.get("/").text).select_one(".empty") is not None
        client.app.state.cache = PageCache(0)
        client.app.state.pages.clear()  # the rendered page is cached too (test_pagecache.py)
        assert soup(client.get("/").text).select_one(".latest .quote-item") is not None


def test_a_permalink_escapes_what_it_shows_and_answers_only_get(client: TestClient) -> None:
    """The permalink (a plain Starlette route whose page is read on the driver's cursor):
    markup in the quote, its speaker, the article's title and source is shown as text, never
    as HTML; HEAD answers as GET; another method gets 405 with ``Allow: GET``, as every other
    page."""
    from app.storage.models import Speaker

    hostile = '<script>alert("x")</script> & "Tidningen"'
    text = 'Inledning.\n”Vi <b>bygger</b> & "river" inget”, säger <i>Ulla</i> Ek.\nSlut.'
    start = text.index("Vi")
    with Session(client.app.state.engine) as s:  # type: ignore[attr-defined]
        article = Article(title=hostile, source=hostile, text=text, language="sv",
                          content_hash="h-escape-permalink", status="done")
        speaker = Speaker(name="<i>Ulla</i> Ek", slug="ulla-ek-escape")
        s.add(article)
        s.add(speaker)
        s.flush()
        assert article.id is not None and speaker.id is not None
        s.add(Quote(public_id="esc0000000000001", article_id=article.id, start=start,
                    end=text.index("”,"), text=text[start:text.index("”,")], type="direct",
                    language="sv", speaker_id=speaker.id, speaker_confidence=0.95,
                    confidence=0.9))
        s.commit()
    path = client.app.url_path_for("quote", public_id="esc0000000000001")  # type: ignore[attr-defined]
    assert path == "/q/esc0000000000001"
    r = client.get(path)
    assert r.status_code == 200
    assert "<script>" not in r.text and "<b>bygger" not in r.text and "<i>Ulla" not in r.text
    page = soup(r.text)
    assert page.select_one(".the-quote").get_text() == '”Vi <b>bygger</b> & "river" inget”'
    assert page.select_one("a.article-link").get_text() == hostile
    assert page.select_one(".attribution .speaker").get_text() == "<i>Ulla</i> Ek"
    assert page.select_one(".context mark.quote").get_text() == 'Vi <b>bygger</b> & "river" inget'
    og = {m["property"]: m["content"] for m in page.select("meta[property^='og:']")}
    assert og["og:title"] == '<i>Ulla</i> Ek: ”Vi <b>bygger</b> & "river" inget”'
    assert og["og:description"] == 'Vi <b>bygger</b> & "river" inget'
    head = client.head(path)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == client.get(path).headers["etag"]  # (the cookie now set)
    refused = client.post(path)
    assert refused.status_code == 405 and refused.headers["allow"] == "GET"
    assert client.put(path).headers["allow"] == "GET" and client.get("/q/a/b/c").status_code == 404
