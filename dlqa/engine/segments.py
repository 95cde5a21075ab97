"""Opening and creating the index's segments, and reading their columns and stored fields.

An index is a Whoosh `FileIndex` (`SegmentIndex`) over `SegmentStorage`, whose readers read
every segment through `codec.READ_CODEC`. What the rest of dlqa uses of it: `open_segments`,
`create_segments`, `ix.searcher()` (Whoosh's Searcher: `stored_fields`, `doc_frequency`,
`lexicon`, `all_stored_fields`, `docs_for_query`), `ix.writer…` through
`dlqa.engine.postings`, the column readers below, and `DAMAGE_ERRORS`.
"""

from __future__ import annotations

import bisect
import contextlib
import os
import pickle
import struct
import time
import zlib
from collections.abc import Callable
from typing import Any

from whoosh.index import FileIndex, LockError
from whoosh.reading import CorruptIndexError, EmptyReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import CLEAR, MERGE_SMALL

from dlqa.engine.codec import READ_CODEC, SegmentStorage
from dlqa.engine.queries import Prefix, Term

__all__ = ["DAMAGE_ERRORS", "LockError", "SegmentIndex", "answer_docnum", "column_lookup",
           "create_segments", "fixed_width_table", "has_index", "has_segments", "merge_policy",
           "open_segments", "ranked_by_whoosh", "remove_unlisted_files"]

#: What reading a damaged index raises: I/O and decoding errors (a cut or overwritten file
#: hands zlib, pickle and struct arbitrary bytes and offsets), and Whoosh's own
#: CorruptIndexError (a postings block that is not where the term dictionary says).
DAMAGE_ERRORS: tuple[type[BaseException], ...] = (
    OSError, EOFError, ValueError, KeyError, IndexError, OverflowError, zlib.error,
    pickle.UnpicklingError, struct.error, CorruptIndexError)


class SegmentIndex(FileIndex):
    """Whoosh's folder index, read through `READ_CODEC`, that can hand out one searcher it
    opened while checking the index (`keep_searcher`) on the next `searcher()` call.

    That searcher holds every segment file open, so a commit by a concurrent ingest that
    deletes them cannot break the search that follows; later calls open fresh searchers.
    """

    def __init__(self, storage: Any, schema: Any = None, indexname: str = "MAIN") -> None:
        super().__init__(storage, schema, indexname)
        self.kept: list[Searcher] = []

    def keep_searcher(self, searcher: Searcher) -> None:
        self.kept.append(searcher)

    def searcher(self, **kwargs: Any) -> Searcher:
        if self.kept and not kwargs:
            return self.kept.pop()
        return super().searcher(**kwargs)

    def reader(self, reuse: Any = None) -> Any:
        """Whoosh's `FileIndex.reader`, with every segment read through `READ_CODEC`."""
        if reuse is not None:  # (Searcher.refresh; dlqa opens fresh searchers instead)
            return super().reader(reuse)
        for attempt in range(10):
            try:
                return self._segment_readers()
            except OSError:  # a writer deleted a file as we opened it: Whoosh retries too
                if attempt == 9:
                    raise
                time.sleep(0.05)
        raise AssertionError("unreachable")  # pragma: no cover

    def _segment_readers(self) -> Any:
        # No public accessor for the TOC's segments: FileIndex's own `_read_toc` (compat.py)
        info = self._read_toc()
        if not info.segments:
            return EmptyReader(info.schema)
        readers = [SegmentReader(self.storage, info.schema, segment, generation=info.generation,
                                 codec=READ_CODEC) for segment in info.segments]
        if len(readers) == 1:
            return readers[0]
        return MultiReader(readers, generation=info.generation)


def has_index(index_dir: str | os.PathLike[str]) -> bool:
    """Whether a Whoosh index lives in `index_dir` (cheap: looks for its table of contents)."""
    try:
        names = os.listdir(index_dir)
    except OSError:
        return False
    return any(name.startswith("_MAIN_") and name.endswith(".toc") for name in names)


def has_segments(index_dir: str | os.PathLike[str]) -> bool:
    """Whether segment files lie in `index_dir` (with no table of contents: damage)."""
    try:
        return any(name.startswith("MAIN_") and name.endswith((".seg", ".trm", ".pst"))
                   for name in os.listdir(index_dir))
    except OSError:
        return False


def create_segments(index_dir: str | os.PathLike[str], schema: Any) -> SegmentIndex:
    """A new, empty index with this schema in `index_dir` (any index there is cleared)."""
    return SegmentStorage(os.fspath(index_dir)).create_index(schema, indexclass=SegmentIndex)


