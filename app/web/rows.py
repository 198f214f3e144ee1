"""A quote as every list shows it, and who said it, rendered in Python for the templates.

A list page renders twenty of these; as a Jinja macro a row cost ~100 µs (a call through the
template runtime for every link, translation and filter), here ~15 µs. The markup is the one
the macros made: every value is escaped, every text comes from the catalog.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

from app.storage import certainty
from app.storage.queries import QuoteRow
from app.web import attribution, i18n
from app.web.i18n import format_day
from app.web.localized import request_root
from app.web.typography import quote_html
from app.web.urls import Paths


def esc(value: str) -> str:
    """``value`` escaped for HTML text and attributes, exactly as ``markupsafe.escape`` does
    (``&#39;`` and ``&#34;`` for the quotes), as a plain string: no ``Markup`` made per value
    (a row escapes a dozen values)."""
    return (value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
            .replace("'", "&#39;").replace('"', "&#34;"))


@dataclass(frozen=True)
class Words:
    """The catalog's fixed words of a row in one language, escaped once."""

    unknown: str
    untitled: str
    kinds: dict[str, str]
    uncertain_title: str  # "%(p)s" still in it, not escaped (the percentage goes in first)
    probably: str  # escaped, "%(name)s" still in it


@lru_cache(maxsize=len(i18n.LOCALES) + 1)
def words(locale: str) -> Words:
    """The row words of ``locale`` (the catalog is read once per process)."""
    g = i18n.translations(locale).gettext
    return Words(
        unknown=(f'<span class="speaker unknown" data-attribution="unknown">'
                 f'{esc(g("speaker unknown"))}</span>'),
        untitled=esc(g("Untitled article")),
        kinds={k: esc(g(k)) for k in ("direct", "partial", "indirect")},
        uncertain_title=g("Uncertain attribution: the extractor gives this speaker a %(p)s "
                          "chance of being right."),
        probably=esc(g("probably %(name)s")))


class Links:
    """The paths a row links to, built from the routes' path templates (``Paths.single``)
    under the request's root path: no route lookup per link. Each builder is made on its
    first use (the routes are not all there yet when the templates are set up)."""

    def __init__(self, paths: Paths) -> None:
        self.paths = paths

    def __getattr__(self, name: str) -> Callable[[Any], str]:
        build = self.paths.single(name)
        setattr(self, name, build)
        return build


def _root(context: Any) -> str:
    request = context.get("request")
    return request_root(request) if request is not None else ""


def who_html(context: Any, row: QuoteRow, sure: float, links: Links, root: str | None = None
             ) -> Markup:
    """Who said it: the name (a link to the speaker), "probably NAME" with the confidence in
    its own style (a word, italics and a dotted underline, not colour alone) when uncertain,
    "speaker unknown" without a speaker."""
    return Markup(_who(row, sure, links, _root(context) if root is None else root,  # noqa: S704
                       words(i18n.current_locale.get())))


def _who(row: QuoteRow, sure: float, links: Links, root: str, w: Words) -> str:
    q, speaker = row.quote, row.speaker
    if speaker is None:
        return w.unknown
    found = certainty.status_of(q.speaker_id is not None, q.speaker_confidence,
                                q.speaker_checked, sure)
    if found == "unknown":
        return w.unknown
    href = esc(root + links.speaker(speaker.slug))
    if found != "uncertain":
        return (f'<span class="attribution-certain" data-attribution="certain">'
                f'<a class="speaker" href="{href}">{esc(speaker.name)}</a></span>')
    name = f'<a class="speaker uncertain" href="{href}">{esc(speaker.name)}</a>'
    confidence = q.speaker_confidence
    p = attribution.percent(confidence)
    # The name is markup already: the translated words around it are escaped, it is not.
    return (f'<span class="attribution-uncertain" data-attribution="uncertain" '
            f'data-confidence="{confidence:.3f}" title="{esc(w.uncertain_title % {"p": p})}">'
            f'{w.probably % {"name": name}} '
            f'<small class="speaker-confidence">({esc(p)})</small></span>')


# Built with f-strings and ``esc`` on every value that is not markup already, the fixed words
# escaped once per language: several times cheaper than ``Markup % (…)``, which wraps and
# escapes each value through Python helpers (half of a list page's time).


def quote_item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
               hide_article: bool = False, *, sure: float, links: Links) -> Markup:
    """One quote in a list (``li.quote-item``): the quote (with search hits marked) linked to
    its permalink, who said it, its kind, and (unless the list is the article's) the article
    and its date."""
    q, a = row.quote, row.article
    root = _root(context)
    w = words(i18n.current_locale.get())
    where = ""
    if not hide_article:
        where = (f'    · <a class="article" href="{esc(root + links.article(a.id))}">'
                 f"{esc(a.title) if a.title else w.untitled}</a>\n")
        if a.published_at:
            day = a.published_at.date().isoformat()
            where += (f'    · <a class="date-link" href="{esc(root + links.date_day(day))}">'
                      f'<time datetime="{day}">{esc(format_day(a.published_at))}</time></a>')
    kind = esc(q.type)
    return Markup(  # noqa: S704 (escaped)
        f'<li class="quote-item">\n  <blockquote class="quote-text quote-{kind}">\n'
        f'    <a href="{esc(root + links.quote(q.public_id))}">'
        f"{quote_html(hit_html or q.text, q.language, q.type)}</a>\n  </blockquote>\n"
        f'  <p class="meta">\n    {_who(row, sure, links, root, w)}\n'
        f'    · <span class="kind" data-kind="{kind}">'
        f"{w.kinds.get(q.type, w.kinds['indirect'])}</span>\n{where}\n  </p>\n</li>")


