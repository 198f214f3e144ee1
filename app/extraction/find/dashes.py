"""Dash quotes (pratminus): cutting a paragraph at the attribution inside it.

"– Det gick bra, konstaterade Olle Falk." -> the quote ends before the comma;
"– …, säger Klas Berg. Ägaren ska nu …" -> after the attribution's sentence the rest of
the paragraph is a second piece of the same quote, and so is the rest after a dash
("– …, säger Klas Berg – men …").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Sequence

from app.extraction.lexicon import Lexicon
from app.extraction.model import QuoteRegion
from app.extraction.text.view import Word

_REST = re.compile(r"[.!?…]\s+")
_DASH = re.compile(r"\s[–—-]\s+")


def _strip_end(text: str, start: int, end: int) -> int:
    """Move end left past spaces, commas and dashes."""
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",–—-"):
        end -= 1
    return end


def split_dash_regions(
    text: str,
    words: Sequence[Word],
    regions: Sequence[QuoteRegion],
    lexicon_at: Callable[[int], Lexicon],
) -> list[QuoteRegion]:
    """Cut each dash quote at an inverted attribution inside its paragraph.

    "– Det gick bra, konstaterade Olle Falk." -> quote up to the comma; "- … en framgång
    ansåg Anna Holm, som …" (no comma, a full name follows); "– …, säger Klas Berg.
    Ägaren ska nu …" -> the rest after the attribution's sentence is a second piece.
    """
    starts = [w.start for w in words]
    out: list[QuoteRegion] = []
    for r in regions:
        if r.marking != "dash":
            out.append(r)
            continue
        lex = lexicon_at(r.start)
        first = bisect_left(starts, r.start)
        cut: tuple[int, int] | None = None
        for c in range(first + 1, len(words) - 1):
            w = words[c]
            if w.start >= r.end:
                break
            lemma = lex.cue_lemma(w.lower)
            if lemma is None or lemma in lex.naming_verbs or w.is_cap:
                continue  # "… bron? Frågade ni om …" starts a new sentence of the quote
            prev, nxt = words[c - 1], words[c + 1]
            after2 = words[c + 2] if c + 2 < len(words) else None
            punct = prev.text[-1:] in ",!?–—-…."
            capital = nxt.is_cap and nxt.is_alpha_word
            full_name = capital and after2 is not None and after2.is_cap and after2.is_alpha_word
            # After a comma any speaker phrase will do ("…, säger hamnens enhetschef
            # Karin Berg", "…, sa jag"), but not a clause ("…, säger att …").
            phrase = nxt.is_alpha_word and nxt.lower not in lex.complementizers and (
                nxt.lower not in lex.np_stop
            ) and not (
                nxt.lower in lex.first_second_person and nxt.lower not in lex.first_person
            ) and nxt.lower not in lex.second_person and not (
                nxt.lower in lex.first_person and lemma in lex.belief_verbs
            )  # "– Ljust, tror jag." is the speaker hedging, not an attribution
            if (punct and phrase) or full_name:
                cut = (c, _strip_end(text, r.start, prev.end if prev.text[-1:] in "!?.…" else (
                    prev.start if prev.text in (",", "–", "—", "-") else prev.end)))
                break
        if cut is None:
            out.append(r)
            continue
        c, q_end = cut
        if q_end > r.start:
            out.append(QuoteRegion(r.start, q_end, r.open_mark, None, "dash", r.paragraph, r.group))
        if lex.behaviour.continue_after_dash_attribution:
            m = _REST.search(text, words[c].end, r.end)
            d = _DASH.search(text, words[c].end, m.start() if m is not None else r.end)
            if d is not None and _DASH.search(text, d.end(), r.end) is None and (
                d.end() < r.end
            ):
                # "– …, säger Klas Berg – men nu …": a dash goes on with the quote (a pair
                # of dashes around a role, "Klas Berg – hamnchef – i dag", does not).
                out.append(QuoteRegion(d.end(), r.end, None, None, "dash", r.paragraph, r.group))
            elif m is not None and m.end() < r.end and (text[m.end()].isupper()):
                out.append(QuoteRegion(m.end(), r.end, None, None, "dash", r.paragraph, r.group))
    return out
