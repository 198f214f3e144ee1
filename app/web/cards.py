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
          width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not line:
            line = trial
        else:
            lines.append(line)
            line = word
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
        lines = _wrap(draw, body, font, text_width)
        line_h = int(size * 1.3)
        if len(lines) * line_h <= box_height:
            break
    else:
        max_lines = box_height // line_h
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
