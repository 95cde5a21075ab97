"""`dlqa export`: the whole library, or a search's answers, as JSON lines, CSV, markdown or an
Elasticsearch/OpenSearch bulk file.

Answers are read through `dlqa.web.backend` (over `dlqa.Library`) one at a time and written as they come, so an
export of any size runs in constant memory. Standard output carries the export and nothing
else; progress goes to stderr, and only when stderr is a terminal. A file named by `--output`
is written beside itself and renamed when complete, so a failed export leaves no half file.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

from dlqa.errors import DlqaError
from dlqa.export.writers import FORMATS, EsBulkWriter

if TYPE_CHECKING:
    from dlqa.library import Library

#: Elasticsearch index names: lowercase, no spaces or / \ * ? " < > | , # :, not starting with - _ +.
_ES_INDEX_NAME = re.compile(r"[a-z0-9][a-z0-9._-]{0,254}")
PROGRESS_EVERY = 50


class ExportUsageError(DlqaError):
    """A bad format, analyzer or index name: exit status 2, like other usage errors."""

    exit_code = 2


class Utf8Sink:
    """Text written as UTF-8 to a binary stream (a page's lone surrogates become U+FFFD)."""

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        self.stream.write(text.encode("utf-8", "replace"))
        return len(text)


def run_export(library: Library | None, query: str, output_format: str,
               output: Path | None, *, mapping: bool = False, analyzer: str = "ik", es_index: str = "dlqa",
               site: str | None = None, author: str | None = None, expand: bool = True) -> None:
    """Write the export (or, with `mapping`, the Elasticsearch index mapping) to `output` or stdout."""
    from dlqa.export.mapping import TOKENIZERS, index_mapping

    if mapping:
        if analyzer not in TOKENIZERS:
            raise ExportUsageError(f"--analyzer must be one of: {', '.join(TOKENIZERS)}")
        text = json.dumps(index_mapping(analyzer), ensure_ascii=False, indent=2) + "\n"
        with _sink(output) as sink:
            sink.write(text)
        return
    if library is None:
        raise ValueError("an export needs a library (only --mapping does not)")
    if output_format not in FORMATS:
        raise ExportUsageError(f"--format must be one of: {', '.join(FORMATS)}")
    if not _ES_INDEX_NAME.fullmatch(es_index):
        raise ExportUsageError("--es-index must be a lowercase Elasticsearch index name (a-z 0-9 . _ -)")
    if (site or author) and not query:
        raise ExportUsageError("--site and --author filter a search: give a QUERY too")
    from dlqa.web import backend

    total: int | None = None
    if query:
        total, records = backend.iter_search(library, query, backend.Options(site=site, author=author,
                                                                                 expand=expand))
        title = f"dlqa: answers for {query}"
    else:
        backend.check_index(library)  # a missing index: one line, before any output
        records = backend.iter_answers(library)
        title = "dlqa: every answer in the library"

    def count() -> int:
        """The progress bar's total: a search knows it; the library is counted (a read of every
        answer's stored fields) only when a bar is shown."""
        return total if total is not None else backend.count_answers(library)

    with _sink(output) as sink, _progress(count) as advance:
        writer = EsBulkWriter(sink, es_index) if output_format == "es-bulk" else FORMATS[output_format](sink)
        writer.begin(title)
        for record in records:
            writer.record(record)
            advance()
        writer.end()


@contextlib.contextmanager
def _sink(output: Path | None) -> Iterator[Utf8Sink]:
    """Standard output, or a temporary file beside `output` renamed over it once complete."""
    if output is None or str(output) == "-":
        sys.stdout.flush()
        try:
            yield Utf8Sink(sys.stdout.buffer)
            sys.stdout.buffer.flush()
        except BrokenPipeError:  # `dlqa export | head`: the reader has what it wanted
            _silence_stdout()
        return
    target = Path(output)
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=target.parent if str(target.parent) else ".")
    except OSError as error:
        raise DlqaError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(handle, "wb") as stream:
            yield Utf8Sink(stream)
        os.chmod(temporary, _new_file_mode(target))
        os.replace(temporary, target)
    except OSError as error:
        raise DlqaError(f"cannot write {target}: {error.strerror or error}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temporary)


def _new_file_mode(target: Path) -> int:
    """The mode `open(target, "w")` would give: the existing file's, else 0o666 less the umask
    (the temporary file is created 0o600)."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush does not fail again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())


@contextlib.contextmanager
def _progress(count: Callable[[], int]) -> Iterator[Callable[[], None]]:
    """A counter that shows a progress bar on stderr when stderr is a terminal (else does nothing);
    `count()`, the bar's total, is asked for only then."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    total = count()
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from dlqa.render_human import make_console

    done = [0]
    with Progress(TextColumn("export"), BarColumn(), MofNCompleteColumn(), console=make_console(stderr=True),
                  transient=True) as bar:
        task = bar.add_task("", total=total)

        def advance() -> None:
            done[0] += 1
            if done[0] % PROGRESS_EVERY == 0 or done[0] == total:
                bar.update(task, completed=done[0])

        yield advance

