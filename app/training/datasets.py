"""Which corpus files go into training, model selection and evaluation, per language.

Evaluation splits are never part of ``train`` (see the SOURCES.md of each data folder):
Swedish Talbanken dev (+ its UNER layer) and klintan ``test_corpus.txt``; English PUD.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.tokens import Doc
from spacy.vocab import Vocab

from app.training.corpora import (
    Sentence,
    gum_entities,
    merge_ner,
    read_conllu,
    read_two_column,
    read_uner,
    strip_titles,
)
from app.training.news_ner import CORPUS_DEV, DATA_FILE, read_documents

LABELS = frozenset({"PER", "ORG", "LOC"})
SENTS_PER_DOC = 10
#: Oversampling: Talbanken is the genre of the Swedish syntax evaluation, klintan of the NER one.
TALBANKEN_WEIGHT = 2
KLINTAN_WEIGHT = 1  # 2 was tried: no better on the model-selection set (MODELS.md)
#: How many times the Wikinews documents annotated for Citat (training/ner/en_wikinews.jsonl,
#: the genre of PUD) go into the English training split; ``citat train --news-weight``.
NEWS_WEIGHT = 2


@dataclass
class Splits:
    """Sentences for each role; each list is turned into spaCy Docs of a few sentences."""

    train: list[list[Sentence]] = field(default_factory=list)
    dev: list[list[Sentence]] = field(default_factory=list)
    eval_syntax: list[list[Sentence]] = field(default_factory=list)
    eval_ner: list[list[Sentence]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def group(sents: Iterable[Sentence], size: int = SENTS_PER_DOC) -> Iterator[list[Sentence]]:
    """Consecutive sentences of one document (and one kind: UD or NER-only), ``size`` at most."""
    chunk: list[Sentence] = []
    for sent in sents:
        if chunk and (
            len(chunk) >= size
            or sent.doc_id != chunk[-1].doc_id
            or sent.has_syntax != chunk[-1].has_syntax
        ):
            yield chunk
            chunk = []
        chunk.append(sent)
    if chunk:
        yield chunk


def to_doc(vocab: Vocab, sents: list[Sentence]) -> Doc:
    """One Doc from sentences; layers absent from any sentence stay unset (missing)."""
    words: list[str] = []
    spaces: list[bool] = []
    for k, sent in enumerate(sents):
        words.extend(sent.words)
        spaces.extend(sent.spaces[:-1])
        spaces.append(k + 1 < len(sents))
    syntax = all(s.has_syntax for s in sents)
    kwargs: dict[str, object] = {}
    if syntax:
        heads: list[int] = []
        offset = 0
        for sent in sents:
            assert sent.heads is not None
            heads.extend(h + offset for h in sent.heads)
            offset += len(sent.words)
        kwargs.update(
            lemmas=[w for s in sents for w in s.lemmas or ()],
            pos=[w for s in sents for w in s.pos or ()],
            tags=[w for s in sents for w in s.tags or ()],
            morphs=[w for s in sents for w in s.morphs or ()],
            deps=[w for s in sents for w in s.deps or ()],
            heads=heads,
        )
    if any(s.ner is not None for s in sents):
        ents: list[str | None] = []
        for sent in sents:
            ents.extend(sent.ner if sent.ner is not None else [None] * len(sent.words))
        kwargs["ents"] = ents
    return Doc(vocab, words=words, spaces=spaces, **kwargs)  # type: ignore[arg-type]


def _by_id(sents: Iterable[Sentence]) -> dict[str, Sentence]:
    return {s.sent_id: s for s in sents if s.sent_id}


def _ud_with_uner(conllu: Path, uner: Path | None, *, by_id: bool = False) -> list[Sentence]:
    """UD sentences with the UNER layer joined by ``sent_id`` (EWT) or by token sequence."""
    if uner is None:
        return [s for s, _ in read_conllu(conllu)]
    if by_id:
        ids = _by_id(read_uner(uner, LABELS))
        return [merge_ner(s, ids.get(s.sent_id or "")) for s, _ in read_conllu(conllu)]
    tokens = {s.words: s for s in read_uner(uner, LABELS)}
    return [merge_ner(s, tokens.get(s.words)) for s, _ in read_conllu(conllu)]


def swedish(data: Path) -> Splits:
    """Swedish: UD Talbanken test, PUD, SweLL (+UNER), UNER Talbanken train, klintan train.

    UNER and UD Swedish use different ``sent_id``s, so the layers are joined by tokens.
    """
    ud = data / "UD_Swedish-Talbanken"
    uner = data / "UNER_Swedish-Talbanken"
    klintan = data / "swedish-ner-corpus"
    splits = Splits()
    talbanken = list(group(_ud_with_uner(ud / "sv_talbanken-ud-test.conllu",
                                         uner / "sv_talbanken-ud-test.iob2")))
    # Model selection: every 10th Talbanken-test chunk and every 14th klintan sentence.
    splits.dev.extend(c for i, c in enumerate(talbanken) if i % 10 == 5)
    tb_train = [c for i, c in enumerate(talbanken) if i % 10 != 5]
    splits.train.extend(tb_train * TALBANKEN_WEIGHT)
    splits.train.extend(group(_ud_with_uner(data / "UD_Swedish-PUD/sv_pud-ud-test.conllu",
                                            data / "UNER_Swedish-PUD/sv_pud-ud-test.iob2")))
    splits.train.extend(group(_ud_with_uner(data / "UD_Swedish-SweLL/sv_swell-ud-test.conllu",
                                            None)))
    splits.train.extend(group(read_uner(uner / "sv_talbanken-ud-train.iob2", LABELS)))
    news = list(read_two_column(klintan / "train_corpus.txt", LABELS, scheme="io"))
    splits.dev.extend(group(s for i, s in enumerate(news) if i % 14 == 7))
    splits.train.extend(list(group(s for i, s in enumerate(news) if i % 14 != 7))
                        * KLINTAN_WEIGHT)
    splits.eval_syntax.extend(group(_ud_with_uner(ud / "sv_talbanken-ud-dev.conllu",
                                                  uner / "sv_talbanken-ud-dev.iob2")))
    splits.eval_ner.extend(group(read_two_column(klintan / "test_corpus.txt", LABELS,
                                                 scheme="io")))
    return splits


_OTHER_LABELS_EN = LABELS  # OTH, B-O and MISC are mapped to O by clean_iob/io_to_iob


def _spans(tags: tuple[str, ...]) -> Iterator[tuple[int, int, str]]:
    start = -1
    for i, tag in enumerate((*tags, "O")):
        if start >= 0 and not tag.startswith("I-"):
            yield start, i, tags[start][2:]
            start = -1
        if tag.startswith("B-"):
            start = i


def _gum(folder: Path) -> list[Sentence]:
    """GUM sentences with NER from its entity layer.

    GUM types a country as ``organization`` when it acts (``Sweden voted``); UNER calls it LOC.
    Each name gets the label it has most often in GUM, so such names become LOC.
    """
    sents: list[Sentence] = []
    for path in sorted(folder.glob("*.conllu")):
        for sent, misc in read_conllu(path):
            sents.append(replace(sent, ner=gum_entities(sent, misc)))
    votes: dict[tuple[str, ...], Counter[str]] = {}
    for sent in sents:
        assert sent.ner is not None
        for start, end, label in _spans(sent.ner):
            votes.setdefault(sent.words[start:end], Counter())[label] += 1
    out: list[Sentence] = []
    for sent in sents:
        assert sent.ner is not None
        tags = list(sent.ner)
        for start, end, _ in _spans(sent.ner):
            label = votes[sent.words[start:end]].most_common(1)[0][0]
            tags[start:end] = [f"B-{label}"] + [f"I-{label}"] * (end - start - 1)
        out.append(replace(sent, ner=tuple(tags)))
    return out


def _without_titles(sents: Iterable[Sentence], counts: dict[str, int], key: str) -> list[Sentence]:
    """The sentences with leading titles cut out of their persons; ``counts[key]``: spans cut."""
    out: list[Sentence] = []
    for sent in sents:
        stripped, changed = strip_titles(sent)
        counts[key] = counts.get(key, 0) + changed
        out.append(stripped)
    return out


def news_chunks(data: Path, weight: int, counts: dict[str, int], news_file: Path = DATA_FILE,
                corpus_dev: Path = CORPUS_DEV, *, corpus_docs: bool = True
                ) -> list[list[Sentence]]:
    """Citat's Wikinews NER documents as NER-only chunks, ``weight`` times (0: none; without
    ``corpus_docs``, not those of the gold corpus's dev split); what the alignment to tokens
    contracted or dropped goes into ``counts``."""
    if weight <= 0:
        return []
    news, stats = read_documents(data, news_file, corpus_dev, corpus_docs=corpus_docs)
    counts.update(news_documents=stats.documents, news_entities=stats.entities,
                  news_contracted=stats.contracted, news_dropped=stats.dropped)
    return list(group(news)) * weight


def english(data: Path, *, news_weight: int = NEWS_WEIGHT, news_corpus_docs: bool = True,
            news_file: Path | None = None) -> Splits:
    """English: EWT train+test (+UNER), the GUM subset, WikiGold and BTC (titles cut out of
    their persons, as UNER does), Citat's Wikinews NER (``news_weight`` times, 0: none;
    ``news_corpus_docs``: with the documents of the gold corpus's dev split); EWT dev selects."""
    ewt = data / "UD_English-EWT"
    uner = data / "UNER_English-EWT"
    splits = Splits()
    splits.train.extend(group(_ud_with_uner(ewt / "en_ewt-ud-train.conllu",
                                            uner / "en_ewt-ud-train.2022-12-02.iob2", by_id=True)))
    splits.train.extend(group(_ud_with_uner(ewt / "en_ewt-ud-test.conllu",
                                            uner / "en_ewt-ud-test.iob2", by_id=True)))
    splits.train.extend(group(_gum(data / "UD_English-GUM/documents")))
    wikigold = read_two_column(data / "wikigold/wikigold.conll.txt", LABELS, scheme="iob1")
    splits.train.extend(group(_without_titles(wikigold, splits.counts, "wikigold_titles_cut")))
    for part in sorted((data / "broad_twitter_corpus").glob("*.conll")):
        btc = read_two_column(part, LABELS, scheme="iob2")
        splits.train.extend(group(_without_titles(btc, splits.counts, "btc_titles_cut")))
    splits.train.extend(news_chunks(data, news_weight, splits.counts, news_file or DATA_FILE,
                                    corpus_docs=news_corpus_docs))
    splits.dev.extend(group(_ud_with_uner(ewt / "en_ewt-ud-dev.conllu",
                                          uner / "en_ewt-ud-dev.iob2", by_id=True)))
    pud = _ud_with_uner(data / "UD_English-PUD/en_pud-ud-test.conllu",
                         data / "UNER_English-PUD/en_pud-ud-test.iob2")
    splits.eval_syntax.extend(group(pud))
    splits.eval_ner.extend(group(pud))
    return splits


def fixture(folder: Path, lang: str) -> Splits:
    """The tiny invented fixture used by the smoke run (train = dev = eval)."""
    ud = [s for s, _ in read_conllu(folder / f"{lang}.conllu.txt")]
    ner = list(read_two_column(folder / f"{lang}-ner.txt", LABELS, scheme="io"))
    chunks = list(group(ud, 3)) + list(group(ner, 3))
    return Splits(train=chunks, dev=chunks, eval_syntax=list(group(ud, 3)),
                  eval_ner=list(group(ner, 3)))


def build(lang: str, data: Path, *, news_weight: int = NEWS_WEIGHT,
          news_corpus_docs: bool = True) -> Splits:
    """The splits for ``lang`` read from the corpora folder ``data`` (containing sv/ and en/);
    ``news_weight`` and ``news_corpus_docs``: see :func:`english`."""
    root = data / lang if (data / lang).is_dir() else data
    if lang == "sv":
        return swedish(root)
    if lang == "en":
        return english(root, news_weight=news_weight, news_corpus_docs=news_corpus_docs)
    raise ValueError(f"unsupported language: {lang!r}")
