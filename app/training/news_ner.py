"""English news NER annotated for Citat in the Universal NER conventions (Wikinews, CC BY 2.5).

The project keeps no text of these articles: ``training/ner/en_wikinews.jsonl`` holds, per
document, its id, url, date, title, licence, attribution, annotator group, the sha256 of its
text and the entities as character offsets with a label. The text is read at training time from
the open corpus's ``corpus/en/dev.jsonl`` (documents of the corpus) or from the Wikinews dumps
``{data}/en/wikinews/*.csv`` found by normalised URL (the others), stripped of surrounding
whitespace, and its sha256 must match. :func:`read_documents` turns them into NER-only
sentences tokenized as the English pipeline tokenizes.

:func:`import_annotations` converts the annotators' files (``{id, entities: [{text, label}],
exceptions: [{text, occurrence, label}]}``) with their marking rule (:func:`mark`).
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language

from app.extraction.typography import customize_tokenizer
from app.training.corpora import Sentence

ROOT = Path(__file__).resolve().parents[2]
DATA_FILE = ROOT / "training" / "ner" / "en_wikinews.jsonl"
#: A second, independent annotation of some of the same documents (group A's 55, by annotator
#: D), kept to measure agreement (:func:`agreement`); not read for training.
SECOND_FILE = ROOT / "training" / "ner" / "en_wikinews_second.jsonl"
CORPUS_DEV = ROOT / "corpus" / "en" / "dev.jsonl"
LABELS = frozenset({"PER", "ORG", "LOC"})
LICENCE = "CC BY 2.5"
#: Where a document's text comes from (the ``source`` field of a data-file record).
FROM_CORPUS = "corpus/en/dev.jsonl"
FROM_WIKINEWS = "wikinews"


def normalise_url(url: str) -> str:
    """``https://en.wikinews.org//wiki/X`` and ``https://en.wikinews.org/wiki/X`` are one."""
    return re.sub(r"(?<!:)/{2,}", "/", url.strip())


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# --- The annotators' marking rule -------------------------------------------------------------

def occurrences(text: str, string: str) -> list[tuple[int, int]]:
    """Whole-word, case-sensitive occurrences of ``string`` (not inside a longer word)."""
    pattern = re.compile(r"(?<![\w])" + re.escape(string) + r"(?![\w])")
    return [m.span() for m in pattern.finditer(text)]


def mark(text: str, ann: dict[str, Any]) -> tuple[list[tuple[int, int, str]], list[str]]:
    """Entity spans of one annotation file, and its errors.

    Every listed ``text`` is tagged at each whole-word occurrence, longest strings first, never
    overlapping a longer one already tagged; then each exception sets the label of the n-th
    occurrence (1-based, over all whole-word occurrences of that string) or ``O`` removes it.
    """
    errors: list[str] = []
    spans: list[tuple[int, int, str]] = []
    taken = [False] * len(text)
    entities = ann.get("entities", [])
    for ent in entities:
        if ent.get("label") not in LABELS:
            errors.append(f"bad label {ent}")
    for ent in sorted(entities, key=lambda e: -len(e["text"])):
        found = occurrences(text, ent["text"])
        if not found:
            errors.append(f"not found as whole words: {ent['text']!r}")
        for a, b in found:
            if any(taken[a:b]):
                continue
            spans.append((a, b, ent["label"]))
            for i in range(a, b):
                taken[i] = True
    for exc in ann.get("exceptions", []):
        found = occurrences(text, exc["text"])
        n = exc.get("occurrence", 0)
        if not 1 <= n <= len(found):
            errors.append(f"exception occurrence {n} out of range for {exc['text']!r}")
            continue
        a, b = found[n - 1]
        spans = [s for s in spans if s[1] <= a or s[0] >= b]
        if exc.get("label") in LABELS:
            spans.append((a, b, exc["label"]))
        elif exc.get("label") != "O":
            errors.append(f"bad exception label {exc}")
    return sorted(spans), errors


# --- Texts ------------------------------------------------------------------------------------

def corpus_texts(path: Path = CORPUS_DEV) -> dict[str, str]:
    """Texts of the open corpus's documents by id (their ``text``, stripped)."""
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rec = json.loads(line)
                out[rec["id"]] = rec["text"].strip()
    return out


def wikinews_texts(folder: Path) -> dict[str, str]:
    """Texts of the Wikinews dump (``url,date,title,text`` CSV files) by normalised URL."""
    csv.field_size_limit(1 << 30)
    out: dict[str, str] = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                out[normalise_url(row["url"])] = row["text"].strip()
    return out


