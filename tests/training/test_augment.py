"""Name-substitution augmentation (``citat train --augment-names``) and ``--init-from``."""

from __future__ import annotations

import random
from pathlib import Path

import numpy
import pytest
import spacy

from app.training import train_pipeline
from app.training.augment import augment_names, entity_spans, name_pool, substitute
from app.training.corpora import Sentence, guess_spaces
from app.training.datasets import LABELS, to_doc

FIXTURE = Path(__file__).parents[1] / "fixtures" / "training"


def _sent(words: list[str], ner: list[str], doc_id: str = "d1", *,
          syntax: bool = False) -> Sentence:
    w = tuple(words)
    extra: dict[str, object] = {}
    if syntax:
        extra = {"heads": tuple(range(len(w))), "pos": ("X",) * len(w),
                 "deps": ("dep",) * len(w)}
    return Sentence(words=w, spaces=guess_spaces(w), doc_id=doc_id, ner=tuple(ner),
                    **extra)  # type: ignore[arg-type]


# Invented sentences; none of these people exist.
ORLA = _sent(["Orla", "Brennick", "met", "Tamsin", "at", "Vexco", "in", "Durnholt", "."],
             ["B-PER", "I-PER", "O", "B-PER", "O", "B-ORG", "O", "B-LOC", "O"], syntax=True)
QUIL = _sent(["Senator", "Quillan", "J.", "Ashe-Moray", "spoke", "."],
             ["O", "B-PER", "I-PER", "I-PER", "O", "O"], "d2")
DASH = _sent(["Ada", "-", "Lin", "came"], ["B-PER", "I-PER", "I-PER", "O"], "d6")
NOISE = _sent(["@", "JanVoss", "and", "Ms", "Ilse", "Rand", "and", "BRAMS", "said", "hi"],
              ["O", "B-PER", "O", "B-PER", "I-PER", "I-PER", "O", "B-PER", "O", "O"], "d3")


def test_entity_spans_of_iob2_tags_with_an_orphan_inside() -> None:
    assert entity_spans(("B-PER", "I-PER", "O", "I-LOC", "B-ORG", "I-PER")) == [
        (0, 2, "PER"), (3, 4, "LOC"), (4, 5, "ORG"), (5, 6, "PER")]


def test_pool_keeps_distinct_names_with_their_inner_spaces_and_skips_noise() -> None:
    pool = name_pool([ORLA, QUIL, NOISE, DASH, ORLA], ("PER", "LOC"))
    assert pool["PER"] == [
        (("Orla", "Brennick"), (True, False)),
        (("Tamsin",), (False,)),
        (("Quillan", "J.", "Ashe-Moray"), (True, True, False)),
    ]  # not the glued handle, "Ms Ilse Rand" (a title), "BRAMS" (upper case), "Ada - Lin"
    assert pool["LOC"] == [(("Durnholt",), (False,))]
    assert "ORG" not in pool


