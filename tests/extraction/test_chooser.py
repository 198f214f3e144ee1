"""The learned speaker chooser (resolve/chooser.py) and its training (training/attribution.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from app.cli import cli
from app.evaluation import dev_part, reliability
from app.extraction.model import Candidate, Mention, Resolved
from app.extraction.pipeline import Extractor
from app.extraction.resolve.chooser import (
    CALIBRATION_EXTRA,
    MODEL_FILE,
    NOBODY,
    RULE_SCALE,
    UNKNOWN_BELOW,
    ArticleFeatures,
    ChooserModel,
    QuoteChoice,
    choose,
    feature_names,
    is_outlet,
    load_chooser,
    name_edge,
    name_form,
    quote_choices,
)
from app.training.attribution import train


@pytest.mark.parametrize(
    ("name", "on"),
    [
        ("officials", {"form_lower", "form_plural"}),
        ("the report", {"form_lower", "form_determiner", "form_document"}),
        ("Norway", {"form_place"}),
        ("Dunmore County Sheriff's Office", {"form_org_name"}),
        ("Tjänstemännen", {"form_common_cap"}),  # written lowercase elsewhere in the text
        ("NATO", {"form_acronym"}),
        ("Maria Lindqvist", {"form_given"}),
        ("Reuters", {"outlet"}),
    ],
)
def test_name_form(name: str, on: set[str]) -> None:
    text = "Enligt tjänstemännen och officials var det så."
    assert {k for k, v in name_form(name, text).items() if v} == on


@pytest.mark.parametrize(
    ("text", "name", "edge"),
    [
        # a capitalised word before that the name leaves out
        ("Staff at the Northern Harbour Authority said so.", "Harbour Authority", True),
        # a capitalised word before it inside the sentence
        ("It was first reported by Kent Valley Herald staff.", "Valley Herald", True),
        # a capitalised word after it
        ("A spokesman for Brightwell Fuel Corporation said so.", "Brightwell Fuel", True),
        # an abbreviation whose number the name lost
        ("Under Municipal Order No. 418 the square closes.", "Municipal Order No", True),
        # cut inside a word
        ("Greenfields said it would appeal.", "Greenfield", True),
        # a whole name: a title, a sentence-opening word or lowercase words beside it
        ("Yesterday Ann Reid said so.", "Ann Reid", False),
        ("Acme CEO Ann Reid said so.", "Ann Reid", False),
        ("Mayor Ann Reid said so.", "Ann Reid", False),
        ("the union leader Ann Reid said so.", "Ann Reid", False),
        ("Ann Reid said so.", "Ann Reid", False),
        ("He met Ann Reid. Later he left.", "Ann Reid", False),
        # a sentence-opening article is no part of the name (its key has none)
        ("The Harlow Water Board said so.", "Harlow Water Board", False),
    ],
)
def test_name_edge(text: str, name: str, edge: bool) -> None:
    """A mention that touches capitalised words it leaves out may be a name cut short: the
    speaker the text means may be no candidate at all (a chooser and calibration fact)."""
    start = text.index(name)
    assert name_edge(text, start, start + len(name), [0]) is edge


def test_a_cut_name_is_a_feature_of_its_row() -> None:
    """The row of a candidate whose mention is cut short has name_edge; a whole name not."""
    text = "Officials of the Lakeside Water Board spoke. Ann Reid said the pipes were old."
    cut = text.index("Water Board")
    whole = text.index("Ann Reid")
    mentions = [Mention(cut, cut + 11, "Water Board", "org", label="ORG"),
                Mention(whole, whole + 8, "Ann Reid", "name", label="PER")]
    q = text.index("the pipes")
    cand = Candidate(q, len(text) - 1, "indirect", 0.8, mentions[1], "cue", "said", -1, "en")
    art = ArticleFeatures(text, [cand], [Resolved("Ann Reid", mentions[1], 0.8)], mentions,
                          {(m.start, m.end): m.text for m in mentions},
                          {"Water Board": "ORG", "Ann Reid": "PER"},
                          [(0, 44), (45, len(text))], [(0, len(text))], lambda w: w == "said")
    model = _model({}, [1.0, 0.0, 0.0])
    (choice,) = quote_choices(art, model, "en")
    col = model.index["name_edge"]
    rows = dict(zip(choice.names, choice.x[:, col], strict=True))
    assert rows["Water Board"] == 1.0 and rows["Ann Reid"] == 0.0
    assert "name_edge" in CALIBRATION_EXTRA


def test_outlets_with_article_and_genitive() -> None:
    assert is_outlet("the BBC") and is_outlet("DN:s") and is_outlet("SVT Nyheter")
    assert not is_outlet("Maria Lindqvist") and not is_outlet("Sjöstads kommun")


def _model(weights: dict[str, float], calibration: list[float]) -> ChooserModel:
    names = feature_names([], [])
    w = np.zeros(len(names))
    for k, v in weights.items():
        w[names.index(k)] = v
    return ChooserModel(w, names, [], [], calibration)


def _choice(model: ChooserModel, rows: dict[str, list[str]]) -> QuoteChoice:
    x = np.zeros((len(rows), len(model.features)))
    for i, feats in enumerate(rows.values()):
        for f in feats:
            x[i, model.index[f]] = 1.0
    return QuoteChoice(list(rows), x, None)


def _cand(mention: Mention | None = None) -> Candidate:
    return Candidate(0, 10, "direct", 0.9, mention, "subject", "said", -1, "en")


def test_choose_picks_the_best_and_calibrates() -> None:
    model = _model({"is_rule": 3.0, "nobody": -2.0}, [1.0, 0.0, 0.0])
    ch = _choice(model, {"Ann Reid": ["is_rule"], "Tom Berg": [], NOBODY: ["nobody"]})
    (got,) = choose([ch], [Resolved("Ann Reid", "Reid", 0.9)], [_cand()], model,
                    lambda n: n)
    assert got.name == "Ann Reid" and got.mention == "Reid"
    # calibration (1, 0, 0) maps p back to itself: sigmoid(logit(sigmoid(3)))
    assert got.confidence == pytest.approx(1 / (1 + np.exp(-3.0)), abs=1e-4)


def test_nobody_and_low_confidence_give_no_speaker() -> None:
    model = _model({"nobody": 2.0}, [1.0, 0.0, 0.0])
    ch = _choice(model, {"Ann Reid": [], NOBODY: ["nobody"]})
    (got,) = choose([ch], [Resolved("Ann Reid", None, 0.6)], [_cand()], model, lambda n: n)
    assert got == Resolved(None, None, 0.0)
    # The best candidate, but below UNKNOWN_BELOW once calibrated: unknown, not a guess.
    unsure = _model({"is_rule": 0.1}, [1.0, 0.0, -3.0])
    ch = _choice(unsure, {"Ann Reid": ["is_rule"], NOBODY: []})
    (got,) = choose([ch], [Resolved("Ann Reid", None, 0.6)], [_cand()], unsure, lambda n: n)
    assert unsure.confidence(float(unsure.probability(ch.x)[0]), 0.0) < UNKNOWN_BELOW
    assert got.name is None


def test_an_unnamed_pronoun_antecedent_stands() -> None:
    """The rules resolved "she" to an unnamed speaker: the model does not name someone."""
    model = _model({"bias": 5.0}, [1.0, 0.0, 0.0])
    she = Mention(20, 23, "She", "pronoun")
    ch = _choice(model, {"Ann Reid": ["bias"], NOBODY: []})
    (got,) = choose([ch], [Resolved(None, "She", 0.0)], [_cand(she)], model, lambda n: n)
    assert got.name is None


def test_model_json_round_trip(tmp_path: Path) -> None:
    model = _model({"is_rule": 1.5, "nobody": -0.5}, [0.9, 0.2, -0.1])
    file = tmp_path / "chooser.json"
    file.write_text(json.dumps(model.to_json()), encoding="utf-8")
    again = load_chooser(file)
    assert again is not None
    assert again.features == model.features and again.calibration == [0.9, 0.2, -0.1]
    assert np.allclose(again.weights, model.weights)
    assert load_chooser(tmp_path / "missing.json") is None


def test_shipped_model_matches_the_code() -> None:
    """The shipped weights were trained with the features the code computes now (retrain
    with `citat train-attribution` after changing them) on the corpus's dev split."""
    model = load_chooser(MODEL_FILE)
    assert model is not None
    assert model.features == feature_names(model.prev_words, model.next_words, model.heads)
    assert len(model.weights) == len(model.features)
    assert model.meta["trained_on"].endswith("/dev.jsonl")
    assert model.meta["out_of_fold"]["model_accuracy"] > model.meta["out_of_fold"][
        "rule_accuracy"]
    assert model.meta["rule_scale"] == RULE_SCALE
    assert len(model.calibration) == 4 + len(CALIBRATION_EXTRA)


