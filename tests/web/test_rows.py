"""List rows built as strings (``app.web.rows``): every value escaped as markupsafe does."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlmodel import Session, select
from starlette.requests import Request

from app.config import Settings
from app.main import create_app
from app.storage.keyset import plain
from app.storage.models import Speaker
from app.web import i18n
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


# The loops of the speaker and entity pages' asides that ``neighbours`` replaced.
LOOPS = {
    ("speaker", "", False): "{% for s, n in pairs %}<li><a href=\"{{ url_for('speaker', "
    "slug=s.slug).path }}\">{{ s.name }}</a> <span class=\"count\">{{ n|number }}</span></li>"
    "{% endfor %}",
    ("entity", "entity", False): "{% for e, n in pairs %}<li><a class=\"entity\" href=\"{{ "
    "url_for('entity', slug=e.slug).path }}\">{{ e.name }}</a> <span class=\"count\">{{ "
    "n|number }}</span></li>{% endfor %}",
    ("speaker", "", True): "{% for s, n in pairs %}<li><a href=\"{{ url_for('speaker', "
    "slug=s.slug).path }}\">{{ s.name }}</a> <span class=\"count\">{{ ngettext(\"%(num)s "
    "article\", \"%(num)s articles\", n) }}</span></li>{% endfor %}",
}


@pytest.mark.parametrize("lang", ["sv", "en"])
@pytest.mark.parametrize("root", ["", "/citat"])
def test_neighbours_are_the_loops_they_replace(settings: Settings, lang: str, root: str
                                               ) -> None:
    app = create_app(settings, extractor=ByText(EXTRACTIONS))
    with TestClient(app):
        env = app.state.templates.env
        request = Request({"type": "http", "method": "GET", "path": root + "/", "root_path": root,
                           "query_string": b"", "headers": [(b"host", b"testserver")],
                           "scheme": "http", "server": ("testserver", 80), "app": app})
        pairs = [(plain(("name", "slug"), values), n) for values, n in (
            ((HOSTILE, "tom-s-co"), 1), (("Åsa Öberg", "asa-oberg"), 2),
            (("Lunds universitet", "lunds-universitet"), 1234),
            (("Sergej Lavrov", "sergej-lavrov"), 1_000_000))]
        token = i18n.current_locale.set(lang)
        try:
            for (route, css, articles), loop in LOOPS.items():
                before = env.from_string(loop).render(request=request, pairs=pairs)
                now = env.from_string(
                    "{{ neighbours(pairs, route, css=css, articles=articles) }}").render(
                    request=request, pairs=pairs, route=route, css=css, articles=articles)
                assert now == before, (route, css, articles)
                items = soup(f"<ul>{now}</ul>").select("li")
                links = [a for li in items for a in li.select("a")]
                assert [a.get_text() for a in links] == [p.name for p, _ in pairs]
                assert [a["href"] for a in links] == [
                    f"{root}/{route}s/{p.slug}".replace("/entitys/", "/entities/")
                    for p, _ in pairs]
                assert all(a.get("class") == ([css] if css else None) for a in links)
                counts = [c.get_text() for li in items for c in li.select(".count")]
                if articles:
                    assert counts == {"sv": ["1 artikel", "2 artiklar", "1234 artiklar",
                                             "1000000 artiklar"],
                                      "en": ["1 article", "2 articles", "1234 articles",
                                             "1000000 articles"]}[lang]
                else:
                    assert counts == {"sv": ["1", "2", "1\xa0234", "1\xa0000\xa0000"],
                                      "en": ["1", "2", "1,234", "1,000,000"]}[lang]
        finally:
            i18n.current_locale.reset(token)


# The search page's facet loop that ``facet_items`` replaced (templates/_results.html).
FACET_LOOP = (
    "{% set labels = {'direct': _('direct'), 'partial': _('partial'), 'indirect': "
    "_('indirect'), 'sv': _('Swedish'), 'en': _('English')} %}"
    "{% for v in values %}\n          <li><a href=\"{{ v.href }}\" data-value=\"{{ v.value }}\" "
    "class=\"{{ 'selected' if v.selected }}\" {% if v.selected %}aria-current=\"true\""
    "{% endif %}>{{ labels.get(v.label, v.label) if name in ('kind', 'language') else "
    "(v.label|month if name == 'month' else v.label) }}</a> <span class=\"count\">"
    "{{ v.count|number }}</span></li>\n        {% endfor %}")


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_facet_items_are_the_loop_they_replace(settings: Settings, lang: str) -> None:
    app = create_app(settings, extractor=ByText(EXTRACTIONS))
    labels = {"speaker": [HOSTILE, "Åsa Öberg"], "entity": ["Lunds universitet", HOSTILE],
              "source": ["Dalby Kuriren", "<i>x</i>"], "language": ["sv", "en", "fi"],
              "kind": ["direct", "partial", "indirect", "<odd>"],
              "month": ["2025-02", "2024-12", "not-a-month"]}
    counts = [1, 2, 1234, 1_000_000]
    with TestClient(app):
        env = app.state.templates.env
        token = i18n.current_locale.set(lang)
        try:
            for name, names in labels.items():
                values = [{"value": label + "'v", "label": label, "count": counts[i % 4],
                           "selected": i == 1, "href": f"?q=a&{name}={label}&x=\"1\""}
                          for i, label in enumerate(names)]
                before = env.from_string(FACET_LOOP).render(values=values, name=name)
                now = env.from_string("{{ facet_items(values, name) }}").render(
                    values=values, name=name)
                assert now == before, name
                items = soup(f"<ul>{now}</ul>").select("li")
                assert [li.a["href"] for li in items] == [v["href"] for v in values]
                assert [li.a.get("aria-current") for li in items] == [
                    "true" if v["selected"] else None for v in values]
                assert [li.select_one(".count").get_text() for li in items] == {
                    "sv": ["1", "2", "1\xa0234", "1\xa0000\xa0000"],
                    "en": ["1", "2", "1,234", "1,000,000"]}[lang][:len(values)]
            kinds = env.from_string("{{ facet_items(values, 'kind') }}").render(values=[
                {"value": "direct", "label": "direct", "count": 3, "selected": False,
                 "href": "?kind=direct"}])
            assert soup(kinds).a.get_text() == {"sv": "direkt", "en": "direct"}[lang]
        finally:
            i18n.current_locale.reset(token)
