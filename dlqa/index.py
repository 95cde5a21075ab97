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
import glob
import hashlib
import json
import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlqa.errors import DlqaError, IndexBusyError, IndexDamagedError, InputError, NoIndexError

if TYPE_CHECKING:
    from whoosh.index import FileIndex
    from whoosh.writing import IndexWriter

    from dlqa.model import Answer, Page

#: Bump when the schema or the meaning of a field changes: older indexes must be rebuilt.
SCHEMA_VERSION = 2
DEFAULT_INDEX = "index"
VERSION_FILE = "dlqa-index.json"
FILES_CACHE = "dlqa-files.json"
INGEST_LOCK = "dlqa-ingest.lock"
#: What a directory walk picks up; files named explicitly are tried whatever their suffix.
SUFFIXES = (".txt", ".htm", ".html")
#: Files per commit: bounds memory, and an interrupted ingest keeps what it committed.
BATCH_FILES = 200
#: Seconds to wait for another ingest before giving up with IndexBusyError.
LOCK_TIMEOUT = 10.0
#: Fields every result carries (stored in the index).
STORED_FIELDS = ("id", "position", "author", "author_bio", "url", "floor", "posted_at", "body",
                 "title", "site", "page_url", "question_url", "source_file")

ProgressCallback = Callable[[int, int, str], None]


def index_location(path: str | os.PathLike[str] | None = None) -> Path:
    """`--index PATH`, else `$DLQA_INDEX`, else `index/` in the current directory."""
    return Path(path or os.environ.get("DLQA_INDEX") or DEFAULT_INDEX)


def make_schema() -> Any:
    """The Whoosh schema: jieba word fields for ranking, gram fields for exact substrings."""
    from whoosh import fields

    from dlqa.analysis import GramAnalyzer, WordAnalyzer

    return fields.Schema(
        id=fields.ID(stored=True),
        doc_key=fields.ID(unique=True),
        source_file=fields.ID(stored=True),
        source_sig=fields.STORED(),
        site=fields.ID(stored=True),
        title=fields.TEXT(analyzer=WordAnalyzer(), stored=True, phrase=False, field_boost=3.0),
        title_grams=fields.TEXT(analyzer=GramAnalyzer(), phrase=True, field_boost=3.0),
        author=fields.TEXT(analyzer=GramAnalyzer(), stored=True, phrase=True, field_boost=2.0),
        author_exact=fields.ID(),
        author_bio=fields.STORED(),
        body=fields.TEXT(analyzer=WordAnalyzer(), stored=True, phrase=False),
        body_grams=fields.TEXT(analyzer=GramAnalyzer(), phrase=True),
        url=fields.STORED(),
        page_url=fields.STORED(),
        question_url=fields.STORED(),
        position=fields.NUMERIC(stored=True),
        floor=fields.NUMERIC(stored=True),
        posted_at=fields.ID(stored=True),
    )


# ---------------------------------------------------------------------------------------------
# Opening


def has_index(index_dir: str | os.PathLike[str]) -> bool:
    """Whether a Whoosh index lives in `index_dir` (cheap: looks for its table of contents)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(name.startswith("_MAIN_") and name.endswith(".toc") for name in names)


def no_index_error(index_dir: str | os.PathLike[str]) -> NoIndexError:
    return NoIndexError(f"no index at {index_dir}; run `dlqa ingest corpus/`")


def open_index(index_dir: str | os.PathLike[str], create: bool = False) -> FileIndex:
    """Open the index, or create an empty one when `create`; check it is one we can read."""
    from whoosh import index as windex

    path = Path(index_dir)
    if not has_index(path):
        if not create:
            raise no_index_error(path)
        return create_index(path)
    _check_version(path)
    try:
        ix = windex.open_dir(str(path))
        schema_names = set(ix.schema.names())
    except DlqaError:
        raise
    except Exception as error:  # whoosh raises many types for unreadable files
        raise IndexDamagedError(
            f"index at {path} cannot be read ({_one_line(error)}); run `dlqa ingest --rebuild PATH…`"
        ) from None
    missing = {"id", "source_file", "body_grams", "title_grams"} - schema_names
    if missing:
        raise IndexDamagedError(f"index at {path} is not a dlqa index; run `dlqa ingest --rebuild PATH…`")
    return ix


def create_index(path: Path) -> FileIndex:
    """A new, empty index in `path` (whatever Whoosh index was there is cleared)."""
    from whoosh import index as windex

    try:
        path.mkdir(parents=True, exist_ok=True)
        ix = windex.create_in(str(path), make_schema())
    except OSError as error:
        raise InputError(f"cannot create an index at {path}: {error.strerror or error}") from None
    _write_json(path / VERSION_FILE, {"schema_version": SCHEMA_VERSION, "tool": "dlqa"})
    with contextlib.suppress(OSError):
        (path / FILES_CACHE).unlink()
    return ix


def _check_version(path: Path) -> None:
    try:
        data = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        version = data.get("schema_version")
    except FileNotFoundError:
        version = None
    except (OSError, ValueError, AttributeError):
        version = "unreadable"
    if version != SCHEMA_VERSION:
        raise IndexDamagedError(
            f"index at {path} was built by another dlqa version (schema {version}, this one "
            f"needs {SCHEMA_VERSION}); run `dlqa ingest --rebuild PATH…`"
        )


def _one_line(error: BaseException) -> str:
    text = " ".join(str(error).split()) or type(error).__name__
    return text[:200]


def _write_json(path: Path, data: Any) -> None:
    """Write atomically: a temporary file in the same folder, then `os.replace`."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _writer(ix: FileIndex) -> IndexWriter:
    """A writer that waits a bounded time for Whoosh's lock instead of failing at once."""
    from whoosh.index import LockError

    try:
        return ix.writer(timeout=LOCK_TIMEOUT)
    except LockError:
        raise IndexBusyError(
            f"index at {ix.storage.folder} is busy: another dlqa ingest is running"
        ) from None


