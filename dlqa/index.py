"""Stage 7: the embedded Whoosh index: one document per answer, filled by `ingest`.

Truth lives in the Whoosh documents: each stores its source file's resolved path and signature
(size, mtime, sha1), so re-ingesting is idempotent even after a crash. Two small JSON files sit
beside them: `dlqa-index.json` (schema version; checked on every open, so an index from another
dlqa version asks for `--rebuild` instead of giving wrong answers) and `dlqa-files.json`, a cache
of the per-file signatures tagged with the Whoosh generation it describes — when the generation
differs (a crash between commit and cache write) the cache is rebuilt from the documents.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import re
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlqa.discover import discover
from dlqa.errors import DlqaError, IndexBusyError, IndexDamagedError, InputError, NoIndexError

if TYPE_CHECKING:
    from whoosh.index import FileIndex
    from whoosh.writing import IndexWriter

    from dlqa.model import Answer, Page
    from dlqa.parallel import FileResult, Job

#: Bump when the schema or the meaning of a field changes: older indexes must be rebuilt.
SCHEMA_VERSION = 6  # v6: repost keys as one fixed-width column (v5: dlqa.formats postings)
DEFAULT_INDEX = "index"
VERSION_FILE = "dlqa-index.json"
FILES_CACHE = "dlqa-files.json"
INGEST_LOCK = "dlqa-ingest.lock"
#: Files and bytes per commit: bound memory, and an interrupted ingest keeps what it committed.
#: Each commit adds one segment per worker, so batches are large; the hidden knob
#: `DLQA_COMMIT_EVERY=N` overrides the file count (the crash tests commit every few files).
BATCH_FILES = 2000
BATCH_BYTES = 32 * 1024 * 1024
#: Below this many bytes in a batch, forking workers costs more than it saves.
PARALLEL_MIN_BYTES = 2 * 1024 * 1024
#: Whoosh's compound segments are read through a BytesIO copy of each part, so opening a
#: 100 MB index copied 100 MB before every search; plain segment files are opened in place.
SEGMENT_COMPOUND = False
#: Seconds to wait for another ingest before giving up with IndexBusyError (`ingest --wait`).
LOCK_TIMEOUT = 10.0
#: Leftovers of a killed process: Whoosh's TOC temp files and our JSON temp files.
_STALE_TEMP = re.compile(r"^(_MAIN_[0-9]+\.toc\.[0-9.]+|\.tmp-.*\.json)$")
#: zlib level of the body column (its values are compressed one answer at a time).
BODY_COMPRESSION = 6
#: Fields every result carries (stored in the index; the body in its own column).
STORED_FIELDS = ("id", "position", "author", "author_bio", "url", "floor", "posted_at", "body",
                 "title", "site", "page_url", "question_url", "source_file")

ProgressCallback = Callable[[int, int, str], None]


class IndexWriteError(DlqaError):
    """The index folder cannot be written (read-only, disk full): the last commit is kept."""


class IngestInterrupted(KeyboardInterrupt):
    """Ctrl-C during `ingest`, carrying the report of what was committed before it.

    Still a KeyboardInterrupt, so callers that do not care see the usual exception.
    """

    def __init__(self, report: IngestReport) -> None:
        super().__init__()
        self.report = report


def index_location(path: str | os.PathLike[str] | None = None) -> Path:
    """`--index PATH`, else `$DLQA_INDEX`, else `index/` in the current directory."""
    return Path(path or os.environ.get("DLQA_INDEX") or DEFAULT_INDEX)


#: Each gram field and the word field that analyses the same text: a word found there is a
#: substring here, so a phrase spelling that word matches there without a position check.
WORDS_OF_GRAMS = {"body_grams": "body", "title_grams": "title"}


def make_schema() -> Any:
    """The Whoosh schema: jieba word fields for ranking, gram fields for exact substrings."""
    from whoosh import columns, fields

    from dlqa.analysis import GramAnalyzer, WordAnalyzer
    from dlqa.dedup import REPOSTS_WIDTH

    return fields.Schema(
        id=fields.ID(stored=True),
        source_file=fields.ID(stored=True),
        source_sig=fields.STORED(),
        site=fields.ID(stored=True),
        title=_text(fields, analyzer=WordAnalyzer(), stored=True, phrase=False, field_boost=3.0),
        title_grams=_text(fields, analyzer=GramAnalyzer(), phrase=True, field_boost=3.0),
        author=_text(fields, analyzer=GramAnalyzer(), stored=True, phrase=True, field_boost=2.0),
        author_bio=fields.STORED(),
        # v4: no term vectors (a third of the ingest time); key terms re-segment the body.
        # v5: posting values in dlqa.formats (compact positions).
        # v6: the body is kept in `body_text`, not the stored fields (see `encode_body`).
        body=_text(fields, analyzer=WordAnalyzer(), phrase=False),
        body_grams=_text(fields, analyzer=GramAnalyzer(), phrase=True),
        url=fields.STORED(),
        page_url=fields.STORED(),
        question_url=fields.STORED(),
        # v5: fields nothing searches are stored only (their terms were a third of the term
        # table), and the repost keys are columns only.
        position=fields.STORED(),
        floor=fields.STORED(),
        posted_at=fields.STORED(),
        # v3: normalised date for --since/--until/--sort date.
        posted_date=fields.ID(stored=True, sortable=True),
        # v6: both repost keys as one fixed-width column of digests (dlqa.dedup), which a
        # search reads a segment at a time instead of a value per ranked answer.
        reposts=fields.COLUMN(columns.FixedBytesColumn(REPOSTS_WIDTH)),
        body_text=fields.COLUMN(columns.CompressedBytesColumn(level=BODY_COMPRESSION)),
    )


def encode_body(text: str) -> bytes:
    """An answer body as the `body_text` column keeps it: GB18030, a full Unicode encoding
    that takes 2 bytes for a Chinese character where UTF-8 takes 3.

    Why a column: Whoosh pickles stored fields with protocol 2, which writes bytes as
    latin-1 text re-encoded to UTF-8, so a stored GB18030 body would grow, not shrink. At
    10k answers the body column is 2.2 MB smaller than the body among the stored fields.
    """
    return text.encode("gb18030")


def decode_body(value: bytes | None) -> str:
    return value.decode("gb18030") if value else ""


def _text(fields: Any, **options: Any) -> Any:
    """A Whoosh TEXT field whose postings use `dlqa.formats` (compact, Token-free) values."""
    from dlqa.formats import CompactPositions, CountedFrequency

    field = fields.TEXT(**options)
    boost = field.format.field_boost
    field.format = CompactPositions(field_boost=boost) if options.get("phrase") else CountedFrequency(field_boost=boost)
    return field


# ---------------------------------------------------------------------------------------------
# Opening


def has_index(index_dir: str | os.PathLike[str]) -> bool:
    """Whether a Whoosh index lives in `index_dir` (cheap: looks for its table of contents)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(name.startswith("_MAIN_") and name.endswith(".toc") for name in names)


