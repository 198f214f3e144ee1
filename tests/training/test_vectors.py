"""Static word vectors distilled from a sentence-transformer: the safetensors reader, BERT's
WordPiece tokenizer and encoder in numpy, the vocabulary, the PCA and the spaCy vectors table."""

from __future__ import annotations

import json
import struct
from pathlib import Path

import numpy
import pytest
import spacy

import app.extraction.typography  # noqa: F401  (registers the tokenizer callback and component)
from app.training import train_pipeline
from app.training.vectors import (
    MiniLM,
    WordPiece,
    build_vocab,
    is_word,
    pca,
    read_safetensors,
    vectors_pipeline,
)

FIXTURE = Path(__file__).parents[1] / "fixtures" / "training"
PIECES = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "un", "##luck", "##y", "luck", "cafe", ",", "'",
          "s", "harbour", "##side"]


def _write_safetensors(path: Path, tensors: dict[str, numpy.ndarray]) -> None:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    body = b""
    for name, array in tensors.items():
        data = numpy.ascontiguousarray(array, dtype=numpy.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(array.shape),
                        "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    raw = json.dumps(header).encode()
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + body)


def test_safetensors_are_read_with_their_shapes_and_values(tmp_path: Path) -> None:
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    b = numpy.array([-1.5], dtype=numpy.float32)
    _write_safetensors(tmp_path / "m.safetensors", {"a": a, "b": b})
    read = read_safetensors(tmp_path / "m.safetensors")
    assert set(read) == {"a", "b"}
    assert read["a"].shape == (2, 3) and read["a"].tolist() == a.tolist()
    assert read["b"].tolist() == [-1.5]
    (tmp_path / "bad.safetensors").write_bytes(struct.pack("<Q", 10_000) + b"{}")
    with pytest.raises(ValueError, match="not a safetensors file"):
        read_safetensors(tmp_path / "bad.safetensors")


def test_wordpiece_lowercases_strips_accents_splits_punctuation_and_continues_with_hashes() -> None:
    tok = WordPiece(PIECES)
    ids = tok.encode("Unlucky Café, Harbourside's")
    assert [PIECES[i] for i in ids] == ["[CLS]", "un", "##luck", "##y", "cafe", ",", "harbour",
                                        "##side", "'", "s", "[SEP]"]
    # A word that cannot be cut into known pieces is one [UNK], not a partial match.
    assert [PIECES[i] for i in tok.encode("luckz")] == ["[CLS]", "[UNK]", "[SEP]"]
    assert tok.whole_words() == ["un", "luck", "cafe", "s", "harbour"]


def _tiny_bert(folder: Path, width: int = 8, layers: int = 2, heads: int = 2) -> None:
    rng = numpy.random.default_rng(3)
    t: dict[str, numpy.ndarray] = {
        "embeddings.word_embeddings.weight": rng.normal(size=(len(PIECES), width)),
        "embeddings.position_embeddings.weight": rng.normal(size=(16, width)),
        "embeddings.token_type_embeddings.weight": rng.normal(size=(2, width)),
        "embeddings.LayerNorm.weight": numpy.ones(width),
        "embeddings.LayerNorm.bias": numpy.zeros(width),
    }
    shapes = {"attention.self.query": (width, width), "attention.self.key": (width, width),
              "attention.self.value": (width, width), "attention.output.dense": (width, width),
              "intermediate.dense": (4 * width, width), "output.dense": (width, 4 * width)}
    for i in range(layers):
        for name, shape in shapes.items():
            t[f"encoder.layer.{i}.{name}.weight"] = rng.normal(size=shape) / numpy.sqrt(shape[1])
            t[f"encoder.layer.{i}.{name}.bias"] = rng.normal(size=shape[0]) * 0.1
        for norm in ("attention.output.LayerNorm", "output.LayerNorm"):
            t[f"encoder.layer.{i}.{norm}.weight"] = numpy.ones(width)
            t[f"encoder.layer.{i}.{norm}.bias"] = numpy.zeros(width)
    folder.mkdir(parents=True, exist_ok=True)
    _write_safetensors(folder / "model.safetensors", t)
    (folder / "vocab.txt").write_text("\n".join(PIECES) + "\n", encoding="utf-8")
    (folder / "config.json").write_text(json.dumps(
        {"num_hidden_layers": layers, "num_attention_heads": heads, "hidden_size": width}))


def test_encoder_embeds_each_text_alone_whatever_it_is_batched_with(tmp_path: Path) -> None:
    _tiny_bert(tmp_path / "bert")
    model = MiniLM(tmp_path / "bert")
    together = model.embed(["luck", "cafe", "unlucky", "harbourside"], batch_size=2)
    alone = numpy.vstack([model.embed([w]) for w in ["luck", "cafe", "unlucky", "harbourside"]])
    assert together.shape == (4, 8)
    # float32 all the way (a float64 scalar once doubled the cost of every layer).
    assert model.encode_ids(numpy.array([[2, 7, 3]])).dtype == numpy.float32
    numpy.testing.assert_allclose(together, alone, rtol=1e-5, atol=1e-6)
    # Case and accents do not matter to an uncased model; the word does.
    numpy.testing.assert_allclose(model.embed(["Café"])[0], model.embed(["cafe"])[0])
    assert not numpy.allclose(together[0], together[1])
    # Each layer ends in a LayerNorm with unit weight and zero bias: every token's vector has
    # mean 0, so their mean has too.
    numpy.testing.assert_allclose(together.mean(axis=1), 0.0, atol=1e-5)


