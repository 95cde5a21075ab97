"""Filling the index: which files need work, parsing them, adding their answers, committing.

Truth lives in the index's documents: each file's first answer stores the file's resolved
path and signature (size, mtime, sha1), so re-ingesting is idempotent even after a crash; the
signature cache (`manifest.FILES_CACHE`) is rebuilt from the documents when it describes
another commit. Batches commit atomically; large ones are indexed by worker processes
(`dlqa.store.workers`), one segment each, committed together.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from dlqa import extract
from dlqa.analysis import load_segmenter
from dlqa.discover import discover
from dlqa.engine import postings
from dlqa.engine.segments import LockError, SegmentIndex, merge_policy, remove_unlisted_files
from dlqa.errors import (
    DlqaError,
    IndexBusyError,
    IndexDamagedError,
    IngestInterrupted,
    InputError,
    NoIndexError,
    WorkerWriteError,
)
from dlqa.reader import read_bytes
from dlqa.store import workers
from dlqa.store.documents import document, make_schema
from dlqa.store.manifest import (
    FILES_CACHE,
    manifest_sources,
    remembered_sources,
    write_json,
    write_manifest,
)
from dlqa.store.opening import create_index, one_line, open_index, write_error
from dlqa.store.workers import FileResult, Job

INGEST_LOCK = "dlqa-ingest.lock"
#: Files and bytes per commit at most: they bound memory. The hidden knob
#: `DLQA_COMMIT_EVERY=N` overrides the file count (the crash tests commit every few files).
BATCH_FILES = 2000
BATCH_BYTES = 32 * 1024 * 1024
#: Commit by time too, so Ctrl-C or a kill loses little: whenever this many seconds of work
#: are ready, or a third of the time the ingest has run so far if that is longer. Each commit
#: adds one segment per worker and many small segments slow every search, so a long ingest
#: commits less often: 10 s apart at first, about 11 commits in 5 minutes instead of 30; and
#: no extra commit is made when the batch should end within those 10 s anyway.
#: `DLQA_COMMIT_SECONDS` (hidden, for tests) overrides the seconds.
COMMIT_SECONDS = 10.0
COMMIT_GROWTH = 1 / 3
#: Below this many bytes in a batch, forking workers costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
#: Seconds to wait for another ingest before giving up with IndexBusyError (`ingest --wait`).
LOCK_TIMEOUT = 10.0
#: Leftovers of a killed process: Whoosh's TOC temp files and our JSON temp files.
_STALE_TEMP = re.compile(r"^(_MAIN_[0-9]+\.toc\.[0-9.]+|\.tmp-.*\.json)$")

#: `progress(done, total, path)` after each file. A callback that also has a `stage(name)`
#: method hears what the ingest is doing between files: "checking" (which files changed),
#: "indexing", "writing" (workers writing their last segments), "committing".
ProgressCallback = Callable[[int, int, str], None]


class CommitClock:
    """When the work done since the last commit is worth committing (see `COMMIT_SECONDS`)."""

    def __init__(self, seconds: float | None = None) -> None:
        self.started = time.monotonic()
        self.seconds = _commit_seconds() if seconds is None else seconds

    def due(self, elapsed: float, seconds_left: float = float("inf")) -> bool:
        """True when `elapsed` seconds of uncommitted work are enough for a commit now, and
        the batch is not expected to end within `COMMIT_SECONDS` anyway (`seconds_left`):
        its own commit comes soon, and an extra one would add a segment per worker."""
        interval = max(self.seconds, COMMIT_GROWTH * (time.monotonic() - self.started))
        return elapsed >= interval and seconds_left >= self.seconds


@dataclass
class IngestReport:
    """What one `ingest` did; `failures` holds one `(path, reason)` per file that failed."""

    index_dir: str = ""
    files_read: int = 0
    pages: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    pruned: int = 0
    files_unchanged: int = 0
    #: Pages whose answers reached a commit (what survives an interruption).
    pages_committed: int = 0
    answers_total: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: Folders and files a folder walk left out on purpose, with why (`discover.Discovery`).
    skipped: list[tuple[str, str]] = field(default_factory=list)
    #: Files read that gave no answer: empty, or no text dlqa recognises as one.
    no_answers: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["failures"] = [{"path": path, "reason": reason} for path, reason in self.failures]
        data["skipped"] = [{"path": path, "reason": reason} for path, reason in self.skipped]
        return data


@dataclass
class _FileState:
    signature: dict[str, Any]
    answers: int


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    index_dir: str | os.PathLike[str],
    rebuild: bool = False,
    prune: bool = False,
    progress: ProgressCallback | None = None,
    wait: float | None = None,
    jobs: int | None = None,
) -> IngestReport:
    """Add new and changed files' answers to the index; skip unchanged files.

    A file that fails to read or parse is reported and skipped, and its earlier answers stay.
    `prune` drops the answers of indexed files that no longer exist; `rebuild` starts over,
    from the paths the index was made from when `paths` is empty. `wait` bounds the wait for
    another ingest (default `LOCK_TIMEOUT`); `jobs` is the number of worker processes
    for large batches (default: the usable cores). Ctrl-C raises `IngestInterrupted` after cancelling
    the uncommitted batch; a failed write raises `IndexWriteError`; both keep earlier commits.
    """
    path = Path(index_dir)
    wait = LOCK_TIMEOUT if wait is None else max(0.0, wait)
    sources = [os.path.abspath(os.fspath(arg)) for arg in paths]
    if rebuild and not sources:
        sources = remembered_sources(path)
        if not sources:
            raise InputError(f"the index at {path} does not remember what it was made from; "
                             "give the files or folders: `dlqa ingest --rebuild PATH…`")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the index folder {path}: {error.strerror or error}") from None
    report = IngestReport(index_dir=str(path))
    found = discover(sources)
    files, report.failures, report.skipped = found.files, found.failures, found.skipped
    with _ingest_lock(path, wait):
        clear_first = False
        if rebuild:
            try:
                ix = open_index(path)
                clear_first = True  # keep the old index readable until the first commit
                if set(ix.schema.names()) != set(make_schema().names()):
                    ix = create_index(path, sources)  # another build's fields: start afresh
            except (NoIndexError, IndexDamagedError):
                ix = create_index(path, sources)
            known: dict[str, _FileState] = {}
        else:
            ix = open_index(path, create=True)
            known = _known_files(ix, path)
            old = manifest_sources(path)
            sources = old + [source for source in sources if source not in old]
        try:
            write_manifest(path, sources)
        except OSError as error:
            raise write_error(path, error) from None
        try:
            _Ingester(ix, path, known, report, clear_first, wait,
                      workers.default_jobs() if jobs is None else jobs).run(files, prune, progress)
        except KeyboardInterrupt:
            raise IngestInterrupted(report) from None
    return report


class _Ingester:
    """The batch loop of `ingest`: plan which files need work, index them in batches, commit."""

    def __init__(self, ix: SegmentIndex, path: Path, known: dict[str, _FileState], report: IngestReport,
                 clear_first: bool, wait: float = LOCK_TIMEOUT, jobs: int = 1) -> None:
        self.ix = ix
        self.wait = wait
        self.path = path
        self.known = known
        self.report = report
        self.clear_first = clear_first
        self.jobs = max(1, jobs)
        self.writer: Any | None = None
        #: Segments written by worker processes, waiting for the next commit.
        self.segments: list[Any] = []
        self.pending = 0
        self.cache_dirty = False
        self.progress: ProgressCallback | None = None
        self.done = 0
        self.total = 0
        self.clock = CommitClock()
        #: When the work waiting for the next commit began (None: nothing waits).
        self.uncommitted_since: float | None = None
        #: Place in file order of each segment this ingest's workers wrote: (batch, run, piece).
        self.segment_order: dict[str, tuple[int, ...]] = {}
        self.batch_number = 0
        #: Files done when the current worker batch's last file is done (None: no workers).
        self.batch_end: int | None = None
        #: Files of segments the TOC does not list yet may lie in the folder: a commit made
        #: while workers were writing left them; removed once the workers are gone.
        self.unlisted_files = False

    def run(self, files: list[str], prune: bool, progress: ProgressCallback | None) -> None:
        self.progress, self.total = progress, len(files)
        if progress:
            progress(0, self.total, "")
        self._stage("checking")
        try:
            work: list[Job] = []
            for file_path in files:
                self.report.files_read += 1
                try:
                    job = self._plan(file_path)
                except DlqaError as error:
                    self._finished(FileResult(file_path, error=str(error)))
                    continue
                if job is None:
                    self._tick(file_path)
                else:
                    work.append(job)
            self._stage("indexing")
            for self.batch_number, batch in enumerate(_batches(work)):
                self._index_batch(batch)
                self._commit()
            if prune:
                self._prune()
            if self.clear_first:  # a rebuild that added nothing still starts over
                self._open_writer()
            self._commit()
        except BaseException:
            if self.writer is not None:  # keep what earlier batches committed, drop this one
                with contextlib.suppress(Exception):
                    self.writer.cancel()
            raise
        finally:
            if self.unlisted_files:  # (every worker has stopped by now)
                with contextlib.suppress(Exception):
                    remove_unlisted_files(self.ix)
            if progress:
                progress(self.total, self.total, "")
        self.report.answers_total = sum(state.answers for state in self.known.values())

    def _plan(self, file_path: str) -> Job | None:
        """The work `file_path` needs: None when it is unchanged since it was indexed."""
        old = self.known.get(file_path)
        try:
            signature = file_signature(file_path)
        except OSError as error:
            raise InputError(error.strerror or str(error)) from None
        if old and _same_stat(old.signature, signature):
            self._unchanged(old)
            return None
        if old:  # size or mtime changed; the content may not have
            signature["sha1"] = _sha1(read_bytes(file_path))
            if old.signature.get("sha1") == signature["sha1"]:
                old.signature = signature  # touched, not changed: remember the new mtime
                self.cache_dirty = True
                self._unchanged(old)
                return None
        return Job(file_path, signature, signature["size"])

    def _index_batch(self, batch: list[Job]) -> None:
        """Index one batch: in worker processes when it is big enough to pay for them."""
        self._open_writer()  # the lock, before any work
        size = sum(job.size for job in batch)
        if self.jobs > 1 and len(batch) > 1 and size >= _parallel_min_bytes():
            load_segmenter()  # once, before forking: the workers share the loaded dictionary
            self.batch_end = self.done + len(batch)
            try:
                left = workers.index_in_workers(self.ix, workers.split_runs(batch, self.jobs), index_file,
                                                self._book, self._tick, self.clock.due, self._commit_pieces)
            except WorkerWriteError as error:
                raise write_error(self.path, error.os_error) from None
            self.segments += left
            self.batch_end = None
            return
        for job in batch:
            if self.uncommitted_since is None:
                self.uncommitted_since = time.monotonic()
            try:
                result = index_file(self._open_writer(), job)
            except OSError as error:  # the writer spills to segment files: disk full, read-only
                raise write_error(self.path, error) from None
            self._finished(result)
            if self.clock.due(time.monotonic() - self.uncommitted_since):
                self._commit()

    def _commit_pieces(self, pieces: list[workers.Piece]) -> None:
        """Commit a round of workers' pieces while the workers go on with their runs."""
        for (run, piece), segment in pieces:
            if segment is not None:
                self.segment_order[segment.segment_id()] = (self.batch_number, run, piece)
                self.segments.append(segment)
        self.unlisted_files = True
        self._commit(remove_unlisted=False)

    def _finished(self, result: FileResult) -> None:
        self._tick(result.path)
        self._book(result)

    def _book(self, result: FileResult) -> None:
        """Book one file's outcome; a changed file's old answers go once its new ones are in."""
        if result.error is not None:
            self.report.failures.append((result.path, result.error))
            return
        old = self.known.get(result.path)
        if old:
            try:
                self._open_writer().delete_by_term("source_file", result.path)
            except OSError as error:
                raise write_error(self.path, error) from None
        self.report.pages += 1
        if not result.answers:
            self.report.no_answers.append(result.path)
        if old and old.answers:
            self.report.replaced += result.answers
        else:
            self.report.added += result.answers
        self.known[result.path] = _FileState(result.signature, result.answers)
        self.pending += 1

    def _tick(self, file_path: str) -> None:
        self.done += 1
        if self.progress:
            self.progress(self.done, self.total, file_path)
            if self.done == self.batch_end:  # the workers' last segments are being written
                self._stage("writing")

    def _stage(self, name: str) -> None:
        stage = getattr(self.progress, "stage", None)
        if stage is not None:
            stage(name)

    def _unchanged(self, old: _FileState) -> None:
        self.report.unchanged += old.answers
        self.report.files_unchanged += 1

    def _prune(self) -> None:
        for file_path in sorted(self.known):
            if not os.path.exists(file_path):
                state = self.known.pop(file_path)
                self._open_writer().delete_by_term("source_file", file_path)
                self.report.pruned += state.answers
                self.pending += 1

    def _open_writer(self) -> Any:
        if self.writer is None:
            self.writer = _writer(self.ix, self.wait)
        return self.writer

    def _commit(self, remove_unlisted: bool = True) -> None:
        """Commit what is ready; `remove_unlisted=False` while workers write segments."""
        if self.writer is None and self.segments:
            self._open_writer()
        self.uncommitted_since = None
        if self.writer is not None:
            writer, self.writer = self.writer, None
            segments, self.segments = self.segments, []
            if not remove_unlisted:
                writer.others_writing = True
            self._stage("committing")
            try:
                with _sigint_deferred():
                    writer.commit(mergetype=merge_policy(self.clear_first, segments, self.segment_order))
                    self.clear_first = False
                    self.pending = 0
                    self.report.pages_committed = self.report.pages
                    self.cache_dirty = True
            except OSError as error:  # Whoosh released its lock; the previous TOC still stands
                raise write_error(self.path, error) from None
            if self.done < self.total and self.done != self.batch_end:
                self._stage("indexing")
        if self.cache_dirty:
            # Only a cache: when it cannot be written, the next ingest rebuilds it from the index.
            with contextlib.suppress(OSError):
                _save_known(self.ix, self.path, self.known)
            self.cache_dirty = False