def _has_segments(index_dir: Path) -> bool:
    try:
        return any(name.startswith("MAIN_") and name.endswith((".seg", ".trm", ".pst"))
                   for name in os.listdir(index_dir))
    except OSError:
        return False


def no_index_error(index_dir: str | os.PathLike[str]) -> NoIndexError:
    return NoIndexError(f"no index at {index_dir}; run `dlqa ingest corpus/`")


def open_index(index_dir: str | os.PathLike[str], create: bool = False) -> FileIndex:
    """Open the index, or create an empty one when `create`; check it is one we can read."""
    from whoosh import index as windex

    path = Path(index_dir)
    if not has_index(path):
        if _has_segments(path):  # segments without a table of contents: not "no index"
            raise damaged_error(path, "its table of contents is missing")
        if not create:
            raise no_index_error(path)
        return create_index(path)
    _check_version(path)
    for attempt in range(OPEN_ATTEMPTS):
        try:
            ix = windex.open_dir(str(path))
            schema_names = set(ix.schema.names())
            # A searcher opens every segment file: a truncated or deleted one fails here, once,
            # instead of as some struct/EOF error in the middle of a search.
            first = ix.searcher()
            _open_segment_files(ix, first)
            opened = first.reader().generation()  # None: no segments, so no files to lose
            if opened is not None and opened != ix.latest_generation():
                # A commit landed while we opened, and may have deleted files we still had to
                # open (a column Whoosh would then take for absent): open the new state.
                first.close()
                raise FileNotFoundError("No such file: the index changed while opening")
            break
        except DlqaError:
            raise
        except Exception as error:  # whoosh raises many types for unreadable files
            # A concurrent ingest may commit and delete the files we just listed: look again.
            if attempt + 1 < OPEN_ATTEMPTS and _vanished(error):
                time.sleep(0.05 * (attempt + 1))
                continue
            raise damaged_error(path, _one_line(error)) from None
    missing = {"id", "source_file", "body_grams", "title_grams"} - schema_names
    if missing:
        first.close()
        raise damaged_error(path, "not a dlqa index")
    _hand_out_first(ix, first)
    return ix


