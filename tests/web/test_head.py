"""HEAD is answered as the GET of the same address would be, without the body."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.config import Settings
from tests.factories import LIBRARY_EXTRACTION, LIBRARY_TEXT, app_with_article, soup


def test_head_gives_the_get_headers_and_no_body(settings: Settings) -> None:
    with app_with_article(settings, LIBRARY_EXTRACTION, text=LIBRARY_TEXT,
                          title="Biblioteket öppnar") as client:
        link = soup(client.get("/").text).select_one("a[href^='/q/']")
        assert link is not None
        permalink = str(link["href"])
        for url in ("/", "/speakers", "/search?q=biblioteket", permalink):
            got, head = client.get(url), client.head(url)
            assert head.status_code == got.status_code == 200, url
            assert head.content == b"", url
            assert head.headers["content-type"] == got.headers["content-type"]
            assert int(head.headers["content-length"]) == len(got.content) > 0
            assert head.headers["x-frame-options"] == "DENY"  # the security headers too
        assert client.head(permalink).headers["etag"] == client.get(permalink).headers["etag"]


def test_head_of_a_missing_page_is_404_and_a_post_only_address_still_refuses(
    client: TestClient,
) -> None:
    missing = client.head("/q/no-such-quote")
    assert missing.status_code == 404 and missing.content == b""
    assert client.head("/login").status_code == 200
    logout = client.head("/logout")  # POST only: HEAD is a GET, which it does not answer
    assert logout.status_code == 405 and "POST" in logout.headers["allow"]
