"""What every `dlqa` command shares: one-line errors and their exit status, the library a
command uses, and the `--color` and `--index` options.

Kept apart from `dlqa.cli` so that the commands read as commands; like them, it imports the
library and rich on first use (a fresh `dlqa search` is a benchmarked target).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dlqa.errors import DlqaError

if TYPE_CHECKING:
    from rich.console import Console

    from dlqa.library import Library


#: Exit status of a command stopped by Ctrl-C (typer turns KeyboardInterrupt into it silently).
INTERRUPTED = 130
#: The exit statuses `fail` has already explained on stderr (`dlqa.cli.main` reads it).
said_why: list[int] = []


def shown_path(path: object) -> str:
    """A file name for a one-line message: control characters (newline, ESC) escaped."""
    return "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode("ascii")
        for char in str(path)
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(f"dlqa: {message}", err=True)
    said_why.append(code)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `DlqaError` into its one line and exit status, also under typer's CliRunner."""
    try:
        yield
    except DlqaError as error:
        raise fail(str(error), error.exit_code) from None


def open_library(option: Path | None, create: bool = False) -> Library:
    """The library a command uses (`dlqa.store.location` decides which), or its one-line error."""
    from dlqa.library import Library

    with user_errors():
        return Library(option, create=create)


ColorOption = Annotated[str, typer.Option(
    "--color", metavar="auto|always|never", autocompletion=lambda: ["auto", "always", "never"],
    help="Colour and clickable links: auto (terminals only; NO_COLOR, FORCE_COLOR), always, never.")]


def console_for(color: str, stderr: bool = False, file: object = None, width: int | None = None) -> Console:
    """A rich console coloured as `--color` says (`dlqa.colour`)."""
    from dlqa.colour import use_colour
    from dlqa.render_human import make_console

    stream = sys.stderr if stderr else sys.stdout
    try:
        colour = use_colour(color, os.environ, stream.isatty())
    except ValueError as error:
        raise fail(str(error), 2) from None
    return make_console(stderr=stderr, color=colour, file=file, width=width)


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", show_default=False, metavar="DIR", file_okay=False,
                 help="Index folder; else DLQA_INDEX, then `dlqa config index`, then the nearest index/ "
                      "here or above."),
]
