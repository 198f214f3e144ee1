"""Templates compiled per language with their fixed words and links inlined
(``app.web.localized``): the same HTML as the runtime translation, escaping kept."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, ClassVar

import jinja2
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.config import Settings
from app.main import create_app
from app.storage.models import Article, Entity, Quote, Speaker
from app.web import i18n
from app.web.localized import LocalizedTemplates
from tests.factories import (
    EXTRACTIONS,
    TEXT_A,
    TEXT_B,
    TEXT_C,
    TEXT_D,
    ByText,
    add_editor,
    login,
    soup,
)

_TOKEN = re.compile(r'(name="csrf_token" value=")[^"]*(")')


@pytest.fixture
def archive(settings: Settings) -> Iterator[TestClient]:
    """An app (nothing cached) holding the four articles of tests/factories.py, an editor."""
    add_editor(settings.database_url)
    with TestClient(create_app(settings, extractor=ByText(EXTRACTIONS))) as client:
        for text in (TEXT_A, TEXT_B, TEXT_C, TEXT_D):
            assert client.post("/api/articles", json={"text": text}).status_code == 201
        yield client


def _urls(client: TestClient) -> list[str]:
    with Session(client.app.state.engine) as s:  # type: ignore[attr-defined]
        quotes = [q.public_id for q in s.exec(select(Quote))]
        speaker = s.exec(select(Speaker.slug).where(Speaker.name == "Anna Berg")).one()
        entity = s.exec(select(Entity.slug).where(Entity.name == "Göteborg")).one()
        article = s.exec(select(Article.id)).first()
    return ["/", *(f"/q/{q}" for q in quotes), f"/speakers/{speaker}", f"/entities/{entity}",
            f"/articles/{article}", "/search?q=bostäder", "/speakers", "/entities", "/dates",
            "/articles", "/upload", "/verify", "/login", "/no-such-page"]


def _pages(client: TestClient, urls: list[str]) -> dict[str, str]:
    """Every URL in both languages; the CSRF tokens (they carry the time) left out."""
    return {f"{url} {lang}": _TOKEN.sub(r"\1\2", client.get(
        url, params={"lang": lang} if "?" not in url else None,
        headers={"accept-language": lang}).text)
        for url in urls for lang in i18n.LOCALES}


def _runtime(monkeypatch: pytest.MonkeyPatch, client: TestClient) -> None:
    """Render through the app's one environment (gettext and url_for called per request)."""
    templates: LocalizedTemplates = client.app.state.templates  # type: ignore[attr-defined]
    monkeypatch.setattr(templates, "localized", lambda locale, root="": templates.env)


@pytest.mark.parametrize("editor", [False, True])
def test_pages_are_the_same_as_with_the_runtime_translation(
        archive: TestClient, monkeypatch: pytest.MonkeyPatch, editor: bool) -> None:
    if editor:
        assert login(archive) == 303
    urls = _urls(archive)
    inlined = _pages(archive, urls)
    _runtime(monkeypatch, archive)
    runtime = _pages(archive, urls)
    assert inlined == runtime
    # Both languages were really rendered, each in its own words.
    assert 'lang="sv"' in inlined["/ sv"] and ">Sök<" in inlined["/ sv"]
    assert 'lang="en"' in inlined["/ en"] and ">Search<" in inlined["/ en"]
    logged_in = soup(inlined["/ en"]).select_one("form.inline button")
    assert (logged_in is not None) == editor


def _render(templates: LocalizedTemplates, locale: str, source: str, **context: Any) -> str:
    env = templates.localized(locale)
    token = i18n.current_locale.set(locale)
    try:
        return env.from_string(source).render({"request": None, **context})
    finally:
        i18n.current_locale.reset(token)


