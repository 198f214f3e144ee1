"""The upload form: CSRF, every bad input gets its message and writes nothing."""

from __future__ import annotations

import codecs

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from tests.factories import row_counts, soup

ARTICLE = "Kommunalrådet Eva Lind besökte bygget.\n”Vi bygger en ny bro över älven”, säger Lind."


def _token(client: TestClient) -> str:
    page = soup(client.get("/upload").text)
    field = page.select_one("form.upload input[name=csrf_token]")
    assert field is not None
    return str(field["value"])


def _post(client: TestClient, data: dict[str, str], files: dict | None = None):  # type: ignore[no-untyped-def]
    return client.post("/upload", data={"csrf_token": _token(client), **data}, files=files,
                       follow_redirects=False, headers={"Accept-Language": "en"})


def test_form_has_fields_and_csrf(client: TestClient) -> None:
    page = soup(client.get("/upload").text)
    names = {el["name"] for el in page.select("form.upload [name]")}
    assert names == {"csrf_token", "text", "file", "title", "source", "url", "published_at"}
    assert client.cookies.get("citat_csrf")


def test_paste_lands_on_article_page_with_its_quotes(client: TestClient,
                                                     settings: Settings) -> None:
    r = _post(client, {"text": ARTICLE, "title": "Bron", "source": "Lokalen",
                       "url": "https://example.org/bron", "published_at": "2025-03-01"})
    assert r.status_code == 303
    page = soup(client.get(r.headers["location"]).text)
    assert page.select_one("h1").get_text() == "Bron"
    quotes = [m.get_text() for m in page.select(".article-body mark.quote")]
    assert quotes == ["Vi bygger en ny bro över älven"]
    assert row_counts(settings.database_url) == (1, 1)
    # The same text again: the stored article, and the page says so.
    r2 = _post(client, {"text": ARTICLE})
    assert r2.headers["location"] == r.headers["location"] + "?duplicate=1"
    assert soup(client.get(r2.headers["location"]).text).select_one(".notice") is not None
    assert row_counts(settings.database_url) == (1, 1)


@pytest.mark.parametrize(
    ("name", "payload", "encoding"),
    [
        ("a.txt", ARTICLE.encode("utf-8"), "utf-8"),
        ("a.txt", codecs.BOM_UTF8 + ARTICLE.encode("utf-8"), "utf-8-bom"),
        ("a.txt", ARTICLE.encode("utf-16"), "utf-16"),
        ("a.txt", ARTICLE.encode("cp1252"), "cp1252"),
        ("a.html", f"<html><body><h1>Bron</h1><p>{ARTICLE}</p></body></html>".encode(), "html"),
    ],
)
def test_file_upload_decodes_swedish(client: TestClient, name: str, payload: bytes,
                                     encoding: str) -> None:
    r = _post(client, {}, files={"file": (name, payload, "application/octet-stream")})
    assert r.status_code == 303, encoding
    data = client.get("/api" + r.headers["location"]).json()
    assert "älven" in data["text"] and "säger" in data["text"]
    assert [q["text"] for q in data["quotes"]] == ["Vi bygger en ny bro över älven"]


BAD = [
    ("empty text", {"text": "   "}, None, "empty", 400),
    ("bad date", {"text": ARTICLE, "published_at": "igår"}, None, "YYYY-MM-DD", 400),
    ("bad url", {"text": ARTICLE, "url": "javascript:alert(1)"}, None, "http", 400),
    ("pdf", {}, ("r.pdf", b"%PDF-1.7 binary", "application/pdf"), "Unsupported file type", 400),
    ("binary", {}, ("x.txt", b"\x00\x01\x02\x03" * 50, "text/plain"), "binary", 400),
    ("undecodable", {}, ("x.txt", b"caf\xe9 \x81\x8d\x8f\x90", "text/plain"), "decoded", 400),
    ("too large", {}, ("big.txt", b"a" * (64 * 1024 + 1), "text/plain"), "limit", 400),
]


@pytest.mark.parametrize(("case", "data", "file", "message", "status"), BAD,
                         ids=[b[0] for b in BAD])
def test_bad_input_gets_its_message_and_writes_nothing(
    settings: Settings, extractor, case: str, data: dict[str, str],  # type: ignore[no-untyped-def]
    file: tuple[str, bytes, str] | None, message: str, status: int,
) -> None:
    from app.main import create_app

    small = settings.model_copy(update={"max_upload_bytes": 64 * 1024})
    with TestClient(create_app(small, extractor=extractor)) as client:
        r = _post(client, data, files={"file": file} if file else None)
        assert r.status_code == status
        page = soup(r.text)
        error = page.select_one("#form-error")
        assert error is not None and message in error.get_text()
        # What the user typed is kept in the form.
        if data.get("text", "").strip():
            assert page.select_one("textarea[name=text]").get_text() == data["text"]
    assert row_counts(settings.database_url) == (0, 0)


def test_post_without_valid_csrf_is_refused(client: TestClient, settings: Settings) -> None:
    client.get("/upload")
    r = client.post("/upload", data={"text": ARTICLE, "csrf_token": "forged"},
                    follow_redirects=False, headers={"Accept-Language": "en"})
    assert r.status_code == 403
    assert "expired" in soup(r.text).select_one("#form-error").get_text()
    fresh = TestClient(client.app)
    token = _token(client)
    r2 = fresh.post("/upload", data={"text": ARTICLE, "csrf_token": token},
                    follow_redirects=False)
    assert r2.status_code == 403  # a token without its cookie is worthless
    assert row_counts(settings.database_url) == (0, 0)


def test_output_is_escaped(client: TestClient) -> None:
    xss = "<script>alert('x')</script>"
    r = _post(client, {"text": f"{xss}\n”Hej {xss}”, säger Eva Lind.", "title": xss,
                       "source": "<img src=x onerror=alert(1)>"})
    assert r.status_code == 303
    html = client.get(r.headers["location"]).text
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html
    page = soup(html)
    assert page.select_one("h1").get_text() == xss
    # Only our own external scripts: no inline script, no injected one.
    scripts = page.select("script")
    assert scripts and all(s["src"].startswith("/static/") and not s.string for s in scripts)
