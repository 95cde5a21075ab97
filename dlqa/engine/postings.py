"""Stage 7, the writer's memory: Whoosh's posting pool kept in flat arrays.

Why: Whoosh's `PostingPool` holds every posting as a 5-tuple (about 200 bytes of Python
objects) and, past `limitmb`, pickles every posting to a temporary run file, reads it back and
merges the runs. An answer gives about one posting per character (bigrams) plus its words, so
at 10k answers the pool was a third of ingest time. Here a posting is four array entries (term,
document, weight, end of its value) plus its value bytes, about 24 bytes in all; nothing is
spilled; and the sort at the end orders the distinct terms, not the postings.

The order Whoosh's field writer needs is (field, term, document). Postings of one term are
already in document order because a segment writer numbers documents as they are added, and
merged segments are appended after them with higher numbers; so a stable bucketing by term
gives that order.

The same flat arrays let the segment's postings be written a term at a time
(`CompactSegmentWriter`): Whoosh's field writer takes one posting per call, with type asserts,
a field-length lookup and block statistics each time, which cost as much as building them.
The blocks written are Whoosh 3's (its readers read them unchanged); their pickles use
protocol 3, whose bytes and small-int opcodes are a fraction of protocol 2's.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

from whoosh.writing import SegmentWriter

from dlqa.engine.codec import DlqaCodec

_Posting = tuple[str, bytes, int, float, bytes | None]

#: Postings per block (Whoosh's default is 128). Each block costs a header, a zlib stream
#: and a read with Python-level bookkeeping, and a common gram has tens of thousands of
#: postings: at 10k answers 1,024 made the index 10% smaller (52.1 → 47.2 MB) and phrase
#: reads a quarter faster; 4,096 gained little more. dlqa never skips within a term.
BLOCK_POSTINGS = 1024
#: zlib level of the blocks (Whoosh's default 3): 6 is 1.5% smaller again at 10k for about
#: a second more CPU; reading is as fast.
BLOCK_COMPRESSION = 6
#: Whoosh's compound segments are read through a BytesIO copy of each part, so opening a
#: 100 MB index copied 100 MB before every search; plain segment files are opened in place.
SEGMENT_COMPOUND = False


class CompactPool:
    """A drop-in for `whoosh.writing.PostingPool` (add, iter_postings, cleanup, fieldnames)."""

    def __init__(self) -> None:
        self.fieldnames: set[str] = set()
        self._term_ids: dict[tuple[str, bytes], int] = {}
        self._terms = array("I")
        self._docs = array("I")
        self._weights = array("d")
        self._values = bytearray()
        self._value_ends = array("I")
        self._none_values: set[int] = set()

    def __len__(self) -> int:
        return len(self._docs)

    def add(self, item: _Posting) -> None:
        fieldname, text, docnum, weight, value = item
        key = (fieldname, text)
        term = self._term_ids.get(key)
        if term is None:
            term = self._term_ids[key] = len(self._term_ids)
            self.fieldnames.add(fieldname)
        if value is None:
            self._none_values.add(len(self._docs))
        else:
            self._values += value
        self._terms.append(term)
        self._docs.append(docnum)
        self._weights.append(weight)
        self._value_ends.append(len(self._values))

    def iter_postings(self) -> Iterator[_Posting]:
        """Every posting in (field, term, document) order."""
        for fieldname, text, indexes in self._term_runs():
            docs, weights, values = self._postings(indexes)
            for doc, weight, value in zip(docs, weights, values, strict=True):
                yield fieldname, text, doc, weight, value

    def _postings(self, indexes: Any) -> tuple[list[int], list[float], list[bytes | None]]:
        """The documents, weights and values of the postings at `indexes`."""
        docs, weights, values, ends = self._docs, self._weights, self._values, self._value_ends
        none_values = self._none_values
        return ([docs[index] for index in indexes], [weights[index] for index in indexes],
                [None if index in none_values
                 else bytes(values[(ends[index - 1] if index else 0):ends[index]])
                 for index in indexes])

    def _term_runs(self) -> Iterator[tuple[str, bytes, list[int]]]:
        """(field, term, posting indexes in document order), terms in (field, term) order."""
        keys = list(self._term_ids)
        count = len(keys)
        sizes = [0] * count
        for term in self._terms:
            sizes[term] += 1
        # Each term's first slot in the sorted output, then scatter postings into their slots.
        ordered_terms = sorted(range(count), key=keys.__getitem__)
        starts = [0] * count
        offset = 0
        for term in ordered_terms:
            starts[term] = offset
            offset += sizes[term]
        order = array("I", bytes(4 * len(self._terms)))  # not a list: 4 bytes per posting, not ~36
        for index, term in enumerate(self._terms):
            order[starts[term]] = index
            starts[term] += 1
        for term in ordered_terms:
            end = starts[term]
            fieldname, text = keys[term]
            yield fieldname, text, order[end - sizes[term]:end]

    def write(self, fieldwriter: Any, schema: Any, lengths: Any) -> None:
        """Write every posting through `fieldwriter`, a term at a time when it can take one
        (`BlockFieldWriter.add_term_blocks`), else a posting at a time (Whoosh's own).

        `lengths` is the new segment's per-document reader (field lengths feed each block's
        min/max length, as in Whoosh).
        """
        doccount = max(self._docs, default=0) + 1
        by_term = getattr(fieldwriter, "add_term_blocks", None)
        field_lengths: list[int] = []
        current = None
        for fieldname, text, indexes in self._term_runs():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldwriter.start_field(fieldname, schema[fieldname])
                field_lengths = _field_lengths(lengths, fieldname, doccount)
                current = fieldname
            docs, weights, values = self._postings(indexes)
            if by_term is not None:
                by_term(text, docs, weights, values, [field_lengths[doc] for doc in docs])
                continue
            fieldwriter.start_term(text)
            for doc, weight, value in zip(docs, weights, values, strict=True):
                fieldwriter.add(doc, weight, value, field_lengths[doc])
            fieldwriter.finish_term()
        if current is not None:
            fieldwriter.finish_field()

    def cleanup(self) -> None:
        """Nothing on disk to remove; drop the memory."""
        self.__init__()  # type: ignore[misc]


def _field_lengths(lengths: Any, fieldname: str, doccount: int) -> list[int]:
    """doc → the field length Whoosh's writer would look up for it (0 when unknown)."""
    if not lengths:
        return [0] * doccount
    get = lengths.doc_field_length_reader(fieldname)
    return [get(doc) or 0 for doc in range(doccount)]


class CompactSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a `CompactPool`, writing its postings term by term.

    No extension point: SegmentWriter takes no pool and has no public hook for writing the
    pool out, so this overrides its private `_flush_segment` (and `finish_segment` and
    `abandon` below call `_finalize_segment` and `_close_segment`, as `whoosh.multiproc`
    does). `dlqa.engine.compat` checks that they are still there.
    """

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = CompactPool()
        #: True while ingest workers write segments into the same folder: Whoosh's commit
        #: would delete every segment file its TOC does not name (theirs included) and the
        #: temporary folder all writers of an index share. The ingest calls
        #: `segments.remove_unlisted_files` once they have stopped.
        self.others_writing = False

    def _commit_toc(self, segments: list[Any]) -> None:
        if not self.others_writing:
            super()._commit_toc(segments)
            return
        from whoosh.index import TOC

        TOC(self.schema, segments, self.generation).write(self.storage, self.indexname)

    def _finish(self) -> None:
        if self.others_writing:
            self._tempstorage = _SharedTempFolder()
        super()._finish()

    def _flush_segment(self) -> None:
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.pool.write(self.fieldwriter, self.schema, lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()


class _SharedTempFolder:
    """Stands in for the temporary folder at a commit made while workers still use it."""

    def destroy(self) -> None:
        """Left for the last writer to remove."""


def segment_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """The writer dlqa ingests with (a seam tests replace with Whoosh's own)."""
    kwargs.setdefault("codec", DlqaCodec(blocklimit=BLOCK_POSTINGS, compression=BLOCK_COMPRESSION))
    return CompactSegmentWriter(ix, **kwargs)


def worker_writer(ix: Any) -> Any:
    """A writer for an ingest worker: its own segment, written without the index's lock (the
    parent holds it and commits the segment), as Whoosh's multi-process writer does."""
    return segment_writer(ix, _lk=False, compound=SEGMENT_COMPOUND)


def finish_segment(writer: Any) -> Any:
    """A worker writer's finished segment, for the parent's commit; None when it got no
    documents."""
    return writer._finalize_segment() if writer._added else None


def abandon(writer: Any) -> None:
    """Close a worker writer's unfinished segment. Not `writer.cancel()`: that deletes the
    temporary folder every writer of the index shares, under the parent's writer; Whoosh
    removes the unfinished segment's files at the next commit."""
    writer._close_segment()