def test_words_and_links_are_compiled_in_and_values_escaped(archive: TestClient) -> None:
    templates: LocalizedTemplates = archive.app.state.templates  # type: ignore[attr-defined]
    source = ('{{ _("Search") }}|{{ _("Log out %(name)s", name=who) }}|'
              "{{ url_for('search').path }}|{{ url_for('speaker', slug='a-b').path }}|"
              "{{ current_locale() }}|{{ _(kind) }}")
    sv = _render(templates, "sv", source, who="<Ann & Bo>", kind="direct")
    en = _render(templates, "en", source, who="<Ann & Bo>", kind="direct")
    assert sv == ("Sök|Logga ut &lt;Ann &amp; Bo&gt;|/search|/speakers/a-b|sv|direkt")
    assert en == ("Search|Log out &lt;Ann &amp; Bo&gt;|/search|/speakers/a-b|en|direct")
    # The fixed ones are literal text in the compiled template: no call is left for them.
    code = templates.localized("sv").compile(source, raw=True)
    assert "'Sök|'," in code and "'|/search|/speakers/a-b|sv|'" in code
    assert "Markup('Logga ut %(name)s') % {'name': " in code
    assert "url_for" not in code and "'direkt'" not in code  # _(kind): translated per render


def test_a_call_it_cannot_resolve_is_left_to_the_runtime(archive: TestClient) -> None:
    templates: LocalizedTemplates = archive.app.state.templates  # type: ignore[attr-defined]
    # A route that does not exist fails when rendered, as before; a non-literal argument and
    # a non-path use are built per render.
    source = "{{ url_for('speaker', slug=s).path }}|{{ url_for('search') }}"
    out = _render(templates, "en", source, s="x-y", request=_Request())
    assert out == "/speakers/x-y|http://testserver/search"
    with pytest.raises(Exception, match="no-such-route"):
        _render(templates, "en", "{{ url_for('no-such-route').path }}", request=_Request())


class _Request:
    base_url = "http://testserver/"
    scope: ClassVar[dict[str, Any]] = {}


def test_each_language_and_catalog_has_its_own_compiled_code(archive: TestClient) -> None:
    templates: LocalizedTemplates = archive.app.state.templates  # type: ignore[attr-defined]
    sv, en = templates.localized("sv"), templates.localized("en")
    assert sv is not en and sv is templates.localized("sv")
    assert sv.globals is templates.env.globals and sv.filters is templates.env.filters
    names = {e.bytecode_cache.pattern for e in (sv, en)}  # type: ignore[union-attr]
    assert len(names) == 2
    # A template mounted elsewhere (a root path) links under it.
    rooted = templates.localized("en", "/citat")
    assert rooted.bytecode_cache.pattern not in names  # type: ignore[union-attr]
    assert rooted.from_string("{{ url_for('search').path }}").render() == "/citat/search"
    assert isinstance(sv, jinja2.Environment)


@pytest.mark.parametrize("path,query", [
    ("/q/abc123", ""), ("/articles/7", ""), ("/", ""), ("/q/a b/å", ""),
    ("/q/a?b", ""), ("/q/a#b", ""), ("/search", "q=år&lang=en"), ("/search", "q=%3F&x=1"),
    ("/entities/malmoe", "after=1.2.3&page=2"), ("/speakers", "lang=xx"),
])
@pytest.mark.parametrize("root", ["", "/citat"])
def test_the_language_switch_link_is_starlettes(path: str, query: str, root: str) -> None:
    """``switch_url`` gives what ``request.url.include_query_params(lang=…)`` gives (the
    switch's link before), for addresses with and without a query, odd characters included."""
    from starlette.requests import Request

    request = Request({"type": "http", "method": "GET", "scheme": "https", "path": path,
                       "root_path": root, "query_string": query.encode(),
                       "headers": [(b"host", b"citat.example:8443")],
                       "server": ("citat.example", 8443)})
    for locale in i18n.LOCALES:
        expected = str(request.url.include_query_params(lang=locale))
        assert i18n.switch_url(request, locale) == expected
    assert i18n.switch_url(request, "sv").endswith("lang=sv")
