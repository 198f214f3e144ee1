"""Share cards: a 1200×630 PNG per quote, drawn with Pillow and a bundled font (å, ä, ö)."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
MARGIN = 80
BG = (250, 248, 243)
INK = (29, 29, 31)
MUTED = (95, 99, 104)
ACCENT = (11, 92, 173)


def card_etag(quote: str, speaker: str, footer: str) -> str:
    """A strong validator for the card: changes exactly when what is drawn changes."""
    digest = hashlib.sha256(f"v2\x00{quote}\x00{speaker}\x00{footer}".encode()).hexdigest()
    return f'"{digest[:32]}"'


@lru_cache(maxsize=16)
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
          width: int, max_lines: int) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word wider than a line is broken where
    it must be), at most ``max_lines + 1`` of them: once the text is known not to fit, the
    rest is not measured, so a quote of 300,000 characters costs what a short one does
    (wrapping all of it took 18 s; one long word made a 500-megapixel mask and a 500)."""

    def fits(piece: str) -> bool:
        # No glyph drawn here is narrower than a pixel: a longer piece cannot fit.
        return len(piece) <= width and draw.textlength(piece, font=font) <= width

    lines: list[str] = []
    line = ""
    for word in text.split():
        while word:
            trial = f"{line} {word}" if line else word
            if fits(trial):
                line, word = trial, ""
            elif line:
                lines.append(line)
                line = ""
            else:  # a word wider than a whole line: as much of it as fits, at least a letter
                low, high = 1, min(len(word), width)
                while low < high:
                    mid = (low + high + 1) // 2
                    low, high = (mid, high) if fits(word[:mid]) else (low, mid - 1)
                lines.append(word[:low])
                word = word[low:]
            if len(lines) > max_lines:
                return lines
    if line:
        lines.append(line)
    return lines


@lru_cache(maxsize=256)
def render_card(quote: str, speaker: str, footer: str, fonts_dir: Path) -> bytes:
    """PNG bytes of the card (cached: the same inputs are drawn once)."""
    regular = str(fonts_dir / "DejaVuSans.ttf")
    bold = str(fonts_dir / "DejaVuSans-Bold.ttf")
    img = Image.new("RGB", (WIDTH, HEIGHT), BG)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 16, HEIGHT), fill=ACCENT)
    text_width = WIDTH - 2 * MARGIN
    box_height = HEIGHT - 2 * MARGIN - 110
    # The largest size at which the quote fits; a very long quote is cut with an ellipsis.
    body = quote  # already in its marks (or labelled as reported speech) by the caller
    close = body[-1] if body[-1:] in "”“" else ""
    for size in (60, 52, 46, 40, 35, 31, 28):
        font = _font(regular, size)
        line_h = int(size * 1.3)
        max_lines = box_height // line_h
        lines = _wrap(draw, body, font, text_width, max_lines)
        if len(lines) <= max_lines:
            break
    else:
        lines = lines[:max_lines]
        lines[-1] = lines[-1].rstrip("”") + " …" + close
    y = MARGIN
    for line in lines:
        draw.text((MARGIN, y), line, font=font, fill=INK)
        y += line_h
    draw.text((MARGIN, HEIGHT - MARGIN - 70), f"— {speaker}", font=_font(bold, 40), fill=INK)
    draw.text((MARGIN, HEIGHT - MARGIN - 14), footer, font=_font(regular, 26), fill=MUTED)
    brand = _font(bold, 30)
    draw.text((WIDTH - MARGIN - draw.textlength("Citat", font=brand), HEIGHT - MARGIN - 14),
              "Citat", font=brand, fill=ACCENT)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()


VERDICT_COLOURS = {
    "verbatim": (22, 120, 60), "reworded": (170, 100, 0), "out_of_context": (176, 0, 32),
    "reported": (170, 100, 0), "other_speaker": (176, 0, 32), "not_found": (95, 99, 104),
}


def _fit(draw: ImageDraw.ImageDraw, text: str, font_path: str, width: int, height: int,
         sizes: tuple[int, ...]) -> tuple[ImageFont.FreeTypeFont, list[str], int]:
    """The largest font size at which ``text`` fits the box (cut with … at the smallest)."""
    for size in sizes:
        font = _font(font_path, size)
        line_h = int(size * 1.3)
        keep = max(height // line_h, 1)
        lines = _wrap(draw, text, font, width, keep)
        if len(lines) * line_h <= height:
            return font, lines, line_h
    cut = lines[:keep]
    if len(lines) > keep:
        cut[-1] = cut[-1] + " …"
    return font, cut, line_h


@lru_cache(maxsize=256)
def render_verification_card(verdict: str, code: str, pasted: str, original: str, where: str,
                             heads: tuple[str, str], fonts_dir: Path) -> bytes:
    """PNG bytes of a verification's card: the verdict in large type, then the pasted words
    beside the original ones, and who said them where."""
    regular = str(fonts_dir / "DejaVuSans.ttf")
    bold = str(fonts_dir / "DejaVuSans-Bold.ttf")
    colour = VERDICT_COLOURS.get(code, ACCENT)
    img = Image.new("RGB", (WIDTH, HEIGHT), BG)
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, 16, HEIGHT), fill=colour)
    head_font, head_lines, head_h = _fit(draw, verdict, bold, WIDTH - 2 * MARGIN, 150,
                                         (64, 56, 48, 42))
    y = 56
    for line in head_lines:
        draw.text((MARGIN, y), line, font=head_font, fill=colour)
        y += head_h
    top = max(y + 20, 190)
    col_w = (WIDTH - 2 * MARGIN - 40) // 2
    box_h = HEIGHT - top - 150
    columns = [(heads[0], pasted)] + ([(heads[1], original)] if original else [])
    for i, (head, body) in enumerate(columns):
        x = MARGIN + i * (col_w + 40)
        draw.text((x, top), head.upper(), font=_font(bold, 24), fill=MUTED)
        font, lines, line_h = _fit(draw, f"”{body}”", regular, col_w, box_h,
                                   (40, 36, 32, 28, 25, 22))
        yy = top + 40
        for line in lines:
            draw.text((x, yy), line, font=font, fill=INK)
            yy += line_h
    if len(columns) == 2:
        mid = MARGIN + col_w + 20
        draw.line((mid, top, mid, top + box_h + 30), fill=(210, 210, 214), width=2)
    foot_font = _font(regular, 28)
    foot = where
    while foot and draw.textlength(foot, font=foot_font) > WIDTH - 2 * MARGIN - 160:
        foot = foot[:-2]
    draw.text((MARGIN, HEIGHT - MARGIN - 20), foot if foot == where else foot + "…",
              font=foot_font, fill=MUTED)
    brand = _font(bold, 30)
    draw.text((WIDTH - MARGIN - draw.textlength("Citat", font=brand), HEIGHT - MARGIN - 20),
              "Citat", font=brand, fill=ACCENT)
    out = io.BytesIO()
    img.save(out, format="PNG", optimize=True)
    return out.getvalue()
