"""A quote as every list shows it, and who said it, rendered in Python for the templates.

A list page renders twenty of these; as a Jinja macro a row cost ~100 µs (a call through the
template runtime for every link, translation and filter), here ~15 µs. The markup is the one
the macros made: every value is escaped, every text comes from the catalog.
"""

from __future__ import annotations

from typing import Any

import jinja2
from markupsafe import Markup, escape

from app.storage.queries import QuoteRow
from app.web import attribution
from app.web.i18n import format_day
from app.web.i18n import gettext_ as _
from app.web.typography import quote_html
from app.web.urls import Link

_KINDS = {"direct": "direct", "partial": "partial"}  # anything else reads "indirect"


def _link(context: Any, name: str, **params: Any) -> str:
    found: Link = context["url_for"](context, name, **params)
    return found.path


def who_html(context: Any, row: QuoteRow, sure: float) -> Markup:
    """Who said it: the name (a link to the speaker), "probably NAME" with the confidence in
    its own style (a word, italics and a dotted underline, not colour alone) when uncertain,
    "speaker unknown" without a speaker."""
    found = attribution.status(row, sure)
    if found == "unknown" or row.speaker is None:
        return _UNKNOWN % _("speaker unknown")
    uncertain = found == "uncertain"
    name = _NAME % (" uncertain" if uncertain else "",
                    _link(context, "speaker", slug=row.speaker.slug), row.speaker.name)
    if not uncertain:
        return _CERTAIN % name
    confidence = row.quote.speaker_confidence
    p = attribution.percent(confidence)
    title = _("Uncertain attribution: the extractor gives this speaker a %(p)s chance of "
              "being right.") % {"p": p}
    # The name is markup already: the translated words around it are escaped, it is not.
    probably = escape(_("probably %(name)s")) % {"name": name}
    return _UNCERTAIN % (confidence, title, probably, p)


# Markup's "%" escapes every value it formats in (and is several times cheaper than
# Markup.format, which went through string.Formatter: a third of a list page's time).
_UNKNOWN = Markup('<span class="speaker unknown" data-attribution="unknown">%s</span>')
_NAME = Markup('<a class="speaker%s" href="%s">%s</a>')
_CERTAIN = Markup('<span class="attribution-certain" data-attribution="certain">%s</span>')
_UNCERTAIN = Markup('<span class="attribution-uncertain" data-attribution="uncertain" '
                    'data-confidence="%.3f" title="%s">%s <small class="speaker-confidence">'
                    "(%s)</small></span>")
_ITEM = Markup('<li class="quote-item">\n  <blockquote class="quote-text quote-%s">\n'
               '    <a href="%s">%s</a>\n  </blockquote>\n  <p class="meta">\n    %s\n'
               '    · <span class="kind" data-kind="%s">%s</span>\n%s\n  </p>\n</li>')
_ARTICLE = Markup('    · <a class="article" href="%s">%s</a>\n')
_DATE = Markup('    · <a class="date-link" href="%s"><time datetime="%s">%s</time></a>')


def quote_item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
               hide_article: bool = False, *, sure: float) -> Markup:
    """One quote in a list (``li.quote-item``): the quote (with search hits marked) linked to
    its permalink, who said it, its kind, and (unless the list is the article's) the article
    and its date."""
    q, a = row.quote, row.article
    where = Markup("")
    if not hide_article:
        where = _ARTICLE % (_link(context, "article", article_id=a.id),
                            a.title or _("Untitled article"))
        if a.published_at:
            day = a.published_at.date().isoformat()
            where += _DATE % (_link(context, "date_day", day=day), day,
                              format_day(a.published_at))
    return _ITEM % (q.type, _link(context, "quote", public_id=q.public_id),
                    quote_html(hit_html or q.text, q.language, q.type),
                    who_html(context, row, sure), q.type,
                    _(_KINDS.get(q.type, "indirect")), where)


def install(env: jinja2.Environment, sure: float) -> None:
    """Make ``quote_item(row, hit_html, hide_article)`` and ``said_by(row)`` template globals
    (not ``who``: the base template names the logged-in editor so)."""

    @jinja2.pass_context
    def item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
             hide_article: bool = False) -> Markup:
        return quote_item(context, row, hit_html, hide_article, sure=sure)

    @jinja2.pass_context
    def said_by(context: Any, row: QuoteRow) -> Markup:
        return who_html(context, row, sure)

    env.globals["quote_item"] = item
    env.globals["said_by"] = said_by
