"""A stand-in extractor for the extraction child process (the child imports it by name):
a text with the word "långsam" takes ten minutes, any other text gives no quotes at once."""

from __future__ import annotations

import os
import time
from pathlib import Path

from app.extraction.records import Extraction

SLOW_WORD = "långsam"


class Sleepy:
    """Extracts nothing; sleeps on a text that asks for it (after writing its pid to the
    file named by CITAT_TEST_FLAG, so a test knows the extraction has begun)."""

    def extract(self, text: str, language: str | None = None) -> Extraction:
        if SLOW_WORD in text:
            flag = os.environ.get("CITAT_TEST_FLAG")
            if flag:
                Path(flag).write_text(str(os.getpid()), encoding="utf-8")
            time.sleep(600)
        return Extraction("sv", stats={"pid": os.getpid()})


def make(models: dict[str, str]) -> Sleepy:
    """The child's extractor factory."""
    return Sleepy()
