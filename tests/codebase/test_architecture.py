"""The layers, held by reading the code (its syntax tree), not by trusting it.

Two kinds of rule:

* an allowlist of what each package may import: its own modules, the packages below it and,
  for the web, only storage's *read* modules (named queries), the services, ingest's one entry
  point for uploads (``app/ingest/uploads.py``) and none of the file, zip or fetch code (nor
  the libraries that do such work: ``zipfile``, an HTTP client, sockets);
* checks on calls: no SQL built or run outside storage (``select(``, ``.exec(``,
  ``.execute(``), no transaction handled outside the one helper
  (``app/services/transaction.py``: ``.commit(``, ``.rollback(``), no row added to or
  deleted from a session in the web (``session.add(``, ``session.delete(`` …), and no
  ``IngestError`` raised outside ingest (it means "this article could not be ingested"; a
  login, a form or an account has a refusal of its own, see ``app/refusals.py``).

Adding a ``DELETE`` plus a commit to a page handler fails here, whatever it imports.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.config import PROJECT_ROOT

APP = PROJECT_ROOT / "app"

#: For each package: the app modules it may import (a prefix: "app.storage" allows all of
#: storage, "app.storage.queries" that module only). Its own modules are always allowed.
ALLOWED_APP_IMPORTS: dict[str, tuple[str, ...]] = {
    "extraction": (),
    "storage": ("app.config",),
    "verify": ("app.storage", "app.services.transaction", "app.plaintext"),
    "services": ("app.storage", "app.refusals", "app.plaintext"),
    "ingest": ("app.config", "app.refusals", "app.plaintext", "app.extraction", "app.storage",
               "app.verify", "app.services"),
    # The web reads through storage's named queries and writes through services only.
    "web": (
        "app.config", "app.refusals", "app.plaintext",
        "app.services",
        "app.verify.claim", "app.verify.service",
        "app.ingest.readers", "app.ingest.uploads", "app.ingest.isolated",
        "app.ingest.queue", "app.ingest.service",
        "app.storage.queries", "app.storage.browse", "app.storage.indexes",
        "app.storage.profiles", "app.storage.certainty", "app.storage.exports",
        "app.storage.search", "app.storage.desk", "app.storage.models",
        "app.storage.keyset", "app.storage.name_index",
    ),
}

#: Modules a package may take some names from only (a whole module is not allowed either).
#: The web reads the year bounds of the date filters and may catch an IngestError; reading,
#: decoding and building articles is ingest's (app/ingest/uploads.py).
ALLOWED_NAMES: dict[str, dict[str, set[str]]] = {
    "web": {"app.ingest.readers": {"IngestError", "MIN_YEAR", "MAX_YEAR"}},
}

#: Libraries a package may not import at all: the web opens no zip and fetches no page itself.
FORBIDDEN_LIBRARIES: dict[str, tuple[str, ...]] = {
    "web": ("zipfile", "tarfile", "gzip", "zlib", "bz2", "lzma", "urllib.request",
            "http.client", "httpx", "requests", "urllib3", "socket", "ssl", "trafilatura"),
}

#: Names each package may take from the database libraries (storage may take anything).
#: A ``Session`` opens a unit of work or annotates one; building SQL needs more than that.
ALLOWED_DB_NAMES: dict[str, dict[str, set[str]]] = {
    "extraction": {},
    "verify": {"sqlmodel": {"Session"}},
    "services": {"sqlmodel": {"Session"}},
    "ingest": {"sqlmodel": {"Session"}, "sqlalchemy": {"Engine"},
               "sqlalchemy.exc": {"IntegrityError"}},
    "web": {"sqlmodel": {"Session"}},
}
DB_LIBRARIES = ("sqlmodel", "sqlalchemy")

#: Files that may import outside their package's allowlist, each with its reason.
IMPORT_EXCEPTIONS = {
    "extraction/evaluation.py": "a re-export of app.evaluation kept for older imports",
}

#: Methods that run SQL or end a transaction: called on anything, they are a leak.
SQL_METHODS = {"exec", "execute", "scalar", "scalars"}
TRANSACTION_METHODS = {"commit", "rollback"}
#: Methods that change what a session will write: a leak when called on a session.
SESSION_WRITES = {"add", "add_all", "delete", "merge", "flush", "refresh", "expire_all",
                  "begin", "begin_nested"}
#: SQL builders (whatever module they are imported from).
SQL_BUILDERS = {"select", "update", "delete", "insert", "text", "union"}

#: Where a transaction may be committed or rolled back. storage/db.py sets SQLite pragmas on
#: a raw DBAPI connection when it opens (not a unit of work).
TRANSACTION_PLACES = {"services/transaction.py", "storage/db.py"}


@dataclass(frozen=True)
class Leak:
    """One place that breaks a rule."""

    path: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"app/{self.path}:{self.line}: {self.what}"


def _files(package: str) -> Iterator[tuple[str, ast.Module]]:
    root = APP / package if package else APP
    paths = sorted(root.rglob("*.py")) if package else sorted(root.glob("*.py"))
    for path in paths:
        rel = path.relative_to(APP)
        if rel.parts[:2] == ("extraction", "models"):
            continue  # shipped pipelines' code, not ours
        yield rel.as_posix(), ast.parse(path.read_text(encoding="utf-8"), str(path))


def _imports(tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    """(line, module, name) of every import; ``from app.storage import queries`` gives the
    module ``app.storage.queries``."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if node.module in ("app", "app.storage", "app.ingest", "app.verify",
                                   "app.services", "app.web", "app.extraction"):
                    yield node.lineno, f"{node.module}.{alias.name}", None
                else:
                    yield node.lineno, node.module, alias.name


