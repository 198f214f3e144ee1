"""Editors on the web: login, corrections that survive re-extraction, the audit log, reports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.ingest.readers import ArticleIn
from app.ingest.service import ingest
from app.storage.db import make_engine
from app.storage.models import Quote
from tests.factories import (
    EXTRACTION,
    Q1,
    Q2,
    TEXT,
    FixedExtractor,
    add_editor,
    app_with_article,
    csrf_token,
    login,
    quote_id_at,
    soup,
)


@pytest.fixture
def desk(settings: Settings) -> Iterator[TestClient]:
    """An app holding one article (fixed extraction) and one editor account."""
    s = settings.model_copy(update={"ratelimit_login": "5/minute", "ratelimit_report": "2/minute"})
    add_editor(s.database_url)
    with app_with_article(s, EXTRACTION, text=TEXT) as client:
        yield client


def _post(client: TestClient, path: str, page: str, **data: str) -> int:
    r = client.post(path, data={"csrf_token": csrf_token(client, page), **data},
                    follow_redirects=False)
    return r.status_code


def test_editor_pages_need_alogin(desk: TestClient) -> None:
    r = desk.get("/editor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Feditor"
    qid = quote_id_at(desk, Q1[0])
    assert _post(desk, f"/q/{qid}/correct", f"/q/{qid}", action="kind",
                 value="direct") == 401
    assert login(desk, "fel lösenord") == 401
    assert login(desk) == 303
    assert desk.get("/editor").status_code == 200
    assert soup(desk.get(f"/q/{qid}").text).select_one("form.correct-speaker") is not None


def test_login_is_rate_limited(desk: TestClient) -> None:
    codes = [login(desk, "fel lösenord") for _ in range(6)]
    assert codes[:5] == [401] * 5 and codes[5] == 429


def test_quote_corrections_survive_reextraction_and_are_audited(
    desk: TestClient, settings: Settings
) -> None:
    assert login(desk) == 303
    q1, q2 = quote_id_at(desk, Q1[0]), quote_id_at(desk, Q2[0])
    assert _post(desk, f"/q/{q1}/correct", f"/q/{q1}", action="speaker",
                 value="Per Holm") == 303
    assert _post(desk, f"/q/{q1}/correct", f"/q/{q1}", action="kind", value="direct") == 303
    assert _post(desk, f"/q/{q2}/correct", f"/q/{q2}", action="not_quote") == 303

    page = soup(desk.get(f"/q/{q1}").text)
    assert page.select_one(".attribution .speaker").get_text() == "Per Holm"
    assert page.select_one(".reviewed") is not None
    assert page.select_one(".kind")["data-kind"] == "direct"
    assert q2 not in {q["id"] for q in desk.get("/api/quotes").json()["items"]}
    assert desk.get("/api/quotes", params={"q": "allianser"}).json()["total"] == 0

    # The machine runs again (a new extractor version): the people's corrections stay.
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT), refresh=True)
        quotes = {q.public_id: q for q in session.exec(select(Quote)).all()}
    engine.dispose()
    assert quotes[q2].hidden and quotes[q1].type == "direct" and quotes[q1].reviewed
    assert desk.get(f"/api/quotes/{q1}").json()["speaker"]["name"] == "Per Holm"

    log = soup(desk.get("/editor").text).select("tr.correction")
    assert [r["data-action"] for r in log] == ["not_a_quote", "quote_kind", "quote_speaker"]
    speaker_row = log[2]
    assert speaker_row.select_one(".who").get_text() == "redaktor"
    assert "Anna Berg" in speaker_row.select_one(".before").get_text()
    assert "Per Holm" in speaker_row.select_one(".after").get_text()


def test_speaker_merge_rename_split(desk: TestClient, settings: Settings) -> None:
    assert login(desk) == 303
    page = "/speakers/polisen"
    assert _post(desk, "/speakers/polisen/correct", page, action="merge",
                 value="anna-berg") == 303
    assert desk.get("/speakers/polisen").status_code == 404
    assert desk.get("/api/speakers/anna-berg").json()["quotes"]["total"] == 3
    # Re-extraction names "Polisen" again: it lands on the speaker it was merged into.
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT), refresh=True)
    assert desk.get("/api/speakers/anna-berg").json()["quotes"]["total"] == 3
    assert desk.get("/speakers/polisen").status_code == 404

    assert _post(desk, "/speakers/anna-berg/correct", "/speakers/anna-berg", action="split",
                 value="Polisen") == 303
    assert desk.get("/api/speakers/polisen").json()["quotes"]["total"] == 1
    assert desk.get("/api/speakers/anna-berg").json()["quotes"]["total"] == 2

    assert _post(desk, "/speakers/anna-berg/correct", "/speakers/anna-berg", action="rename",
                 value="Anna Berg-Lund") == 303
    renamed = desk.get("/api/speakers/anna-berg").json()
    assert renamed["name"] == "Anna Berg-Lund"  # same URL, new canonical name
    with Session(engine) as session:
        ingest(session, FixedExtractor(EXTRACTION), ArticleIn(text=TEXT), refresh=True)
    engine.dispose()
    assert desk.get("/api/speakers/anna-berg").json()["quotes"]["total"] == 2
    assert _post(desk, "/speakers/anna-berg/correct", "/speakers/anna-berg", action="rename",
                 value="Polisen") == 400  # another speaker's name: merge instead


def test_visitors_report_and_editors_close(desk: TestClient) -> None:
    qid = quote_id_at(desk, Q1[0])
    assert _post(desk, f"/q/{qid}/report", f"/q/{qid}", message="Det var Per Holm som sa det"
                 ) == 303
    assert _post(desk, f"/q/{qid}/report", f"/q/{qid}", message="   ") == 400
    assert _post(desk, f"/q/{qid}/report", f"/q/{qid}", message="igen") == 429  # rate limit
    assert login(desk) == 303
    reports = soup(desk.get("/editor").text).select("li.report")
    assert len(reports) == 1 and "Per Holm som sa det" in reports[0].get_text()
    close = reports[0].select_one("form")["action"]
    assert _post(desk, close, "/editor") == 303
    assert not soup(desk.get("/editor").text).select("li.report")
