"""Stage 10: the command line, a thin layer over `dlqa.library.Library` (and
`dlqa.extract` for `parse`): options in, one call, a renderer out.

Every command turns `DlqaError`s into one line on stderr and a non-zero exit status. Each
command imports its renderer and library parts itself: a fresh `dlqa search` is a
benchmarked target (≤ 0.15 s at 10k answers), and rich's console (~20 ms), extraction
(~35 ms) and ingest's modules are not on its path.
"""

from __future__ import annotations

import atexit
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from dlqa import __version__
from dlqa.errors import DlqaError, IngestInterrupted

if TYPE_CHECKING:
    from dlqa.library import Library
    from dlqa.store.ingest import IngestReport

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


#: Exit status of a command stopped by Ctrl-C (typer turns KeyboardInterrupt into it silently).
INTERRUPTED = 130
_said_why: list[int] = []


def shown_path(path: object) -> str:
    """A file name for a one-line message: control characters (newline, ESC) escaped."""
    return "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode("ascii")
        for char in str(path)
    )


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one line on stderr and return the Exit to raise."""
    typer.echo(f"dlqa: {message}", err=True)
    _said_why.append(code)
    return typer.Exit(code)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a `DlqaError` into its one line and exit status, also under typer's CliRunner."""
    try:
        yield
    except DlqaError as error:
        raise fail(str(error), error.exit_code) from None


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
            typer.echo(f"dlqa: {shown_path(path)}: {error}", err=True)
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


IndexOption = Annotated[
    Path | None,
    typer.Option("--index", envvar="DLQA_INDEX", show_default="index/", metavar="DIR",
                 help="Index folder.", file_okay=False),
]


@app.command()
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders (recursive: .txt .htm .html) and globs.", show_default=False),
    ] = None,
    index: IndexOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start over: drop everything indexed first.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Drop answers of indexed files that no longer exist.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", envvar="DLQA_WAIT", min=0, metavar="SECONDS",
        help="How long to wait while another ingest holds the index before giving up.")] = 10.0,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", envvar="DLQA_JOBS", min=1, show_default="usable cores",
        help="Worker processes for large batches (1: everything in this process).")] = None,
) -> None:
    """Add saved pages to the index; unchanged files are skipped, changed ones replaced.

    `--rebuild` without PATH rebuilds from the paths the index was made from. Ctrl-C keeps
    every batch already committed; run the same command again to finish.

    Example: dlqa ingest corpus/ 'downloads/**/*.html' --index ~/dlqa-index
    """
    if not paths and not prune and not rebuild:
        raise fail("nothing to ingest: give files, folders or globs (or --prune alone)", 2)
    from dlqa.library import Library
    from dlqa.render_human import make_console, print_ingest_report

    library = Library(index)
    try:
        with user_errors():
            report = _ingest_with_progress(library, paths or [], rebuild, prune, wait, jobs) \
                if sys.stderr.isatty() \
                else library.ingest(paths or [], rebuild=rebuild, prune=prune, wait=wait, jobs=jobs)
    except IngestInterrupted as stop:
        count = stop.report.pages_committed
        files = "1 file was" if count == 1 else f"{count} files were"
        raise fail(f"interrupted; {files} indexed before the interruption (the index is intact)", 130) from None
    except KeyboardInterrupt:
        raise fail("interrupted before anything was indexed (the index is intact)", 130) from None
    for path, reason in report.failures:
        typer.echo(f"dlqa: {shown_path(path)}: {reason}", err=True)
    print_ingest_report(report, make_console())
    if report.failures:
        raise typer.Exit(1)


def _ingest_with_progress(library: Library, paths: list[str], rebuild: bool, prune: bool,
                          wait: float | None = None, jobs: int | None = None) -> IngestReport:
    """`ingest` with a progress line on stderr (only used when stderr is a terminal): files
    done, rate, time left, and the stage (writing, committing) after the last file."""
    from dlqa.render_human import make_console
    from dlqa.render_progress import progress_on

    with progress_on(make_console(stderr=True)) as progress:
        return library.ingest(paths, rebuild=rebuild, prune=prune, progress=progress, wait=wait,
                              jobs=jobs)


@app.command()
def search(
    query: Annotated[
        list[str],
        typer.Argument(metavar="QUERY", show_default=False,
                       help='Words (ANDed), "phrases", OR, NOT/-word, ( ), author: site: title: body:.'),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Answers per page.")] = 10,
    page: Annotated[int, typer.Option("--page", "-p", min=1, help="Which page of answers.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: query, total, results.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON result per line.")] = False,
    author: Annotated[str | None, typer.Option("--author", help="Only answers whose author contains this.")] = None,
    site: Annotated[str | None, typer.Option("--site", help="Only this site: python88, blog, v2ex, zhihu, web.")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="YYYY-MM-DD",
                                              help="Only answers dated this day or later.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD",
                                              help="Only answers dated this day or earlier.")] = None,
    sort: Annotated[str, typer.Option("--sort", metavar="relevance|date",
                                      help="Best matches first, or newest first (undated last).")] = "relevance",
    no_expand: Annotated[bool, typer.Option("--no-expand",
                                            help="Search only the words typed, not their glossary synonyms.")] = False,
    index: IndexOption = None,
) -> None:
    """Find answers: every word must occur (as written, any case); best matches first.

    A glossary term also finds its other names (overfitting finds 过拟合), exact matches
    first; reposts of one answer are one result. Exit status: 0 something matched, 1 nothing
    did, 2 bad query or no index. Put `--` before a query that starts with '-'.

    Example: dlqa search 过拟合 NOT 欠拟合 site:python88 --limit 5
    """
    if as_json and as_jsonl:
        raise fail("--json and --jsonl cannot be used together", 2)
    from dlqa.dedup import parse_date_option
    from dlqa.library import Library
    from dlqa.search import SORTS

    if sort not in SORTS:
        raise fail(f"--sort must be one of: {', '.join(SORTS)}", 2)
    for value in (since, until):
        try:
            if value:
                parse_date_option(value)
        except ValueError as error:
            raise fail(f"--since/--until: {error}", 2) from None
    text = " ".join(query)
    with user_errors():
        results = Library(index).search(text, limit=limit, page=page, site=site, author=author,
                                        since=since, until=until, sort=sort, expand=not no_expand)
    if as_json or as_jsonl:
        from dlqa.render_json import dumps

        if as_json:
            sys.stdout.write(dumps(results.to_dict()) + "\n")
        else:
            sys.stdout.write("".join(dumps(hit.to_dict()) + "\n" for hit in results.results))
    else:
        from dlqa.render_human import make_console, print_results

        print_results(results, make_console())
        if not results.total:
            hint = f"; did you mean {results.suggestion}?" if results.suggestion else ""
            typer.echo(f"no answer matches {text}{hint}", err=True)
    raise typer.Exit(0 if results.total else 1)


