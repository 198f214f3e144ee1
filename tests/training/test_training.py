"""Corpus conversion (missing layers stay missing) and a smoke training run on a tiny fixture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy
import pytest
import spacy
from spacy.training import Example

import app.extraction.typography  # noqa: F401  (registers the custom component)
from app.training import train_pipeline
from app.training.corpora import (
    Sentence,
    clean_iob,
    guess_spaces,
    gum_entities,
    io_to_iob,
    merge_ner,
    read_conllu,
    read_two_column,
)
from app.training.datasets import LABELS, fixture, group, to_doc

FIXTURE = Path(__file__).parents[1] / "fixtures" / "training"


def test_io_labels_become_iob2_and_unknown_labels_outside() -> None:
    # klintan: IO encoding, MISC and the stray "bn" are outside for us.
    assert io_to_iob(["PER", "PER", "0", "bn", "MISC", "LOC"], LABELS) == (
        "B-PER", "I-PER", "O", "O", "O", "B-LOC")


def test_iob1_b_tag_splits_adjacent_entities() -> None:
    assert io_to_iob(["I-ORG", "I-ORG", "B-ORG", "I-MISC", "O"], LABELS, iob1=True) == (
        "B-ORG", "I-ORG", "B-ORG", "O", "O")


def test_uner_oth_and_b_o_are_outside_and_orphan_i_starts_entity() -> None:
    assert clean_iob(["B-OTH", "B-O", "I-PER", "I-PER", "B-LOC"], LABELS) == (
        "O", "O", "B-PER", "I-PER", "B-LOC")


def test_spaces_rebuilt_without_raw_text() -> None:
    assert guess_spaces(["Hej", ",", "sa", "(", "hon", ")", "."]) == (
        False, True, True, False, False, False, False)


def test_ud_doc_without_ner_has_missing_entities_not_outside() -> None:
    nlp = spacy.blank("sv")
    sents = [s for s, _ in read_conllu(FIXTURE / "sv.conllu.txt")]
    doc = to_doc(nlp.vocab, sents[:2])
    assert doc.has_annotation("DEP") and doc.has_annotation("TAG")
    assert {t.ent_iob_ for t in doc} == {""}  # missing, so NER learns nothing from it
    assert len(list(doc.sents)) == 2


def test_ner_only_doc_has_missing_syntax_and_complete_entities() -> None:
    nlp = spacy.blank("sv")
    sents = list(read_two_column(FIXTURE / "sv-ner.txt", LABELS, scheme="io"))
    doc = to_doc(nlp.vocab, sents[:2])
    for attr in ("TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD", "SENT_START"):
        assert not doc.has_annotation(attr), attr
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Anna Berg", "PER"), ("Göteborg", "LOC"), ("Volvo", "ORG"), ("Skövde", "LOC")]
    assert all(t.ent_iob_ in ("B", "I", "O") for t in doc)
    # The missing layers come out as missing values in the gold alignment.
    example = Example(nlp.make_doc(doc.text), doc)
    assert set(example.get_aligned("TAG", as_string=True)) == {""}
    assert set(example.get_aligned("LEMMA", as_string=True)) == {""}
    assert set(example.get_aligned("DEP")) == {0}


def test_mismatched_ner_layer_is_left_missing() -> None:
    ud = next(s for s, _ in read_conllu(FIXTURE / "sv.conllu.txt"))
    other = Sentence(words=("Något", "annat"), spaces=(True, False), ner=("O", "O"))
    assert merge_ner(ud, other).ner is None
    same = Sentence(words=ud.words, spaces=ud.spaces, ner=("B-PER", "I-PER", *["O"] * 7))
    merged = merge_ner(ud, same)
    assert merged.ner is not None and merged.heads == ud.heads


def test_group_keeps_ud_and_ner_only_sentences_apart() -> None:
    splits = fixture(FIXTURE, "sv")
    for chunk in splits.train:
        assert len({s.has_syntax for s in chunk}) == 1
    assert sum(len(c) for c in group(s for c in splits.train for s in c)) == 11


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["sv", "en"])
def test_smoke_training_writes_a_loadable_pipeline(lang: str, tmp_path: Path) -> None:
    out = tmp_path / lang
    scores = train_pipeline(lang=lang, data_dir=FIXTURE, output_dir=out, max_minutes=1.0,
                            smoke=True)
    assert scores["smoke"] is True and scores["steps"] >= 2
    assert 0.0 <= scores["syntax"]["pos_acc"] <= 1.0
    nlp = spacy.load(out)
    assert nlp.pipe_names == ["citat_quote_sentences", "tok2vec", "tagger", "morphologizer",
                              "parser", "trainable_lemmatizer", "ner"]
    assert set(nlp.get_pipe("ner").labels) == {"PER", "ORG", "LOC"}
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    assert meta["license"] == "CC BY-SA 4.0"
    assert meta["citat_evaluation"]["syntax"]["pos_acc"] == scores["syntax"]["pos_acc"]
    assert "creativecommons.org/licenses/by-sa/4.0" in (out / "LICENSE").read_text("utf-8")
    assert "Universal NER" in (out / "ATTRIBUTION.md").read_text("utf-8")
    # The typography rules travel with the serialized tokenizer.
    doc = nlp("Han sa:”Ja.”Sedan – inget mer.")
    assert [t.text for t in doc][:6] == ["Han", "sa", ":", "”", "Ja", "."]
    assert "–" in [t.text for t in doc]
    assert nlp.vocab.vectors.shape[0] == 0
    # The tokenizer warm-up: the training text's chunks, most frequent first (ties by text).
    from app.extraction.pipeline import WARMUP_FILE
    from app.training.datasets import fixture
    from app.training.train import frequent_chunks

    chunks = (out / WARMUP_FILE).read_text(encoding="utf-8").splitlines()
    train = fixture(FIXTURE, lang).train
    assert chunks == frequent_chunks(train)
    texts = [s.text for doc in train for s in doc]
    counts = [sum(t.split().count(c) for t in texts) for c in chunks]
    assert counts == sorted(counts, reverse=True) and min(counts) >= 1
    assert set(chunks) == {c for t in texts for c in t.split()}  # fewer than 20,000: all


def _gum_sentence(rows: list[tuple[str, str, str]]) -> tuple[Sentence, list[str]]:
    words = tuple(w for w, _, _ in rows)
    sent = Sentence(words=words, spaces=guess_spaces(words), pos=tuple(p for _, p, _ in rows),
                    heads=tuple(range(len(rows))))
    return sent, [m for _, _, m in rows]


def test_gum_names_with_capitalized_non_propn_words_and_possessives_are_entities() -> None:
    # Invented sentence in GUM's entity notation: GUM tags "United" as VERB and "New" as ADJ,
    # and puts the possessive 's inside a person mention.
    sent, misc = _gum_sentence([
        ("Lena", "PROPN", "Entity=(1-person-new-cf1-1-coref-Lena_Holm"),
        ("Holm", "PROPN", "_"),
        ("'s", "PART", "Entity=1)"),
        ("trip", "NOUN", "_"),
        ("to", "ADP", "_"),
        ("the", "DET", "Entity=(2-place-new-cf2-1-sgl-United_States"),
        ("United", "VERB", "_"),
        ("States", "PROPN", "Entity=2)"),
        ("and", "CCONJ", "_"),
        ("New", "ADJ", "Entity=(3-place-new-cf3-1-sgl-New_Haven"),
        ("Haven", "PROPN", "Entity=3)"),
        ("with", "ADP", "_"),
        ("the", "DET", "Entity=(4-organization-new-cf4-1-sgl"),
        ("new", "ADJ", "_"),
        ("team", "NOUN", "Entity=4)"),
    ])
    assert gum_entities(sent, misc) == (
        "B-PER", "I-PER", "O", "O", "O", "O", "B-LOC", "I-LOC", "O", "B-LOC", "I-LOC",
        "O", "O", "O", "O")


Params = list[tuple[str, str, "numpy.ndarray"]]


def _params(nlp: spacy.language.Language) -> Params:
    out: Params = []
    for name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is None:
            continue
        for node in model.walk():
            for param in node.param_names:
                if node.has_param(param):
                    out.append((name, f"{node.name}.{param}", node.get_param(param).copy()))
    return out


def _same(a: Params, b: Params) -> bool:
    return [k[:2] for k in a] == [k[:2] for k in b] and all(
        numpy.array_equal(x[2], y[2]) for x, y in zip(a, b, strict=True))


def test_resume_without_a_checkpoint_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no checkpoint"):
        train_pipeline(lang="sv", data_dir=FIXTURE, output_dir=tmp_path / "out",
                       max_minutes=1.0, smoke=True, resume=True, runs_dir=tmp_path / "runs")


@pytest.mark.slow
def test_resume_starts_at_the_checkpoint_step_with_its_weights(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    first = train_pipeline(lang="sv", data_dir=FIXTURE, output_dir=tmp_path / "a",
                           max_minutes=1.0, smoke=True, runs_dir=runs)
    checkpoint = runs / "sv" / "checkpoint"
    state = json.loads((checkpoint / "state.json").read_text(encoding="utf-8"))
    assert first["steps"] == state["step"] == 4 and first["resumed_from_step"] is None
    saved = _params(spacy.load(checkpoint / "model-last"))
    assert not (checkpoint.parent / "checkpoint.tmp").exists()

    seen: dict[str, object] = {}

    def on_start(nlp: spacy.language.Language, step: int) -> None:
        seen["step"] = step
        seen["params"] = _params(nlp)

    second = train_pipeline(lang="sv", data_dir=FIXTURE, output_dir=tmp_path / "b",
                            max_minutes=1.0, smoke=True, runs_dir=runs, resume=True,
                            max_steps=8, on_start=on_start)
    assert seen["step"] == 4
    assert _same(seen["params"], saved)  # type: ignore[arg-type]
    assert second["resumed_from_step"] == 4 and second["steps"] == 8
    after = json.loads((checkpoint / "state.json").read_text(encoding="utf-8"))
    assert after["step"] == 8 and after["best_score"] >= state["best_score"]
    # It went on training: the new checkpoint's weights are not the old ones.
    assert not _same(_params(spacy.load(checkpoint / "model-last")), saved)
    # A fresh run starts from new weights (so the equality above is not trivially true).
    fresh: dict[str, object] = {}
    train_pipeline(lang="sv", data_dir=FIXTURE, output_dir=tmp_path / "c", max_minutes=1.0,
                   smoke=True, runs_dir=tmp_path / "fresh", max_steps=1,
                   on_start=lambda nlp, step: fresh.update(step=step, params=_params(nlp)))
    assert fresh["step"] == 0 and not _same(fresh["params"], saved)  # type: ignore[arg-type]


def test_only_ner_needs_a_pipeline_to_start_from(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="--only needs --init-from"):
        train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "out",
                       max_minutes=1.0, smoke=True, runs_dir=tmp_path / "runs", only="ner")
    with pytest.raises(ValueError, match="--only supports ner"):
        train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "out",
                       max_minutes=1.0, smoke=True, runs_dir=tmp_path / "runs",
                       only="parser")
    # The CLI flag reaches the same check.
    from typer.testing import CliRunner

    from app.cli import cli

    result = CliRunner().invoke(cli, ["train", "--lang", "en", "--smoke", "--only", "ner",
                                      "--output", str(tmp_path / "out")])
    assert result.exit_code == 2
    assert "--only needs --init-from" in " ".join(
        re.sub(r"[│╭╮╰╯─]", " ", result.output).split())
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_only_ner_keeps_every_other_component_and_the_syntax_bit_for_bit(tmp_path: Path) -> None:
    from app.training.train import syntax_differences

    runs = tmp_path / "runs"
    base_dir, cand_dir = tmp_path / "base", tmp_path / "cand"
    train_pipeline(lang="en", data_dir=FIXTURE, output_dir=base_dir, max_minutes=1.0,
                   smoke=True, runs_dir=runs)
    seen: dict[str, object] = {}
    scores = train_pipeline(lang="en", data_dir=FIXTURE, output_dir=cand_dir, max_minutes=1.0,
                            smoke=True, runs_dir=runs, init_from=base_dir, only="ner",
                            on_start=lambda nlp, step: seen.update(params=_params(nlp)))
    assert scores["only"] == "ner" and scores["steps"] == 4
    base, cand = spacy.load(base_dir), spacy.load(cand_dir)
    # It starts from the base pipeline's weights, all of them.
    assert _same(seen["params"], _params(base))  # type: ignore[arg-type]
    assert cand.pipe_names == base.pipe_names
    for name in ("tok2vec", "tagger", "morphologizer", "parser", "trainable_lemmatizer"):
        assert cand.get_pipe(name).to_bytes() == base.get_pipe(name).to_bytes(), name
    assert cand.get_pipe("ner").to_bytes() != base.get_pipe("ner").to_bytes()
    texts = ["Marta Quell told the council on Monday that the bridge would reopen.",
             "“We are not finished,” said Oskar Brandt, who chairs the Velmor Trust.",
             "The ferry left Halvik late. Nobody on board knew why."]
    assert syntax_differences(base, cand, texts) == []
    # The check itself sees a difference when there is one.
    other = spacy.load(base_dir)
    rng = numpy.random.default_rng(0)
    for node in other.get_pipe("parser").model.walk():
        if node.has_param("b"):
            b = node.get_param("b")
            node.set_param("b", b + rng.normal(0.0, 10.0, b.shape).astype(b.dtype))
    assert any(": " in line and ("dep_" in line or "head.i" in line)
               for line in syntax_differences(base, other, texts))