#: Files every segment of a dlqa index has. Whoosh reads a missing column file as "no
#: column" (every stored field None) instead of failing, so their presence is checked.
SEGMENT_FILES = (".trm", ".pst", "._stored.col")


def _open_segment_files(ix: FileIndex, searcher: Any) -> None:
    """Open every file of every segment now, and read each segment's last stored document.

    Whoosh opens column files (stored fields, field lengths, the repost and date columns)
    lazily, and takes a missing one for an absent column; a concurrent commit that merges
    segments deletes their files, so a search could silently see no repost keys. Opened
    here, inside `open_index`'s retry loop, the files stay readable for this searcher's
    life. A truncated stored-fields file fails here too, so every command can call the
    index damaged.
    """
    names = set(ix.storage.list())  # one listing for every segment
    for leaf, _ in searcher.reader().leaf_readers():
        segment = getattr(leaf, "_segment", None)
        perdoc = getattr(leaf, "_perdoc", None)
        if segment is None or perdoc is None or segment.is_compound():
            continue
        for suffix in SEGMENT_FILES:
            name = segment.make_filename(suffix)
            if name not in names:
                raise FileNotFoundError(f"No such file: {name}")
        prefix = segment.make_filename(".")
        for name in names:
            if name.startswith(prefix) and name.endswith(".col"):
                column = name[len(prefix):-len(".col")]
                if column not in perdoc._colfiles:
                    perdoc._colfiles[column] = perdoc._get_column_file(column)
        # Whoosh asks the folder whether a column exists; ask the files opened here instead.
        perdoc.has_column = perdoc._colfiles.__contains__
        terms = getattr(leaf, "_terms", None)
        for name in ("_dbfile", "_postfile"):  # the term table and the postings
            _read_mapped(getattr(terms, name, None))
        if leaf.doc_count_all():
            leaf.stored_fields(leaf.doc_count_all() - 1)


def _read_mapped(structfile: Any) -> None:
    """Serve `structfile.get` (every term lookup and postings read) from a read-only mmap.

    Whoosh reads these files with seek + read on a buffered file: each term lookup is a few
    reads at scattered offsets, each refilling an 8 KB buffer. From a map a read is a slice:
    at 100k answers the 30 benchmark searches took 8% less time. Other reads (seek/read,
    arrays) still go through the file, which stays open.
    """
    import mmap

    file = getattr(structfile, "file", None)
    if file is None or not getattr(structfile, "is_real", False):
        return
    with contextlib.suppress(OSError, ValueError, AttributeError):  # unmappable: keep reads
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)

        def get(position: int, length: int) -> bytes:
            return mapped[position : position + length]

        structfile.get = get


#: How often opening is tried when files vanish under us (a concurrent commit), ~0.75 s in all.
OPEN_ATTEMPTS = 6


def _vanished(error: BaseException) -> bool:
    return isinstance(error, FileNotFoundError) or "No such file" in str(error)


def _hand_out_first(ix: FileIndex, first: Any) -> None:
    """Make `ix.searcher()` return the searcher opened while checking, on its first call.

    That searcher holds every segment file open, so a commit by a concurrent ingest that
    deletes them cannot break the search that follows; later calls open fresh searchers.
    """
    opened = [first]
    plain = ix.searcher

    def searcher(**kwargs: Any) -> Any:
        if opened and not kwargs:
            return opened.pop()
        return plain(**kwargs)

    ix.searcher = searcher  # type: ignore[method-assign]


def damage_errors() -> tuple[type[BaseException], ...]:
    """What reading a damaged index raises: I/O and decoding errors (a cut or overwritten file
    hands zlib, pickle and struct arbitrary bytes and offsets), and Whoosh's own
    CorruptIndexError (a postings block that is not where the term dictionary says)."""
    import pickle
    import struct
    import zlib

    from whoosh.reading import CorruptIndexError

    return (OSError, EOFError, ValueError, KeyError, IndexError, OverflowError, zlib.error,
            pickle.UnpicklingError, struct.error, CorruptIndexError)


def damaged_error(index_dir: str | os.PathLike[str], detail: str) -> IndexDamagedError:
    """The one line for an unreadable index: what to run, without PATH when it is remembered."""
    path = Path(index_dir)
    return IndexDamagedError(f"the index at {path} is damaged ({detail}); run `{rebuild_command(path)}`")


