"""User-facing errors: each one is shown as a single line, never as a traceback."""

from __future__ import annotations


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
