"""The open gold corpus's files: offsets, fields, licences, splits and no shared passages."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from app.config import PROJECT_ROOT
from app.extraction.evaluation import gold_files

CORPUS = PROJECT_ROOT / "corpus"
SHARED_DEV = PROJECT_ROOT.parent / "shared" / "dev"
REQUIRED = ("id", "lang", "source", "date", "title", "licence", "attribution", "text", "quotes",
            "speakers", "not_quotes")
TYPES = {"direct", "partial", "indirect"}


def grams(text: str, n: int = 8) -> set[str]:
    words = re.findall(r"\w+", text.lower())
    return {" ".join(words[i:i + n]) for i in range(len(words) - n + 1)}


def records() -> dict[Path, list[dict[str, Any]]]:
    return {
        path: [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
        for path in gold_files([CORPUS])
    }


CORPUS_FILES = records()
SPLITS = json.loads((CORPUS / "splits.json").read_text(encoding="utf-8"))


def test_the_corpus_has_its_languages_and_splits() -> None:
    names = {(p.parent.name, p.stem) for p in CORPUS_FILES}
    assert {("en", "dev"), ("en", "test")} <= names
    en = sum(len(recs) for p, recs in CORPUS_FILES.items() if p.parent.name == "en")
    assert en >= 200
    for path, recs in CORPUS_FILES.items():
        assert all(r["lang"] == path.parent.name for r in recs), path
        assert all(SPLITS[r["id"]] == path.stem for r in recs), path


@pytest.mark.parametrize("path", sorted(CORPUS_FILES), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_record_is_complete_and_its_offsets_hold(path: Path) -> None:
    for rec in CORPUS_FILES[path]:
        missing = [k for k in REQUIRED if k not in rec]
        assert not missing, (rec.get("id"), missing)
        assert rec["licence"] and rec["attribution"] and rec["source"], rec["id"]
        text = rec["text"]
        last_end = -1
        for q in rec["quotes"]:
            assert text[q["start"]:q["end"]] == q["quote"], (rec["id"], q)
            assert q["quote"] == q["quote"].strip() and q["quote"], (rec["id"], q)
            assert q["type"] in TYPES, (rec["id"], q)
            assert q["speaker"] is None or q["speaker"] in rec["speakers"], (rec["id"], q)
            assert q["start"] >= last_end, f"{rec['id']}: quotes overlap or are out of order"
            last_end = q["end"]
        for n in rec["not_quotes"]:
            assert text[n["start"]:n["end"]] == n["text"], (rec["id"], n)
        for name, mentions in rec["speakers"].items():
            assert all(m in text for m in mentions), (rec["id"], name)


def test_ids_are_unique_and_no_two_documents_share_a_passage() -> None:
    seen: dict[str, str] = {}
    ids: set[str] = set()
    for recs in CORPUS_FILES.values():
        for rec in recs:
            assert rec["id"] not in ids
            ids.add(rec["id"])
            for g in grams(rec["text"]):
                other = seen.setdefault(g, rec["id"])
                assert other == rec["id"], f"{rec['id']} and {other} share {g!r}"


def test_no_document_shares_a_passage_with_the_shared_dev_sets() -> None:
    if not SHARED_DEV.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"{SHARED_DEV} is missing: CI has the shared folder beside the project")
        pytest.skip("the shared dev sets are not beside this checkout")
    dev: set[str] = set()
    for f in SHARED_DEV.glob("*.jsonl"):
        for line in f.open(encoding="utf-8"):
            dev |= grams(json.loads(line)["text"])
    assert len(dev) > 1000
    for recs in CORPUS_FILES.values():
        for rec in recs:
            shared = grams(rec["text"]) & dev
            assert not shared, f"{rec['id']} shares {sorted(shared)[:1]} with a dev text"
