"""How a quote is printed: the marks of its own language, and reported speech never in marks.

Direct and partial quotes get the quotation marks of the language they were written in
(Swedish ”…”, English “…”). A comma, semicolon or colon that ends the span only joined the
quote to its attribution in the sentence ("…first,” she said): standing alone the quote ends
without it. Reported (indirect) speech is the reporter's wording, not the speaker's: it is
never put inside quotation marks; it is shown in its own style with a label saying so.
"""

from __future__ import annotations

from markupsafe import Markup, escape

from app.web.i18n import gettext_ as _

MARKS = {"sv": ("\u201d", "\u201d"), "en": ("\u201c", "\u201d")}
_JOINING = ",;:"


def marks(language: str | None) -> tuple[str, str]:
    """The opening and closing quotation marks of ``language`` (Swedish when unknown)."""
    return MARKS.get((language or "sv")[:2], MARKS["sv"])


def trim(text: str) -> str:
    """The span without the joining punctuation (and spaces) it may end with."""
    return text.rstrip().rstrip(_JOINING).rstrip()


def _trim_markup(html: Markup) -> Markup:
    s = str(html).rstrip()
    tail = ""
    while s.endswith("</mark>"):  # a search hit may close after the comma
        s, tail = s[: -len("</mark>")].rstrip(), "</mark>" + tail
    # Only punctuation and whitespace are cut from markup that was escaped when it was made.
    return Markup(s.rstrip(_JOINING).rstrip() + tail)  # noqa: S704


def quote_html(text: str | Markup, language: str | None, kind: str) -> Markup:
    """The quote as HTML: in its language's marks, or as labelled reported speech."""
    body = _trim_markup(text) if isinstance(text, Markup) else escape(trim(text))
    if kind == "indirect":
        return Markup(  # noqa: S704 (escaped; every row of a list calls this)
            f'<span class="reported-label">{escape(_("Reported speech:"))}</span> '
            f'<span class="reported">{body}</span>')
    open_, close = marks(language)
    return Markup(  # noqa: S704 (the marks are fixed characters)
        f'<span class="qm">{open_}</span>{body}<span class="qm">{close}</span>')


def quote_plain(text: str, language: str | None, kind: str) -> str:
    """The quote as plain text (titles, citations): reported speech without marks."""
    if kind == "indirect":
        return _("(reported) %(text)s") % {"text": trim(text)}
    open_, close = marks(language)
    return f"{open_}{trim(text)}{close}"