@app.command()
def show(
    answer_id: Annotated[str, typer.Argument(metavar="ID", help="An answer id (or its first 6+ characters).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="The answer as one JSON object.")] = False,
    index: IndexOption = None,
) -> None:
    """Print one whole answer: title, link, author, its key terms (TF-IDF), body.

    Example: dlqa show 3f2a9c01d4e5b677   (ids are in `dlqa search --json` output)
    """
    from dlqa.library import Library

    library = Library(index)
    with user_errors():
        hit = library.get(answer_id)
        terms = library.key_terms(hit.id) if hit is not None else None
    if hit is None:
        raise fail(f"no answer with id {answer_id}")
    if as_json:
        from dlqa.render_json import dumps

        data = hit.to_dict(search_fields=False)
        data["key_terms"] = terms or []
        sys.stdout.write(dumps(data) + "\n")
    else:
        from dlqa.render_human import make_console, print_answer

        print_answer(hit, make_console(), key_terms=terms or [])


@app.command()
def similar(
    answer_id: Annotated[str, typer.Argument(metavar="ID", help="An answer id (or its first 6+ characters).",
                                             show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="How many answers.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: key_terms, total, results.")] = False,
    index: IndexOption = None,
) -> None:
    """List answers about the same ideas: sharing this answer's key terms (TF-IDF).

    Example: dlqa similar 8262a860   (reposts of the answer itself are left out)
    """
    from dlqa.library import Library

    with user_errors():
        found = Library(index).similar(answer_id, limit=limit)
    if found is None:
        raise fail(f"no answer with id {answer_id}")
    if as_json:
        from dlqa.render_json import dumps

        sys.stdout.write(dumps(found.to_dict()) + "\n")
    else:
        from dlqa.render_human import make_console, print_similar

        print_similar(found, make_console())
    raise typer.Exit(0 if found.results else 1)


@app.command()
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    index: IndexOption = None,
) -> None:
    """Show what the index holds: pages per site, answers, top authors, size on disk.

    Example: dlqa stats --json | jq .sites
    """
    from dlqa.library import Library

    with user_errors():
        data = Library(index).stats()
    if as_json:
        from dlqa.render_json import dumps

        sys.stdout.write(dumps(data) + "\n")
    else:
        from dlqa.render_human import make_console, print_stats

        print_stats(data, make_console())


def main() -> None:
    """The `dlqa` entry point: whatever goes wrong ends as one line on stderr, never a traceback.

    An unexpected exception (a bug) exits 70 (EX_SOFTWARE); `DLQA_DEBUG=1` shows its traceback.
    """
    try:
        from typer import _click as click  # recent typer vendors its own copy of click
        from typer.exceptions import Abort
    except ImportError:  # pragma: no cover - older typer
        import click  # type: ignore[no-redef]
        from click.exceptions import Abort  # type: ignore[no-redef]

    try:
        # Not standalone: click would turn Ctrl-C into "Aborted!" and exit status 1.
        status = app(standalone_mode=False)
    except DlqaError as error:
        typer.echo(f"dlqa: {error}", err=True)
        sys.exit(error.exit_code)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except (KeyboardInterrupt, Abort):
        typer.echo("dlqa: interrupted", err=True)
        sys.exit(130)
    except Exception as error:
        if os.environ.get("DLQA_DEBUG"):
            raise
        detail = " ".join(str(error).split())[:300]
        typer.echo(f"dlqa: internal error: {type(error).__name__}: {detail} "
                   "(set DLQA_DEBUG=1 to see the traceback)", err=True)
        sys.exit(70)
    status = status if isinstance(status, int) else 0
    if status == INTERRUPTED and INTERRUPTED not in _said_why:
        typer.echo("dlqa: interrupted", err=True)
    sys.exit(status)


def entry_point() -> None:
    """The installed `dlqa` command: `main`, then end the process without Python's teardown.

    Once a command is done, freeing every module and object one by one only costs time: 20-25
    ms of a 150 ms `dlqa search` here, for memory and files the OS reclaims anyway. Every file
    dlqa writes is closed before its command returns; exit handlers still run and output is
    flushed. `main` itself ends with `SystemExit`, so tests and scripts can call it.
    """
    try:
        main()
        status: object = 0
    except SystemExit as done:
        status = done.code
    if status is not None and not isinstance(status, int):
        print(status, file=sys.stderr)  # what `sys.exit(message)` would print
        status = 1
    atexit._run_exitfuncs()  # noqa: SLF001 - the only way to run exit handlers before os._exit
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):  # a reader that went away (`| head`): nothing left to say
            stream.flush()
    os._exit(status or 0)
