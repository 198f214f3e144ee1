"""Typed and uploaded text as it may be stored: no control characters but tab and newline, no
characters that show nothing. Shared by ingest (articles), services (reports, corrections)
and the web (pasted quotes to verify), so every way in cleans text alike."""

from __future__ import annotations

import re

#: Line breaks other than the newline (vertical tab, form feed, NEL, the Unicode line and
#: paragraph separators) become one, so the paragraphs and sentences they part stay apart.
LINE_BREAKS = str.maketrans({c: "\n" for c in "\x0b\x0c\x85\u2028\u2029"})
#: Control characters other than tab and newline: not printable, and not allowed in XML.
UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Characters without a glyph that only steer hyphenation, line breaks or direction: the soft
#: hyphen, zero-width space, word joiner, invisible operators, BOM, the bidirectional marks,
#: embeddings, overrides and isolates, and tag characters. Removed before storing: a name
#: with one inside became another speaker that looks the same ("Nora\u200b Ek"), a title of
#: them alone an invisible one, and an unclosed override turned the text after it around.
#: (The zero-width joiner and non-joiner stay: emoji and some scripts are spelt with them.)
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
                        "\u2066-\u2069\ufeff\U000e0000-\U000e007f]")


def without_invisible(text: str) -> str:
    """``text`` without the characters that show nothing (see ``INVISIBLE``) and the
    control characters other than tab, newline and NUL (which callers refuse, with a
    message)."""
    return INVISIBLE.sub("", UNPRINTABLE.sub(lambda m: m[0] if m[0] == "\x00" else "",
                                               text.translate(LINE_BREAKS)))