def open_segments(index_dir: str | os.PathLike[str]) -> SegmentIndex:
    """Open the index and every file of every segment, keeping that searcher for the next
    `searcher()` call.

    Whoosh opens files lazily; here a truncated or deleted one fails now, once, instead of
    as some struct/EOF error in the middle of a search, and the files stay readable for the
    searcher's life. Raises FileNotFoundError when a commit landed meanwhile (it may have
    deleted files this searcher needed: open again), or whatever Whoosh raises for damage.
    """
    ix = SegmentStorage(os.fspath(index_dir)).open_index(indexclass=SegmentIndex)
    searcher = ix.searcher()
    try:
        for leaf, _ in searcher.reader().leaf_readers():
            if leaf.doc_count_all():  # a truncated stored-fields file fails here
                leaf.stored_fields(leaf.doc_count_all() - 1)
        opened = searcher.reader().generation()  # None: no segments, so no files to lose
        if opened is not None and opened != ix.latest_generation():
            raise FileNotFoundError("No such file: the index changed while opening")
    except BaseException:
        searcher.close()
        raise
    ix.keep_searcher(searcher)
    return ix


def merge_policy(clear: bool, segments: list[Any],
                 order: dict[str, tuple[int, ...]] | None = None) -> Callable[[Any, list[Any]], list[Any]]:
    """Whoosh's merge policy for a commit, plus segments written by workers.

    `clear` drops every old segment (a rebuild, CLEAR); otherwise small segments are merged
    as usual (MERGE_SMALL) and the workers' segments, already large, are appended as they are.
    `order` maps segment ids of the running ingest to their place in its file order: workers
    hand over pieces of their runs turn by turn, and sorting puts each piece where a
    one-process ingest would have put its documents (same document order, same ties).
    """
    policy = CLEAR if clear else MERGE_SMALL
    places = order or {}

    def merge(writer: Any, existing: list[Any]) -> list[Any]:
        kept = list(policy(writer, existing))
        ours = [segment for segment in kept if segment.segment_id() in places] + segments
        return ([segment for segment in kept if segment.segment_id() not in places]
                + sorted(ours, key=lambda segment: places.get(segment.segment_id(), ())))

    return merge


def remove_unlisted_files(ix: Any) -> None:
    """Delete segment files the index's TOC does not list, and the writers' temporary folder
    (what Whoosh's commit does when nothing else is writing): merged-away segments and pieces
    of a stopped ingest."""
    from whoosh.index import clean_files

    toc = ix._read_toc()
    clean_files(ix.storage, ix.indexname, toc.generation, toc.segments)
    ix.storage.temp_storage(f"{ix.indexname}.tmp").destroy()  # the writers' shared temp folder


def column_lookup(reader: Any, name: str) -> Callable[[int], Any]:
    """doc number → the value of column `name`, segment by segment.

    Whoosh's multi-segment column reader leaves out segments that lack the column (a batch
    in which no answer had a date has no `posted_date` column) and then maps document numbers
    to the wrong segment, so each segment's column is read on its own here.
    """
    leaves = [
        (offset, leaf.column_reader(name) if leaf.has_column(name) else None)
        for leaf, offset in reader.leaf_readers()
    ]
    offsets = [offset for offset, _ in leaves]

    def lookup(doc: int) -> Any:
        offset, column = leaves[bisect.bisect_right(offsets, doc) - 1]
        return column[doc - offset] if column is not None else None

    return lookup


def fixed_width_table(reader: Any, name: str, width: int) -> bytes:
    """Every document's value of a fixed-width bytes column, `width` bytes per global doc
    number (zeros where a document or a segment has none), read a segment at a time."""
    parts = []
    for leaf, _ in reader.leaf_readers():
        size = leaf.doc_count_all() * width
        blob = _column_bytes(leaf, name, width)
        if len(blob) != size:  # (copy only a column that is short or missing)
            blob = blob[:size] + bytes(max(0, size - len(blob)))
        parts.append(blob)
    return b"".join(parts)


def _column_bytes(leaf: Any, name: str, width: int) -> bytes:
    """A segment's fixed-width column in one read; documents past its end have no value."""
    if not leaf.has_column(name):
        return b""
    column = leaf.column_reader(name, translate=False)
    with contextlib.suppress(AttributeError):  # FixedBytesColumn.Reader's file and extent
        return bytes(column._dbfile.get(column._basepos, column._count * width))
    return b"".join(column[doc] for doc in range(leaf.doc_count_all()))  # pragma: no cover


def answer_docnum(searcher: Searcher, answer_id: str) -> int | None:
    """The document with this id, or with this unique id prefix (6+ characters), else None.

    Prefixes make ids easy to type from a terminal; an ambiguous prefix finds nothing rather
    than a guess.
    """
    answer_id = answer_id.strip().lower()
    if not answer_id:
        return None
    exact = list(searcher.docs_for_query(Term("id", answer_id)))
    if exact:
        return exact[0]
    if len(answer_id) >= 6:
        docs = list(searcher.docs_for_query(Prefix("id", answer_id)))
        if len({searcher.stored_fields(doc)["id"] for doc in docs}) == 1:
            return docs[0]
    return None


def ranked_by_whoosh(searcher: Searcher, query: Any) -> list[tuple[int, float]]:
    """(docnum, score) of every document `query` matches, as Whoosh's own search ranks them
    (for queries off the hot path, which `dlqa.engine.evaluate` need not reproduce)."""
    return [(hit.docnum, float(hit.score or 0.0)) for hit in searcher.search(query, limit=None)]
