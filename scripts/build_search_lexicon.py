"""Build the lemma tables of the search index (app/storage/lexicon/{sv,en}_lemmas.tsv.gz).

Source: the lookup lemma tables of spacy-lookups-data (the tables spaCy's lookup lemmatizer
uses). Only the forms whose lemma has another Snowball stem than the form itself are kept
(``böcker`` -> ``bok``, ``allianser`` -> ``allian``, ``men`` -> ``man``): for every other
form the stem the index already holds is the lemma's. Each line: form, TAB, the lemma's stem.

    python scripts/build_search_lexicon.py

Re-running it changes what the index holds: a new table needs a migration that reindexes.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import snowballstemmer
import spacy_lookups_data
import srsly  # type: ignore[import-untyped]

OUT = Path(__file__).resolve().parents[1] / "app" / "storage" / "lexicon"
WORD = re.compile(r"\w+")
LANGS = {"sv": "swedish", "en": "english"}


def main() -> None:
    data = Path(spacy_lookups_data.__file__).parent / "data"
    OUT.mkdir(parents=True, exist_ok=True)
    for lang, name in LANGS.items():
        stemmer = snowballstemmer.stemmer(name)
        table = srsly.read_gzip_json(data / f"{lang}_lemma_lookup.json.gz")
        keep: dict[str, str] = {}
        for form, lemma in table.items():
            f, lem = form.lower(), lemma.lower()
            if f == lem or not WORD.fullmatch(f) or not WORD.fullmatch(lem) or f.isdigit():
                continue
            a, b = stemmer.stemWord(f), stemmer.stemWord(lem)
            if a != b and f not in keep:
                keep[f] = b
        path = OUT / f"{lang}_lemmas.tsv.gz"
        with gzip.GzipFile(path, "wb", mtime=0) as raw:
            raw.write("".join(f"{k}\t{keep[k]}\n" for k in sorted(keep)).encode())
        print(f"{path}: {len(keep)} forms")


if __name__ == "__main__":
    main()
