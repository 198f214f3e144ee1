"""Bad input through the form, the API and the CLI; URLs; concurrency on SQLite."""

from __future__ import annotations

import io
import threading
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from app.config import Settings
from app.main import create_app
from tests.factories import drop_database, free_port, new_database_url, row_counts, soup

ARTICLE = "Rektor Maria Ek talade på skolavslutningen.\n”Vi ses i augusti igen”, sade Maria Ek."
LIMIT = 64 * 1024


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buf.getvalue()


@pytest.fixture
def small(settings: Settings, extractor: Any) -> Iterator[TestClient]:
    s = settings.model_copy(update={"max_upload_bytes": LIMIT, "max_batch_files": 5})
    with TestClient(create_app(s, extractor=extractor)) as client:
        yield client


def _form(client: TestClient, data: dict[str, str], files: list[tuple[str, Any]] | None = None
          ) -> httpx.Response:
    token = soup(client.get("/upload").text).select_one("input[name=csrf_token]")["value"]
    # The English interface: these messages are matched in English (both languages are
    # checked in test_reader_ux).
    return client.post("/upload", data={"csrf_token": token, **data}, files=files,
                       follow_redirects=False, headers={"Accept-Language": "en"})


REFUSED = [
    ("whitespace only", {"text": " \n\t "}, None, "empty"),
    ("over the limit", {}, [("file", ("big.txt", b"a" * (LIMIT + 1), "text/plain"))], "limit"),
    ("binary", {}, [("file", ("x.txt", bytes(range(256)), "text/plain"))], "binary"),
    ("pdf", {}, [("file", ("r.pdf", b"%PDF-1.7\n%\xe2\xe3", "application/pdf"))],
     "Unsupported file type"),
    ("invalid date", {"text": ARTICLE, "published_at": "2025-02-30"}, None, "YYYY-MM-DD"),
    ("zip bomb", {}, [("file", ("bomb.zip", _zip({"a.txt": b"0" * (40 * 1024 * 1024)}),
                                "application/zip"))], "zip"),
    ("too many files", {}, [("file", ("many.zip", _zip({f"{i}.txt": ARTICLE.encode() + bytes(
        [48 + i % 10]) for i in range(8)}), "application/zip"))], "the limit is 5"),
    ("nothing usable in a zip", {}, [("file", ("x.zip", _zip({"a.exe": b"MZ"}),
                                               "application/zip"))], "no article files"),
]


@pytest.mark.parametrize(("case", "data", "files", "message"), REFUSED,
                         ids=[r[0] for r in REFUSED])
def test_form_refusals_have_messages_and_change_nothing(
    small: TestClient, settings: Settings, case: str, data: dict[str, str],
    files: list[tuple[str, Any]] | None, message: str,
) -> None:
    r = _form(small, data, files)
    assert r.status_code == 400, case
    error = soup(r.text).select_one("#form-error")
    assert error is not None and message in error.get_text()
    assert row_counts(settings.database_url) == (0, 0)


@pytest.mark.parametrize(
    ("encoding", "data"),
    [("latin-1", ARTICLE.replace("”", '"').encode("latin-1")),
     ("cp1252", ARTICLE.encode("cp1252")),
     ("utf-16", ARTICLE.encode("utf-16"))],
)
def test_legacy_encodings_through_form_and_cli(small: TestClient, encoding: str, data: bytes,
                                               tmp_path: Path) -> None:
    r = _form(small, {}, [("file", (f"skola-{encoding}.txt", data, "text/plain"))])
    assert r.status_code == 303
    stored = small.get("/api" + r.headers["location"]).json()["text"]
    assert "på skolavslutningen" in stored and "Vi ses i augusti igen" in stored


def test_html_with_scripts_and_handlers_is_cleaned(small: TestClient) -> None:
    html = ("<html><head><script>alert(1)</script></head><body onload='evil()'>"
            "<article><h1 onclick='x()'>Skolan</h1><p>Rektor Maria Ek talade.</p>"
            "<p>”Vi ses i augusti igen”, sade Maria Ek.<img src=x onerror=alert(2)></p>"
            "<script>document.cookie</script></article></body></html>")
    r = _form(small, {}, [("file", ("skolan.html", html.encode(), "text/html"))])
    assert r.status_code == 303
    data = small.get("/api" + r.headers["location"]).json()
    assert "alert" not in data["text"] and "cookie" not in data["text"]
    assert "onerror" not in data["text"] and "evil" not in data["text"]
    assert [q["text"] for q in data["quotes"]] == ["Vi ses i augusti igen"]


def test_zip_batch_with_traversal_names(small: TestClient) -> None:
    batch = _zip({"../../etc/a.txt": ARTICLE.encode(),
                  "nested/dir/b.md": ("# B\n\n" + ARTICLE + " Igen.").encode(),
                  "c.txt": b"", "__MACOSX/._a.txt": b"junk"})
    r = _form(small, {}, [("file", ("batch.zip", batch, "application/zip"))])
    assert r.status_code == 200
    rows = soup(r.text).select("tr.batch-row")
    outcome = {row.select_one("td").get_text(): row["data-outcome"] for row in rows}
    assert outcome == {"a.txt": "new", "b.md": "new", "c.txt": "failed"}