def test_vocab_lowercases_keeps_frequent_words_and_all_extra_words() -> None:
    corpus = ["The", "the", "Harbour", "harbour", "Oslo", "42", "--", "Oslo", "rare",
              "x" * 30, "the"]
    words = build_vocab(corpus, ["Fjord", "###", "the"], min_count=2)
    assert words == ["the", "harbour", "oslo", "fjord"]
    assert not is_word("42") and not is_word("a b") and is_word("co-op")


def test_pca_keeps_the_largest_variance_first_and_unit_scale() -> None:
    rng = numpy.random.default_rng(0)
    table = rng.normal(size=(500, 6)) * numpy.array([10.0, 0.1, 5.0, 0.1, 1.0, 0.1])
    reduced = pca(table, 3)
    assert reduced.shape == (500, 3) and reduced.dtype == numpy.float32
    variances = reduced.var(axis=0)
    assert variances[0] > variances[1] > variances[2]
    assert reduced.std() == pytest.approx(1.0, rel=1e-4)
    assert pca(table, 6).shape == (500, 6) and pca(table, 99).shape == (500, 6)


def test_vectors_are_keyed_by_the_lowercased_word() -> None:
    words = ["harbour", "oslo"]
    table = numpy.array([[1.0, 0.0], [0.0, 2.0]], dtype=numpy.float32)
    nlp = vectors_pipeline(words, table)
    assert nlp.vocab.vectors.shape == (2, 2)
    doc = nlp("Oslo OSLO oslo harbour Bergen")
    assert [t.vector.tolist() for t in doc[:3]] == [[0.0, 2.0]] * 3
    assert doc[3].vector.tolist() == [1.0, 0.0]
    assert not doc[4].has_vector
    with pytest.raises(ValueError, match="2 words for 1 vectors"):
        vectors_pipeline(words, table[:1])


def test_vectors_need_the_ner_component(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--vectors needs --component ner"):
        train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "out",
                       max_minutes=1.0, smoke=True, vectors=tmp_path)


@pytest.mark.slow
def test_ner_trained_with_vectors_ships_them_in_the_merged_pipeline(tmp_path: Path) -> None:
    words = ["the", "met", "in", "harbour", "oslo", "anna", "berg"]
    rng = numpy.random.default_rng(1)
    vectors_pipeline(words, rng.normal(size=(len(words), 4)).astype("float32")).to_disk(
        tmp_path / "vectors")
    out = tmp_path / "pipeline"
    train_pipeline(lang="en", data_dir=FIXTURE, output_dir=out, max_minutes=1.0, smoke=True,
                   component="ner", vectors=tmp_path / "vectors", runs_dir=tmp_path / "runs")
    nlp = spacy.load(out)
    assert nlp.vocab.vectors.shape == (7, 4)
    assert nlp.config["components"]["ner"]["model"]["tok2vec"]["embed"][
        "include_static_vectors"] is True
    doc = nlp("Anna Berg met ANNA in Oslo.")
    assert doc[0].vector.tolist() == doc[3].vector.tolist()
    assert doc[2].has_vector and not doc[6].has_vector
    # The ner's tok2vec reads the table: other vectors, other features.
    tok2vec = nlp.get_pipe("ner").model.get_ref("tok2vec")
    before = tok2vec.predict([doc])[0].copy()
    nlp.vocab.vectors.data[:] = 0.0
    assert not numpy.allclose(tok2vec.predict([doc])[0], before)
    # A resumed run (same --vectors) goes on from the checkpoint and keeps the table.
    again = train_pipeline(lang="en", data_dir=FIXTURE, output_dir=out, max_minutes=1.0,
                           smoke=True, component="ner", vectors=tmp_path / "vectors",
                           runs_dir=tmp_path / "runs", resume=True, max_steps=8)
    assert again["resumed_from_step"] == 4 and again["steps"] == 8
    assert spacy.load(out).vocab.vectors.shape == (7, 4)


def test_licence_files_name_the_vectors_source_only_when_the_pipeline_has_vectors(
    tmp_path: Path,
) -> None:
    from app.training.licensing import write_license_files

    write_license_files(tmp_path, "en", vectors=True)
    attribution = (tmp_path / "ATTRIBUTION.md").read_text("utf-8")
    assert "huggingface.co/sentence-transformers/all-MiniLM-L6-v2" in attribution
    assert "- Licence: Apache-2.0" in attribution and "Wikinews articles 2019-2020" in attribution
    assert "Apache License 2.0" in (tmp_path / "LICENSE").read_text("utf-8")
    write_license_files(tmp_path, "en")
    assert "MiniLM" not in (tmp_path / "ATTRIBUTION.md").read_text("utf-8")
    assert "Apache" not in (tmp_path / "LICENSE").read_text("utf-8")