def test_substitute_replaces_each_name_with_exact_tokens_spaces_and_tags() -> None:
    pool = {"PER": [(("Quillan", "J.", "Ashe-Moray"), (True, True, False)),
                    (("Bo",), (False,))]}

    class Picks(random.Random):
        def __init__(self, picks: list[int]) -> None:
            super().__init__(0)
            self.picks = picks

        def randrange(self, n: int) -> int:  # type: ignore[override]
            return self.picks.pop(0)

    copy, replaced = substitute(ORLA, pool, Picks([0, 1]))
    assert replaced == 2
    assert copy.words == ("Quillan", "J.", "Ashe-Moray", "met", "Bo", "at", "Vexco", "in",
                          "Durnholt", ".")
    assert copy.text == "Quillan J. Ashe-Moray met Bo at Vexco in Durnholt."
    assert copy.ner == ("B-PER", "I-PER", "I-PER", "O", "B-PER", "O", "B-ORG", "O", "B-LOC",
                        "O")
    assert copy.doc_id == "d1#names"
    assert copy.heads is None and copy.pos is None and copy.deps is None  # NER-only
    # The entities sit at the character offsets of the new names in the spaCy Doc.
    doc = to_doc(spacy.blank("en").vocab, [copy])
    assert [(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents] == [
        ("Quillan J. Ashe-Moray", "PER", 0, 21), ("Bo", "PER", 26, 28),
        ("Vexco", "ORG", 32, 37), ("Durnholt", "LOC", 41, 49)]
    # A name is never replaced by itself: Bo drawn twice for Bo, then the other name is taken.
    bo = _sent(["Bo", "left", "."], ["B-PER", "O", "O"])
    again, n = substitute(bo, pool, Picks([1, 1, 0]))
    assert n == 1 and again.words == ("Quillan", "J.", "Ashe-Moray", "left", ".")
    # A label without other names is left as it is.
    alone, n = substitute(bo, {"PER": [(("Bo",), (False,))]}, random.Random(0))
    assert n == 0 and alone.words == bo.words


def test_augment_names_copies_at_the_rate_deterministically_and_keeps_originals_out() -> None:
    chunks = [[ORLA, QUIL], [_sent(["No", "names", "here", "."], ["O"] * 4, "d4")]]
    twice, stats = augment_names(chunks, 2.0)
    copies = [s for chunk in twice for s in chunk]
    assert stats.sentences == len(copies) == 4  # two per sentence with a person
    assert stats.pool == {"PER": 3}
    assert stats.replaced == 2 * 2 + 2 * 1
    assert ORLA not in copies and QUIL not in copies
    assert all(s.doc_id in ("d1#names", "d2#names") and s.heads is None for s in copies)
    for copy in copies:  # the organisation and the place are never touched
        if copy.doc_id == "d1#names":
            assert copy.words[-5:] == ("at", "Vexco", "in", "Durnholt", ".")
            assert copy.ner is not None
            assert copy.ner[-5:] == ("O", "B-ORG", "O", "B-LOC", "O")
    assert augment_names(chunks, 2.0)[0] == twice  # a fixed seed
    assert augment_names(chunks, 2.0, seed=7)[0] != twice
    assert augment_names(chunks, 0.0)[0] == []
    many = [[_sent(["Orla", "Brennick", "ran"], ["B-PER", "I-PER", "O"], f"x{i}")]
            for i in range(400)] + [[QUIL]]
    half = augment_names(many, 0.5)[1].sentences
    assert 150 < half < 250  # about one copy in two
    _, stats = augment_names([[ORLA, QUIL, _sent(["In", "Pell", "."],
                                                           ["O", "B-LOC", "O"], "d5")]],
                                       1.0, ("PER", "LOC"))
    assert stats.pool == {"PER": 3, "LOC": 2} and stats.sentences == 3
    with pytest.raises(ValueError, match="rate"):
        augment_names(chunks, -1.0)


def _params(nlp: spacy.language.Language) -> list[numpy.ndarray]:
    return [numpy.array(node.get_param(name)).copy()
            for _, proc in nlp.pipeline if hasattr(proc, "model")
            for node in proc.model.walk() for name in node.param_names
            if node.has_param(name)]


@pytest.mark.slow
def test_smoke_run_with_augmentation_and_init_from_a_trained_pipeline(tmp_path: Path) -> None:
    first = train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "a",
                           max_minutes=1.0, smoke=True, runs_dir=tmp_path / "runs",
                           augment_rate=1.0, augment_labels=tuple(sorted(LABELS)))
    assert first["data_counts"]["augmented_sentences"] > 0
    saved = _params(spacy.load(tmp_path / "a"))
    seen: dict[str, object] = {}
    train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "b", max_minutes=1.0,
                   smoke=True, runs_dir=tmp_path / "runs", init_from=tmp_path / "a",
                   config_overrides={"training.optimizer.learn_rate": 0.0002},
                   on_start=lambda nlp, step: seen.update(step=step, params=_params(nlp)))
    assert spacy.load(tmp_path / "b").config["training"]["optimizer"]["learn_rate"] == 0.0002
    assert seen["step"] == 0
    got = seen["params"]
    assert isinstance(got, list) and len(got) == len(saved)
    assert all(numpy.array_equal(a, b) for a, b in zip(got, saved, strict=True))
    with pytest.raises(ValueError, match="not a spaCy pipeline"):
        train_pipeline(lang="en", data_dir=FIXTURE, output_dir=tmp_path / "c", max_minutes=1.0,
                       smoke=True, init_from=tmp_path / "nowhere")