def test_confidence_rises_with_the_score() -> None:
    model = load_chooser(MODEL_FILE)
    assert model is not None
    values = [model.confidence(p, 0.3) for p in (0.2, 0.5, 0.8, 0.95)]
    assert values == sorted(values) and values[0] < values[-1]


def test_reliability_table() -> None:
    pairs = [(0.95, True)] * 19 + [(0.95, False)] + [(0.55, True), (0.55, False)]
    cal = reliability(pairs)
    assert cal.n == 22 and cal.sure == 20 and cal.sure_right == pytest.approx(0.95)
    assert cal.ece == pytest.approx(0.0 + 2 / 22 * 0.05, abs=1e-9)
    assert [row["n"] for row in cal.table] == [2, 20]


ARTICLES = [
    ("Ann Reid, the mayor of Eastbay, opened the bridge. “It took ten years,” Reid said.\n"
     "“Now the town can breathe again.”", ["It took ten years,", "Now the town can breathe again."],
     ["Ann Reid", "Ann Reid"]),
    ("Officials gave no date for the vote. “The council will decide,” officials said.",
     ["The council will decide,"], [None]),
    ("Tom Berg runs the ferry. “Nobody asked us,” he told the Harbour Courier.",
     ["Nobody asked us,"], ["Tom Berg"]),
    ("Lena Ek leads the union. “We will strike in May,” Ek said. Mark Hale, a manager, "
     "disagreed. “A strike helps nobody.”", ["We will strike in May,", "A strike helps nobody."],
     ["Lena Ek", "Mark Hale"]),
    ("“The water is safe,” said Ruth Ansel of the Eastbay water board.",
     ["The water is safe,"], ["Ruth Ansel"]),
]