def rebuild_command(path: Path) -> str:
    """`dlqa ingest --rebuild …` for this index: PATH only when it does not remember its sources."""
    where = "" if os.fspath(path) == DEFAULT_INDEX else f" --index {path}"
    return f"dlqa ingest --rebuild{where}" + ("" if remembered_sources(path) else " PATH…")


def remembered_sources(index_dir: str | os.PathLike[str]) -> list[str]:
    """The paths the index was made from, as recorded by `ingest` in `dlqa-index.json`.

    Falls back to the indexed files listed in the signature cache, so an index whose manifest
    was lost can still be rebuilt from its corpus.
    """
    path = Path(index_dir)
    sources = _manifest_sources(path)
    if sources:
        return sources
    with contextlib.suppress(OSError, ValueError, AttributeError):
        files = json.loads((path / FILES_CACHE).read_text(encoding="utf-8")).get("files")
        if isinstance(files, dict):
            return sorted(files)
    return []


def _manifest_sources(path: Path) -> list[str]:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sources = json.loads((path / VERSION_FILE).read_text(encoding="utf-8")).get("sources")
        if isinstance(sources, list):
            return [str(source) for source in sources]
    return []


def _write_manifest(path: Path, sources: list[str]) -> None:
    """Schema version and source paths; skipped when unchanged (a read-only index stays usable)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        data = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        if data.get("schema_version") == SCHEMA_VERSION and data.get("sources") == sources:
            return
    _write_json(path / VERSION_FILE, {"schema_version": SCHEMA_VERSION, "tool": "dlqa", "sources": sources})


def create_index(path: Path, sources: list[str] | None = None) -> FileIndex:
    """A new, empty index in `path` (whatever Whoosh index was there is cleared).

    The manifest is written first: a process killed in between leaves a manifest without an
    index (created again next time), never an index that looks like another version's.
    """
    from whoosh import index as windex

    try:
        path.mkdir(parents=True, exist_ok=True)
        _write_manifest(path, sources if sources is not None else remembered_sources(path))
        with contextlib.suppress(FileNotFoundError):
            (path / FILES_CACHE).unlink()
        ix = windex.create_in(str(path), make_schema())
    except OSError as error:
        raise write_error(path, error) from None
    return ix


def _check_version(path: Path) -> None:
    try:
        data = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        version = data.get("schema_version")
    except FileNotFoundError:
        raise damaged_error(path, f"{VERSION_FILE} is missing") from None
    except (OSError, ValueError, AttributeError):
        raise damaged_error(path, f"{VERSION_FILE} is unreadable") from None
    if version != SCHEMA_VERSION:
        raise IndexDamagedError(
            f"index at {path} was built by another dlqa version (schema {version}, this one "
            f"needs {SCHEMA_VERSION}); run `{rebuild_command(path)}`"
        )


def write_error(path: Path, error: OSError) -> IndexWriteError:
    """One line for a failed write into the index folder; the last commit stays searchable."""
    if error.errno == errno.ENOSPC:
        reason = "the disk is full"
    elif error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason = "the folder is read-only"
    else:
        reason = error.strerror or _one_line(error)
    return IndexWriteError(f"cannot write to the index at {path}: {reason}; "
                           "what was indexed before is kept and still searchable")


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a temporary file in the same folder, then `os.replace`."""
    import tempfile  # (imported here: the search path never writes)

    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _writer(ix: FileIndex, wait: float) -> IndexWriter:
    """A writer that waits a bounded time for Whoosh's lock instead of failing at once.

    Whoosh's MAIN_WRITELOCK is an flock, released by the OS when its process dies, so the file
    a killed ingest leaves behind never blocks the next one.
    """
    from whoosh.index import LockError

    from dlqa.postings import segment_writer

    try:
        return segment_writer(ix, timeout=wait, compound=SEGMENT_COMPOUND)
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
    from filelock import FileLock, Timeout

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


# ---------------------------------------------------------------------------------------------
# Ingest


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
            old = _manifest_sources(path)
            sources = old + [source for source in sources if source not in old]
        try:
            _write_manifest(path, sources)
        except OSError as error:
            raise write_error(path, error) from None
        from dlqa.parallel import default_jobs  # (here: the search path imports this module)

        try:
            _Ingester(ix, path, known, report, clear_first, wait,
                      default_jobs() if jobs is None else jobs).run(files, prune, progress)
        except KeyboardInterrupt:
            raise IngestInterrupted(report) from None
    return report


