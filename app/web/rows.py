"""A quote as every list shows it, and who said it, rendered in Python for the templates.

A list page renders twenty of these; as a Jinja macro a row cost ~100 µs (a call through the
template runtime for every link, translation and filter), here ~15 µs. The markup is the one
the macros made: every value is escaped, every text comes from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup, escape

from app.storage.queries import QuoteRow
from app.web import attribution
from app.web.i18n import format_day
from app.web.i18n import gettext_ as _
from app.web.localized import request_root
from app.web.typography import quote_html
from app.web.urls import Paths

_KINDS = {"direct": "direct", "partial": "partial"}  # anything else reads "indirect"


class Links:
    """The paths a row links to, built from the routes' path templates (``Paths.builder``)
    under the request's root path: no route lookup per link. Each builder is made on its
    first use (the routes are not all there yet when the templates are set up)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def __getattr__(self, name: str) -> Callable[..., str]:
        build = self.paths.builder(name)
        setattr(self, name, build)
        return build


def _root(context: Any) -> str:
    request = context.get("request")
    return request_root(request) if request is not None else ""


def who_html(context: Any, row: QuoteRow, sure: float, links: Links) -> Markup:
    """Who said it: the name (a link to the speaker), "probably NAME" with the confidence in
    its own style (a word, italics and a dotted underline, not colour alone) when uncertain,
    "speaker unknown" without a speaker."""
    found = attribution.status(row, sure)
    if found == "unknown" or row.speaker is None:
        return Markup(  # noqa: S704 (escaped)
            f'<span class="speaker unknown" data-attribution="unknown">'
            f'{escape(_("speaker unknown"))}</span>')
    uncertain = found == "uncertain"
    href = escape(_root(context) + links.speaker(slug=row.speaker.slug))
    name = (f'<a class="speaker{" uncertain" if uncertain else ""}" href="{href}">'
            f"{escape(row.speaker.name)}</a>")
    if not uncertain:
        return Markup(  # noqa: S704 (escaped)
            f'<span class="attribution-certain" data-attribution="certain">{name}</span>')
    confidence = row.quote.speaker_confidence
    p = attribution.percent(confidence)
    title = _("Uncertain attribution: the extractor gives this speaker a %(p)s chance of "
              "being right.") % {"p": p}
    # The name is markup already: the translated words around it are escaped, it is not.
    probably = escape(_("probably %(name)s")) % {"name": Markup(name)}  # noqa: S704
    return Markup(  # noqa: S704 (escaped)
        f'<span class="attribution-uncertain" data-attribution="uncertain" '
        f'data-confidence="{confidence:.3f}" title="{escape(title)}">{probably} '
        f'<small class="speaker-confidence">({escape(p)})</small></span>')


# Built with f-strings and markupsafe's ``escape`` (C) on every value that is not markup
# already: several times cheaper than ``Markup % (…)``, which wraps and escapes each value
# through Python helpers (half of a list page's time).


def quote_item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
               hide_article: bool = False, *, sure: float, links: Links) -> Markup:
    """One quote in a list (``li.quote-item``): the quote (with search hits marked) linked to
    its permalink, who said it, its kind, and (unless the list is the article's) the article
    and its date."""
    q, a = row.quote, row.article
    root = _root(context)
    where = ""
    if not hide_article:
        href = escape(root + links.article(article_id=a.id))
        where = (f'    · <a class="article" href="{href}">'
                 f'{escape(a.title or _("Untitled article"))}</a>\n')
        if a.published_at:
            day = a.published_at.date().isoformat()
            href = escape(root + links.date_day(day=day))
            where += (f'    · <a class="date-link" href="{href}"><time datetime="{escape(day)}">'
                      f"{escape(format_day(a.published_at))}</time></a>")
    kind = escape(q.type)
    return Markup(  # noqa: S704 (escaped)
        f'<li class="quote-item">\n  <blockquote class="quote-text quote-{kind}">\n'
        f'    <a href="{escape(root + links.quote(public_id=q.public_id))}">'
        f"{quote_html(hit_html or q.text, q.language, q.type)}</a>\n  </blockquote>\n"
        f'  <p class="meta">\n    {who_html(context, row, sure, links)}\n'
        f'    · <span class="kind" data-kind="{kind}">'
        f"{escape(_(_KINDS.get(q.type, 'indirect')))}</span>\n{where}\n  </p>\n</li>")


def install(env: jinja2.Environment, sure: float, paths: Paths) -> None:
    """Make ``quote_item(row, hit_html, hide_article)`` and ``said_by(row)`` template globals
    (not ``who``: the base template names the logged-in editor so)."""
    links = Links(paths)

    @jinja2.pass_context
    def item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
             hide_article: bool = False) -> Markup:
        return quote_item(context, row, hit_html, hide_article, sure=sure, links=links)

    @jinja2.pass_context
    def said_by(context: Any, row: QuoteRow) -> Markup:
        return who_html(context, row, sure, links)

    env.globals["quote_item"] = item
    env.globals["said_by"] = said_by