def neighbours(context: Any, pairs: list[tuple[Any, int]], route: str, *, links: Links,
               css: str = "", articles: bool = False) -> Markup:
    """The ``<li>`` of each (speaker or entity, count) of a speaker's or an entity's aside
    ("Talks about", "Quoted alongside", "Mentioned most by"): the name linked to its page
    (``route``: ``speaker`` or ``entity``, by slug), then the count as a number in the
    reader's locale, or (``articles``) as "N articles" from the catalog. The markup the
    template's loop made (a ``url_for``, a filter and a translation through Jinja's runtime a
    row, ~40 rows a page)."""
    root = _root(context)
    build = getattr(links, route)
    cls = f' class="{esc(css)}"' if css else ""
    locale = i18n.current_locale.get()
    if articles:
        plural = i18n.translations(locale).ngettext
        # As Jinja's newstyle ngettext: the catalog's text trusted, the number put in as is.
        counts = [plural("%(num)s article", "%(num)s articles", n) % {"num": n}
                  for _, n in pairs]
    else:
        counts = [esc(i18n.format_number(n)) for _, n in pairs]
    return Markup("".join(  # noqa: S704 (escaped)
        f'<li><a{cls} href="{esc(root + build(who.slug))}">{esc(who.name)}</a> '
        f'<span class="count">{count}</span></li>'
        for (who, _), count in zip(pairs, counts, strict=True)))


def facet_items(values: list[dict[str, Any]], name: str) -> Markup:
    """The ``<li>`` of each value of the search page's facet ``name`` (``lists._facet_links``'s
    dicts: value, label, count, selected, href): the value linked to the URL that toggles it,
    labelled (a kind or language from the catalog, a month in the reader's locale), then its
    count as a number in the reader's locale. The markup the template's loop made (its
    whitespace too), which cost a filter or two and an attribute look-up a value through
    Jinja's runtime, up to 60 values a search (~0.3-0.6 ms of a search that finds some)."""
    # Each label as markup: a catalog word as it is (the template's ``_()``), else escaped.
    label: Callable[[str], str]
    if name in ("kind", "language"):
        g = i18n.translations(i18n.current_locale.get()).gettext

        def label(v: str) -> str:
            return g(_FACET_WORDS[v]) if v in _FACET_WORDS else esc(v)
    elif name == "month":
        def label(v: str) -> str:
            return esc(i18n.format_month(v))
    else:
        label = esc
    return Markup("".join(  # noqa: S704 (escaped)
        f'\n          <li><a href="{esc(v["href"])}" data-value="{esc(str(v["value"]))}" '
        + ('class="selected" aria-current="true">' if v["selected"] else 'class="" >')
        + f'{label(str(v["label"]))}</a> <span class="count">'
        f'{esc(i18n.format_number(v["count"]))}</span></li>\n        '
        for v in values))


#: The facet labels the template translated (``facet_items``): kinds and languages.
_FACET_WORDS = {"direct": "direct", "partial": "partial", "indirect": "indirect",
                "sv": "Swedish", "en": "English"}


def install(env: jinja2.Environment, sure: float, paths: Paths) -> None:
    """Make ``quote_item(row, hit_html, hide_article)``, ``said_by(row)`` and
    ``neighbours(pairs, route, css=…, articles=…)`` template globals (not ``who``: the base
    template names the logged-in editor so)."""
    links = Links(paths)

    @jinja2.pass_context
    def item(context: Any, row: QuoteRow, hit_html: Markup | None = None,
             hide_article: bool = False) -> Markup:
        return quote_item(context, row, hit_html, hide_article, sure=sure, links=links)

    @jinja2.pass_context
    def said_by(context: Any, row: QuoteRow) -> Markup:
        return who_html(context, row, sure, links)

    @jinja2.pass_context
    def neighbour_items(context: Any, pairs: list[tuple[Any, int]], route: str, css: str = "",
                        articles: bool = False) -> Markup:
        return neighbours(context, pairs, route, links=links, css=css, articles=articles)

    env.globals["quote_item"] = item
    env.globals["facet_items"] = facet_items
    env.globals["neighbours"] = neighbour_items
    env.globals["said_by"] = said_by