class _Ingester:
    """The batch loop of `ingest`: plan which files need work, index them in batches, commit."""

    def __init__(self, ix: FileIndex, path: Path, known: dict[str, _FileState], report: IngestReport,
                 clear_first: bool, wait: float = LOCK_TIMEOUT, jobs: int = 1) -> None:
        self.ix = ix
        self.wait = wait
        self.path = path
        self.known = known
        self.report = report
        self.clear_first = clear_first
        self.jobs = max(1, jobs)
        self.writer: IndexWriter | None = None
        #: Segments written by worker processes, waiting for the next commit.
        self.segments: list[Any] = []
        self.pending = 0
        self.cache_dirty = False
        self.progress: ProgressCallback | None = None
        self.done = 0
        self.total = 0

    def run(self, files: list[str], prune: bool, progress: ProgressCallback | None) -> None:
        from dlqa.parallel import FileResult
        self.progress, self.total = progress, len(files)
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
            for batch in _batches(work):
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
            from dlqa.reader import read_bytes

            signature["sha1"] = _sha1(read_bytes(file_path))
            if old.signature.get("sha1") == signature["sha1"]:
                old.signature = signature  # touched, not changed: remember the new mtime
                self.cache_dirty = True
                self._unchanged(old)
                return None
        from dlqa.parallel import Job

        return Job(file_path, signature, signature["size"])

    def _index_batch(self, batch: list[Job]) -> None:
        """Index one batch: in worker processes when it is big enough to pay for them."""
        writer = self._open_writer()
        size = sum(job.size for job in batch)
        if self.jobs > 1 and len(batch) > 1 and size >= _parallel_min_bytes():
            from dlqa.analysis import load_segmenter
            from dlqa.parallel import WorkerWriteError, index_in_workers, split_runs

            load_segmenter()  # once, before forking: the workers share the loaded dictionary
            try:
                self.segments += index_in_workers(self.ix, split_runs(batch, self.jobs), index_file,
                                                  self._book, self._tick)
            except WorkerWriteError as error:
                raise write_error(self.path, error.os_error) from None
            return
        for job in batch:
            try:
                result = index_file(writer, job)
            except OSError as error:  # the writer spills to segment files: disk full, read-only
                raise write_error(self.path, error) from None
            self._finished(result)

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
        if old and old.answers:
            self.report.replaced += result.answers
        else:
            self.report.added += result.answers
        self.known[result.path] = _FileState(result.signature, result.answers)
        self.pending += 1

    def _tick(self, file_path: str) -> None:
        if self.progress:
            self.progress(self.done, self.total, file_path)
        self.done += 1

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

    def _open_writer(self) -> IndexWriter:
        if self.writer is None:
            self.writer = _writer(self.ix, self.wait)
        return self.writer

    def _commit(self) -> None:
        if self.writer is not None:
            writer, self.writer = self.writer, None
            segments, self.segments = self.segments, []
            try:
                with _sigint_deferred():
                    writer.commit(mergetype=_merge_policy(self.clear_first, segments))
                    self.clear_first = False
                    self.pending = 0
                    self.report.pages_committed = self.report.pages
                    self.cache_dirty = True
            except OSError as error:  # Whoosh released its lock; the previous TOC still stands
                raise write_error(self.path, error) from None
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
    from dlqa.extract import parse_bytes
    from dlqa.parallel import FileResult
    from dlqa.reader import read_bytes

    signature = dict(job.signature)
    try:
        data = read_bytes(job.path)  # read once: hashed, then parsed
        if "sha1" not in signature:
            signature["sha1"] = _sha1(data)
        page = parse_bytes(data, job.path)
        del data  # the page holds its text; the raw bytes need not wait for indexing
        page.source_file = job.path
        documents = [_document(page, answer, job.path, signature if number == 0 else None)
                     for number, answer in enumerate(page.answers)]
    except DlqaError as error:
        return FileResult(job.path, signature, error=str(error))
    except Exception as error:  # an extraction bug must not stop the batch
        return FileResult(job.path, signature, error=f"cannot extract: {_one_line(error)}")
    for document in documents:
        writer.add_document(**document)
    return FileResult(job.path, signature, len(documents))


def _sha1(data: bytes) -> str:
    import hashlib  # (imported here: the search path never hashes)

    return hashlib.sha1(data).hexdigest()


