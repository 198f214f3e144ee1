"""Turn article text plus spans into escaped HTML with marks and links."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from markupsafe import Markup, escape

from app.web.i18n import format_month, gettext_


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
    if not spans:
        return escape(text)  # what render_span gives without marks
    marks = [Mark(s, e, Markup('<mark class="hit">'), Markup("</mark>")) for s, e in spans]
    return render_span(text, 0, len(text), marks)


@lru_cache(maxsize=4096)
def _month_range(first: str, last: str) -> tuple[str, ...]:
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return tuple(out)


PAD_LEFT, PAD_BOTTOM, PAD_TOP = 30, 24, 12


@lru_cache(maxsize=1024)
def _columns(count: int, width: int, height: int) -> tuple[tuple[str, str, str], ...]:
    """For a chart of ``count`` months: each bar's markup before its y, between its y and its
    height, and its label's opening tag (the same for every chart of that many months)."""
    bar_w = (width - PAD_LEFT - 8) / count
    out = []
    for i in range(count):
        x = PAD_LEFT + i * bar_w
        out.append((f'<rect class="bar" x="{x + 1:.1f}" y="',
                    f'" width="{max(bar_w - 2, 1):.1f}" height="',
                    f'<text class="axis" x="{x + bar_w / 2:.1f}" y="{height - 6}" '
                    'text-anchor="middle">'))
    return tuple(out)


def timeline_svg(counts: list[tuple[str, int]], width: int = 640, height: int = 160) -> Markup:
    """A bar chart of quotes per month as inline SVG (months without quotes shown as gaps).

    Built with f-strings: every value formatted in is a number or a checked ``YYYY-MM``
    month, and the one text (the title) is escaped (``Markup.format`` cost ~5 ms a chart).
    The months between the first and the last, and each bar's place, are made once per
    range and per number of months.
    """
    valid = [(m, n) for m, n in counts
             if len(m) == 7 and m[4] == "-" and m[:4].isdigit() and m[5:].isdigit()]
    if not valid:
        return Markup("")
    by_month = dict(valid)
    months = _month_range(valid[0][0], valid[-1][0])
    top = max(by_month.values())
    plot_h = height - PAD_BOTTOM - PAD_TOP
    title = escape(gettext_("Quotes per month, %(first)s to %(last)s") % {
        "first": format_month(months[0]), "last": format_month(months[-1])})
    base_y = PAD_TOP + plot_h
    parts = [
        f'<svg class="timeline" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{title}</title>',
        f'<text x="4" y="{PAD_TOP + 10}" class="axis">{int(top)}</text>',
        f'<line x1="{PAD_LEFT}" y1="{base_y}" x2="{width - 8}" y2="{base_y}" '
        'class="axis-line"/>',
    ]
    label_all = len(months) <= 12
    last = len(months) - 1
    for i, (month, (before_y, before_h, label)) in enumerate(
            zip(months, _columns(len(months), width, height), strict=True)):
        n = int(by_month.get(month, 0))
        bar_h = plot_h * n / top if top else 0
        parts.append(f"{before_y}{base_y - bar_h:.1f}{before_h}{bar_h:.1f}\">"
                     f"<title>{month}: {n}</title></rect>")
        if label_all or i == 0 or i == last:
            parts.append(f"{label}{month}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 (numbers, checked months, an escaped title)
