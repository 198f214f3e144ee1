"""Turn article text plus spans into escaped HTML with marks and links."""

from __future__ import annotations

from dataclasses import dataclass

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
    marks = [Mark(s, e, Markup('<mark class="hit">'), Markup("</mark>")) for s, e in spans]
    return render_span(text, 0, len(text), marks)


def _month_range(first: str, last: str) -> list[str]:
    y, m = int(first[:4]), int(first[5:7])
    out: list[str] = []
    while f"{y:04d}-{m:02d}" <= last and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def timeline_svg(counts: list[tuple[str, int]], width: int = 640, height: int = 160) -> Markup:
    """A bar chart of quotes per month as inline SVG (months without quotes shown as gaps)."""
    valid = [(m, n) for m, n in counts if len(m) == 7 and m[4] == "-"]
    if not valid:
        return Markup("")
    by_month = dict(valid)
    months = _month_range(valid[0][0], valid[-1][0])
    top = max(by_month.values())
    pad_left, pad_bottom, pad_top = 30, 24, 12
    plot_w, plot_h = width - pad_left - 8, height - pad_bottom - pad_top
    bar_w = plot_w / len(months)
    parts = [Markup(
        '<svg class="timeline" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        'xmlns="http://www.w3.org/2000/svg"><title>{t}</title>').format(
            w=width, h=height, t=gettext_("Quotes per month, %(first)s to %(last)s") % {
                "first": format_month(months[0]), "last": format_month(months[-1])})]
    parts.append(Markup('<text x="4" y="{y}" class="axis">{n}</text>').format(
        y=pad_top + 10, n=top))
    base_y = pad_top + plot_h
    parts.append(Markup('<line x1="{x}" y1="{y}" x2="{x2}" y2="{y}" class="axis-line"/>').format(
        x=pad_left, y=base_y, x2=width - 8))
    for i, month in enumerate(months):
        n = by_month.get(month, 0)
        bar_h = plot_h * n / top if top else 0
        x = pad_left + i * bar_w
        parts.append(Markup(
            '<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}">'
            '<title>{m}: {n}</title></rect>').format(
                x=x + 1, y=base_y - bar_h, w=max(bar_w - 2, 1), h=bar_h, m=month, n=n))
        if i == 0 or i == len(months) - 1 or len(months) <= 12:
            parts.append(Markup(
                '<text class="axis" x="{x:.1f}" y="{y}" text-anchor="middle">{m}</text>').format(
                    x=x + bar_w / 2, y=height - 6, m=month))
    parts.append(Markup("</svg>"))
    return Markup("").join(parts)
