"""The ``citat`` command (Typer). Each command is a thin call into the packages below."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from app.config import get_settings

cli = typer.Typer(help="Citat: attributed quotes from news articles.", no_args_is_help=True)


@cli.command()
def extract(
    file: Annotated[str, typer.Argument(help="Article file, or - for standard input.")] = "-",
    format: Annotated[str, typer.Option("--format", "-f", help="json or text.")] = "json",
    language: Annotated[
        str | None, typer.Option(help="Force the article language (sv, en).")
    ] = None,
) -> None:
    """Extract quotes and entities from one article and print them (no database)."""
    from app.extraction.pipeline import Extractor

    if format not in ("json", "text"):
        raise typer.BadParameter("format must be json or text", param_hint="--format")
    if file == "-":
        # Read bytes and decode ourselves: offsets are into the text exactly as read.
        text = sys.stdin.buffer.read().decode("utf-8")
    else:
        text = Path(file).read_text(encoding="utf-8")
    settings = get_settings()
    extractor = Extractor.load(settings.models)
    result = extractor.extract(text, language=language)
    if format == "json":
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        return
    for q in result.quotes:
        who = q.speaker or "?"
        typer.echo(f"[{q.type}] {who}: {q.text}  ({q.start}-{q.end}, cue={q.cue})")


@cli.command("eval")
def eval_(
    files: Annotated[
        list[Path],
        typer.Argument(help="Gold JSONL files, or corpus folders (every <lang>/<split>.jsonl)."),
    ],
    split: Annotated[
        str | None,
        typer.Option(help="Only this split of a corpus folder: dev (for tuning) or test."),
    ] = None,
    part: Annotated[
        str | None,
        typer.Option(help="Only this part of a corpus's dev split: tune (study its errors), "
                     "check (read only its totals, to see whether a change generalises) or "
                     "calib (documents kept for calibration: totals only, never errors)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every error.")] = False,
    calibration: Annotated[
        bool, typer.Option(help="Also how often speakers are right at each confidence.")
    ] = False,
    bootstrap: Annotated[
        int,
        typer.Option(min=0, max=100_000,
                     help="Also 95 % intervals of the main figures from this many resamples "
                     "of the documents (e.g. 1000; 0: none)."),
    ] = 0,
    chooser: Annotated[
        Path | None,
        typer.Option(help="Use this speaker chooser file instead of the shipped one (e.g. "
                     "one trained with `train-attribution --part tune --output ...`)."),
    ] = None,
) -> None:
    """Score the extractor against gold JSONL sets: quote P/R/F1, speakers, indirect speech."""
    from app.extraction.evaluation import evaluate_files, format_report, gold_files
    from app.extraction.pipeline import Extractor

    if part is not None and split is None:
        split = "dev"  # a part is of the dev split: never let a corpus's test file in with it
    try:
        paths = gold_files(files, split)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    if part is not None and (split == "test" or part not in ("tune", "check", "calib")):
        raise typer.BadParameter("a part is tune, check or calib, of the dev split only",
                                 param_hint="--part")
    if verbose and part in ("check", "calib"):
        raise typer.BadParameter(f"the {part} part is read as totals only: its errors are not "
                                 "listed (study errors on --part tune)", param_hint="--verbose")
    settings = get_settings()
    extractor = Extractor.load(settings.models)
    if chooser is not None:
        from app.extraction.resolve.chooser import load_chooser

        if not chooser.is_file():
            raise typer.BadParameter(f"no such file: {chooser}", param_hint="--chooser")
        extractor.set_chooser(load_chooser(chooser))
    report = evaluate_files(paths, extractor, part=part)
    typer.echo(format_report(report, verbose=verbose, calibration=calibration,
                             resamples=bootstrap))


@cli.command()
def train(
    lang: Annotated[str, typer.Option("--lang", help="sv or en.")],
    data: Annotated[Path, typer.Option(help="Corpora folder.")] = Path("../shared/data"),
    output: Annotated[
        Path | None, typer.Option(help="Where the pipeline goes (default: the shipped one).")
    ] = None,
    max_minutes: Annotated[float | None, typer.Option(help="Stop training after this.")] = None,
    smoke: Annotated[
        bool, typer.Option(help="Tiny run on the bundled fixture (for CI).")
    ] = False,
    resume: Annotated[
        bool, typer.Option(help="Go on from the last checkpoint in training/runs/.")
    ] = False,
    component: Annotated[
        str | None,
        typer.Option(help="Train only this component (ner) and put it into the --base pipeline."),
    ] = None,
    base: Annotated[
        Path | None, typer.Option(help="Pipeline that gets the new component (default: shipped).")
    ] = None,
    vectors: Annotated[
        Path | None,
        typer.Option(help="Static word vectors (from citat train-vectors) for the NER's tok2vec."),
    ] = None,
    news_weight: Annotated[
        int | None,
        typer.Option(help="English: times the Wikinews NER documents go into training (0: none)."),
    ] = None,
    news_corpus_docs: Annotated[
        bool,
        typer.Option(help="English: with the Wikinews NER documents that are gold corpus dev."),
    ] = True,
    augment_names: Annotated[
        float,
        typer.Option(help="Name-substituted copies per training sentence with a name (0: none)."),
    ] = 0.0,
    augment_labels: Annotated[
        str, typer.Option(help="Comma-separated labels whose names --augment-names replaces.")
    ] = "PER",
    init_from: Annotated[
        Path | None,
        typer.Option(help="Start from this pipeline's weights (same config), not random ones."),
    ] = None,
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Config override section.key=value (JSON value), repeatable."),
    ] = None,
    only: Annotated[
        str | None,
        typer.Option(help="Train only this component (ner) of the --init-from pipeline; every "
                          "other one, the shared tok2vec included, stays frozen."),
    ] = None,
) -> None:
    """Train the Swedish or English spaCy pipeline from the public corpora."""
    from app.training import train_pipeline

    try:
        overrides = _config_overrides(set_ or [])
        scores = train_pipeline(lang=lang, data_dir=data, output_dir=output,
                                max_minutes=max_minutes, smoke=smoke, resume=resume,
                                component=component, base_dir=base, vectors=vectors,
                                news_weight=news_weight, news_corpus_docs=news_corpus_docs,
                                augment_rate=augment_names,
                                augment_labels=tuple(x.strip() for x in augment_labels.split(",")
                                                     if x.strip()),
                                init_from=init_from, config_overrides=overrides, only=only)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(json.dumps(scores, indent=2, ensure_ascii=False))


def _config_overrides(items: list[str]) -> dict[str, Any]:
    """``section.key=value`` pairs as a config override dict; the value is read as JSON
    (``0.0002``, ``true``, ``[1, 2]``) or else kept as a string."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or "." not in key.strip():
            raise ValueError(f"--set wants section.key=value, not {item!r}")
        try:
            out[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            out[key.strip()] = value
    return out


@cli.command("train-vectors")
def train_vectors(
    model: Annotated[
        Path, typer.Option(help="Folder of all-MiniLM-L6-v2 (model.safetensors, vocab.txt).")
    ],
    output: Annotated[Path, typer.Option(help="Where the vectors-only pipeline goes.")],
    data: Annotated[Path, typer.Option(help="Corpora folder.")] = Path("../shared/data"),
    dims: Annotated[int, typer.Option(help="PCA dimensions (384 keeps all).")] = 128,
    min_count: Annotated[
        int, typer.Option(help="How often a corpus word must occur to get a vector.")
    ] = 2,
) -> None:
    """Distil English static word vectors from all-MiniLM-L6-v2 for the NER's tok2vec."""
    from app.training.vectors import train_vectors as distil

    if dims < 1:
        raise typer.BadParameter("must be at least 1", param_hint="--dims")
    try:
        summary = distil(data, model, output, dims=dims, min_count=min_count)
    except FileNotFoundError as exc:
        raise typer.BadParameter(str(exc), param_hint="--model") from exc
    typer.echo(json.dumps(summary, indent=2))


@cli.command("train-attribution")
def train_attribution(
    corpus: Annotated[Path, typer.Option(help="The gold corpus folder.")] = Path("corpus"),
    split: Annotated[str, typer.Option(help="The split to train on (never test).")] = "dev",
    part: Annotated[
        str | None,
        typer.Option(help="Only this part of the dev split (tune, to measure on check); "
                     "default all of it."),
    ] = None,
    output: Annotated[
        Path | None, typer.Option(help="Where the model goes (default: the shipped one).")
    ] = None,
) -> None:
    """Train the speaker chooser on the corpus's dev split; print what it measured."""
    from app.extraction.pipeline import Extractor
    from app.extraction.resolve.chooser import MODEL_FILE
    from app.training.attribution import format_report, train

    if split == "test":
        raise typer.BadParameter("the test split is for reporting, never for training",
                                 param_hint="--split")
    try:
        report = train(corpus, Extractor.load(), output or MODEL_FILE, split=split, part=part)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    typer.echo(format_report(report, output or MODEL_FILE))


@cli.command()
def migrate() -> None:
    """Create or upgrade the database schema (Alembic migrations to head)."""
    from app.storage.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    typer.echo(f"Database at head: {settings.database_url}")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port.")] = None,
    workers: Annotated[int, typer.Option(help="uvicorn worker processes.")] = 1,
    reload: Annotated[bool, typer.Option(help="Reload on code changes (development).")] = False,
) -> None:
    """Migrate the database, load the seeds into an empty one, and serve the app."""
    import uvicorn

    from app.storage.migrate import upgrade
    from app.web.protocols import SERVE_PROTOCOL

    settings = get_settings()
    upgrade(settings.database_url)
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        reload=reload,
        # Forwarded headers are believed only from CITAT_TRUSTED_PROXIES (in create_app).
        proxy_headers=False,
        # uvicorn's own 400 for a malformed request with the pages' security headers.
        http=SERVE_PROTOCOL,
        # Without it uvicorn waits for every open request after SIGTERM, however long a
        # client takes to send its body or read an export.
        timeout_graceful_shutdown=settings.shutdown_seconds,
    )


