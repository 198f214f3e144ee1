"""bench/http_distinct.py's ``--env`` (the same checkout under several settings, as rows) and
``--rounds`` (each page measured several times in turn, summed up a row)."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from types import ModuleType

import pytest

from app.config import PROJECT_ROOT


def _bench(name: str) -> ModuleType:
    """bench/NAME.py under a name of its own (``bench`` is not a package, and putting it on
    the path would shadow the project's ``corpus`` folder with ``bench/corpus.py``)."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}",
                                                  PROJECT_ROOT / f"bench/{name}.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


procs, runs = _bench("procs"), _bench("runs")


def test_specs_give_labels_and_variables_in_order() -> None:
    assert runs.env_variants([
        "unset:", "one:CITAT_REQUEST_THREADS=1",
        "both: CITAT_REQUEST_THREADS=4 , CITAT_CACHE_SECONDS=0,",
    ]) == [
        ("unset", {}),
        ("one", {"CITAT_REQUEST_THREADS": "1"}),
        ("both", {"CITAT_REQUEST_THREADS": "4", "CITAT_CACHE_SECONDS": "0"}),
    ]


def test_a_value_may_hold_an_equals_sign_or_be_empty() -> None:
    assert runs.env_variants(["x:CITAT_A=a=b,CITAT_B="]) == [
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
        runs.env_variants(specs)


def test_rows_without_environments_are_the_checkouts() -> None:
    a, b = Path("/a"), Path("/b")
    assert runs.variants([("start", a), ("final", b)], []) == [
        ("start", a, {}), ("final", b, {})]


def test_one_checkout_takes_the_environments_labels() -> None:
    envs = runs.env_variants(["unset:", "one:CITAT_REQUEST_THREADS=1"])
    assert runs.variants([("main", Path("."))], envs) == [
        ("unset", Path("."), {}), ("one", Path("."), {"CITAT_REQUEST_THREADS": "1"})]


def test_several_checkouts_run_under_every_environment() -> None:
    a, b = Path("/a"), Path("/b")
    envs = runs.env_variants(["unset:", "one:CITAT_REQUEST_THREADS=1"])
    rows = runs.variants([("start", a), ("final", b)], envs)
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


def _wrk(rps: float, p50: float, p99: float, requests: int, errors: int = 0,
         cpu: float = 2.0) -> dict[str, float]:
    return {"rps": rps, "p50": p50, "p99": p99, "requests": requests, "errors": errors,
            "cpu": cpu}


def test_rounds_sum_up_to_one_row_a_label_and_page_in_first_measured_order() -> None:
    rows = [
        ("t1", "search", _wrk(500, 20, 50, 3000), 19800),
        ("unset", "search", _wrk(400, 30, 120, 2400, 2), 19800),
        ("unset", "search", _wrk(460, 28, 90, 2760, cpu=2.6), 19800),  # round 2, reversed
        ("t1", "search", _wrk(540, 18, 70, 3240), 19800),
        ("t1", "search", _wrk(520, 25, 60, 3120), 19800),
        ("unset", "search", _wrk(430, 26, 100, 2580), 19800),
        ("bare", "bare page", _wrk(4000, 3, 20, 24000), 19800),
    ]
    out = runs.summary(rows)
    assert [(label, page) for label, page, _, _ in out] == [
        ("t1", "search"), ("unset", "search"), ("bare", "bare page")]
    t1, unset, bare = (figures for _, _, figures, _ in out)
    assert t1 == {"rps": 520, "p50": 20, "p99": 60, "p99max": 70, "requests": 9360,
                  "errors": 0, "cpu": 2.0}
    assert unset["rps"] == pytest.approx(430)
    assert (unset["p50"], unset["p99"], unset["p99max"]) == (28, 100, 120)
    assert (unset["requests"], unset["errors"]) == (7740, 2)
    assert unset["cpu"] == pytest.approx(2.2)
    assert bare == {**rows[-1][2], "p99max": 20}
    assert [pool for _, _, _, pool in out] == [19800, 19800, 19800]


def test_a_servers_cpu_counts_its_workers() -> None:
    """The CPU column: a process's and its children's CPU (uvicorn's master and workers)."""
    import subprocess
    import sys
    import time

    child = subprocess.Popen([sys.executable, "-c",
                              "import sys, time\nsys.stdin.readline()\nt = time.process_time()\n"
                              "while time.process_time() - t < 0.4: pass\ntime.sleep(30)"],
                             stdin=subprocess.PIPE)
    try:
        before = procs.serving_cpu_ms(os.getpid())
        assert child.stdin
        child.stdin.write(b"go\n")
        child.stdin.flush()
        deadline = time.monotonic() + 20
        while procs.serving_cpu_ms(os.getpid()) - before < 300 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert procs.serving_cpu_ms(os.getpid()) - before >= 300  # the child's 0.4 s
        assert procs.postgres_pids("no_such_database_here") == []
    finally:
        child.kill()
        child.wait()