@contextlib.contextmanager
def _ingest_lock(path: Path) -> Iterator[None]:
    """One ingest at a time per index, so the signature cache is never written by two."""
    from filelock import FileLock, Timeout

    lock = FileLock(str(path / INGEST_LOCK))
    try:
        lock.acquire(timeout=LOCK_TIMEOUT)
    except Timeout:
        raise IndexBusyError(f"index at {path} is busy: another dlqa ingest is running") from None
    try:
        yield
    finally:
        lock.release()


# ---------------------------------------------------------------------------------------------
# Input files


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Resolve files, folders (recursively, by suffix) and globs into unique real paths.

    Returns `(files, failures)`; a path that matches nothing is a failure, not an exception.
    """
    files: dict[str, None] = {}
    failures: list[tuple[str, str]] = []
    for arg in paths:
        text = os.fspath(arg)
        if os.path.isdir(text):
            files.update(dict.fromkeys(_walk(text)))
        elif os.path.exists(text):
            files[os.path.realpath(text)] = None
        elif glob.has_magic(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                failures.append((text, "no file matches this pattern"))
            for match in matches:
                if os.path.isdir(match):
                    files.update(dict.fromkeys(_walk(match)))
                else:
                    files[os.path.realpath(match)] = None
        else:
            failures.append((text, "no such file or directory"))
    return list(files), failures


def _walk(folder: str) -> Iterator[str]:
    """Saved pages under `folder`, sorted; hidden folders skipped, symlinked folders not followed."""
    for root, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                full = os.path.join(root, name)
                if os.path.isfile(full):
                    yield os.path.realpath(full)


def file_signature(path: str, data: bytes | None = None) -> dict[str, Any]:
    """Size, mtime and sha1 of a file: unchanged size+mtime skips reading, sha1 decides."""
    stat = os.stat(path)
    signature: dict[str, Any] = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if data is not None:
        signature["sha1"] = hashlib.sha1(data).hexdigest()
    return signature


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
    answers_total: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["failures"] = [{"path": path, "reason": reason} for path, reason in self.failures]
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
) -> IngestReport:
    """Add new and changed files' answers to the index; skip unchanged files.

    A file that fails to read or parse is reported and skipped, and its earlier answers stay.
    `prune` drops the answers of indexed files that no longer exist; `rebuild` starts over.
    """
    path = Path(index_dir)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the index folder {path}: {error.strerror or error}") from None
    report = IngestReport(index_dir=str(path))
    files, report.failures = discover(paths)
    with _ingest_lock(path):
        clear_first = False
        if rebuild:
            try:
                ix = open_index(path)
                clear_first = True  # keep the old index readable until the first commit
            except (NoIndexError, IndexDamagedError):
                ix = create_index(path)
            known: dict[str, _FileState] = {}
        else:
            ix = open_index(path, create=True)
            known = _known_files(ix, path)
        _Ingester(ix, path, known, report, clear_first).run(files, prune, progress)
    return report


class _Ingester:
    """The batch loop of `ingest`, holding the open writer between files."""

    def __init__(self, ix: FileIndex, path: Path, known: dict[str, _FileState], report: IngestReport,
                 clear_first: bool) -> None:
        self.ix = ix
        self.path = path
        self.known = known
        self.report = report
        self.clear_first = clear_first
        self.writer: IndexWriter | None = None
        self.pending = 0
        self.cache_dirty = False

    def run(self, files: list[str], prune: bool, progress: ProgressCallback | None) -> None:
        from dlqa.extract import parse_file

        total = len(files)
        try:
            for done, file_path in enumerate(files):
                if progress:
                    progress(done, total, file_path)
                self.report.files_read += 1
                try:
                    self._one_file(file_path, parse_file)
                except DlqaError as error:
                    self.report.failures.append((file_path, str(error)))
                except Exception as error:  # an extraction bug must not stop the batch
                    self.report.failures.append((file_path, f"cannot extract: {_one_line(error)}"))
                if self.pending >= BATCH_FILES:
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
                progress(total, total, "")
        self.report.answers_total = sum(state.answers for state in self.known.values())

    def _one_file(self, file_path: str, parse_file: Callable[[str], Page]) -> None:
        old = self.known.get(file_path)
        try:
            signature = file_signature(file_path)
        except OSError as error:
            raise InputError(error.strerror or str(error)) from None
        if old and _same_stat(old.signature, signature):
            self._unchanged(old)
            return
        try:
            with open(file_path, "rb") as handle:
                data = handle.read(64 * 1024 * 1024 + 1)
        except OSError as error:
            raise InputError(error.strerror or str(error)) from None
        signature["sha1"] = hashlib.sha1(data).hexdigest()
        if old and old.signature.get("sha1") == signature["sha1"]:
            old.signature = signature  # touched, not changed: remember the new mtime
            self.cache_dirty = True
            self._unchanged(old)
            return
        page = parse_file(file_path)
        page.source_file = file_path
        documents = [_document(page, answer, file_path, signature) for answer in page.answers]
        writer = self._open_writer()
        writer.delete_by_term("source_file", file_path)
        for document in documents:
            writer.add_document(**document)
        self.report.pages += 1
        if old and old.answers:
            self.report.replaced += len(documents)
        else:
            self.report.added += len(documents)
        self.known[file_path] = _FileState(signature, len(documents))
        self.pending += 1

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
            self.writer = _writer(self.ix)
        return self.writer

    def _commit(self) -> None:
        if self.writer is not None:
            if self.clear_first:
                from whoosh.writing import CLEAR

                self.writer.commit(mergetype=CLEAR)
                self.clear_first = False
            else:
                self.writer.commit()
            self.writer = None
            self.pending = 0
            self.cache_dirty = True
        if self.cache_dirty:
            _save_known(self.ix, self.path, self.known)
            self.cache_dirty = False


def _same_stat(old: dict[str, Any], new: dict[str, Any]) -> bool:
    return old.get("size") == new["size"] and old.get("mtime_ns") == new["mtime_ns"]


def _document(page: Page, answer: Answer, file_path: str, signature: dict[str, Any]) -> dict[str, Any]:
    """The Whoosh fields of one answer; None values are left out (Whoosh refuses them)."""
    author = _clean(answer.author)
    values: dict[str, Any] = {
        "id": answer.id,
        "doc_key": f"{file_path}#{answer.position}",
        "source_file": file_path,
        "source_sig": signature,
        "site": (page.site or "web").lower(),
        "title": _clean(page.title),
        "title_grams": _clean(page.title),
        "author": author,
        "author_exact": author.lower() if author else None,
        "author_bio": _clean(answer.author_bio),
        "body": _clean(answer.body) or "",
        "body_grams": _clean(answer.body) or "",
        "url": answer.url,
        "page_url": page.page_url,
        "question_url": page.question_url,
        "position": answer.position,
        "floor": answer.floor,
        "posted_at": _clean(answer.posted_at),
    }
    return {name: value for name, value in values.items() if value is not None and value != ""}


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
            state = known.setdefault(name, _FileState(dict(stored.get("source_sig") or {}), 0))
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
    with ix.searcher() as searcher:
        for stored in searcher.all_stored_fields():
            answers += 1
            site = stored.get("site") or "web"
            pages_by_site.setdefault(site, set()).add(stored.get("source_file") or "")
            answers_by_site[site] += 1
            if stored.get("author"):
                authors[stored["author"]] += 1
    size = sum(entry.stat().st_size for entry in path.iterdir() if entry.is_file())
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
