"""Issue 25, second round: extraction apart from the web process, queued URL fetches, quotes
kept whole across piece borders, invalid UTF-8, fast exports, ended sessions, sidecar links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.storage.db import make_engine
from app.storage.models import Article
from tests.conftest import row_counts, soup
from tests.test_reliability import _ingest_cli

SAID = "”Färjan går som vanligt hela sommaren”, sade hamnchefen Lina Berg."
TEXT = "Hamnen i Grisslehamn fick nya bryggor i våras.\n" + SAID
EN = {"Accept-Language": "en"}
SV = {"Accept-Language": "sv"}


@pytest.fixture
def api(settings: Settings, extractor: Any) -> Iterator[TestClient]:
    with TestClient(create_app(settings, extractor=extractor)) as client:
        yield client


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
    from app.ingest.accounts import create_user

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
    code, output = _ingest_cli([str(folder)], db_url, monkeypatch)
    flat = " ".join(output.split())
    assert code == 1, output
    assert f"hamnen.meta.json is a link to {outside}, outside {folder}: not read." in flat
    assert "1 new, 0 already stored, 1 failed" in flat
    engine = make_engine(db_url)
    with Session(engine) as s:
        titles = s.exec(select(Article.title)).all()
    engine.dispose()
    assert titles == ["Skolan"]
