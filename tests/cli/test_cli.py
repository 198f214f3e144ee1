"""The citat command: extract contract, ingest, migrate; every seed article ingests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from app.cli import cli
from tests.factories import SEED_ARTICLE, SEEDS_DIR, row_counts

runner = CliRunner()


def test_extract_json_contract_on_stdin() -> None:
    text = SEED_ARTICLE.read_text(encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "app.cli", "extract", "--format", "json", "-"],
                       input=text.encode(), capture_output=True, timeout=300, check=True)
    out = json.loads(r.stdout)
    assert set(out) == {"language", "quotes", "entities"}
    assert out["language"] == "sv"
    assert len(out["quotes"]) >= 12
    for q in out["quotes"]:
        assert set(q) == {"text", "start", "end", "type", "speaker", "speaker_mention", "cue",
                          "confidence", "speaker_confidence"}
        assert text[q["start"]:q["end"]] == q["text"]
        assert q["type"] in ("direct", "partial", "indirect")
        assert 0.0 <= q["confidence"] <= 1.0
    for e in out["entities"]:
        assert set(e) == {"text", "label", "start", "end"}
        assert text[e["start"]:e["end"]] == e["text"]
    speakers = {q["speaker"] for q in out["quotes"]}
    assert {"Donald Trump", "Keir Starmer", "Sergey Lavrov"} <= speakers


def test_train_refuses_a_malformed_config_override_and_a_negative_augmentation_rate(
        tmp_path: Path) -> None:
    r = runner.invoke(cli, ["train", "--lang", "en", "--smoke", "--output", str(tmp_path / "p"),
                            "--set", "learn_rate=0.1"])
    assert r.exit_code == 2
    assert "--set wants section.key=value, not 'learn_rate=0.1'" in r.output
    r = runner.invoke(cli, ["train", "--lang", "en", "--smoke", "--output", str(tmp_path / "p"),
                            "--augment-names", "-1"])
    assert r.exit_code == 2 and "--augment-names must be 0 or more" in r.output
    assert not (tmp_path / "p").exists()


def test_extract_text_format(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_text("”Vi bygger en bro”, säger Eva Lind.", encoding="utf-8")
    r = runner.invoke(cli, ["extract", "--format", "text", str(f)])
    assert r.exit_code == 0, r.output
    assert "[direct] Eva Lind: Vi bygger en bro" in r.output


def test_ingest_seeds_folder_is_idempotent_and_reports_failures(
    tmp_path: Path, monkeypatch, db_url: str  # type: ignore[no-untyped-def]
) -> None:
    url = db_url
    monkeypatch.setenv("CITAT_DATABASE_URL", url)
    from app.config import get_settings

    get_settings.cache_clear()
    try:
        r = runner.invoke(cli, ["ingest", str(SEEDS_DIR)])
        assert r.exit_code == 0, r.output
        n_seeds = len([p for p in SEEDS_DIR.iterdir() if p.suffix == ".txt"])
        assert f"{n_seeds} new, 0 already stored, 0 failed" in r.output
        articles, quotes = row_counts(url)
        assert articles == n_seeds and quotes >= 12
        again = runner.invoke(cli, ["ingest", str(SEEDS_DIR)])
        assert f"0 new, {n_seeds} already stored" in again.output
        assert row_counts(url) == (articles, quotes)
        bad = tmp_path / "bad.txt"
        bad.write_bytes(b"\x00\x01binary")
        good = tmp_path / "good.txt"
        good.write_text("”Vi bygger en bro”, säger Eva Lind.", encoding="utf-8")
        mixed = runner.invoke(cli, ["ingest", str(bad), str(good)])
        assert mixed.exit_code == 1
        assert "1 new, 0 already stored, 1 failed" in mixed.output
        assert row_counts(url)[0] == articles + 1
    finally:
        get_settings.cache_clear()


def test_users_add_command(db_url, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import Session, select

    from app.config import get_settings
    from app.storage.db import make_engine
    from app.storage.models import User

    url = db_url
    monkeypatch.setenv("CITAT_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        ok = runner.invoke(cli, ["users", "add", "maria", "--password-stdin"],
                           input="ett tillräckligt långt lösenord\n")
        bad = runner.invoke(cli, ["users", "add", "maria", "--password-stdin"],
                            input="ett tillräckligt långt lösenord\n")
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0 and "Created editor maria" in ok.output
    assert bad.exit_code == 1 and "exists already" in bad.output
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.exec(select(User)).one().username == "maria"
    engine.dispose()


def test_eval_lists_no_errors_of_the_held_back_parts_and_keeps_a_part_to_dev(
        tmp_path: Path) -> None:
    corpus = tmp_path / "corpus" / "xx"
    corpus.mkdir(parents=True)
    (corpus / "dev.jsonl").write_text("", encoding="utf-8")
    for part in ("check", "calib"):
        res = runner.invoke(cli, ["eval", str(corpus.parent), "--part", part, "--verbose"])
        assert res.exit_code == 2
        assert "totals only" in res.output
    # a part names documents of the dev split: without --split, a test file is not read
    (corpus / "test.jsonl").write_text("not json\n", encoding="utf-8")
    res = runner.invoke(cli, ["eval", str(corpus.parent), "--part", "calib"])
    assert res.exit_code == 0, res.output
    assert "not json" not in res.output
    res = runner.invoke(cli, ["eval", str(corpus.parent), "--part", "calib", "--split", "test"])
    assert res.exit_code == 2