@cli.command()
def ingest(
    sources: Annotated[
        list[str], typer.Argument(help="Files, folders, .zip archives or http(s) URLs.")
    ],
    refresh: Annotated[
        bool, typer.Option(help="Extract already stored articles again (keeps permalinks).")
    ] = False,
    queue: Annotated[
        bool, typer.Option("--queue", help="Store and queue; `citat worker` extracts.")
    ] = False,
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0,
                          help="Extraction processes (0: one per CPU core).")
    ] = 0,
) -> None:
    """Ingest articles: one transaction each; failures are reported, the rest still land."""
    from rich.progress import Progress
    from sqlmodel import Session

    from app.config import allowed_hosts
    from app.ingest.service import ingest_files, iter_article_files
    from app.ingest.sources import Fields, from_url
    from app.main import load_extractor
    from app.storage.db import make_engine
    from app.storage.migrate import upgrade

    settings = get_settings()
    urls = [s for s in sources if s.startswith(("http://", "https://"))]
    paths = [Path(s) for s in sources if s not in urls]
    missing = [p for p in paths if not p.exists()]
    if missing:
        typer.echo(f"No such file or folder: {', '.join(map(str, missing))}", err=True)
        raise typer.Exit(2)
    skipped: dict[str, str] = {}
    files = list(iter_article_files(paths, skipped))
    for name, reason in skipped.items():
        typer.echo(f"skipped {name}: {reason}", err=True)
    if jobs == 0:
        from app.extraction.parallel import available_cores

        jobs = available_cores()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    enqueue = None
    if queue:
        from app.ingest.queue import JobQueue

        enqueue = JobQueue(settings).enqueue
        extractor: Any = None  # the workers extract
    else:
        extractor = load_extractor(settings)
    pool = None
    bulk = len(files) + len(urls) > 1 or any(f.suffix.lower() == ".zip" for f in files)
    if extractor is not None and jobs > 1 and bulk and not refresh:
        from app.extraction.parallel import ExtractorPool

        # Forked before the progress bar starts its thread.
        pool = ExtractorPool(extractor, jobs)
    with Progress(transient=False) as progress:
        task = progress.add_task("Ingesting", total=len(files) + len(urls))

        def done(path: Path, _result: object, error: str | None) -> None:
            if error:
                progress.console.print(f"[red]failed[/red] {path}: {error}")
            progress.advance(task)

        summary = ingest_files(
            lambda: Session(engine), extractor, files, settings.max_upload_bytes,
            refresh=refresh, on_done=done, enqueue=enqueue,
            urls=urls, pool=pool,
            fetch=lambda url: from_url(url, Fields(), max_bytes=settings.max_upload_bytes,
                                       allowed_hosts=allowed_hosts(settings),
                                       timeout=settings.fetch_timeout),
        )
    if pool is not None:
        pool.close()
    if bulk and summary.new and not queue:
        from app.storage.db import vacuum_after_bulk

        vacuum_after_bulk(engine)  # PostgreSQL: the visibility map and statistics at once
    engine.dispose()
    stored = (f"{summary.duplicate} already stored and extracted again "
              f"({summary.refreshed_quotes} quotes; permalinks of unchanged quotes and every "
              "correction kept)" if refresh and not queue
              else f"{summary.duplicate} already stored")
    typer.echo(
        f"{summary.new} new, {stored}, {len(summary.failed)} failed"
        + (f", {len(skipped)} skipped" if skipped else "")
        + (", queued for the workers." if queue else f", {summary.quotes} new quotes.")
    )
    if summary.failed:
        raise typer.Exit(1)


