"""List rows built as strings (``app.web.rows``): every value escaped as markupsafe does."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.storage.models import Speaker
from app.web.rows import esc
from tests.factories import EXTRACTIONS, TEXT_A, TEXT_B, ByText, soup

HOSTILE = "<b>\"Tom's\" & co</b> ' \" & < >"


def test_esc_is_markupsafes_escape() -> None:
    rng = random.Random(5)
    alphabet = "&<>'\"aå ;#x1"
    for text in ["", "plain", HOSTILE, "&amp;", "&#39;", *(
            "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
            for _ in range(500))]:
        assert esc(text) == str(escape(text))


@pytest.fixture
def archive(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, extractor=ByText(EXTRACTIONS))) as client:
        for text in (TEXT_A, TEXT_B):
            r = client.post("/api/articles", json={"text": text, "title": HOSTILE})
            assert r.status_code == 201
        yield client


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_a_rows_values_are_escaped(archive: TestClient, lang: str) -> None:
    with Session(archive.app.state.engine) as s:  # type: ignore[attr-defined]
        slug = s.exec(select(Speaker.slug).where(Speaker.name == "Anna Berg")).one()
    html = archive.get(f"/speakers/{slug}", params={"lang": lang}).text
    assert "<b>" not in html and HOSTILE not in html
    items = soup(html).select("li.quote-item")
    assert items
    for item in items:
        article = item.select_one("a.article")
        assert article is not None and article.get_text() == HOSTILE
        who = item.select_one(".meta a.speaker")
        assert who is not None and who.get_text() == "Anna Berg"
        assert who["href"] == f"/speakers/{slug}"
        kind = item.select_one(".kind")
        assert kind is not None
        assert kind.get_text() == {"sv": "direkt", "en": "direct"}[lang]
