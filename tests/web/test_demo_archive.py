"""The demo archive: openly licensed articles loaded with the seeds, with the credit they need."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import PROJECT_ROOT, Settings
from app.extraction.pipeline import Extractor
from app.main import create_app, licence_url
from app.storage.db import make_engine
from app.storage.models import Article
from tests.factories import soup

CREDIT = "Example contributors, “Ferry strike ends”, Example News, 2020-03-02 (CC BY 2.5)"


@pytest.fixture
def demo_dir(tmp_path: Path) -> Path:
    """Two articles with a credit, one text without (not part of the archive), and a README."""
    d = tmp_path / "demo" / "en"
    d.mkdir(parents=True)
    (d / "a-1.txt").write_text(
        'The ferry strike ended on Monday. "We are back at sea," said union leader Tom Berg.\n',
        encoding="utf-8")
    (d / "a-1.meta.json").write_text(json.dumps({
        "title": "Ferry strike ends", "source": "Example News", "url": "https://example.org/1",
        "published_at": "2020-03-02", "licence": "CC BY 2.5", "attribution": CREDIT}),
        encoding="utf-8")
    (d / "a-2.txt").write_text(
        '"The bridge opens in May," the mayor, Lena Ek, told reporters on Friday.\n',
        encoding="utf-8")
    (d / "a-2.meta.json").write_text(json.dumps({
        "title": "Bridge date set", "licence": "Public domain", "attribution": "City of Example"}),
        encoding="utf-8")
    (d / "no-credit.txt").write_text('"Not in the archive," he said.\n', encoding="utf-8")
    (d.parent / "SOURCES.md").write_text("# Sources\n\nNotes, not an article.\n", "utf-8")
    return d.parent


def _titles(url: str) -> list[str | None]:
    engine = make_engine(url)
    with Session(engine) as s:
        titles = sorted(a.title or "" for a in s.exec(select(Article)).all())
    engine.dispose()
    return list(titles)


@pytest.fixture
def demo_client(settings: Settings, extractor: Extractor, demo_dir: Path
                ) -> Iterator[TestClient]:
    s = settings.model_copy(update={"load_seeds": True, "load_demo": True, "demo_dir": demo_dir})
    with TestClient(create_app(s, extractor=extractor)) as c:
        yield c


def test_serve_loads_the_seeds_and_the_credited_demo_articles(
        demo_client: TestClient, settings: Settings) -> None:
    titles = _titles(settings.database_url)
    assert "Ferry strike ends" in titles and "Bridge date set" in titles
    assert len(titles) == 3  # the seed article and the two credited ones: no README, no bare text


def test_article_page_and_api_show_the_licence_and_credit(
        demo_client: TestClient, settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    with Session(engine) as s:
        article = s.exec(select(Article).where(Article.title == "Ferry strike ends")).one()
        other = s.exec(select(Article).where(Article.title == "Bridge date set")).one()
    engine.dispose()
    page = soup(demo_client.get(f"/articles/{article.id}", params={"lang": "en"}).text)
    credit = page.select_one(".credit")
    assert credit is not None
    assert CREDIT in credit.get_text()
    link = credit.select_one("a[rel=license]")
    assert link is not None and link["href"] == "https://creativecommons.org/licenses/by/2.5/"
    assert link.get_text() == "CC BY 2.5"
    sv = soup(demo_client.get(f"/articles/{article.id}", params={"lang": "sv"}).text)
    assert "Licens:" in sv.select_one(".credit").get_text()  # type: ignore[union-attr]
    # A licence without a known deed is shown as text, never as a made-up link.
    plain = soup(demo_client.get(f"/articles/{other.id}").text).select_one(".credit")
    assert plain is not None and plain.select_one("a") is None
    assert "Public domain" in plain.get_text()
    data = demo_client.get(f"/api/articles/{article.id}").json()
    assert (data["licence"], data["attribution"]) == ("CC BY 2.5", CREDIT)


def test_the_demo_archive_can_be_turned_off(settings: Settings, extractor: Extractor,
                                            demo_dir: Path) -> None:
    s = settings.model_copy(update={"load_seeds": True, "load_demo": False,
                                    "demo_dir": demo_dir})
    with TestClient(create_app(s, extractor=extractor)):
        pass
    assert len(_titles(settings.database_url)) == 1


@pytest.mark.parametrize(("licence", "deed"), [
    ("CC BY 2.5", "https://creativecommons.org/licenses/by/2.5/"),
    ("cc by-sa 4.0", "https://creativecommons.org/licenses/by-sa/4.0/"),
    ("CC BY-NC-SA 3.0", "https://creativecommons.org/licenses/by-nc-sa/3.0/"),
    ("CC0", "https://creativecommons.org/publicdomain/zero/1.0/"),
    ("Public domain", None),
    ("CC BY", None),
    ("", None),
    (None, None),
])
def test_licence_deeds(licence: str | None, deed: str | None) -> None:
    assert licence_url(licence) == deed


def test_every_shipped_demo_text_carries_its_credit() -> None:
    demo = Settings().demo_dir
    assert demo.is_relative_to(PROJECT_ROOT)
    texts = sorted(demo.rglob("*.txt"))
    assert len(texts) >= 200
    for text in texts:
        sidecar = text.with_name(text.stem + ".meta.json")
        assert sidecar.is_file(), f"{text} has no .meta.json"
        meta = json.loads(sidecar.read_text(encoding="utf-8"))
        assert meta.get("licence") and meta.get("attribution") and meta.get("url"), text
