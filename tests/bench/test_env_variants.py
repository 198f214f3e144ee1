"""bench/http_distinct.py's ``--env``: the same checkout under several settings, as rows."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from app.config import PROJECT_ROOT


def _procs() -> ModuleType:
    """bench/procs.py under a name of its own (``bench`` is not a package, and putting it on
    the path would shadow the project's ``corpus`` folder with ``bench/corpus.py``)."""
    spec = importlib.util.spec_from_file_location("bench_procs", PROJECT_ROOT / "bench/procs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


procs = _procs()


def test_specs_give_labels_and_variables_in_order() -> None:
    assert procs.env_variants([
        "unset:", "one:CITAT_REQUEST_THREADS=1",
        "both: CITAT_REQUEST_THREADS=4 , CITAT_CACHE_SECONDS=0,",
    ]) == [
        ("unset", {}),
        ("one", {"CITAT_REQUEST_THREADS": "1"}),
        ("both", {"CITAT_REQUEST_THREADS": "4", "CITAT_CACHE_SECONDS": "0"}),
    ]


def test_a_value_may_hold_an_equals_sign_or_be_empty() -> None:
    assert procs.env_variants(["x:CITAT_A=a=b,CITAT_B="]) == [
        ("x", {"CITAT_A": "a=b", "CITAT_B": ""})]


@pytest.mark.parametrize("specs", [
    ["CITAT_REQUEST_THREADS=1"],  # no label
    [":CITAT_REQUEST_THREADS=1"],  # an empty label
    ["one:CITAT_REQUEST_THREADS"],  # no value
    ["one:NOT A NAME=1"],
    ["one:CITAT_A=1,CITAT_A=2"],  # a variable twice
    ["one:", "one:CITAT_A=1"],  # a label twice
])
def test_malformed_specs_are_refused(specs: list[str]) -> None:
    with pytest.raises(ValueError):
        procs.env_variants(specs)


def test_rows_without_environments_are_the_checkouts() -> None:
    a, b = Path("/a"), Path("/b")
    assert procs.variants([("start", a), ("final", b)], []) == [
        ("start", a, {}), ("final", b, {})]


def test_one_checkout_takes_the_environments_labels() -> None:
    envs = procs.env_variants(["unset:", "one:CITAT_REQUEST_THREADS=1"])
    assert procs.variants([("main", Path("."))], envs) == [
        ("unset", Path("."), {}), ("one", Path("."), {"CITAT_REQUEST_THREADS": "1"})]


def test_several_checkouts_run_under_every_environment() -> None:
    a, b = Path("/a"), Path("/b")
    envs = procs.env_variants(["unset:", "one:CITAT_REQUEST_THREADS=1"])
    rows = procs.variants([("start", a), ("final", b)], envs)
    assert [label for label, _, _ in rows] == [
        "start+unset", "start+one", "final+unset", "final+one"]
    assert [root for _, root, _ in rows] == [a, a, b, b]
    rows[1][2]["CITAT_X"] = "changed"  # each row its own dict
    assert rows[3][2] == {"CITAT_REQUEST_THREADS": "1"}


def test_the_variables_reach_the_app_environment_over_the_callers(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITAT_REQUEST_THREADS", "7")
    monkeypatch.setenv("CITAT_CACHE_SECONDS", "9")
    assert "CITAT_REQUEST_THREADS" not in procs.app_env("sqlite:///x.db")  # the defaults
    env = procs.app_env("sqlite:///x.db", CITAT_REQUEST_THREADS="1")
    assert env["CITAT_REQUEST_THREADS"] == "1"
    assert "CITAT_CACHE_SECONDS" not in env
    assert env["CITAT_DATABASE_URL"] == "sqlite:///x.db"