@cli.command()
def worker(
    workers: Annotated[int | None, typer.Option(help="Worker threads.")] = None,
) -> None:
    """Run a queue worker: extracts queued articles until stopped (Ctrl-C)."""
    from app.ingest.queue import JobQueue, WorkerContext, isolated_extractor
    from app.storage.db import make_engine
    from app.storage.migrate import upgrade

    settings = get_settings()
    if settings.queue == "immediate":
        typer.echo("CITAT_QUEUE=immediate runs jobs in the caller: there is nothing to work on.",
                   err=True)
        raise typer.Exit(2)
    upgrade(settings.database_url)
    extractor = isolated_extractor(settings)
    queue = JobQueue(settings)
    queue.bind(WorkerContext(make_engine(settings.database_url), extractor, settings))
    extractor.start()  # the extraction child loads the pipelines before jobs are taken
    queue.recover(starting=True)
    typer.echo(f"Worker on {settings.queue} with {workers or settings.workers} thread(s).")
    try:
        queue.consumer(workers or settings.workers).run()
    finally:
        extractor.close()


@cli.command()
def status() -> None:
    """Articles per processing state, and the error of every failed article."""
    from sqlmodel import Session

    from app.storage.db import make_engine
    from app.storage.migrate import upgrade
    from app.storage.queries import failed_articles, status_counts

    settings = get_settings()
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    with Session(engine) as session:
        counts = status_counts(session)
        failed = failed_articles(session)
    engine.dispose()
    typer.echo("  ".join(f"{name}: {counts.get(name, 0)}"
                         for name in ("queued", "processing", "done", "failed")))
    for article in failed:
        typer.echo(f"failed #{article.id} {article.title or ''!s}: {article.error}")