@dataclass
class Texts:
    """Where the documents' texts are read from."""

    corpus: dict[str, str]
    wikinews: dict[str, str]

    @classmethod
    def load(cls, data: Path, corpus_dev: Path = CORPUS_DEV) -> Texts:
        """``data``: the English corpora folder (holding ``wikinews/``) or its parent."""
        folder = data / "wikinews" if (data / "wikinews").is_dir() else data / "en" / "wikinews"
        return cls(corpus_texts(corpus_dev), wikinews_texts(folder))

    def text(self, rec: dict[str, Any]) -> str:
        """The text of a data-file record; KeyError if absent, ValueError if it changed."""
        if rec["source"] == FROM_CORPUS:
            text = self.corpus[rec["id"]]
        else:
            text = self.wikinews[normalise_url(rec["url"])]
        if sha256(text) != rec["sha256"]:
            raise ValueError(f"{rec['id']}: the text's sha256 differs from the data file's")
        return text


def read_records(path: Path = DATA_FILE) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


# --- Import -----------------------------------------------------------------------------------

def import_annotations(ann_root: Path, texts: Texts) -> tuple[list[dict[str, Any]], list[str]]:
    """Data-file records from an annotation folder (``docs/index.jsonl``, ``docs/{group}/{id}.txt``
    and ``{group}/{id}.json``), and the problems met (a document whose annotation has errors
    or whose text is not the source's is left out)."""
    problems: list[str] = []
    records: list[dict[str, Any]] = []
    with (ann_root / "docs" / "index.jsonl").open(encoding="utf-8") as handle:
        index = [json.loads(line) for line in handle if line.strip()]
    for row in index:
        ann_path = ann_root / row["group"] / f"{row['id']}.json"
        if not ann_path.exists():
            continue
        shown = (ann_root / "docs" / row["group"] / f"{row['id']}.txt").read_text(encoding="utf-8")
        from_corpus = row["origin"] == "corpus-dev"
        source = FROM_CORPUS if from_corpus else FROM_WIKINEWS
        text = (texts.corpus.get(row["id"]) if from_corpus
                else texts.wikinews.get(normalise_url(row["url"])))
        if text is None or shown.strip() != text or not shown.startswith(text):
            problems.append(f"{row['id']}: the annotated text is not the source's")
            continue
        try:
            ann = json.loads(ann_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(f"{row['id']}: {exc}")
            continue
        spans, errors = mark(shown, ann)
        if errors:
            problems.append(f"{row['id']}: {len(errors)} annotation errors ({errors[0]})")
            continue
        url = normalise_url(row["url"])
        records.append({
            "id": row["id"], "url": url, "date": row["date"], "title": row["title"],
            "licence": LICENCE, "attribution": f"Wikinews contributors, {url}",
            "annotator": row["group"], "source": source, "sha256": sha256(text),
            "entities": [[a, b, label] for a, b, label in spans],
        })
    return sorted(records, key=lambda r: r["id"]), problems


def write_records(records: Iterable[dict[str, Any]], path: Path = DATA_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for rec in records:
            handle.write(json.dumps(rec, ensure_ascii=False) + "\n")


def speaker_coverage(records: Iterable[dict[str, Any]], corpus_dev: Path = CORPUS_DEV
                     ) -> dict[str, int]:
    """How the gold speakers' mentions of the corpus's documents were tagged: each whole-word
    occurrence of a mention (``speakers`` of ``corpus/en/dev.jsonl``) counts under the label of
    the entity that ends where it ends (a title before the name may stay outside it; a surname
    may be the end of a full name), or ``none``. A quality figure for the annotations, not a
    gold standard: the speakers include organisations."""
    gold: dict[str, dict[str, Any]] = {}
    with corpus_dev.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                rec = json.loads(line)
                gold[rec["id"]] = rec
    counts = {"PER": 0, "ORG": 0, "LOC": 0, "none": 0}
    for rec in records:
        if rec["source"] != FROM_CORPUS or rec["id"] not in gold:
            continue
        text = gold[rec["id"]]["text"]
        ends = {int(b): str(label) for _, b, label in rec["entities"]}
        seen: set[tuple[int, int]] = set()
        for mentions in gold[rec["id"]]["speakers"].values():
            for mention in mentions:
                for a, b in occurrences(text, mention):
                    if (a, b) in seen:
                        continue
                    seen.add((a, b))
                    counts[ends.get(b, "none")] += 1
    return counts


def agreement(first: Iterable[dict[str, Any]], second: Iterable[dict[str, Any]]
              ) -> dict[str, dict[str, float]]:
    """Inter-annotator agreement on the documents both annotated: entity mentions matched
    exactly (same start, end and label), F1 of one annotation against the other, overall and
    per label, with the counts (``both``, ``first_only``, ``second_only``, ``documents``)."""
    by_id = {rec["id"]: rec for rec in first}
    tallies: dict[str, list[int]] = {}
    documents = 0
    for rec in second:
        other = by_id.get(rec["id"])
        if other is None or other["sha256"] != rec["sha256"]:
            continue
        documents += 1
        a = {(int(x), int(y), str(label)) for x, y, label in other["entities"]}
        b = {(int(x), int(y), str(label)) for x, y, label in rec["entities"]}
        for label in ("all", *sorted(LABELS)):
            sa = a if label == "all" else {e for e in a if e[2] == label}
            sb = b if label == "all" else {e for e in b if e[2] == label}
            t = tallies.setdefault(label, [0, 0, 0])
            t[0] += len(sa & sb)
            t[1] += len(sa - sb)
            t[2] += len(sb - sa)
    result: dict[str, dict[str, float]] = {}
    for label, (both, only_a, only_b) in tallies.items():
        total = 2 * both + only_a + only_b
        result[label] = {"f1": round(2 * both / total, 4) if total else 1.0, "both": both,
                         "first_only": only_a, "second_only": only_b, "documents": documents}
    return result


# --- Reading for training ---------------------------------------------------------------------

@dataclass
class ReadStats:
    """What the reader did with the data file's entities."""

    documents: int = 0
    entities: int = 0
    contracted: int = 0  # aligned to fewer characters than annotated (a token boundary inside)
    dropped: int = 0  # no whole token inside the span
    labels: dict[str, int] = field(default_factory=dict)


def english_tokenizer() -> Language:
    """A blank English pipeline with the tokenizer rules the trained English pipeline has."""
    nlp = spacy.blank("en")
    customize_tokenizer(nlp, split_apostrophe=False)
    return nlp


def to_sentences(nlp: Language, doc_id: str, text: str, spans: Iterable[Iterable[Any]],
                 stats: ReadStats) -> Iterator[Sentence]:
    """NER-only sentences of one document: one per paragraph (whitespace tokens holding a line
    break end it), the entities aligned to tokens with ``alignment_mode="contract"``."""
    doc = nlp.make_doc(text)
    tags = ["O"] * len(doc)
    for a, b, label in spans:
        stats.entities += 1
        span = doc.char_span(int(a), int(b), label=str(label), alignment_mode="contract")
        if span is None or len(span) == 0:
            stats.dropped += 1
            continue
        if (span.start_char, span.end_char) != (a, b):
            stats.contracted += 1
        if any(t != "O" for t in tags[span.start:span.end]):
            stats.dropped += 1
            continue
        stats.labels[str(label)] = stats.labels.get(str(label), 0) + 1
        tags[span.start:span.end] = [f"B-{label}"] + [f"I-{label}"] * (len(span) - 1)
    words: list[str] = []
    spaces: list[bool] = []
    ner: list[str] = []

    def flush() -> Iterator[Sentence]:
        if words:
            spaces[-1] = False
            yield Sentence(words=tuple(words), spaces=tuple(spaces), doc_id=doc_id,
                           ner=tuple(ner))
            words.clear()
            spaces.clear()
            ner.clear()

    for token, tag in zip(doc, tags, strict=True):
        if token.is_space:
            if "\n" in token.text:
                yield from flush()
            continue
        words.append(token.text)
        spaces.append(bool(token.whitespace_))
        ner.append(tag)
        if "\n" in token.whitespace_:
            yield from flush()
    yield from flush()


def read_documents(data: Path, path: Path = DATA_FILE, corpus_dev: Path = CORPUS_DEV, *,
                   corpus_docs: bool = True) -> tuple[list[Sentence], ReadStats]:
    """The data file's documents as NER-only sentences, with what the alignment dropped;
    without ``corpus_docs``, only those that are not in the gold corpus."""
    texts = Texts.load(data, corpus_dev)
    nlp = english_tokenizer()
    stats = ReadStats()
    sents: list[Sentence] = []
    for rec in read_records(path):
        if not corpus_docs and rec["source"] == FROM_CORPUS:
            continue
        stats.documents += 1
        sents.extend(to_sentences(nlp, rec["id"], texts.text(rec), rec["entities"], stats))
    return sents, stats


def main(argv: list[str] | None = None) -> int:
    """``python -m app.training.news_ner ANNOTATIONS DATA``: (re)write the data file;
    ``python -m app.training.news_ner --agreement``: the agreement of the second annotation."""
    args = sys.argv[1:] if argv is None else argv
    if args == ["--agreement"]:
        for label, row in agreement(read_records(DATA_FILE), read_records(SECOND_FILE)).items():
            print(label, row)
        return 0
    if len(args) != 2:
        print("usage: python -m app.training.news_ner ANNOTATION_FOLDER CORPORA_FOLDER",
              file=sys.stderr)
        return 2
    records, problems = import_annotations(Path(args[0]), Texts.load(Path(args[1])))
    write_records(records)
    for problem in problems:
        print(problem, file=sys.stderr)
    counts: dict[str, int] = {}
    for rec in records:
        for _, _, label in rec["entities"]:
            counts[label] = counts.get(label, 0) + 1
    print(f"{len(records)} documents, {sum(counts.values())} entities {counts} -> {DATA_FILE}")
    print(f"gold speaker mentions of the corpus documents tagged: {speaker_coverage(records)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