def _merge_policy(clear: bool, segments: list[Any]) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh's merge policy for a commit, plus the segments the workers wrote.

    A rebuild drops every old segment (CLEAR); otherwise small segments are merged as usual
    (MERGE_SMALL) and the workers' segments, already large, are appended as they are.
    """
    from whoosh.writing import CLEAR, MERGE_SMALL

    policy = CLEAR if clear else MERGE_SMALL

    def merge(writer: Any, existing: list[Any]) -> list[Any]:
        return list(policy(writer, existing)) + segments

    return merge


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


def _batch_files() -> int:
    """Files per commit: `BATCH_FILES`, or the hidden `DLQA_COMMIT_EVERY` knob for tests."""
    with contextlib.suppress(ValueError):
        return max(1, int(os.environ.get("DLQA_COMMIT_EVERY", "")))
    return BATCH_FILES


def _same_stat(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("size") == new["size"] and old.get("mtime_ns") == new["mtime_ns"]


def _document(page: Page, answer: Answer, file_path: str, signature: dict[str, Any] | None) -> dict[str, Any]:
    """The Whoosh fields of one answer; None values are left out (Whoosh refuses them).

    `signature` goes on a file's first answer only: it is the file's, not the answer's (on
    every answer it was 2% of the index).
    """
    from dlqa.dedup import normalise_date, repost_column_value, text_key, url_key

    author = _clean(answer.author)
    values: dict[str, Any] = {
        "id": answer.id,
        "source_file": file_path,
        "source_sig": signature,
        "site": (page.site or "web").lower(),
        "title": _clean(page.title),
        "title_grams": _clean(page.title),
        "author": author,
        "author_bio": _clean(answer.author_bio),
        "body": _clean(answer.body) or "",
        "body_grams": _clean(answer.body) or "",
        "body_text": encode_body(_clean(answer.body) or ""),
        "url": answer.url,
        "page_url": page.page_url,
        "question_url": page.question_url,
        "position": answer.position,
        "floor": answer.floor,
        "posted_at": _clean(answer.posted_at),
        "posted_date": normalise_date(answer.posted_at),
        "reposts": repost_column_value(url_key(answer.url, page.page_url, page.question_url),
                                       text_key(answer.body or "")),
    }
    return {name: value for name, value in values.items() if value is not None and value not in ("", b"")}


def _clean(text: str | None) -> str | None:
    """Lone surrogates cannot be stored as UTF-8: replace them."""
    if text is None:
        return None
    return text.encode("utf-8", "replace").decode("utf-8") if not _encodes(text) else text


def _encodes(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _known_files(ix: FileIndex, path: Path) -> dict[str, _FileState]:
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


def _save_known(ix: FileIndex, path: Path, known: dict[str, _FileState]) -> None:
    data = {
        "generation": ix.latest_generation(),
        "files": {name: {"signature": state.signature, "answers": state.answers}
                  for name, state in sorted(known.items())},
    }
    _write_json(path / FILES_CACHE, data)


# ---------------------------------------------------------------------------------------------
# Stats


def stats(index_dir: str | os.PathLike[str], top: int = 10) -> dict[str, Any]:
    """Pages per site, answers, top authors and size on disk, for `dlqa stats`."""
    path = Path(index_dir)
    ix = open_index(path)
    pages_by_site: dict[str, set[str]] = {}
    answers_by_site: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    answers = 0
    try:
        with ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                answers += 1
                site = stored.get("site") or "web"
                pages_by_site.setdefault(site, set()).add(stored.get("source_file") or "")
                answers_by_site[site] += 1
                if stored.get("author"):
                    authors[stored["author"]] += 1
    except Exception as error:  # a segment damaged in a way opening did not notice
        raise damaged_error(path, _one_line(error)) from None
    size = _folder_size(path)
    return {
        "index": str(path.resolve()),
        "schema_version": SCHEMA_VERSION,
        "answers": answers,
        "pages": sum(len(files) for files in pages_by_site.values()),
        "sites": {site: {"pages": len(files), "answers": answers_by_site[site]}
                  for site, files in sorted(pages_by_site.items(), key=lambda item: (-len(item[1]), item[0]))},
        "top_authors": [{"author": name, "answers": count}
                        for name, count in sorted(authors.items(), key=lambda item: (-item[1], item[0]))[:top]],
        "size_bytes": size,
    }


def _folder_size(path: Path) -> int:
    """Bytes in the index folder; files a concurrent ingest deletes meanwhile count as 0."""
    size = 0
    for entry in os.scandir(path):
        with contextlib.suppress(OSError):
            if entry.is_file():
                size += entry.stat().st_size
    return size
