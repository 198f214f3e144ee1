"""Fewer Python calls a page, the same bytes: Jinja's code with one yield an output run and
escaping without a ``Markup`` a value (``app.web.templatecode``), the response headers on
the raw list (``app.web.rawheaders``), the permalink first on the app's router."""

from __future__ import annotations

from typing import Any

import jinja2
import pytest
from markupsafe import Markup, escape
from starlette.datastructures import MutableHeaders

from app.config import Settings
from app.main import create_app
from app.web import pages
from app.web.rawheaders import first_header, raw_headers, set_header
from app.web.templatecode import CitatEnvironment, escape_text

TEMPLATES = {
    "base.html": (
        "<title>{% block title %}Site{% endblock %} · {{ site }}</title>"
        "<body>{% block body %}{% endblock %}<footer>{{ n }} · {{ money }}</footer></body>"),
    "page.html": (
        '{% extends "base.html" %}{% block title %}{{ title }}{% endblock %}'
        "{% block body %}{% from 'macros.html' import card %}"
        "<h1>{{ title }}</h1><p>{{ body }} &amp; {{ safe }}</p>"
        "{% for item in items %}<li class=\"{{ loop.index }}\">{{ item.name }}"
        "{% if item.note %} ({{ item.note|upper }}){% endif %}</li>{% endfor %}"
        "{% set caption %}<em>{{ title }}</em> {{ missing }}{% endset %}{{ caption }}"
        "{{ card(title, body) }}{% call card('Wrap', 'x') %}<b>{{ safe }}</b>{% endcall %}"
        "{{ none }}|{{ n + 1 }}|{{ title ~ body }}|{{ raw_dict.key }}|{{ raw_dict.other }}"
        "{% filter upper %}{{ body }} and {{ safe }}{% endfilter %}{% endblock %}"),
    "macros.html": (
        "{% macro card(head, text) %}<div><h2>{{ head }}</h2>{{ text }}"
        "{% if caller %}{{ caller() }}{% endif %}</div>{% endmacro %}"),
}
VALUES: dict[str, Any] = {
    "site": "Exempel & Co", "n": 7, "money": 1.5, "title": 'A "title" <b>',
    "body": "Fish & chips <script>", "safe": Markup("<i>kept</i>"),
    "items": [{"name": "<one>", "note": "a&b"}, {"name": "two", "note": ""}],
    "none": None, "raw_dict": {"key": "<v>"},
}


def _env(kind: type[jinja2.Environment]) -> jinja2.Environment:
    return kind(loader=jinja2.DictLoader(TEMPLATES), autoescape=True)


def test_pages_are_the_same_text_in_fewer_chunks() -> None:
    stock = _env(jinja2.Environment).get_template("page.html")
    ours = _env(CitatEnvironment).get_template("page.html")
    assert ours.render(VALUES) == stock.render(VALUES)
    assert '&#34;title&#34; &lt;b&gt;' in ours.render(VALUES)  # escaped as before
    assert "<i>kept</i>" in ours.render(VALUES)
    chunks, stock_chunks = list(ours.generate(VALUES)), list(stock.generate(VALUES))
    assert "".join(chunks) == "".join(stock_chunks)
    assert len(chunks) < len(stock_chunks) // 2, (len(chunks), len(stock_chunks))
    # Without autoescape the same too (the escaping change applies only with it).
    plain = jinja2.DictLoader(TEMPLATES)
    assert CitatEnvironment(loader=plain).get_template("page.html").render(VALUES) \
        == jinja2.Environment(loader=plain).get_template("page.html").render(VALUES)


def test_escape_text_is_escape_as_text() -> None:
    for value in ["<a href='x'>&</a>", "", "plain", Markup("<b>ok</b>"), 3, 2.5, None,
                  jinja2.Undefined(), type("Html", (), {"__html__": lambda s: "<x>"})()]:
        assert escape_text(value) == str(escape(value))
    kept = Markup("<b>kept</b>")
    assert escape_text(kept) is kept  # not copied into a new Markup
    assert type(escape_text("<s>")) is str


@pytest.mark.parametrize("raw", [
    [], [(b"vary", b"a")], [(b"vary", b"a"), (b"x", b"1"), (b"vary", b"b"), (b"vary", b"c")],
    [(b"Vary", b"upper"), (b"x", b"1")],
])
def test_raw_headers_are_edited_as_mutable_headers(raw: list[tuple[bytes, bytes]]) -> None:
    ours: dict[str, Any] = {"headers": tuple(raw)}
    theirs: dict[str, Any] = {"headers": tuple(raw)}
    out = raw_headers(ours)
    set_header(out, b"vary", b"Accept-Language")
    set_header(out, b"etag", b'"e"')
    MutableHeaders(scope=theirs)["vary"] = "Accept-Language"
    MutableHeaders(scope=theirs)["etag"] = '"e"'
    assert ours["headers"] == theirs["headers"]
    assert first_header(out, b"vary") == b"Accept-Language"
    assert first_header(out, b"missing") == b""


def test_the_permalink_is_first_on_the_apps_own_router(tmp_path: Any) -> None:
    app = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'c.db'}", load_seeds=False,
                              worker_in_process=False, queue="immediate",
                              secret_key="test-secret-key-test-secret-key-0"),
                     extractor=object())  # type: ignore[arg-type]
    assert app.router.routes[0] is pages.permalink_route
    assert pages.permalink_route not in pages.router.routes
    assert app.state.paths("quote", public_id="abc") == "/q/abc"
    assert app.url_path_for("quote", public_id="abc") == "/q/abc"
    # A second app in the same process has it first too (the route is shared, not moved).
    again = create_app(Settings(database_url=f"sqlite:///{tmp_path / 'd.db'}",
                                load_seeds=False, worker_in_process=False, queue="immediate",
                                secret_key="test-secret-key-test-secret-key-0"),
                       extractor=object())  # type: ignore[arg-type]
    assert again.router.routes[0] is pages.permalink_route
