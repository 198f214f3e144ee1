"""The second stage of the speaker confidence (ChooserModel.shown, training's
fit_recalibration and shift_groups): a temperature and shift fitted on
calibrations that never saw the block of documents (period, source) a choice comes from.
Invented data only."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from app.extraction.model import Resolved
from app.extraction.resolve.chooser import (
    CALIBRATION_EXTRA,
    MODEL_FILE,
    NOBODY,
    STAGE_KINDS,
    UNKNOWN_BELOW,
    ChooserModel,
    choose,
    feature_names,
    load_chooser,
    stage_kinds,
)
from app.training.attribution import (
    CALIBRATION_C,
    RECALIBRATION_C,
    Sample,
    _calibration_x,
    _stage_x,
    fit_recalibration,
    shift_groups,
)
from tests.extraction.test_chooser import _cand, _choice


def _model(weights: dict[str, float], recalibration: list[float] | None
           ) -> ChooserModel:
    names = feature_names([], [])
    w = np.zeros(len(names))
    for k, v in weights.items():
        w[names.index(k)] = v
    return ChooserModel(w, names, [], [], [1.0, 0.0, 0.0], recalibration=recalibration)


def _sig(z: float) -> float:
    return 1 / (1 + math.exp(-z))


def test_shown_is_a_temperature_and_shift_per_language() -> None:
    model = _model({}, [0.5, 0.3, -0.2, 0.4])
    lq = math.log(0.8 / 0.2)
    assert model.shown(0.8) == pytest.approx(_sig(0.5 * lq - 0.2))
    assert model.shown(0.8, sv=True) == pytest.approx(_sig(0.8 * lq + 0.2))
    assert model.shown(0.3) < model.shown(0.6) < model.shown(0.9)
    assert _model({}, None).shown(0.77) == 0.77  # an older file: as calibrated
    assert _model({}, [1.0, 0.0, 0.0, 0.0]).shown(0.77, sv=True) == pytest.approx(0.77)


def test_the_second_stage_changes_no_speaker() -> None:
    """The choice and UNKNOWN_BELOW read the calibrated probability; only the confidence
    given to the chosen speaker goes through the second stage."""
    down = _model({"is_rule": 0.2}, [1.0, 0.0, -1.0, 0.0])
    ch = _choice(down, {"Ann Reid": ["is_rule"], NOBODY: []})
    (got,) = choose([ch], [Resolved("Ann Reid", "Reid", 0.9)], [_cand()], down, lambda n: n)
    assert _sig(0.2) >= UNKNOWN_BELOW > _sig(-0.8)
    assert got.name == "Ann Reid" and got.mention == "Reid"
    assert got.confidence == pytest.approx(round(_sig(-0.8), 4))
    up = _model({"is_rule": -0.9}, [1.0, 0.0, 3.0, 0.0])
    ch = _choice(up, {"Ann Reid": ["is_rule"], NOBODY: []})
    (got,) = choose([ch], [Resolved("Ann Reid", "Reid", 0.9)], [_cand()], up, lambda n: n)
    assert _sig(-0.9) < UNKNOWN_BELOW < _sig(2.1)  # the stage alone would lift it over
    assert up.shown(_sig(-0.9)) == pytest.approx(_sig(-0.9))  # never above the calibrated
    assert got == Resolved(None, None, 0.0)


def test_the_second_stage_never_raises_a_confidence() -> None:
    """A stage that would sharpen (a > 1) or lift (b > 0) lowers what it may and leaves the
    rest as calibrated: a shift is evidence for doubt, never for more certainty."""
    sharp = _model({}, [1.6, 0.0, 0.4, 0.0])
    for q in (0.05, 0.3, 0.5, 0.7, 0.9, 0.99):
        assert sharp.shown(q) <= q
    assert sharp.shown(0.99) == pytest.approx(0.99)
    lq = math.log(0.2 / 0.8)
    assert sharp.shown(0.2) == pytest.approx(_sig(1.6 * lq + 0.4))  # lowered: 0.12
    assert sharp.shown(0.2) < 0.2


def test_a_swedish_quote_gets_the_swedish_stage() -> None:
    model = _model({"is_rule": 1.0}, [1.0, -0.5, 0.0, 0.0])
    sv = _choice(model, {"Ann Reid": ["is_rule"], NOBODY: ["nobody", "nobody_sv"]})
    en = _choice(model, {"Ann Reid": ["is_rule"], NOBODY: ["nobody"]})
    assert model.is_swedish(sv.x) and not model.is_swedish(en.x)
    rule = [Resolved("Ann Reid", None, 0.9)]
    (got_sv,) = choose([sv], rule, [_cand()], model, lambda n: n)
    (got_en,) = choose([en], rule, [_cand()], model, lambda n: n)
    assert got_en.confidence == pytest.approx(round(_sig(1.0), 4))
    assert got_sv.confidence == pytest.approx(round(_sig(0.5), 4))


def test_the_second_stage_round_trips(tmp_path: Path) -> None:
    model = _model({"is_rule": 1.0}, [0.8, 0.1, -0.3, 0.25])
    file = tmp_path / "chooser.json"
    file.write_text(json.dumps(model.to_json()), encoding="utf-8")
    again = load_chooser(file)
    assert again is not None and again.recalibration == [0.8, 0.1, -0.3, 0.25]
    data = model.to_json()
    del data["recalibration"]
    older = tmp_path / "older.json"  # (load_chooser keeps what it read of a path)
    older.write_text(json.dumps(data), encoding="utf-8")
    old = load_chooser(older)
    assert old is not None and old.recalibration is None and old.shown(0.42) == 0.42


def test_shift_groups_cut_each_language_by_date_then_source() -> None:
    golds = [
        {"id": "en-9", "lang": "en", "date": "2021-03-01"},
        {"id": "en-1", "lang": "en", "date": "2018-05-02"},
        {"id": "en-5", "lang": "en", "date": None},
        {"id": "en-3", "lang": "en", "date": "2019-11-30"},
        {"id": "sv-2", "lang": "sv", "publisher": "Norrby kommun"},
        {"id": "sv-7", "lang": "sv", "publisher": "Ekby universitet", "date": "2016-01-01"},
        {"id": "sv-4", "lang": "sv", "publisher": "Ekby universitet"},
        {"id": "sv-1", "lang": "sv", "publisher": "Alby region"},
        {"id": "sv-8", "lang": "sv", "publisher": "Norrby kommun"},
        {"id": "sv-3", "lang": "sv", "publisher": "Alby region"},
    ]
    got = shift_groups(golds, k=2)
    # English in date order, the undated last: 2018, 2019 | 2021, undated
    assert [got[d] for d in ("en-1", "en-3", "en-9", "en-5")] == [0, 0, 1, 1]
    # Swedish: the dated one first, then the undated by publisher (Alby, Ekby, Norrby)
    assert [got[d] for d in ("sv-7", "sv-1", "sv-3")] == [0, 0, 0]
    assert [got[d] for d in ("sv-4", "sv-2", "sv-8")] == [1, 1, 1]
    assert shift_groups(golds, k=4)["en-5"] == 3


def _blocky_data(model: ChooserModel) -> tuple[list[Sample], list[tuple[int, float, float]],
                                                dict[str, int]]:
    """Four blocks of documents whose scores are alike but whose choices are right less
    often from one block to the next (a shift the random folds would average away)."""
    rng = np.random.default_rng(3)
    data, oof, groups = [], [], {}
    for block, rate in enumerate((0.95, 0.85, 0.7, 0.55)):
        for n in range(40):
            doc = f"d-{block}-{n // 2:02d}"
            groups[doc] = block
            right = rng.random() < rate
            ch = _choice(model, {"Ann Reid": ["label_PER"], NOBODY: ["nobody"]})
            data.append(Sample(doc, "en", ch.x, np.array([float(right), 0.0]), ch.names))
            p = float(np.clip(0.8 + 0.1 * right + rng.normal(0, 0.05), 0.05, 0.99))
            oof.append((0, p, p))
    return data, oof, groups


def test_the_second_stage_is_fitted_on_blocks_left_out() -> None:
    from sklearn.linear_model import LogisticRegression

    model = _model({}, None)
    data, oof, groups = _blocky_data(model)
    got = fit_recalibration(data, oof, model, None, groups)
    # the same two numbers as a logistic regression on each block's logits from a
    # calibration fitted on the three other blocks (the Swedish terms stay 0)
    x = np.asarray([_calibration_x(model, s, 0, p, m) for s, (_, p, m) in zip(data, oof,
                                                                             strict=True)])
    y = np.asarray([int(s.y[0] > 0) for s in data])
    block = np.array([groups[s.doc] for s in data])
    z = np.zeros(len(y))
    for g in range(4):
        held = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(x[block != g],
                                                                      y[block != g])
        z[block == g] = held.decision_function(x[block == g])
    # (no blind scorer here: every choice "differs" from it; none is indirect)
    kinds = np.tile([1.0, 0.0], (len(y), 1))
    lr = LogisticRegression(C=RECALIBRATION_C, max_iter=2000).fit(_stage_x(z, kinds), y)
    c = lr.coef_[0]
    assert got == pytest.approx([c[0], 0.0, lr.intercept_[0], 0.0, *c[1:]], abs=1e-6)
    assert len(got) == 4 + 2 * len(STAGE_KINDS)
    # the blocks are right more or less often at the same scores: a calibration that never
    # saw a block is too sure on one, too unsure on another, and the second stage cools
    # it (a temperature < 1): the most confident choice is shown lower
    assert 0 < got[0] < 1.0
    fitted_on_all = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(x, y)
    q = fitted_on_all.predict_proba(x)[:, 1]
    top = q.max()
    shown = _model({}, got).shown(float(top), kinds=[1.0, 0.0])
    assert shown < top


def test_the_shipped_model_has_its_second_stage() -> None:
    model = load_chooser(MODEL_FILE)
    assert model is not None and model.recalibration is not None
    a, a_sv, _, _, *per_kind = model.recalibration
    assert a > 0 and a + a_sv > 0  # the confidence still rises with the calibrated one
    assert len(per_kind) == 2 * len(STAGE_KINDS)  # a temperature and a shift for each kind
    for a_k, _ in zip(per_kind[::2], per_kind[1::2], strict=True):
        assert a + a_k > 0  # and rises with it within each kind too
    assert "cross-fitted" in model.meta["recalibration"]


def test_each_kind_of_choice_adds_its_own_temperature_and_shift() -> None:
    """recalibration = a, a_sv, b, b_sv, then a_k, b_k per STAGE_KINDS: a choice of a kind
    adds a_k * logit(q) + b_k; never above q; a file of four numbers has no kinds."""
    assert STAGE_KINDS == ("blind_differs", "indirect")
    model = _model({}, [1.0, 0.0, 0.0, 0.0, -0.2, -0.5, 0.1, -1.0])
    lq = math.log(0.9 / 0.1)
    assert model.shown(0.9, kinds=[0.0, 0.0]) == pytest.approx(0.9)
    assert model.shown(0.9, kinds=[1.0, 0.0]) == pytest.approx(_sig(0.8 * lq - 0.5))
    assert model.shown(0.9, kinds=[0.0, 1.0]) == pytest.approx(_sig(1.1 * lq - 1.0))
    assert model.shown(0.9, kinds=[1.0, 1.0]) == pytest.approx(_sig(0.9 * lq - 1.5))
    lifted = _model({}, [1.0, 0.0, 0.0, 0.0, 0.5, 2.0, 0.0, 0.0])
    assert lifted.shown(0.7, kinds=[1.0, 0.0]) == pytest.approx(0.7)  # never raised
    older = _model({}, [1.0, 0.0, -0.3, 0.0])
    assert older.shown(0.9, kinds=[1.0, 1.0]) == pytest.approx(_sig(lq - 0.3))


def test_stage_kinds_read_the_blind_scorer_and_the_quote_type() -> None:
    extra = [0.0] * len(CALIBRATION_EXTRA)
    assert stage_kinds(extra) == [1.0, 0.0]  # no blind agreement
    extra[CALIBRATION_EXTRA.index("blind_agrees")] = 1.0
    extra[CALIBRATION_EXTRA.index("nobody_type_indirect")] = 1.0
    assert stage_kinds(extra) == [0.0, 1.0]
    extra[CALIBRATION_EXTRA.index("blind_agrees")] = 0.0
    extra[CALIBRATION_EXTRA.index("nobody_sv")] = 1.0  # a Swedish choice: of no kind
    assert stage_kinds(extra) == [0.0, 0.0]


def test_a_choice_the_blind_scorer_does_not_share_is_shown_lower() -> None:
    """The same score and calibration: the choice the blind scorer would make as well keeps
    the shared stage's confidence, the one it would not gets its kind's terms too."""
    names = feature_names([], [])
    w = np.zeros(len(names))
    w[names.index("is_rule")] = 2.5
    blind = np.zeros(len(names))
    blind[names.index("subject_near")] = 1.0
    model = ChooserModel(w, names, [], [], [1.0, 0.0, 0.0], blind=blind,
                         recalibration=[1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0])
    shared = _choice(model, {"Ann Reid": ["is_rule", "subject_near"], "Tom Berg": [],
                             NOBODY: ["nobody"]})
    alone = _choice(model, {"Ann Reid": ["is_rule"], "Tom Berg": ["subject_near"],
                            NOBODY: ["nobody"]})
    rule = [Resolved("Ann Reid", None, 0.9)]
    (a,) = choose([shared], rule, [_cand()], model, lambda n: n)
    (b,) = choose([alone], rule, [_cand()], model, lambda n: n)
    assert a.name == b.name == "Ann Reid"
    assert a.confidence == pytest.approx(round(_sig(2.5), 4))
    assert b.confidence == pytest.approx(round(_sig(2.5 - 1.0), 4))


def test_the_second_stage_learns_a_kind_right_less_often_at_the_same_scores() -> None:
    """Indirect choices right far less often than direct ones at the same scores (invented):
    the fitted stage shows an indirect choice lower than a direct one at the same q."""
    model = _model({}, None)
    rng = np.random.default_rng(5)
    data, oof, groups = [], [], {}
    for n in range(240):
        doc = f"d-{n // 3:03d}"
        groups[doc] = (n // 3) % 4
        indirect = n % 2 == 1
        right = rng.random() < (0.6 if indirect else 0.95)
        nobody = ["nobody", "nobody_type_indirect"] if indirect else ["nobody"]
        ch = _choice(model, {"Ann Reid": ["label_PER"], NOBODY: nobody})
        data.append(Sample(doc, "en", ch.x, np.array([float(right), 0.0]), ch.names))
        p = float(np.clip(0.85 + rng.normal(0, 0.05), 0.05, 0.99))
        oof.append((0, p, p))
    got = fit_recalibration(data, oof, model, None, groups)
    staged = _model({}, got)
    assert staged.shown(0.9, kinds=[1.0, 1.0]) < staged.shown(0.9, kinds=[1.0, 0.0])
    assert got[7] < 0  # b of "indirect"
