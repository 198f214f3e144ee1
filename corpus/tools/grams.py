"""Word 8-grams: how the corpus checks that no two texts (nor a shared dev text) share text."""

from __future__ import annotations

import re

N = 8


def grams_of(text: str, n: int = N) -> set[str]:
    """Lower-cased word n-grams of a text (words as \\w+ runs)."""
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}
