"""Issue 25, second round: extraction apart from the web process, queued URL fetches, quotes
kept whole across piece borders, invalid UTF-8, fast exports, ended sessions, sidecar links."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.ingest.isolated import TIMED_OUT, ExtractorProcess
from app.ingest.readers import build_article
from app.ingest.service import process_article, submit
from app.main import create_app
from app.storage.db import make_engine
from app.storage.models import Article
from tests.factories import EN, SV, ingest_cli, row_counts, serve, serve_cli, soup
from tests.system import slow_extraction

SAID = "”Färjan går som vanligt hela sommaren”, sade hamnchefen Lina Berg."
TEXT = "Hamnen i Grisslehamn fick nya bryggor i våras.\n" + SAID


# -- invalid UTF-8 in a JSON body -------------------------------------------------------------

def test_invalid_utf8_in_a_json_body_gets_a_clear_message_in_the_readers_language(
    api: TestClient, settings: Settings
) -> None:
    body = b'{"text": "Hej \xff d\xe5 v\xe4rlden"}'
    headers = {"content-type": "application/json"}
    en = api.post("/api/articles", content=body, headers={**headers, **EN})
    sv = api.post("/api/articles", content=body, headers={**headers, **SV})
    assert en.status_code == 400 and sv.status_code == 400
    assert en.json()["detail"] == ("The request body is not valid UTF-8 (at byte 14): send the "
                                   "JSON encoded as UTF-8.")
    assert sv.json()["detail"] == ("Begärans innehåll är inte giltig UTF-8 (vid byte 14): "
                                   "skicka JSON kodad som UTF-8.")
    assert row_counts(settings.database_url) == (0, 0)
    # Valid UTF-8 and plain bad JSON keep their answers.
    ok = api.post("/api/articles", content=json.dumps({"text": TEXT}).encode(),
                  headers=headers)
    assert ok.status_code == 201
    assert api.post("/api/articles", content=b'{"text": ', headers=headers).status_code == 422


# -- the header shows no one for an ended session ---------------------------------------------

def _login(client: TestClient, settings: Settings) -> str:
    from app.services.accounts import create_user

    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        create_user(s, "redaktor", "ett långt och bra lösenord")
    engine.dispose()
    token = soup(client.get("/login").text).select_one("input[name=csrf_token]")["value"]
    r = client.post("/login", data={"csrf_token": token, "username": "redaktor",
                                    "password": "ett långt och bra lösenord", "next": "/"},
                    follow_redirects=False)
    assert r.status_code == 303
    cookie = client.cookies.get("citat_session")
    assert cookie
    return cookie


def test_the_header_does_not_name_the_user_of_an_ended_session(
    api: TestClient, settings: Settings
) -> None:
    copied = _login(api, settings)
    header = soup(api.get("/", headers=EN).text).select_one("header.site")
    assert "Log out redaktor" in header.get_text()
    token = soup(api.get("/").text).select_one("input[name=csrf_token]")["value"]
    assert api.post("/logout", data={"csrf_token": token},
                    follow_redirects=False).status_code == 303
    api.cookies.set("citat_session", copied)  # a copy someone kept
    header = soup(api.get("/", headers=EN).text).select_one("header.site")
    assert "Log out" not in header.get_text() and "redaktor" not in header.get_text()
    assert header.select_one("a.login-link") is not None
    assert api.get("/editor", follow_redirects=False).status_code == 303


def test_the_header_does_not_name_a_deactivated_user(
    api: TestClient, settings: Settings
) -> None:
    from app.storage.models import User

    _login(api, settings)
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        user = s.exec(select(User)).one()
        user.active = False
        s.add(user)
        s.commit()
    engine.dispose()
    header = soup(api.get("/", headers=EN).text).select_one("header.site")
    assert "Log out" not in header.get_text()


# -- a sidecar .meta.json linking out of the folder -------------------------------------------

def test_a_sidecar_linking_out_of_the_folder_is_not_read(
    tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "private.json"
    outside.write_text(json.dumps({"title": "Lösenord: hemligt123"}), encoding="utf-8")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "hamnen.txt").write_text(TEXT, encoding="utf-8")
    (folder / "hamnen.meta.json").symlink_to(outside)
    (folder / "skolan.txt").write_text("Skolan öppnar i augusti.\n" + SAID.replace(
        "Färjan", "Bussen"), encoding="utf-8")
    (folder / "real.json").write_text(json.dumps({"title": "Skolan"}), encoding="utf-8")
    (folder / "skolan.meta.json").symlink_to(folder / "real.json")  # inside: read
    code, output = ingest_cli([str(folder)], db_url, monkeypatch)
    flat = " ".join(output.split())
    assert code == 1, output
    assert f"hamnen.meta.json is a link to {outside}, outside {folder}: not read." in flat
    assert "1 new, 0 already stored, 1 failed" in flat
    engine = make_engine(db_url)
    with Session(engine) as s:
        titles = s.exec(select(Article.title)).all()
    engine.dispose()
    assert titles == ["Skolan"]


# -- extraction in a child process, with a time limit; SIGTERM during an extraction ----------

def _stored(session: Session, text: str) -> int:
    result = submit(session, build_article(text=text, max_bytes=1_000_000))
    return result.article_id


def test_an_extraction_over_the_time_limit_is_stopped_and_the_article_failed_with_a_reason(
    settings: Settings, extractor: Any
) -> None:
    process = ExtractorProcess(1.5, factory=slow_extraction.make)
    engine = make_engine(settings.database_url)
    try:
        with Session(engine) as s:
            slow = _stored(s, "En långsam text om hamnen och bryggorna i Grisslehamn.")
            quick = _stored(s, TEXT)
            started = time.monotonic()
            result = process_article(s, process, slow, max_attempts=3)
            took = time.monotonic() - started
            assert result.status == "failed"
            assert 1.5 <= took < 30
            article = s.get(Article, slow)
            assert article is not None
            reason = TIMED_OUT % {"seconds": 2}
            # Not tried again: the same text would run out of time again.
            assert (article.status, article.attempts, article.error) == ("failed", 1, reason)
            # The next article gets a fresh child process; none runs in this one.
            done = process_article(s, process, quick, max_attempts=3)
            assert done.status == "done"
            assert process.child_pid not in (None, os.getpid())
    finally:
        process.close()
        engine.dispose()
    with TestClient(create_app(settings, extractor=extractor)) as client:
        en = soup(client.get(f"/articles/{slow}", headers=EN).text)
        sv = soup(client.get(f"/articles/{slow}", headers=SV).text)
    assert en.select_one(".error-text").get_text() == reason
    assert sv.select_one(".error-text").get_text() == (
        "Extraktionen tog längre tid än 2 sekunder och stoppades. Texten kan vara ovanligt "
        "lång eller ovanlig; den prövades inte igen.")


SERVE_WITH_SLOW_CHILD = (
    "import app.ingest.isolated as iso, tests.system.slow_extraction as slow\n"
    "iso.CHILD_FACTORY = slow.make\n"
    "import sys; sys.argv = ['citat', 'serve']\n"
    "from app.cli import main; main()\n"
)


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie waiting for its parent to reap it is gone too.
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" in status.read_text()


def test_sigterm_stops_serve_within_seconds_during_an_extraction(
    db_url: str, tmp_path: Path
) -> None:
    flag = tmp_path / "extracting"
    proc, base = serve_cli(SERVE_WITH_SLOW_CHILD, db_url, tmp_path, CITAT_TEST_FLAG=str(flag))
    try:
        r = httpx.post(base + "/api/articles", timeout=30, json={
            "text": "Den här långsam texten handlar om färjan till Åland."})
        assert r.status_code == 201 and r.json()["status"] == "queued"
        article_id = r.json()["id"]
        deadline = time.monotonic() + 120
        while not flag.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert flag.exists(), "the extraction did not start"
        child = int(flag.read_text())
        assert child != proc.pid
        # The site answers while the article is being extracted.
        started = time.monotonic()
        assert httpx.get(base + "/", timeout=30).status_code == 200
        assert time.monotonic() - started < 5
        assert httpx.get(f"{base}/api/articles/{article_id}",
                         timeout=30).json()["status"] == "processing"
        proc.send_signal(signal.SIGTERM)
        started = time.monotonic()
        code = proc.wait(timeout=60)
        stopped = time.monotonic() - started
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
    # uvicorn shuts down gracefully, then re-raises the signal it caught: -SIGTERM.
    assert code in (0, -signal.SIGTERM)
    assert stopped < 10, stopped
    deadline = time.monotonic() + 10
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _gone(child)
    # The interrupted article is back in the queue, its try not counted.
    engine = make_engine(db_url)
    with Session(engine) as s:
        article = s.get(Article, article_id)
        assert article is not None
        assert (article.status, article.attempts) == ("queued", 0)
    engine.dispose()



def test_other_requests_are_answered_quickly_during_a_max_size_hostile_post(
    db_url: str, tmp_path: Path
) -> None:
    """The probe's post: one word of the largest accepted size, extracted by the real
    pipelines (in the child process); bench/hostile_post.py gives the figures."""
    code = "import sys; sys.argv = ['citat', 'serve']\nfrom app.cli import main; main()\n"
    proc, base = serve_cli(code, db_url, tmp_path)
    latencies: list[float] = []
    try:
        with httpx.Client(base_url=base, timeout=120) as client:
            for path in ("/", "/api/quotes?limit=20", "/speakers"):
                client.get(path)  # warm up
            r = client.post("/api/articles", json={"text": "a" * (2 * 1024 * 1024 - 100)})
            assert r.status_code == 201, r.text[:300]
            article_id = r.json()["id"]
            status, n = r.json()["status"], 0
            deadline = time.monotonic() + 600
            while status in ("queued", "processing") and time.monotonic() < deadline:
                started = time.perf_counter()
                page = client.get(("/", "/api/quotes?limit=20", "/speakers")[n % 3])
                latencies.append(time.perf_counter() - started)
                assert page.status_code == 200
                n += 1
                if n % 5 == 0:
                    status = client.get(f"/api/articles/{article_id}").json()["status"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(30)
    assert status == "done"
    assert len(latencies) >= 10
    p99 = sorted(latencies)[max(0, round(0.99 * len(latencies)) - 1)]
    # Measured 0.18 s at load 15 on 2 cores (5.0 s with the extraction on a web thread).
    assert p99 < 2.0, (p99, len(latencies))


# -- long texts in pieces: a quotation is never cut ----------------------------------------

def _pieces(text: str, limit: int) -> list[str]:
    from app.extraction.pipeline import _bounded, _Segment
    from app.extraction.segments import Paragraph, paragraph_bounds

    paras = tuple(Paragraph(s, e, "sv") for s, e in paragraph_bounds(text))
    parts = _bounded(text, _Segment("sv", 0, len(text), paras), limit=limit)
    assert all(p.end - p.start <= limit for p in parts)
    return [text[p.start:p.end] for p in parts]


def test_a_long_paragraph_is_cut_outside_its_quotations() -> None:
    quote = "”Bryggan byggs om i vår och står klar till midsommar”"
    text = "Hamnen ligger vid viken. " + quote + ", sade hamnchefen. Sedan kom regnet."
    # A cut at the last space before 60 characters would fall inside the quotation.
    naive = text.rfind(" ", 1, 60)
    assert text.index(quote) < naive < text.index(quote) + len(quote)
    parts = _pieces(text, 60)
    assert any(quote in p for p in parts), parts
    assert parts[0] == "Hamnen ligger vid viken."


def test_a_quote_running_over_paragraphs_stays_in_one_piece() -> None:
    first = "“The pier will be rebuilt this spring,” said the harbour master.\n"
    quote = ("“We have waited for years for the money\n"
             "“and now it is here. The work starts in April,” she said.\n")
    text = first + quote + "Rain fell all week."
    # Cutting at the paragraph boundary inside the quote would fit the limit better.
    parts = _pieces(text, len(first) + 45)
    assert any(quote.strip() in p for p in parts), parts


def test_a_quote_at_a_piece_border_is_extracted_whole(
    extractor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.extraction.pipeline as pipeline

    said = "”Färjan går som vanligt hela sommaren och hela hösten”, sade hamnchefen Lina Berg."
    lead = "Hamnen i Grisslehamn fick nya bryggor i våras och fler båtar än förut. " * 3
    text = lead + said + " Sedan kom regnet och blåsten."
    limit = len(lead) + 30  # the old cut: inside the quotation
    monkeypatch.setattr(pipeline, "MAX_SEGMENT_CHARS", limit)
    monkeypatch.setattr(pipeline._bounded, "__defaults__", (limit,))
    result = extractor.extract(text)
    assert result.stats["segments"] >= 2
    assert [(q.text, q.speaker) for q in result.quotes] == [
        ("Färjan går som vanligt hela sommaren och hela hösten", "Lina Berg")]


# -- exports: one streamed query, CSV and JSON -----------------------------------------------

def _many_quotes(url: str, n: int, per: int = 50) -> None:
    from sqlalchemy import insert

    from app.storage.models import Quote, Speaker

    engine = make_engine(url)
    with Session(engine) as s:
        speakers = [Speaker(name=f"Talare Nummer{i}", slug=f"talare-nummer{i}")
                    for i in range(20)]
        articles = [Article(content_hash=f"{i:064x}", title=f"Hamnen {i}", source="Kusten",
                            url=f"https://example.org/{i}", text="x", status="done")
                    for i in range(n // per)]
        s.add_all([*speakers, *articles])
        s.flush()
        s.execute(insert(Quote), [
            {"public_id": f"{a.id:08x}{k:08x}", "article_id": a.id, "start": k * 10,
             "end": k * 10 + 8, "type": "direct", "language": "sv",
             "text": f"=Bryggan {k} byggs om, sade hon", "speaker_id": speakers[k % 20].id,
             "confidence": 0.9, "hidden": False, "reviewed": False}
            for a in articles for k in range(per)])
        s.commit()
    engine.dispose()


def test_the_exports_stream_every_quote_in_a_few_statements(
    api: TestClient, settings: Settings
) -> None:
    import csv
    import io

    from sqlalchemy import event

    _many_quotes(settings.database_url, 5_000)
    engine = api.app.state.engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2])[:60])

    event.listen(engine, "before_cursor_execute", count)
    try:
        r = api.get("/export/quotes.csv")
        csv_statements = len(statements)
        statements.clear()
        j = api.get("/export/quotes.json")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    rows = list(csv.DictReader(io.StringIO(r.text.lstrip("\ufeff"))))
    items = j.json()
    assert j.headers["content-type"] == "application/json"
    assert len(rows) == len(items) == 5_000
    # One SELECT of plain columns, read with a cursor: not a page of ORM objects per 500.
    assert csv_statements <= 3 and len(statements) <= 3, (csv_statements, statements)
    assert rows[0]["id"] == items[0]["id"] and rows[0]["speaker"] == items[0]["speaker"]
    assert rows[0]["text"].startswith("'=Bryggan")  # CSV injection guard kept
    assert items[0]["text"].startswith("=Bryggan") and items[0]["confidence"] == 0.9
    assert items[0]["permalink"] == "http://testserver/q/" + items[0]["id"]
    assert {i["speaker"] for i in items} == {f"Talare Nummer{k}" for k in range(20)}


# -- URL fetches: queued on their own threads, at most max_fetches at once -------------------

def test_url_fetches_wait_their_turn_on_fetch_threads_and_the_site_stays_quick(
    settings: Settings, extractor: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import app.ingest.uploads as uploads_module

    running: list[int] = []
    seen: dict[str, Any] = {"most": 0, "threads": set()}
    lock = threading.Lock()

    def slow_page(url: str, fields: Any, **kw: Any) -> Any:
        with lock:
            running.append(1)
            seen["most"] = max(seen["most"], len(running))
            seen["threads"].add(threading.current_thread().name)
        time.sleep(1.0)  # a slow site
        with lock:
            running.pop()
        return build_article(text=f"Sidan {url} säger: ”Bryggan är klar”, sade Lina Berg.",
                             url=url, max_bytes=100_000)

    monkeypatch.setattr(uploads_module, "from_url", slow_page)
    s = settings.model_copy(update={"max_fetches": 2, "max_fetches_waiting": 10,
                                    "ratelimit_upload": "100/minute"})
    app = create_app(s, extractor=extractor)
    statuses: list[int] = []
    quick: list[float] = []
    for base in serve(app, proxy_headers=False):
        def post(n: int) -> None:
            r = httpx.post(base + "/api/articles", json={"url": f"https://example.org/{n}"},
                           timeout=60)
            statuses.append(r.status_code)

        posts = [threading.Thread(target=post, args=(n,)) for n in range(6)]
        for t in posts:
            t.start()
        time.sleep(0.3)
        for _ in range(5):  # other requests while six slow fetches wait or run
            started = time.perf_counter()
            assert httpx.get(base + "/api/quotes?limit=5", timeout=30).status_code == 200
            quick.append(time.perf_counter() - started)
        for t in posts:
            t.join(60)
    # Before: fetches beyond the cap were refused at once with 503.
    assert sorted(statuses) == [201] * 6
    assert seen["most"] == 2
    assert all(name.startswith("citat-fetch") for name in seen["threads"]), seen["threads"]
    assert max(quick) < 1.0, quick  # a fetch takes 1 s; nobody waited for one
    assert row_counts(settings.database_url)[0] == 6
