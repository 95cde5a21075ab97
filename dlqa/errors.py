"""User-facing errors: each one is shown as a single line, never as a traceback."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dlqa.store.ingest import IngestReport


class DlqaError(Exception):
    """Base class: the message is one line meant for the user."""

    exit_code = 1


class InputError(DlqaError):
    """A file that cannot be read or decoded (binary, unreadable, too large, …)."""


class QueryError(DlqaError):
    """A search query that cannot be parsed; exit status 2 like grep's usage errors."""

    exit_code = 2


class NoIndexError(DlqaError):
    """There is no index at the location asked for."""

    exit_code = 2


class IndexBusyError(DlqaError):
    """Another process holds the index's write lock for longer than we are willing to wait."""


class IndexDamagedError(DlqaError):
    """The index files cannot be read; `dlqa ingest --rebuild` recreates them."""


class IndexWriteError(DlqaError):
    """The index folder cannot be written (read-only, disk full): the last commit is kept."""


class WorkerWriteError(Exception):
    """An ingest worker could not write its segment (disk full, read-only folder); the ingest
    turns it into an `IndexWriteError` once every worker has stopped."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.os_error = error


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during `ingest`, carrying the report of what was committed before it.

    Still a KeyboardInterrupt, so callers that do not care see the usual exception.
    """

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report
