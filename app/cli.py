"""The ``citat`` command (Typer). Each command is a thin call into the packages below."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

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
    extractor = Extractor.load(sv_model=settings.sv_model, en_model=settings.en_model)
    result = extractor.extract(text, language=language)
    if format == "json":
        sys.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        return
    for q in result.quotes:
        who = q.speaker or "?"
        typer.echo(f"[{q.type}] {who}: {q.text}  ({q.start}-{q.end}, cue={q.cue})")


@cli.command("eval")
def eval_(
    files: Annotated[list[Path], typer.Argument(help="Gold JSONL files.")],
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every error.")] = False,
) -> None:
    """Score the extractor against gold JSONL sets: quote P/R/F1, speakers, indirect speech."""
    from app.extraction.evaluation import evaluate_files, format_report
    from app.extraction.pipeline import Extractor

    settings = get_settings()
    extractor = Extractor.load(sv_model=settings.sv_model, en_model=settings.en_model)
    report = evaluate_files(files, extractor)
    typer.echo(format_report(report, verbose=verbose))


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
) -> None:
    """Train the Swedish or English spaCy pipeline from the public corpora."""
    from app.training import train_pipeline

    scores = train_pipeline(lang=lang, data_dir=data, output_dir=output,
                            max_minutes=max_minutes, smoke=smoke)
    typer.echo(json.dumps(scores, indent=2, ensure_ascii=False))


def main() -> None:
    """Entry point of the ``citat`` console script."""
    cli()


if __name__ == "__main__":
    main()
