"""Stage 10: the command line, a thin layer over the library API (`dlqa.extract`, …).

Every command turns `DlqaError`s into one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from dlqa import __version__
from dlqa.errors import DlqaError

app = typer.Typer(
    name="dlqa",
    help="Search saved Chinese deep-learning Q&A pages by answer.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlqa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Search saved Chinese deep-learning Q&A pages by answer."""


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(f"dlqa: {message}", err=True)
    return typer.Exit(code)


@app.command()
def parse(
    files: Annotated[list[Path], typer.Argument(help="Saved pages (.txt, .html).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file, one per line.")] = False,
) -> None:
    """Show what dlqa extracts from saved pages: metadata and answers.

    Example: dlqa parse corpus/000_51283b9247c6f6b8.txt --json | jq '.answers[].author'
    """
    from dlqa.extract import parse_file

    failed = 0
    for path in files:
        try:
            page = parse_file(path)
        except DlqaError as error:
            typer.echo(f"dlqa: {path}: {error}", err=True)
            failed += 1
            continue
        if as_json:
            from dlqa.render_json import dumps

            sys.stdout.write(dumps(page.to_dict()) + "\n")
        else:
            from dlqa.render_human import print_page

            print_page(page)
    if failed:
        raise typer.Exit(1)


def main() -> None:
    try:
        app()
    except DlqaError as error:
        typer.echo(f"dlqa: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        typer.echo("dlqa: interrupted", err=True)
        sys.exit(130)