def index_file(writer: Any, job: Job) -> FileResult:
    """Parse one file and add its answers to `writer` (the parent's, or a worker's).

    Reading and extraction problems come back as the result's `error`; an OSError from the
    writer (disk full, read-only folder) propagates, since it ends the whole ingest.
    """
    signature = dict(job.signature)
    try:
        data = read_bytes(job.path)  # read once: hashed, then parsed
        if "sha1" not in signature:
            signature["sha1"] = _sha1(data)
        page = extract.parse_bytes(data, job.path)
        del data  # the page holds its text; the raw bytes need not wait for indexing
        page.source_file = job.path
        documents = [document(page, answer, signature if number == 0 else None)
                     for number, answer in enumerate(page.answers)]
    except DlqaError as error:
        return FileResult(job.path, signature, error=str(error))
    except Exception as error:  # an extraction bug must not stop the batch
        return FileResult(job.path, signature, error=f"cannot extract: {one_line(error)}")
    for fields in documents:
        writer.add_document(**fields)
    return FileResult(job.path, signature, len(documents))


def _sha1(data: bytes) -> str:
    return hashlib.sha1(data).hexdigest()


def _batches(work: list[Job]) -> Iterator[list[Job]]:
    """Consecutive runs of files per commit, bounded by count and by bytes."""
    limit_files, limit_bytes = _batch_files(), BATCH_BYTES
    batch: list[Job] = []
    size = 0
    for job in work:
        if batch and (len(batch) >= limit_files or size + job.size > limit_bytes):
            yield batch
            batch, size = [], 0
        batch.append(job)
        size += job.size
    if batch:
        yield batch