def _allowed(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


def import_leaks(package: str) -> list[Leak]:
    """Imports of app modules or database names that ``package`` may not use."""
    leaks = []
    own = (f"app.{package}",)
    for path, tree in _files(package):
        if path in IMPORT_EXCEPTIONS:
            continue
        for line, module, name in _imports(tree):
            if module.startswith("app."):
                names = ALLOWED_NAMES.get(package, {}).get(module)
                if not _allowed(module, own + ALLOWED_APP_IMPORTS[package]):
                    leaks.append(Leak(path, line, f"imports {module}"))
                elif names is not None and name not in names:
                    leaks.append(Leak(path, line, f"imports {name or '*'} from {module}"))
            elif _allowed(module, FORBIDDEN_LIBRARIES.get(package, ())):
                leaks.append(Leak(path, line, f"imports {module}"))
            elif module.split(".")[0] in DB_LIBRARIES and package != "storage":
                allowed = ALLOWED_DB_NAMES[package].get(module, set())
                if name is None or name not in allowed:
                    leaks.append(Leak(path, line, f"imports {name or '*'} from {module}"))
    return list(dict.fromkeys(leaks))  # one line per module, not per name


def _session_names(tree: ast.Module) -> set[str]:
    """Names that hold a session: ``session``, parameters annotated as one, and
    ``with Session(...) as x``."""
    names = {"session", "db"}
    for node in ast.walk(tree):
        if isinstance(node, ast.arg) and node.annotation is not None:
            if "Session" in ast.unparse(node.annotation):
                names.add(node.arg)
        elif (isinstance(node, ast.withitem) and isinstance(node.optional_vars, ast.Name)
              and "Session" in ast.unparse(node.context_expr)):
            names.add(node.optional_vars.id)
    return names


def call_leaks(package: str, *, session_writes: bool) -> list[Leak]:
    """SQL built or run, transactions ended, and (``session_writes``) rows added to or
    deleted from a session, in ``package`` (an empty name: the modules directly in app/)."""
    leaks = []
    for path, tree in _files(package):
        sessions = _session_names(tree)
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in SQL_BUILDERS:
                leaks.append(Leak(path, node.lineno, f"builds SQL: {func.id}("))
            if not isinstance(func, ast.Attribute):
                continue
            receiver = ast.unparse(func.value)
            if func.attr in SQL_METHODS:
                leaks.append(Leak(path, node.lineno, f"runs SQL: {receiver}.{func.attr}("))
            elif func.attr in TRANSACTION_METHODS and path not in TRANSACTION_PLACES:
                leaks.append(Leak(path, node.lineno,
                                  f"ends a transaction by hand: {receiver}.{func.attr}("))
            elif (session_writes and func.attr in SESSION_WRITES
                  and isinstance(func.value, ast.Name) and func.value.id in sessions):
                leaks.append(Leak(path, node.lineno,
                                  f"writes through a session: {receiver}.{func.attr}("))
    return leaks


#: The one package that may raise IngestError (an article that cannot be ingested).
INGEST_ERROR_PLACES = ("ingest",)


def refusal_leaks(package: str) -> list[Leak]:
    """``IngestError`` made (raised) outside app/ingest: a login, a form, a rate limit, an
    account or a correction has its own kind of refusal."""
    if package in INGEST_ERROR_PLACES:
        return []
    return [Leak(path, node.lineno, "raises IngestError for what is not an article")
            for path, tree in _files(package) for node in ast.walk(tree)
            if isinstance(node, ast.Call)
            and ast.unparse(node.func).rsplit(".", 1)[-1] == "IngestError"]


def transaction_leaks(package: str) -> list[Leak]:
    """Commits and rollbacks written by hand in ``package`` (outside the helper)."""
    return [leak for leak in call_leaks(package, session_writes=False)
            if "ends a transaction" in leak.what]


def _report(leaks: list[Leak]) -> str:
    return "\n".join(map(str, leaks))


@pytest.mark.parametrize("package", sorted(ALLOWED_APP_IMPORTS))
def test_imports_follow_the_allowlist(package: str) -> None:
    leaks = import_leaks(package)
    assert leaks == [], "\n" + _report(leaks)


def test_web_runs_no_sql_and_writes_nothing_itself() -> None:
    leaks = call_leaks("web", session_writes=True)
    assert leaks == [], "\n" + _report(leaks)


@pytest.mark.parametrize("package", ["ingest", "services", "verify"])
def test_no_sql_outside_storage(package: str) -> None:
    """Ingest, verification and the services ask storage; they build and run no SQL."""
    leaks = [leak for leak in call_leaks(package, session_writes=False)
             if "ends a transaction" not in leak.what]
    assert leaks == [], "\n" + _report(leaks)


@pytest.mark.parametrize("package", ["", "extraction", "storage", "verify", "ingest",
                                     "services", "web", "training"])
def test_one_transaction_helper(package: str) -> None:
    """Every commit and rollback goes through ``app.services.transaction.transaction``."""
    leaks = transaction_leaks(package)
    assert leaks == [], "\n" + _report(leaks)


@pytest.mark.parametrize("package", ["", "extraction", "storage", "verify", "services", "web",
                                     "training"])
def test_ingest_errors_are_raised_by_ingest_only(package: str) -> None:
    leaks = refusal_leaks(package)
    assert leaks == [], "\n" + _report(leaks)


# The rules catch what they are meant to catch: each planted leak is found.
PLANTED = {
    "select in a page": ("web", "from sqlmodel import select\n"
                         "def page(session):\n    return session.exec(select(1)).all()\n"),
    "delete and commit in a handler": (
        "web", "def handler(session):\n    session.delete(object())\n    session.commit()\n"),
    "a write function from storage": ("web", "from app.storage.writes import save_extraction\n"),
    "a raw statement in ingest": ("ingest", "def f(db):\n    db.execute('DELETE FROM quote')\n"),
    "a rollback by hand in a service": ("services", "def f(s):\n    s.rollback()\n"),
    # Zip, file and fetch work belongs to ingest (app/ingest/uploads.py is the web's way in).
    "zipfile in a page": ("web", "import zipfile\n"),
    "the zip reader in a page": ("web", "from app.ingest.archive import read_zip\n"),
    "file expansion in a page": ("web", "from app.ingest.sources import expand_files\n"),
    "reading a file in a page": ("web", "from app.ingest.sources import from_file\n"),
    "the fetcher in a page": ("web", "from app.ingest.fetch import fetch_url\n"),
    "fetching a URL in a page": ("web", "from app.ingest.sources import from_url\n"),
    "building an article in a page": ("web", "from app.ingest.readers import build_article\n"),
    "decoding bytes in a page": ("web", "from app.ingest import readers\n"),
    "an HTTP client in a page": ("web", "import httpx\n"),
    # IngestError means an article that cannot be ingested, nothing else.
    "IngestError for a login": (
        "web", "from app.ingest.readers import IngestError\n"
               "def login():\n    raise IngestError('Wrong user name or password.')\n"),
    "IngestError for an expired form": (
        "web", "from app.ingest import readers\n"
               "def form():\n    raise readers.IngestError('The form has expired.')\n"),
    "IngestError for an account": (
        "services", "from app.ingest.readers import IngestError\n"
                    "def create_user():\n    raise IngestError('The user exists already.')\n"),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_leaks_are_found(name: str, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    package, source = PLANTED[name]
    (tmp_path / package).mkdir()
    (tmp_path / package / "planted.py").write_text(source, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__, fromlist=["APP"]), "APP", tmp_path)
    found = (import_leaks(package) + call_leaks(package, session_writes=package == "web")
             + refusal_leaks(package))
    assert found, f"{name} was not caught"
    assert all(leak.path == f"{package}/planted.py" for leak in found)