def _corpus(folder: Path) -> Path:
    lines = []
    for n, (text, quotes, speakers) in enumerate(ARTICLES * 2):
        gold = [{"quote": q, "speaker": sp, "type": "direct", "start": text.index(q),
                 "end": text.index(q) + len(q)} for q, sp in zip(quotes, speakers, strict=True)]
        names = {sp: [sp, sp.split()[-1]] for sp in speakers if sp}
        lines.append(json.dumps({"id": f"t-{n}", "lang": "en", "text": text, "quotes": gold,
                                 "speakers": names, "not_quotes": []}))
    (folder / "en").mkdir(parents=True)
    (folder / "en" / "dev.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "en" / "test.jsonl").write_text(lines[0] + "\n", encoding="utf-8")
    return folder


def test_training_is_reproducible(extractor: Extractor, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "corpus")
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    try:
        report = train(corpus, extractor, first)
        train(corpus, extractor, second)
    finally:
        extractor.set_chooser(load_chooser())
    assert first.read_text() == second.read_text()
    assert report.documents == 10 and report.quotes == 14
    model = load_chooser(first)
    assert model is not None and model.meta["quotes"] == 14
    # The calibration does not read whether the choice is the rules' own (they were tuned on
    # the documents it is fitted on): its weight d stays 0, and the file says what it reads.
    assert model.calibration[3] == 0.0
    assert len(model.calibration) == 4 + len(CALIBRATION_EXTRA)
    assert model.meta["calibration_extra"] == list(CALIBRATION_EXTRA)


def test_training_on_the_tune_part_leaves_check_out(extractor: Extractor, tmp_path: Path
                                                     ) -> None:
    corpus = _corpus(tmp_path / "corpus")
    out = tmp_path / "tune.json"
    try:
        report = train(corpus, extractor, out, part="tune")
    finally:
        extractor.set_chooser(load_chooser())
    tune = [n for n in range(10) if dev_part(f"t-{n}") == "tune"]
    assert 0 < len(tune) < 10 and report.documents == len(tune)
    model = load_chooser(out)
    assert model is not None and model.meta["part"] == "tune"
    with pytest.raises(ValueError, match="dev split only"):
        train(corpus, extractor, out, split="test", part="tune")


def test_the_calib_part_weighs_its_share_of_the_second_stage() -> None:
    from app.training.attribution import calib_weights

    docs = ["a", "a", "b", "c", "c", "c", "k", "k"]  # 6 choices of others, 2 of calib "k"
    w = calib_weights(docs, {"k"}, share=0.5)
    assert w is not None
    assert w.sum() == pytest.approx(len(docs))  # the same total weight as unweighted
    assert w[-2:].sum() == pytest.approx(w[:-2].sum())  # half of it on the calib choices
    assert w[0] == pytest.approx(8 * 0.5 / 6) and w[-1] == pytest.approx(8 * 0.5 / 2)
    w = calib_weights(docs, {"k"}, share=0.25)
    assert w is not None and w[-2:].sum() == pytest.approx(2.0)
    assert calib_weights(docs, set()) is None  # no calib documents: all alike
    assert calib_weights(["k", "k"], {"k"}) is None  # nothing else to weigh against
    assert calib_weights(docs, {"k"}, share=0.0) is None


def test_training_weighs_the_calib_documents_in_the_second_stage(
        extractor: Extractor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.training import attribution

    monkeypatch.setattr(attribution, "CALIB_SHARE", 0.5)  # (the shipped share is 0: measured)
    corpus = _corpus(tmp_path / "corpus")
    dev = corpus / "en" / "dev.jsonl"
    recs = [json.loads(line) for line in dev.read_text(encoding="utf-8").splitlines()]
    for r in recs[:3]:
        r["part"] = "calib"
    dev.write_text("".join(json.dumps(r) + "\n" for r in recs), encoding="utf-8")
    plain, marked = tmp_path / "plain.json", tmp_path / "marked.json"
    try:
        train(_corpus(tmp_path / "plain"), extractor, plain)
        report = train(corpus, extractor, marked)
    finally:
        extractor.set_chooser(load_chooser())
    assert report.documents == 10
    a, b = load_chooser(plain), load_chooser(marked)
    assert a is not None and b is not None
    assert "calib part's 3 documents" in b.meta["recalibration"]
    assert "calib" not in a.meta["recalibration"]
    assert a.weights.tolist() == b.weights.tolist()  # the chooser itself is the same
    assert a.recalibration != b.recalibration  # the second stage weighs them differently


def test_train_attribution_refuses_the_test_split(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["train-attribution", "--corpus", str(tmp_path),
                                      "--split", "test"])
    assert result.exit_code == 2
    assert "never for training" in " ".join(re.sub(r"[│╭╮╰╯─]", " ", result.output).split())


def test_agreeing_with_the_rules_moves_the_confidence() -> None:
    """The fourth calibration weight applies when the choice is the rules' own speaker; a
    model of three numbers (older files) reads as d = 0."""
    four = _model({"is_rule": 1.0}, [1.0, 0.0, 0.0, 1.5])
    p = 0.7
    assert four.confidence(p, 0.2, agrees=True) == pytest.approx(
        1 / (1 + np.exp(-(np.log(p / (1 - p)) + 1.5))))
    assert four.confidence(p, 0.2, agrees=False) == pytest.approx(p)
    three = _model({"is_rule": 1.0}, [1.0, 0.0, 0.0])
    assert three.confidence(p, 0.2, agrees=True) == pytest.approx(p)
    ch = _choice(four, {"Ann Reid": ["is_rule"], NOBODY: []})
    (got,) = choose([ch], [Resolved("Ann Reid", None, 0.6)], [_cand()], four, lambda n: n)
    best = float(four.probability(ch.x)[0])
    margin = best - float(four.probability(ch.x)[1])
    assert got.confidence == pytest.approx(four.confidence(best, margin, agrees=True), abs=1e-4)


def test_the_rules_features_are_scaled_down() -> None:
    """What the rules decided weighs less than it did: every feature read from their choice
    comes out as RULE_SCALE, not 1, so the model pays more to trust the rules."""
    model = _model({}, [1.0, 0.0, 0.0])
    text = "Ann Reid spoke. “We will wait,” said Ann Reid."
    mention = Mention(37, 45, "Ann Reid", "name", "PER", first_word=9, last_word=10)
    cand = Candidate(16, 31, "direct", 0.9, mention, "inverted", "said", -1, "en")
    art = ArticleFeatures(
        text, [cand], [Resolved("Ann Reid", "Ann Reid", 0.9)],
        [Mention(0, 8, "Ann Reid", "name", "PER"), mention],
        {(0, 8): "Ann Reid", (37, 45): "Ann Reid"}, {"Ann Reid": "PER"},
        [(0, 15), (16, len(text))], [(0, len(text))], lambda w: w in ("said", "spoke"))
    (ch,) = quote_choices(art, model, "en")
    assert ch.names == ["Ann Reid", NOBODY]
    row = ch.x[0]
    assert row[model.index["is_rule"]] == pytest.approx(RULE_SCALE)
    assert row[model.index["rule_how_inverted"]] == pytest.approx(RULE_SCALE)
    assert row[model.index["rule_conf"]] == pytest.approx(0.9 * RULE_SCALE)
    assert row[model.index["label_PER"]] == 1.0  # not a rules' feature: unscaled
    extra = model.calibration_extra(ch.x, 0)
    assert len(extra) == len(CALIBRATION_EXTRA)
    assert extra[CALIBRATION_EXTRA.index("candidates")] == pytest.approx(np.log(2))
    assert extra[CALIBRATION_EXTRA.index("label_PER")] == 1.0
    assert extra[CALIBRATION_EXTRA.index("nobody_type_indirect")] == 0.0


def test_calibration_reads_the_extra_facts() -> None:
    """A weight on an extra fact (here: the chosen name is a pronoun's) moves the
    confidence; without extra weights it is the four-number model."""
    weights = [0.0] * len(CALIBRATION_EXTRA)
    weights[CALIBRATION_EXTRA.index("kind_pronoun")] = -2.0
    model = _model({}, [1.0, 0.0, 0.0, 0.0, *weights])
    plain = [0.0] * len(CALIBRATION_EXTRA)
    pronoun = list(plain)
    pronoun[CALIBRATION_EXTRA.index("kind_pronoun")] = 1.0
    assert model.confidence(0.8, 0.3, extra=plain) == pytest.approx(0.8)
    assert model.confidence(0.8, 0.3, extra=pronoun) == pytest.approx(1 / (1 + np.exp(
        -(np.log(4.0) - 2.0))))


def test_the_listener_is_never_chosen() -> None:
    """The one spoken to in the quote's sentence ("told the panel") scores best here, but
    the quote gets no speaker rather than its listener."""
    model = _model({"listener": 4.0}, [1.0, 0.0, 0.0])
    ch = _choice(model, {"the panel": ["listener"], "Ann Reid": [], NOBODY: ["nobody"]})
    (got,) = choose([ch], [Resolved(None, None, 0.0)], [_cand()], model, lambda n: n)
    assert got == Resolved(None, None, 0.0)
    # the same score without the listener feature names the candidate
    other = _model({"bias": 4.0}, [1.0, 0.0, 0.0])
    ch = _choice(other, {"the panel": ["bias"], NOBODY: ["nobody"]})
    (got,) = choose([ch], [Resolved(None, None, 0.0)], [_cand()], other, lambda n: n)
    assert got.name == "the panel"


def test_the_calibration_has_a_temperature_per_language() -> None:
    """"logit_x_sv" is the best score's logit in a Swedish quote (the "nobody" row says the
    language) and 0 in an English one, so a weight on it tempers Swedish scores alone; the
    rules' own decision is no calibration fact."""
    assert not any("rule" in f for f in CALIBRATION_EXTRA)
    model = _model({}, [1.0, 0.0, 0.0])
    sv = _choice(model, {"Eva Lind": ["label_PER"], NOBODY: ["nobody", "nobody_sv"]})
    en = _choice(model, {"Ann Reid": ["label_PER"], NOBODY: ["nobody"]})
    k = CALIBRATION_EXTRA.index("logit_x_sv")
    assert model.calibration_extra(sv.x, 0, 1.5)[k] == 1.5
    assert model.calibration_extra(en.x, 0, 1.5)[k] == 0.0
    weights = [0.0] * len(CALIBRATION_EXTRA)
    weights[k] = -0.5  # Swedish scores count half: a temperature of 2
    tempered = _model({}, [1.0, 0.0, 0.0, 0.0, *weights])
    p = 0.9
    lp = float(np.log(p / (1 - p)))
    assert tempered.confidence(p, 0.0, extra=tempered.calibration_extra(sv.x, 0, lp)) == (
        pytest.approx(1 / (1 + np.exp(-lp / 2))))
    assert tempered.confidence(p, 0.0, extra=tempered.calibration_extra(en.x, 0, lp)) == (
        pytest.approx(p))


def test_the_reported_calibration_is_cross_fitted() -> None:
    """The reliability train-attribution reports comes from calibrations that never saw the
    document: each fold's choices are scored by a calibration fitted on the other folds."""
    from sklearn.linear_model import LogisticRegression

    from app.training.attribution import (
        CALIBRATION_C,
        FOLDS,
        Sample,
        _calibration_x,
        _folds,
        fit_calibration,
    )

    model = _model({}, [1.0, 0.0, 0.0])
    rng = np.random.default_rng(7)
    data, oof = [], []
    for n in range(60):
        ch = _choice(model, {"Ann Reid": ["label_PER"], NOBODY: ["nobody"]})
        right = n % 3 != 0
        data.append(Sample(f"d-{n // 2:02d}", "en", ch.x, np.array([float(right), 0.0]),
                           ch.names))
        p = float(np.clip(0.6 + 0.3 * right + rng.normal(0, 0.1), 0.05, 0.99))
        oof.append((0, p, p))
    cal, pairs = fit_calibration(data, oof, model)
    xs = np.asarray([_calibration_x(model, s, 0, p, m) for s, (_, p, m) in zip(data, oof,
                                                                              strict=True)])
    ys = np.asarray([int(s.y[0] > 0) for s in data])
    fold = _folds([s.doc for s in data])
    inside = np.array([fold[s.doc] == 0 for s in data])
    held = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(xs[~inside], ys[~inside])
    expect = held.predict_proba(xs[inside])[:, 1]
    got = np.array([q for (q, _), on in zip(pairs, inside, strict=True) if on])
    assert np.allclose(got, expect) and FOLDS > 1
    everything = LogisticRegression(C=CALIBRATION_C, max_iter=2000).fit(xs, ys)
    assert not np.allclose(got, everything.predict_proba(xs[inside])[:, 1])
    assert cal[:2] == pytest.approx([float(v) for v in everything.coef_[0][:2]])


def test_the_blind_scorer_is_a_second_opinion() -> None:
    """"blind_agrees" says the blind scorer (no rule columns) picks the chosen candidate,
    "blind_logit" is its score for it; a positive weight on agreement lowers the confidence
    of a choice the blind scorer does not share."""
    names = feature_names([], [])
    blind = np.zeros(len(names))
    blind[names.index("subject_near")] = 2.0
    weights = [0.0] * len(CALIBRATION_EXTRA)
    weights[CALIBRATION_EXTRA.index("blind_agrees")] = 1.5
    w = np.zeros(len(names))
    w[names.index("is_rule")] = 3.0
    model = ChooserModel(w, names, [], [], [1.0, 0.0, 0.0, 0.0, *weights], blind=blind)
    agree = _choice(model, {"Ann Reid": ["is_rule", "subject_near"], "Tom Berg": [],
                            NOBODY: ["nobody"]})
    differ = _choice(model, {"Ann Reid": ["is_rule"], "Tom Berg": ["subject_near"],
                             NOBODY: ["nobody"]})
    ka, kl = CALIBRATION_EXTRA.index("blind_agrees"), CALIBRATION_EXTRA.index("blind_logit")
    assert model.calibration_extra(agree.x, 0)[ka] == 1.0
    assert model.calibration_extra(agree.x, 0)[kl] == pytest.approx(2.0)
    assert model.calibration_extra(differ.x, 0)[ka] == 0.0
    assert model.calibration_extra(differ.x, 0)[kl] == 0.0
    rule = [Resolved("Ann Reid", None, 0.9)]
    (sure,) = choose([agree], rule, [_cand()], model, lambda n: n)
    (unsure,) = choose([differ], rule, [_cand()], model, lambda n: n)
    assert sure.name == unsure.name == "Ann Reid"
    assert sure.confidence > unsure.confidence
    # a model without a blind scorer (older files) reads both facts as 0
    plain = _model({"is_rule": 3.0}, [1.0, 0.0, 0.0])
    assert plain.calibration_extra(agree.x, 0)[ka] == 0.0


def test_the_blind_scorer_round_trips_and_leaves_the_rules_out(tmp_path: Path) -> None:
    from app.training.attribution import Sample, _fit

    model = _model({"is_rule": 1.0}, [1.0, 0.0, 0.0])
    rows = {"Ann Reid": ["is_rule", "label_PER"], "Tom Berg": ["subject_near"],
            NOBODY: ["nobody"]}
    data = [Sample(f"d-{n}", "en", _choice(model, rows).x,
                   np.array([float(n % 4 != 0), float(n % 4 == 0), 0.0]), list(rows))
            for n in range(12)]
    blind = _fit(data, 1.0, model.rule_columns)
    assert all(blind[i] == 0.0 for i in model.rule_columns)
    assert blind[model.index["label_PER"]] > 0 > blind[model.index["subject_near"]]
    model.blind = blind
    file = tmp_path / "chooser.json"
    file.write_text(json.dumps(model.to_json()), encoding="utf-8")
    again = load_chooser(file)
    assert again is not None and again.blind is not None
    assert np.allclose(again.blind, blind, atol=1e-6)


def test_the_shipped_model_has_its_blind_scorer() -> None:
    model = load_chooser(MODEL_FILE)
    assert model is not None and model.blind is not None
    assert len(model.blind) == len(model.features)
    assert not any(model.blind[i] for i in model.rule_columns)
    assert {"blind_agrees", "blind_logit", "form_given", "words_1"} <= set(
        model.meta["calibration_extra"])


def test_eval_scores_with_the_chooser_it_is_given(tmp_path: Path) -> None:
    """`citat eval --chooser FILE` measures that chooser (one trained on the tune part, say),
    not the shipped one: a chooser that always picks "nobody" leaves every speaker out."""
    text = "The mill reopened on Monday. “We kept every job,” said Dana Whitcombe."
    quote = "We kept every job,"
    start = text.index(quote)
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({
        "id": "t-1", "lang": "en", "text": text, "speakers": {}, "not_quotes": [],
        "quotes": [{"start": start, "end": start + len(quote), "quote": quote,
                    "speaker": "Dana Whitcombe", "type": "direct"}],
    }) + "\n", encoding="utf-8")
    names = feature_names([], [], [])
    weights = np.zeros(len(names))
    weights[names.index("nobody")] = 20.0
    silent = tmp_path / "nobody.json"
    silent.write_text(json.dumps(ChooserModel(weights, names, [], [], [1.0, 0.0, 0.0])
                                 .to_json()), encoding="utf-8")
    shipped = CliRunner().invoke(cli, ["eval", str(gold)])
    given = CliRunner().invoke(cli, ["eval", str(gold), "--chooser", str(silent)])
    assert shipped.exit_code == 0 and given.exit_code == 0
    assert "tp=  1 speaker_ok=  1" in shipped.output
    assert "tp=  1 speaker_ok=  0" in given.output
    missing = CliRunner().invoke(cli, ["eval", str(gold), "--chooser", str(tmp_path / "no")])
    assert missing.exit_code == 2
