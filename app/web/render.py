"""Turn article text plus spans into escaped HTML with marks and links."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Mark:
    """A span to mark: ``outer`` marks (quotes) may contain ``inner`` ones (entity links)."""

    start: int
    end: int
    open_tag: Markup
    close_tag: Markup
    outer: bool = True


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line of ``text``."""
    out: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            out.append((pos, end))
        pos = end + 1
    return out


def render_span(text: str, start: int, end: int, marks: list[Mark]) -> Markup:
    """Escaped ``text[start:end]`` with the marks that fall inside it (clipped to it).

    Outer marks must not overlap each other; an inner mark is kept only when it lies wholly
    inside one outer mark or wholly outside all of them, so the HTML always nests.
    """
    outers = sorted(
        (m for m in marks if m.outer and m.start < end and m.end > start), key=lambda m: m.start
    )
    clipped_outers = [
        Mark(max(m.start, start), min(m.end, end), m.open_tag, m.close_tag) for m in outers
    ]
    inners: list[Mark] = []
    for m in sorted((m for m in marks if not m.outer), key=lambda m: m.start):
        if m.start < start or m.end > end:
            continue
        crossing = any(
            (o.start < m.end and m.start < o.end) and not (o.start <= m.start and m.end <= o.end)
            for o in clipped_outers
        )
        if not crossing and (not inners or inners[-1].end <= m.start):
            inners.append(m)
    events: list[tuple[int, int, Markup]] = []
    for o in clipped_outers:
        events.append((o.start, 1, o.open_tag))
        events.append((o.end, 0, o.close_tag))
    for i in inners:
        events.append((i.start, 2, i.open_tag))
        events.append((i.end, -1, i.close_tag))
    events.sort(key=lambda e: (e[0], e[1]))
    out = Markup("")
    pos = start
    for at, _order, tag in events:
        out += escape(text[pos:at]) + tag
        pos = at
    out += escape(text[pos:end])
    return out


def highlight(text: str, spans: list[tuple[int, int]]) -> Markup:
    """Escape ``text`` and wrap the given spans in <mark> (search hits)."""
    marks = [Mark(s, e, Markup('<mark class="hit">'), Markup("</mark>")) for s, e in spans]
    return render_span(text, 0, len(text), marks)