def _parallel_min_bytes() -> int:
    """`PARALLEL_MIN_BYTES`, or the hidden `DLQA_PARALLEL_MIN_BYTES` knob for tests."""
    with contextlib.suppress(ValueError):
        return max(0, int(os.environ.get("DLQA_PARALLEL_MIN_BYTES", "")))
    return PARALLEL_MIN_BYTES


def _commit_seconds() -> float:
    """`COMMIT_SECONDS`, or the hidden `DLQA_COMMIT_SECONDS` knob for tests."""
    with contextlib.suppress(ValueError):
        return max(0.0, float(os.environ.get("DLQA_COMMIT_SECONDS", "")))
    return COMMIT_SECONDS


def _batch_files() -> int:
    """Files per commit: `BATCH_FILES`, or the hidden `DLQA_COMMIT_EVERY` knob for tests."""
    with contextlib.suppress(ValueError):
        return max(1, int(os.environ.get("DLQA_COMMIT_EVERY", "")))
    return BATCH_FILES


def _same_stat(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("size") == new["size"] and old.get("mtime_ns") == new["mtime_ns"]


def _known_files(ix: SegmentIndex, path: Path) -> dict[str, _FileState]:
    """The indexed files and their signatures: from the cache when it matches the index."""
    generation = ix.latest_generation()
    try:
        data = json.loads((path / FILES_CACHE).read_text(encoding="utf-8"))
        if data.get("generation") == generation and isinstance(data.get("files"), dict):
            return {name: _FileState(entry["signature"], int(entry["answers"]))
                    for name, entry in data["files"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    known: dict[str, _FileState] = {}
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            name = stored.get("source_file")
            if not name:
                continue
            state = known.setdefault(name, _FileState({}, 0))
            if not state.signature and stored.get("source_sig"):  # on the file's first answer
                state.signature = dict(stored["source_sig"])
            state.answers += 1
    return known


def _save_known(ix: SegmentIndex, path: Path, known: dict[str, _FileState]) -> None:
    data = {
        "generation": ix.latest_generation(),
        "files": {name: {"signature": state.signature, "answers": state.answers}
                  for name, state in sorted(known.items())},
    }
    write_json(path / FILES_CACHE, data)


def _writer(ix: SegmentIndex, wait: float) -> Any:
    """A writer that waits a bounded time for Whoosh's lock instead of failing at once.

    Whoosh's MAIN_WRITELOCK is an flock, released by the OS when its process dies, so the file
    a killed ingest leaves behind never blocks the next one.
    """
    try:
        return postings.segment_writer(ix, timeout=wait, compound=postings.SEGMENT_COMPOUND)
    except LockError:
        raise _busy(Path(ix.storage.folder), wait) from None
    except OSError as error:
        raise write_error(Path(ix.storage.folder), error) from None


def _busy(path: Path, wait: float) -> IndexBusyError:
    return IndexBusyError(f"index at {path} is busy: another dlqa ingest is running "
                          f"(waited {wait:g} s; try again later or use --wait)")


@contextlib.contextmanager
def _ingest_lock(path: Path, wait: float) -> Iterator[None]:
    """One ingest at a time per index, so the signature cache is never written by two.

    filelock uses flock too: a SIGKILLed holder's lock vanishes with it.
    """
    lock = FileLock(str(path / INGEST_LOCK))
    try:
        lock.acquire(timeout=wait)
    except Timeout:
        raise _busy(path, wait) from None
    except OSError as error:
        raise write_error(path, error) from None
    try:
        _remove_stale_temps(path)
        yield
    finally:
        lock.release()


def _remove_stale_temps(path: Path) -> None:
    """Temp files of a killed ingest: harmless to readers, but they would pile up."""
    with contextlib.suppress(OSError):
        for name in os.listdir(path):
            if _STALE_TEMP.match(name):
                with contextlib.suppress(OSError):
                    os.unlink(path / name)


@contextlib.contextmanager
def _sigint_deferred() -> Iterator[None]:
    """Hold Ctrl-C back while a commit runs, so it ends either fully done or not begun."""
    if threading.current_thread() is not threading.main_thread() \
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        yield
        return
    caught: list[int] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    if caught:
        raise KeyboardInterrupt


def file_signature(path: str) -> dict[str, Any]:
    """Size and mtime of a file: unchanged, the file is skipped unread; else sha1 decides."""
    stat = os.stat(path)
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}


