"""Given names learnt from the NER training corpora: the first word of multi-word PER names.

The capitalisation rules use them to tell where a person's name starts when a place or a
title was written straight before it without a break ("Senator from Utah Jane Roe": the run
"Utah Jane Roe" is cut at "Jane"). The list is data, rebuilt by
``python -m app.training.given_names`` from the training splits only (never the evaluation
splits), and written to ``app/extraction/lexicon/given_names.json`` with its sources.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from app.extraction.lexicon import LEXICON_DIR, languages, load_first_names, load_lexicon
from app.training import datasets
from app.training.corpora import Sentence

OUTPUT = LEXICON_DIR / "given_names.json"
#: A word must start a multi-word person name this often in the training text.
MIN_COUNT = 2


def first_words(sentences: Iterable[Sentence]) -> Counter[str]:
    """How often each word starts a PER name of two or more words."""
    counts: Counter[str] = Counter()
    for sent in sentences:
        if sent.ner is None:
            continue
        tags = (*sent.ner, "O")
        for i, tag in enumerate(sent.ner):
            if tag == "B-PER" and tags[i + 1] == "I-PER":
                counts[sent.words[i]] += 1
    return counts


def given_names(lang: str, data: Path) -> list[str]:
    """Capitalised alphabetic first words of PER names (no titles, no function words)."""
    splits = datasets.build(lang, data)
    counts = first_words(s for chunk in splits.train for s in chunk)
    lexicons = [load_lexicon(code) for code in languages()]
    out = []
    for word, n in counts.items():
        if n < MIN_COUNT or not word[:1].isupper() or not word.isalpha() or word.isupper():
            continue
        if len(word) < 3:
            continue  # "St", "De": abbreviations and particles more often than names
        low = word.casefold()
        if any(lex.is_title(low, compounds=False) or low in lex.not_names
               or low in lex.pronouns or low in lex.name_particles for lex in lexicons):
            continue
        out.append(word)
    return sorted(out)


def build(data: Path, codes: Iterable[str] = ("sv", "en")) -> dict[str, object]:
    """The file's content: names per language plus the gendered first-name list."""
    known = load_first_names()
    by_lang = {lang: given_names(lang, data) for lang in codes}
    names = sorted(set(known.female) | set(known.male) | {n for v in by_lang.values() for n in v})
    return {
        "description": (
            "First words of multi-word PER names in the NER training splits (at least "
            f"{MIN_COUNT} times; titles and function words removed), plus names.json's "
            "gendered first names. Rebuilt by `python -m app.training.given_names`."
        ),
        "sources": "the training splits of app/training/datasets.py (see MODELS.md and "
                   "../shared/data/*/SOURCES.md); licence of the corpora: CC BY-SA 4.0 / "
                   "CC BY 4.0; a list of single words carries no running text",
        "names": names,
    }


def main() -> None:
    """Rebuild the file."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--output", type=Path, default=OUTPUT)
    a = ap.parse_args()
    content = build(a.data)
    a.output.write_text(json.dumps(content, ensure_ascii=False, indent=0) + "\n",
                        encoding="utf-8")
    print(f"{len(content['names'])} names -> {a.output}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