@pytest.mark.parametrize("evil", [
    "'; DROP TABLE quote; --", '" OR 1=1 --', "NEAR(a b) AND -x*", "<script>alert(1)</script>",
    "\u202e\u0000", "%00../../etc/passwd",
])
def test_injection_strings_as_fields_and_queries(small: TestClient, evil: str) -> None:
    r = small.post("/api/articles", json={"text": f"{evil}\n”Ett citat här”, sade {evil}.",
                                          "title": evil, "source": evil[:200]})
    assert r.status_code in (201, 400)
    for path in ("/search", "/api/quotes"):
        r = small.get(path, params={"q": evil, "speaker": evil})
        # NUL is refused at the door with a message; everything else is just searched for.
        assert r.status_code == (400 if "\x00" in evil else 200)
        if r.status_code == 400:
            assert "NUL" in r.text
    assert small.get("/", params={"lang": evil}).status_code == (400 if "\x00" in evil else 200)
    html = small.get("/").text
    assert "<script>alert(1)</script>" not in html


def test_api_refusals(small: TestClient, settings: Settings) -> None:
    assert small.post("/api/articles", json={"text": " "}).status_code == 400
    assert small.post("/api/articles", json={"text": "x", "url": "ftp://a"}).status_code == 400
    assert small.post("/api/articles", json={"text": "å" * LIMIT}).status_code == 413
    assert small.post("/api/articles", content=b"\xff\xfe garbage",
                      headers={"content-type": "application/json"}).status_code == 422
    assert small.post("/api/articles", json={"text": 5}).status_code == 422
    assert row_counts(settings.database_url) == (0, 0)


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = ("<html><head><title>Skolan</title><meta property='article:published_time' "
                "content='2025-06-10'></head><body><article><h1>Skolan slutar</h1>"
                f"<p>{ARTICLE.replace(chr(10), '</p><p>')}</p></article></body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def page_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_url_is_fetched_only_from_allowed_hosts(settings: Settings, extractor: Any,
                                                page_server: str) -> None:
    with TestClient(create_app(settings, extractor=extractor)) as client:
        r = _form(client, {"url": f"http://{page_server}/skolan"})
        assert r.status_code == 400
        assert "loopback" in soup(r.text).select_one("#form-error").get_text().lower()
    allowed = settings.model_copy(update={"fetch_allowed_hosts": page_server})
    with TestClient(create_app(allowed, extractor=extractor)) as client:
        r = _form(client, {"url": f"http://{page_server}/skolan", "source": "Skolbladet"})
        assert r.status_code == 303
        data = client.get("/api" + r.headers["location"]).json()
        assert data["title"] == "Skolan slutar" and data["source"] == "Skolbladet"
        assert data["url"] == f"http://{page_server}/skolan"
        assert data["published_at"].startswith("2025-06-10")
        assert [q["text"] for q in data["quotes"]] == ["Vi ses i augusti igen"]


def test_cli_bad_files_are_reported_and_the_rest_land(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db_url: str
) -> None:
    from app.cli import cli
    from app.config import get_settings

    url = db_url
    monkeypatch.setenv("CITAT_DATABASE_URL", url)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "ok.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"   ")
    (tmp_path / "in" / "bin.txt").write_bytes(b"\x00\x01\x02" * 30)
    (tmp_path / "in" / "batch.zip").write_bytes(_zip({"z.txt": ARTICLE.encode() + b" Z."}))
    (tmp_path / "in" / "bomb.zip").write_bytes(_zip({"a.txt": b"0" * (40 * 1024 * 1024)}))
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli, ["ingest", str(tmp_path / "in")])
    finally:
        get_settings.cache_clear()
    assert r.exit_code == 1
    assert "2 new, 0 already stored, 3 failed" in r.output
    assert row_counts(url)[0] == 2


def test_fifty_simultaneous_uploads_land_exactly_once(settings: Settings, extractor: Any
                                                      ) -> None:
    app = create_app(settings.model_copy(update={"ratelimit_upload": "1000/minute"}),
                     extractor=extractor)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        threading.Event().wait(0.05)
    base = f"http://127.0.0.1:{port}"
    texts = [f"Artikel {i}.\n”Vi har nummer {i}”, sade Maria Ek." for i in range(25)]

    def post(text: str) -> int:
        with httpx.Client(timeout=120) as c:
            return c.post(base + "/api/articles", json={"text": text}).status_code

    try:
        with ThreadPoolExecutor(max_workers=50) as pool:
            codes = list(pool.map(post, texts + texts))
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert sorted(set(codes)) in ([200, 201], [201])
    assert codes.count(201) == 25
    assert row_counts(settings.database_url) == (25, 25)


def test_url_through_the_api_and_the_cli(settings: Settings, extractor: Any, page_server: str,
                                         tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.cli import cli
    from app.config import get_settings

    url = f"http://{page_server}/skolan"
    with TestClient(create_app(settings, extractor=extractor)) as client:
        refused = client.post("/api/articles", json={"url": url})
        assert refused.status_code == 400 and refused.json()["field"] == "url"
    allowed = settings.model_copy(update={"fetch_allowed_hosts": page_server})
    with TestClient(create_app(allowed, extractor=extractor)) as client:
        r = client.post("/api/articles", json={"url": url})
        assert r.status_code == 201 and r.json()["title"] == "Skolan slutar"
        again = client.post("/api/articles", json={"url": url})
        assert again.status_code == 200 and again.json()["id"] == r.json()["id"]

    fresh = new_database_url(tmp_path)
    monkeypatch.setenv("CITAT_DATABASE_URL", fresh)
    monkeypatch.setenv("CITAT_FETCH_ALLOWED_HOSTS", page_server)
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(cli, ["ingest", url])
    finally:
        get_settings.cache_clear()
        drop_database(fresh)
    assert out.exit_code == 0, out.output
    assert "1 new, 0 already stored, 0 failed" in out.output
