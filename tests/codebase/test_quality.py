"""Lint, types and the dependency direction are part of the test command."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys

import pytest

from app.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"


def _run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or pytest.fail("ruff is not installed (pip install -e '.[test]')")
    r = _run(ruff, "check", "app", "tests", "bench", "migrations", "corpus")
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_strict_is_clean() -> None:
    r = _run(sys.executable, "-m", "mypy")
    assert r.returncode == 0, r.stdout + r.stderr


def _imports(package: str) -> set[str]:
    found: set[str] = set()
    for path in (APP / package).rglob("*.py"):
        if "models" in path.relative_to(APP / package).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module:
                found.add(node.module)
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("extraction", ("app.storage", "app.web", "app.ingest", "sqlmodel", "sqlalchemy",
                        "fastapi")),
        ("storage", ("app.extraction", "app.web", "app.ingest", "app.verify", "spacy",
                     "fastapi")),
        ("verify", ("app.extraction", "app.web", "app.ingest", "spacy", "fastapi")),
        ("ingest", ("app.web", "app.main", "app.cli", "fastapi")),
        ("web", ("spacy", "app.extraction.pipeline")),
    ],
)
def test_dependency_direction(package: str, forbidden: tuple[str, ...]) -> None:
    bad = sorted(m for m in _imports(package) if m.startswith(forbidden))
    assert bad == [], f"app/{package} imports {bad}"
