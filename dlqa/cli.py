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
from contextlib import suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from dlqa import __version__
from dlqa.cli_common import (
    INTERRUPTED,
    ColorOption,
    IndexOption,
    console_for,
    fail,
    open_library,
    said_why,
    shown_path,
    user_errors,
)
from dlqa.errors import DlqaError, IngestInterrupted

if TYPE_CHECKING:
    from dlqa.library import Library
    from dlqa.results import Hit
    from dlqa.store.ingest import IngestReport

app = typer.Typer(
    name="dlqa",
    help="Search saved Chinese deep-learning Q&A pages by answer.",
    context_settings={"help_option_names": ["-h", "--help"]},
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"dlqa {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Search saved Chinese deep-learning Q&A pages by answer."""
    if ctx.invoked_subcommand is None:  # bare `dlqa`: the help, and success
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


@app.command(short_help="Show what dlqa extracts from saved pages.")
def parse(
    files: Annotated[list[str], typer.Argument(
        metavar="PATH...", show_default=False,
        help="Saved pages, folders (recursive: .txt .htm .html), or - for standard input.")],
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per file, one per line.")] = False,
    color: ColorOption = "auto",
) -> None:
    """Show what dlqa extracts from saved pages: metadata and answers.

    Example: dlqa parse corpus/ --json | jq '.answers[].author'
    """
    from dlqa.discover import discover
    from dlqa.extract import parse_bytes, parse_file
    from dlqa.pipes import ends_quietly

    console = None if as_json else console_for(color)
    failed = 0
    for arg in files:
        if arg == "-":
            sources: list[str] = ["-"]
        else:
            sources, missing = discover([arg])
            for path, reason in missing:
                typer.echo(f"dlqa: {shown_path(path)}: {reason}", err=True)
                failed += 1
        for path in sources:
            try:
                page = parse_bytes(sys.stdin.buffer.read(), "<stdin>") if path == "-" else parse_file(path)
            except DlqaError as error:
                typer.echo(f"dlqa: {shown_path(path)}: {error}", err=True)
                failed += 1
                continue
            with ends_quietly(1 if failed else 0):
                if console is None:
                    from dlqa.render_json import dumps

                    sys.stdout.write(dumps(page.to_dict()) + "\n")
                    sys.stdout.flush()
                else:
                    from dlqa.render_human import print_page

                    print_page(page, console)
    if failed:
        raise typer.Exit(1)


@app.command(short_help="Add saved pages to the index.")
def ingest(
    paths: Annotated[
        list[str] | None,
        typer.Argument(metavar="PATH...", help="Files, folders (recursive: .txt .htm .html) and globs.",
                       show_default=False),
    ] = None,
    index: IndexOption = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Start over: drop everything indexed first.")] = False,
    prune: Annotated[bool, typer.Option("--prune", help="Drop answers of indexed files that no longer exist.")] = False,
    wait: Annotated[float, typer.Option(
        "--wait", envvar="DLQA_WAIT", min=0, metavar="SECONDS",
        help="How long to wait while another ingest holds the index before giving up.")] = 10.0,
    jobs: Annotated[int | None, typer.Option(
        "--jobs", "-j", envvar="DLQA_JOBS", min=1, metavar="N", show_default="usable cores",
        help="Worker processes for large batches (1: everything in this process).")] = None,
    color: ColorOption = "auto",
) -> None:
    """Add saved pages to the index; unchanged files are skipped, changed ones replaced.

    `--rebuild` without PATH rebuilds from the paths the index was made from. Ctrl-C keeps
    every batch already committed; run the same command again to finish.

    Example: dlqa ingest corpus/ 'downloads/**/*.html' --index ~/dlqa-index
    """
    if not paths and not prune and not rebuild:
        raise fail("nothing to ingest: give files, folders or globs (or --prune alone)", 2)
    from dlqa.render_human import print_ingest_report

    library = open_library(index, create=True)
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
    print_ingest_report(report, console_for(color))
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


@app.command(short_help="Find answers: words, phrases, filters.")
def search(
    query: Annotated[
        list[str],
        typer.Argument(metavar="QUERY...", show_default=False,
                       help='Words (ANDed), "phrases", OR, NOT/-word, ( ), author: site: title: body:.'),
    ],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N", help="Answers per page.")] = 10,
    page: Annotated[int, typer.Option("--page", "-p", min=1, metavar="K", help="Which page of answers.")] = 1,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: query, total, results.")] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="One JSON result per line.")] = False,
    author: Annotated[str | None, typer.Option("--author", metavar="NAME", help="Only answers whose author contains this.")] = None,
    site: Annotated[str | None, typer.Option("--site", metavar="SITE", autocompletion=complete_site,
                                             help="Only this site: python88, blog, v2ex, zhihu, web.")] = None,
    since: Annotated[str | None, typer.Option("--since", metavar="YYYY-MM-DD",
                                              help="Only answers dated this day or later.")] = None,
    until: Annotated[str | None, typer.Option("--until", metavar="YYYY-MM-DD",
                                              help="Only answers dated this day or earlier.")] = None,
    sort: Annotated[str, typer.Option("--sort", metavar="relevance|date", autocompletion=complete_sort,
                                      help="Best matches first, or newest first (undated last).")] = "relevance",
    no_expand: Annotated[bool, typer.Option("--no-expand",
                                            help="Search only the words typed, not their glossary synonyms.")] = False,
    count: Annotated[bool, typer.Option("--count", "-c", help="Print only the number of matching answers.")] = False,
    files: Annotated[bool, typer.Option("--files", "-l",
                                        help="Print only the saved pages that match, one per line.")] = False,
    color: ColorOption = "auto",
    index: IndexOption = None,
) -> None:
    """Find answers: every word must occur (as written, any case); best matches first.

    A glossary term also finds its other names (overfitting finds 过拟合), exact matches
    first; reposts of one answer are one result. Exit status: 0 something matched, 1 nothing
    did, 2 bad query or no index. Put `--` before a query that starts with '-'.

    Example: dlqa search 过拟合 NOT 欠拟合 site:python88 --limit 5
    """
    chosen = [name for name, on in (("--json", as_json), ("--jsonl", as_jsonl), ("--count", count),
                                    ("--files", files)) if on]
    if len(chosen) > 1:
        raise fail(f"{' and '.join(chosen)} cannot be used together", 2)
    from dlqa.dedup import parse_date_option
    from dlqa.pipes import ends_quietly
    from dlqa.search import SORTS
    from dlqa.usage import check_date_range

    if sort not in SORTS:
        raise fail(f"--sort must be one of: {', '.join(SORTS)}", 2)
    try:
        dates = [value and parse_date_option(value) for value in (since, until)]
    except ValueError as error:
        raise fail(f"--since/--until: {error}", 2) from None
    text = " ".join(query)
    options: dict[str, Any] = {"site": site, "author": author, "since": since, "until": until, "sort": sort,
                               "expand": not no_expand}
    library = open_library(index)
    with user_errors():
        check_date_range(*dates)
        if files:
            pages = library.matching_files(text, **options)
            if not pages:
                _explain_nothing(library, site)
            with ends_quietly(0 if pages else 1):
                sys.stdout.write("".join(f"{shown_path(path)}\n" for path in pages))
                sys.stdout.flush()
            raise typer.Exit(0 if pages else 1)
        results = library.search(text, limit=limit, page=page, **options)
        empty = not results.total and not results.partial and _explain_nothing(library, site)
    status = 0 if results.total or results.partial else 1
    with ends_quietly(status):
        if count:
            sys.stdout.write(f"{results.total}\n")
        elif as_json or as_jsonl:
            from dlqa.render_json import dumps

            if as_json:
                sys.stdout.write(dumps(results.to_dict()) + "\n")
            else:
                sys.stdout.write("".join(dumps(hit.to_dict()) + "\n" for hit in results.results))
        else:
            from dlqa.render_human import print_results

            print_results(results, console_for(color))
            if not results.total and not results.partial and not empty:
                hint = f"; did you mean {results.suggestion}?" if results.suggestion else ""
                unmatched = results.unmatched if results.unmatched and results.unmatched != text.strip() else None
                found_nothing = f" ({unmatched} finds nothing)" if unmatched else ""
                typer.echo(f"no answer matches {text}{found_nothing}{hint}", err=True)
        sys.stdout.flush()
    raise typer.Exit(status)


def _explain_nothing(library: Library, site: str | None) -> bool:
    """When a search found nothing: say so if the index is empty (True), or raise a usage error
    for a `--site` no page can have. The common case, a search that finds answers, pays nothing."""
    from dlqa.usage import check_site

    if library.answer_count() == 0:
        typer.echo(f"dlqa: the index at {library.path} is empty: add pages with `dlqa ingest FOLDER`", err=True)
        return True
    known = library.sites()
    if site and site.strip().lower() not in known:
        from dlqa.sites import all_sites  # the site rules: loaded for this message only

        check_site(site, [*known, *(rules.name for rules in all_sites())])
    return False


def complete_site(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of `--site`: the sites of the index the command would use."""
    from dlqa.library import Library

    try:
        return [name for name in Library(ctx.params.get("index")).sites() if name.startswith(incomplete)]
    except Exception:  # completion must never print a traceback into the user's shell
        return []


def complete_sort(incomplete: str) -> list[str]:
    """Shell completion of `--sort`."""
    from dlqa.search import SORTS

    return [name for name in SORTS if name.startswith(incomplete)]


@app.command(short_help="Print one whole answer.")
def show(
    answer_id: Annotated[str, typer.Argument(metavar="ID", help="An answer id (or its first 6+ characters).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="The answer as one JSON object.")] = False,
    no_pager: Annotated[bool, typer.Option(
        "--no-pager", help="Print straight to the terminal; else long answers go through DLQA_PAGER, PAGER "
                           "or less -FRX.")] = False,
    color: ColorOption = "auto",
    index: IndexOption = None,
) -> None:
    """Print one whole answer: title, author, link and page first, its key terms (TF-IDF),
    then the body wrapped to the terminal's width.

    Example: dlqa show 3f2a9c01   (ids are in `dlqa search` output)
    """
    from dlqa.pipes import ends_quietly

    library = open_library(index)
    hit = _answer(library, answer_id)
    with user_errors():
        terms = library.key_terms(hit.id)
    if as_json:
        from dlqa.render_json import dumps

        data = hit.to_dict(search_fields=False)
        data["key_terms"] = terms or []
        with ends_quietly(0):
            sys.stdout.write(dumps(data) + "\n")
            sys.stdout.flush()
        return
    import io
    import shutil

    from dlqa.pager import pager_command, show_paged
    from dlqa.render_human import print_answer

    screen = shutil.get_terminal_size()
    buffer = io.StringIO()
    print_answer(hit, console_for(color, file=buffer, width=screen.columns), key_terms=terms or [])
    text = buffer.getvalue()
    command = pager_command(os.environ, is_terminal=sys.stdout.isatty(), no_pager=no_pager,
                            text_lines=text.count("\n"), screen_lines=screen.lines)
    with ends_quietly(0):
        show_paged(text, command)


def _answer(library: Library, answer_id: str) -> Hit:
    """The answer with this id or id prefix, or the one-line error that says why not."""
    from dlqa.usage import check_answer_id

    with user_errors():
        hit = library.get(check_answer_id(answer_id))
    if hit is None:
        raise fail(f"no answer with id {shown_path(answer_id)} (or the prefix is shared by several)")
    return hit


@app.command(name="open", short_help="Open an answer's link in the browser.")
def open_answer(
    answer_id: Annotated[str, typer.Argument(metavar="ID", help="An answer id (or its first 6+ characters).",
                                             show_default=False)],
    index: IndexOption = None,
) -> None:
    """Open an answer's link in the web browser (http and https links only).

    Example: dlqa open 8262a860
    """
    from dlqa.browse import open_link

    hit = _answer(open_library(index), answer_id)
    with user_errors():
        link = open_link(hit.link)
    typer.echo(f"opened {link}", err=True)


@app.command(short_help="List answers about the same ideas.")
def similar(
    answer_id: Annotated[str, typer.Argument(metavar="ID", help="An answer id (or its first 6+ characters).",
                                             show_default=False)],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, metavar="N", help="How many answers.")] = 10,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object: key_terms, total, results.")] = False,
    color: ColorOption = "auto",
    index: IndexOption = None,
) -> None:
    """List answers about the same ideas: sharing this answer's key terms (TF-IDF).

    Example: dlqa similar 8262a860   (reposts of the answer itself are left out)
    """
    from dlqa.pipes import ends_quietly
    from dlqa.usage import check_answer_id

    library = open_library(index)
    with user_errors():
        found = library.similar(check_answer_id(answer_id), limit=limit)
    if found is None:
        raise fail(f"no answer with id {shown_path(answer_id)} (or the prefix is shared by several)")
    status = 0 if found.results else 1
    with ends_quietly(status):
        if as_json:
            from dlqa.render_json import dumps

            sys.stdout.write(dumps(found.to_dict()) + "\n")
        else:
            from dlqa.render_human import print_similar

            print_similar(found, console_for(color))
        sys.stdout.flush()
    raise typer.Exit(status)


@app.command(short_help="What the index holds, and which index.")
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object.")] = False,
    color: ColorOption = "auto",
    index: IndexOption = None,
) -> None:
    """Show what the index holds and why it was chosen: pages per site, answers, top authors,
    size on disk.

    Example: dlqa stats --json | jq .sites
    """
    from dlqa.pipes import ends_quietly

    library = open_library(index)
    with user_errors():
        data = library.stats()
    data["index_chosen"] = library.location.reason
    with ends_quietly(0):
        if as_json:
            from dlqa.render_json import dumps

            sys.stdout.write(dumps(data) + "\n")
        else:
            from dlqa.render_human import print_stats

            print_stats(data, console_for(color))
        sys.stdout.flush()


@app.command(short_help="Show or change your settings.")
def config(
    name: Annotated[str | None, typer.Argument(metavar="NAME", show_default=False,
                                               help="A setting: index.")] = None,
    value: Annotated[str | None, typer.Argument(metavar="VALUE", show_default=False,
                                                help="Its new value (a folder for index).")] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Remove the setting NAME.")] = False,
) -> None:
    """Show or change your settings, kept in your user config folder.

    With no NAME: the settings file and every setting. With NAME: its value. With NAME VALUE:
    set it (a folder is stored as an absolute path).

    Example: dlqa config index ~/dlqa-index
    """
    from dlqa import config as settings_file

    changing = unset or value is not None
    if changing and (name is None or (unset and value is not None) or (value is not None and not value.strip())):
        raise fail("use `dlqa config NAME VALUE` to set a setting, `dlqa config --unset NAME` to remove it", 2)
    with user_errors():
        path = settings_file.config_file()
        if name is not None:
            settings_file.check_name(name)
        if unset:
            settings_file.write_setting(path, name, None)
        elif value is not None:  # the one setting today is a folder: stored absolute
            settings_file.write_setting(path, name, str(Path(value).expanduser().resolve()))
        settings = settings_file.read_settings(path)
    if name is not None and not changing:
        if name not in settings:
            raise typer.Exit(1)  # like `git config NAME`: unset is status 1, nothing printed
        typer.echo(settings[name])
        return
    if name is None:
        typer.echo(f"settings file: {shown_path(path)}{'' if path.exists() else ' (not created yet)'}")
        for key, meaning in settings_file.SETTINGS.items():
            shown = shown_path(settings[key]) if key in settings else "(not set)"
            typer.echo(f"{key} = {shown}    # {meaning}")


@app.command(short_help="Search and read the library in a local web page.")
def serve(
    index: IndexOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but loopback is reachable "
                                                     "from other machines.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free one).")] = 8765,
    open_browser: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
) -> None:
    """Search and read the library in a local web page (Ctrl-C stops it).

    Example: dlqa serve --open   (then http://127.0.0.1:8765/?q=过拟合, or /api/search?q=过拟合)
    """
    from dlqa.web.server import run_server

    library = open_library(index)
    with user_errors():
        run_server(library, host, port, open_browser)


@app.command(short_help="Export answers: JSON lines, CSV, markdown, Elasticsearch.")
def export(
    query: Annotated[list[str] | None, typer.Argument(
        metavar="[QUERY]", show_default=False, help="Only the answers this search finds (default: every answer).")] = None,
    output_format: Annotated[str, typer.Option("--format", "-f", metavar="jsonl|csv|markdown|es-bulk",
                                               help="Output format.")] = "jsonl",
    output: Annotated[Path | None, typer.Option("--output", "-o", metavar="FILE", dir_okay=False,
                                                help="Write to FILE (default: standard output).")] = None,
    mapping: Annotated[bool, typer.Option("--mapping", help="Print an Elasticsearch/OpenSearch index "
                                                            "mapping for es-bulk output, and exit.")] = False,
    analyzer: Annotated[str, typer.Option("--analyzer", metavar="ik|smartcn",
                                          help="Chinese analysis plugin the --mapping uses.")] = "ik",
    es_index: Annotated[str, typer.Option("--es-index", metavar="NAME",
                                          help="Index name in es-bulk action lines.")] = "dlqa",
    site: Annotated[str | None, typer.Option("--site", help="With QUERY: only this site.")] = None,
    author: Annotated[str | None, typer.Option("--author", help="With QUERY: only this author.")] = None,
    no_expand: Annotated[bool, typer.Option("--no-expand", help="With QUERY: no glossary synonyms.")] = False,
    index: IndexOption = None,
) -> None:
    """Export the library (or a search's answers) as JSON lines, CSV, markdown or an
    Elasticsearch bulk file, streamed; progress on stderr when it is a terminal.

    Example: dlqa export 过拟合 --format csv -o overfitting.csv
    """
    from dlqa.export import run_export

    library = None if mapping else open_library(index)  # the mapping needs no index
    with user_errors():
        run_export(library, " ".join(query or []), output_format, output, mapping=mapping, analyzer=analyzer,
                   es_index=es_index, site=site, author=author, expand=not no_expand)


class _PlainUsage(TyperCommand):
    """Usage lines as click writes them, `dlqa show ID`: typer 0.28 writes a required
    argument as `{ID}`, which reads like a placeholder to fill in."""

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        return [piece[1:-1] if piece.startswith("{") and piece.endswith("}") else piece
                for piece in super().collect_usage_pieces(ctx)]


for _info in app.registered_commands:
    _info.cls = _PlainUsage


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
        status = app(args=exclusions_as_words(sys.argv[1:]), standalone_mode=False)
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
    if status == INTERRUPTED and INTERRUPTED not in said_why:
        typer.echo("dlqa: interrupted", err=True)
    sys.exit(status)


def exclusions_as_words(argv: list[str]) -> list[str]:
    """`dlqa search 神经网络 -楼主`: a dash before a Chinese (any non-ASCII) word excludes it, as
    in the query language; click would read `-楼主` as the options -楼 -主 and refuse it. It is
    passed on as `NOT 楼主`, which means the same, in place. No option of dlqa's starts with a
    non-ASCII letter; after `--` nothing is touched. (`-word` in Latin letters still needs
    `--` or quotes: it cannot be told from a mistyped option.)"""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command != "search":
        return argv
    out: list[str] = []
    for index, arg in enumerate(argv):
        if arg == "--":
            return out + argv[index:]
        if len(arg) > 1 and arg[0] == "-" and not arg[1].isascii():
            out += ["NOT", arg[1:]]
        else:
            out.append(arg)
    return out


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
