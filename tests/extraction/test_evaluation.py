"""The evaluation computes the reference scorer's figures (on an invented mini gold file)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

import pytest

from app.evaluation import (
    ArticleResult,
    Counts,
    bootstrap,
    evaluate_files,
    format_report,
    iou,
    match,
    score_article,
    speaker_ok,
)
from app.extraction.pipeline import Extractor
from app.extraction.records import ExtractedQuote, Extraction

GOLD = Path(__file__).parent.parent / "fixtures" / "gold_quotes_mini.jsonl"
REFERENCE = Path("/work/shared/score_quotes.py")
EXPECTED_LINE = (
    "quote_p=0.667 quote_r=0.667 quote_f1=0.667 attr_acc=0.500 e2e_f1=0.333 "
    "indirect_p=1.000 indirect_r=1.000 indirect_attr=1.000 scare_quotes_taken=1/1"
)


def _q(text: str, quote: str, type_: str, speaker: str | None) -> ExtractedQuote:
    start = text.index(quote)
    return ExtractedQuote(quote, start, start + len(quote), type_, speaker)  # type: ignore[arg-type]


def _predictions() -> dict[str, Extraction]:
    arts = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    sv, en = arts[0]["text"], arts[1]["text"]
    return {
        sv: Extraction("sv", (
            _q(sv, "Vi är klara", "direct", "Berg"),  # matched, wrong speaker (no such alias)
            _q(sv, "det löser sig", "indirect", "Anna Berg"),
            _q(sv, "pudel", "partial", None),  # a scare quote taken: a false positive
        )),
        en: Extraction("en", (_q(en, "It works,", "direct", "Hill"),)),  # partial missed
    }


class FakeExtractor:
    """Returns fixed predictions, so the scores can be checked by hand."""

    def __init__(self) -> None:
        self.preds = _predictions()

    def extract_many(self, texts: Iterable[str]) -> Iterator[Extraction]:
        for t in texts:
            yield self.preds[t]


def test_figures_by_hand() -> None:
    report = evaluate_files([GOLD], cast(Extractor, FakeExtractor()))
    assert report.total.line() == EXPECTED_LINE
    c = report.total
    assert (c.tp, c.fp, c.fn, c.attr_ok, c.itp, c.scare_taken) == (2, 1, 1, 1, 1, 1)


def _article(tp: int, fn: int, attr_ok: int) -> ArticleResult:
    return ArticleResult("x", tp + fn, tp, tp, attr_ok,
                         counts=Counts(tp=tp, fn=fn, attr_ok=attr_ok))


def test_each_article_keeps_its_own_counts_and_they_add_up_to_the_total() -> None:
    report = evaluate_files([GOLD], cast(Extractor, FakeExtractor()))
    arts = [a for fr in report.files for a in fr.articles]
    assert [(a.counts.tp, a.counts.fp, a.counts.fn, a.counts.attr_ok) for a in arts] == [
        (1, 1, 0, 0), (1, 0, 1, 1)]
    assert sum(a.counts.tp for a in arts) == report.total.tp


def test_bootstrap_resamples_documents() -> None:
    same = [_article(4, 1, 3)] * 5  # every resample is the same document: no spread
    f = Counts(tp=4, fn=1, attr_ok=3).figures()
    assert bootstrap(same, 200)["e2e_f1"] == (f["e2e_f1"], f["e2e_f1"])
    # one document all right, one all wrong: the interval spans (nearly) both ends and the
    # same seed gives the same interval
    mixed = [_article(10, 0, 10), _article(10, 0, 0)]
    lo, hi = bootstrap(mixed, 400)["e2e_f1"]
    assert lo == 0.0 and hi == 1.0
    assert bootstrap(mixed, 400) == bootstrap(mixed, 400)
    assert bootstrap(mixed, 400, seed=1)["quote_f1"] == (1.0, 1.0)
    assert bootstrap([], 100) == {}


def test_report_prints_the_interval_lines() -> None:
    report = evaluate_files([GOLD], cast(Extractor, FakeExtractor()))
    text = format_report(report, resamples=50)
    intervals = [line for line in text.splitlines() if line.startswith("95% interval")]
    assert len(intervals) == 1  # one gold file: no separate total
    assert "(50 resamples of 2 documents)" in intervals[0]
    assert "e2e_f1=" in intervals[0] and "quote_f1=" in intervals[0]
    assert "95% interval" not in format_report(report)


def test_verbose_report_lists_every_error() -> None:
    report = evaluate_files([GOLD], cast(Extractor, FakeExtractor()))
    text = format_report(report, verbose=True)
    assert "mini-sv-1 WRONG SPEAKER 'Berg' (gold 'Anna Berg')" in text
    assert "mini-sv-1 EXTRA (None): 'pudel'" in text
    assert "mini-en-1 MISSED (Tom Hill): 'it is cheap'" in text
    assert text.splitlines()[-1] == EXPECTED_LINE
    assert "WRONG" not in format_report(report, verbose=False)


@pytest.mark.parametrize(
    ("pred", "gold", "aliases", "ok"),
    [
        ("Donald J. Trump", "Donald Trump", [], True),
        ("Trump", "Donald Trump", [], False),
        ("Trump", "Donald Trump", ["Trump"], True),
        ("  anna   BERG ", "Anna Berg", [], True),
        (None, None, [], True),
        ("", None, [], True),
        ("Someone", None, [], False),
        (None, "Anna Berg", [], False),
        ("Jan-Erik Ek", "Jan Ek", [], True),
    ],
)
def test_speaker_ok(pred: str | None, gold: str | None, aliases: list[str], ok: bool) -> None:
    assert speaker_ok(pred, gold, aliases) is ok


def test_greedy_iou_matching() -> None:
    golds = [{"start": 0, "end": 10}, {"start": 20, "end": 30}]
    preds = [{"start": 1, "end": 10}, {"start": 0, "end": 4}, {"start": 21, "end": 40}]
    assert iou((0, 10), (1, 10)) == 0.9
    assert match(golds, preds) == [(0, 0)]  # (21, 40) has IoU 0.45 with (20, 30)


def test_score_article_accepts_the_cli_json() -> None:
    art = json.loads(GOLD.read_text(encoding="utf-8").splitlines()[1])
    out: dict[str, Any] = {"quotes": [{"start": 1, "end": 10, "speaker": "Tom Hill"}]}
    counts, res = score_article(art, out)  # a missing "type" counts as direct
    assert (counts.tp, counts.fn, res.speaker_ok) == (1, 1, 1)


@pytest.mark.skipif(not REFERENCE.exists(), reason="reference scorer not on this machine")
def test_same_line_as_the_reference_scorer(tmp_path: Path) -> None:
    preds = {t: e.as_dict() for t, e in _predictions().items()}
    (tmp_path / "preds.json").write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
    fake = tmp_path / "fake_extract.py"
    fake.write_text(
        "import json, sys\n"
        f"preds = json.load(open({str(tmp_path / 'preds.json')!r}, encoding='utf-8'))\n"
        "text = sys.stdin.buffer.read().decode('utf-8')\n"
        "print(json.dumps(preds[text], ensure_ascii=False))\n",
        encoding="utf-8",
    )
    run = subprocess.run(
        [sys.executable, str(REFERENCE), str(GOLD), "--cmd", f"{sys.executable} {fake}"],
        capture_output=True, text=True, check=False,
    )
    assert run.stdout.strip().splitlines()[-1] == EXPECTED_LINE


def test_dev_parts_are_fixed_by_id_and_split_the_corpus_dev_files() -> None:
    from app.evaluation import PARTS, dev_part

    corpus_dev = Path(__file__).parent.parent.parent / "corpus" / "en" / "dev.jsonl"
    ids = [json.loads(line)["id"] for line in corpus_dev.read_text(encoding="utf-8").splitlines()]
    parts = [dev_part(i) for i in ids]
    assert set(parts) == {"tune", "check"}  # by id; "calib" is the corpus's own mark
    assert set(PARTS) == {"tune", "check", "calib"}
    assert 0.25 < parts.count("check") / len(ids) < 0.45  # about a third held back
    assert [dev_part(i) for i in ids] == parts  # the same every time
    assert dev_part("made-up-0001") == dev_part("made-up-0001")


def test_part_keeps_only_the_documents_of_that_part(tmp_path: Path) -> None:
    from app.evaluation import dev_part

    arts = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    ids = iter(f"doc-{n}" for n in range(1000))
    tune_id = next(i for i in ids if dev_part(i) == "tune")
    check_id = next(i for i in ids if dev_part(i) == "check")
    with_ids = tmp_path / "dev.jsonl"
    with_ids.write_text("\n".join(json.dumps({**a, "id": i})
                                  for a, i in zip(arts, (tune_id, check_id), strict=True)),
                        encoding="utf-8")
    fake = cast(Extractor, FakeExtractor())
    tune = evaluate_files([with_ids], fake, part="tune").files[0].articles
    check = evaluate_files([with_ids], fake, part="check").files[0].articles
    assert len(tune) == len(check) == 1
    assert evaluate_files([with_ids], fake).total.tp == 2
    with pytest.raises(ValueError, match="part must be"):
        evaluate_files([with_ids], fake, part="test")


def test_a_record_marked_calib_is_only_in_the_calib_part(tmp_path: Path) -> None:
    from app.evaluation import dev_part, part_of

    arts = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines()]
    ids = iter(f"doc-{n}" for n in range(1000))
    tune_id = next(i for i in ids if dev_part(i) == "tune")
    marked_id = next(i for i in ids if dev_part(i) == "tune")  # hashes to tune, marked calib
    recs = [{**arts[0], "id": tune_id}, {**arts[1], "id": marked_id, "part": "calib"}]
    assert [part_of(r) for r in recs] == ["tune", "calib"]
    assert part_of({"id": tune_id, "part": "nonsense"}) == "tune"  # only a known part counts
    with_ids = tmp_path / "dev.jsonl"
    with_ids.write_text("\n".join(json.dumps(r) for r in recs), encoding="utf-8")
    fake = cast(Extractor, FakeExtractor())
    tune = evaluate_files([with_ids], fake, part="tune").files[0].articles
    calib = evaluate_files([with_ids], fake, part="calib").files[0].articles
    assert [a.id for a in tune] == [tune_id]
    assert [a.id for a in calib] == [marked_id]
