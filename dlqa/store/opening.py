"""Opening and creating the index, and the one-line errors for a missing, damaged or
unwritable one.

Every command opens the index here: the manifest's schema version is checked first (an index
from another dlqa version asks for `--rebuild`), then the engine opens every segment file;
anything unreadable becomes `IndexDamagedError`, never a traceback.
"""

from __future__ import annotations

import contextlib
import errno
import os
import time
from pathlib import Path

from dlqa.engine import segments
from dlqa.engine.segments import DAMAGE_ERRORS, SegmentIndex, has_index
from dlqa.errors import DlqaError, IndexDamagedError, IndexWriteError, NoIndexError
from dlqa.store import documents
from dlqa.store.manifest import (
    FILES_CACHE,
    SCHEMA_VERSION,
    VERSION_FILE,
    read_version,
    rebuild_command,
    remembered_sources,
    write_manifest,
)

__all__ = ["DAMAGE_ERRORS", "create_index", "damaged_error", "has_index", "no_index_error",
           "one_line", "open_index", "write_error"]

#: How often opening is tried when files vanish under us (a concurrent commit), ~0.75 s in all.
OPEN_ATTEMPTS = 6
#: Fields without which an index is not a dlqa index.
REQUIRED_FIELDS = {"id", "source_file", "body_grams", "title_grams"}


def no_index_error(index_dir: str | os.PathLike[str]) -> NoIndexError:
    return NoIndexError(f"no index at {index_dir}; run `dlqa ingest corpus/`")


def open_index(index_dir: str | os.PathLike[str], create: bool = False) -> SegmentIndex:
    """Open the index, or create an empty one when `create`; check it is one we can read.

    Its first `searcher()` is the one opened while checking, which holds every segment file
    open (see `dlqa.engine.segments.open_segments`).
    """
    path = Path(index_dir)
    if not has_index(path):
        if segments.has_segments(path):  # segments without a table of contents: not "no index"
            raise damaged_error(path, "its table of contents is missing")
        if not create:
            raise no_index_error(path)
        return create_index(path)
    _check_version(path)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            ix = segments.open_segments(path)
            schema_names = set(ix.schema.names())
            break
        except DlqaError:
            raise
        except Exception as error:  # whoosh raises many types for unreadable files
            # A concurrent ingest may commit and delete the files we just listed: look again.
            if attempt + 1 < OPEN_ATTEMPTS and _vanished(error):
                time.sleep(0.05 * (attempt + 1))
                continue
            raise damaged_error(path, one_line(error)) from None
    if REQUIRED_FIELDS - schema_names:
        ix.searcher().close()
        raise damaged_error(path, "not a dlqa index")
    return ix


def create_index(path: Path, sources: list[str] | None = None) -> SegmentIndex:
    """A new, empty index in `path` (whatever Whoosh index was there is cleared).

    The manifest is written first: a process killed in between leaves a manifest without an
    index (created again next time), never an index that looks like another version's.
    """
    try:
        path.mkdir(parents=True, exist_ok=True)
        write_manifest(path, sources if sources is not None else remembered_sources(path))
        with contextlib.suppress(FileNotFoundError):
            (path / FILES_CACHE).unlink()
        ix = segments.create_segments(path, documents.make_schema())
    except OSError as error:
        raise write_error(path, error) from None
    return ix


def _vanished(error: BaseException) -> bool:
    return isinstance(error, FileNotFoundError) or "No such file" in str(error)


def _check_version(path: Path) -> None:
    try:
        version = read_version(path)
    except FileNotFoundError:
        raise damaged_error(path, f"{VERSION_FILE} is missing") from None
    except (OSError, ValueError, AttributeError):
        raise damaged_error(path, f"{VERSION_FILE} is unreadable") from None
    if version != SCHEMA_VERSION:
        raise IndexDamagedError(
            f"index at {path} was built by another dlqa version (schema {version}, this one "
            f"needs {SCHEMA_VERSION}); run `{rebuild_command(path)}`"
        )


def damaged_error(index_dir: str | os.PathLike[str], detail: str) -> IndexDamagedError:
    """The one line for an unreadable index: what to run, without PATH when it is remembered."""
    path = Path(index_dir)
    return IndexDamagedError(f"the index at {path} is damaged ({detail}); run `{rebuild_command(path)}`")


def write_error(path: Path, error: OSError) -> IndexWriteError:
    """One line for a failed write into the index folder; the last commit stays searchable."""
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "the folder is read-only"
    else:
        reason = error.strerror or one_line(error)
    return IndexWriteError(f"cannot write to the index at {path}: {reason}; "
                           "what was indexed before is kept and still searchable")


def one_line(error: BaseException) -> str:
    """An exception's message on one line, at most 200 characters."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]
