"""What a person pasted: the quote's words and, when given, who is said to have said them.

"Starmer: …", "”…” — Keir Starmer" and "… - Keir Starmer" name the speaker inside the paste;
quote marks around the words are dropped. Bad input raises :class:`BadPaste` with a message
id the web layer translates (Swedish and English).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.verify.words import TOKEN_RE

#: Longest paste accepted, in characters (a quote, not an article).
MAX_CHARS = 3000
#: Most words compared.
MAX_WORDS = 300

QUOTE_MARKS = "\"'”“„«»‘’‚‹›「」`´"
_NAME = r"[^\W\d_][\w.’'\-]*(?:\s+[^\W\d_][\w.’'\-]*){0,4}"
#: "Name: words" at the start (a name of one to five words, each starting with a capital).
LEAD_NAME = re.compile(rf"^\s*(?P<name>{_NAME})\s*:\s+(?P<rest>.+)$", re.DOTALL)
#: "words — Name" / "words – Name" / "words - Name" / "words ~ Name" at the end.
TRAIL_NAME = re.compile(rf"^(?P<rest>.+?)\s*(?:^|\s)[—–\-~]{{1,2}}\s*(?P<name>{_NAME})\s*$",
                        re.DOTALL)
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^>]*>")


class BadPaste(ValueError):
    """A paste that cannot be verified; ``message`` is an English msgid with ``params``."""

    def __init__(self, message: str, status: int = 400, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message = message
        self.params = params
        self.status = status


@dataclass(frozen=True)
class Claim:
    """The words to look for and the speaker they are attributed to (if any)."""

    text: str
    speaker: str | None


def _is_name(name: str) -> bool:
    parts = name.split()
    return bool(parts) and all(p[0].isupper() for p in parts) and len(name) <= 80


def parse(paste: str, speaker: str | None = None) -> Claim:
    """The claim in a paste; ``speaker`` (a separate field) wins over a name in the paste."""
    if "\x00" in paste or (speaker and "\x00" in speaker):
        raise BadPaste("The text holds a NUL character: paste plain text.")
    if len(paste) > MAX_CHARS:
        raise BadPaste("The paste is too long (%(n)s characters): a quote of at most "
                       "%(max)s characters can be verified.", 413, n=f"{len(paste):,}",
                       max=f"{MAX_CHARS:,}")
    if HTML_TAG.search(paste) or (speaker and HTML_TAG.search(speaker)):
        raise BadPaste("The paste holds HTML tags (such as <script>): paste the quote as "
                       "plain text.")
    text = " ".join(paste.split())
    claimed = " ".join((speaker or "").split())[:300] or None
    if not text:
        raise BadPaste("Paste a quote to verify.")
    named = None
    lead = LEAD_NAME.match(text)
    if lead and _is_name(lead.group("name")) and TOKEN_RE.search(lead.group("rest")):
        named, text = lead.group("name"), lead.group("rest")
    else:
        trail = TRAIL_NAME.match(text)
        if trail and _is_name(trail.group("name")) and TOKEN_RE.search(trail.group("rest")):
            named, text = trail.group("name"), trail.group("rest")
    text = text.strip().strip(QUOTE_MARKS + " ").strip()
    if not TOKEN_RE.search(text):
        raise BadPaste("The paste holds no words (only punctuation or symbols): paste the "
                       "words of the quote.")
    if len(TOKEN_RE.findall(text)) > MAX_WORDS:
        raise BadPaste("The paste is too long (%(n)s words): a quote of at most %(max)s "
                       "words can be verified.", 413, n=len(TOKEN_RE.findall(text)),
                       max=MAX_WORDS)
    return Claim(text, claimed or named)