users = typer.Typer(help="Editor accounts.", no_args_is_help=True)
cli.add_typer(users, name="users")


@users.command("add")
def users_add(
    username: Annotated[str, typer.Argument(help="Login name.")],
    role: Annotated[str, typer.Option(help="editor or admin.")] = "editor",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Create an editor account (the password is asked for, never given on the command line)."""
    from sqlmodel import Session

    from app.services.accounts import AccountError, create_user

    password = _password(password_stdin, "Password")
    engine = _accounts()
    try:
        with Session(engine) as session:
            user = create_user(session, username, password, role)
            typer.echo(f"Created {user.role} {user.username}.")
    except AccountError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def _password(from_stdin: bool, prompt: str) -> str:
    """A password from standard input's first line, or asked for twice (never an argument)."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt(prompt, hide_input=True, confirmation_prompt=True))


def _accounts() -> Any:
    """The engine of the configured database, migrated to head."""
    from app.storage.db import make_engine
    from app.storage.migrate import upgrade

    settings = get_settings()
    upgrade(settings.database_url)
    return make_engine(settings.database_url)


@users.command("list")
def users_list() -> None:
    """Every account: name, role, whether it may log in, when it was made."""
    from sqlmodel import Session

    from app.services.accounts import list_users

    engine = _accounts()
    with Session(engine) as session:
        accounts = list_users(session)
    engine.dispose()
    if not accounts:
        typer.echo("No accounts yet: citat users add NAME")
    for user in accounts:
        state = "active" if user.active else "removed"
        typer.echo(f"{user.username}\t{user.role}\t{state}\t{user.created_at.date()}")


@users.command("remove")
def users_remove(username: Annotated[str, typer.Argument(help="Login name.")]) -> None:
    """Remove an account: it can no longer log in (its sessions end at once); the audit log
    keeps its name on the corrections it made."""
    from sqlmodel import Session

    from app.services.accounts import AccountError, remove_user

    engine = _accounts()
    try:
        with Session(engine) as session:
            remove_user(session, username)
            typer.echo(f"Removed {username}: it can no longer log in.")
    except AccountError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


@users.command("passwd")
def users_passwd(
    username: Annotated[str, typer.Argument(help="Login name.")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
) -> None:
    """Set a new password (the account's sessions end; a removed account is active again)."""
    from sqlmodel import Session

    from app.services.accounts import AccountError, set_password

    password = _password(password_stdin, "New password")
    engine = _accounts()
    try:
        with Session(engine) as session:
            set_password(session, username, password)
            typer.echo(f"New password set for {username}.")
    except AccountError as exc:
        typer.echo(exc.message, err=True)
        raise typer.Exit(1) from None
    finally:
        engine.dispose()


def main() -> None:
    """Entry point of the ``citat`` console script."""
    from pydantic import ValidationError

    try:
        cli()
    except ValidationError as exc:
        if exc.title != "Settings":
            raise
        # A setting out of range: say which and why, not a traceback.
        for err in exc.errors():
            name = "CITAT_" + "_".join(str(p) for p in err["loc"]).upper()
            typer.echo(f"Setting {name}: {err['msg'].removeprefix('Value error, ')}", err=True)
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()


names = typer.Typer(help="Names of speakers and entities across the archive.",
                    no_args_is_help=True)
cli.add_typer(names, name="names")


@names.command("merge")
def names_merge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="List what would change; change nothing.")
    ] = False,
) -> None:
    """Normalise the stored names and merge the same person or entity (one transaction,
    every change in the audit log; speakers named by people's corrections stay apart)."""
    from sqlmodel import Session

    from app.services.transaction import transaction
    from app.storage.archive_names import merge_names

    engine = _accounts()
    try:
        with Session(engine) as session, transaction(session, commit=not dry_run):
            steps = merge_names(session)
            for step in steps:
                typer.echo(f"{step.action}\t{step.before}\t->\t{step.after or '-'}")
    finally:
        engine.dispose()
    done = "would be made (dry run, nothing changed)" if dry_run else "made"
    typer.echo(f"{len(steps)} change(s) {done}.")
