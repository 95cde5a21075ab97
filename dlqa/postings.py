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

import io
import pickle
import zlib
from array import array
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3Codec, W3TermInfo
from whoosh.system import pack_ushort
from whoosh.util.numeric import length_to_byte
from whoosh.writing import SegmentWriter

_Posting = tuple[str, bytes, int, float, bytes | None]

#: Postings per block (Whoosh's default is 128). Each block costs a header, a zlib stream
#: and a read with Python-level bookkeeping, and a common gram has tens of thousands of
#: postings: at 10k answers 1,024 made the index 10% smaller (52.1 → 47.2 MB) and phrase
#: reads a quarter faster; 4,096 gained little more. dlqa never skips within a term.
BLOCK_POSTINGS = 1024
#: zlib level of the blocks (Whoosh's default 3): 6 is 1.5% smaller again at 10k for about
#: a second more CPU; reading is as fast.
BLOCK_COMPRESSION = 6
#: Pickle protocol of written blocks: Whoosh's readers call `pickle.loads`, which reads any.
#: 3 has compact bytes opcodes (2 gives each bytes value ~30 bytes of `_codecs.encode`
#: call) and, unlike 4 and 5, no 9-byte frame header on every small pickle.
BLOCK_PROTOCOL = 3


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
        """Write every posting through Whoosh 3's `fieldwriter`, a term's block at a time.

        The files are those `fieldwriter.add_postings` writes, built per block instead of per
        posting; `lengths` is the new segment's per-document reader (field lengths feed each
        block's min/max length, as in Whoosh).
        """
        doccount = max(self._docs, default=0) + 1
        field_lengths: list[int] = []
        current = None
        writer: _BlockWriter | None = None
        for fieldname, text, indexes in self._term_runs():
            if fieldname != current:
                if current is not None:
                    fieldwriter.finish_field()
                fieldobj = schema[fieldname]
                fieldwriter.start_field(fieldname, fieldobj)
                field_lengths = _field_lengths(lengths, fieldname, doccount)
                writer = _BlockWriter(fieldwriter, fieldobj.format)
                current = fieldname
            assert writer is not None
            docs, weights, values = self._postings(indexes)
            writer.write_term(text, docs, weights, values, [field_lengths[doc] for doc in docs])
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


class _BlockWriter:
    """One field's terms, written as Whoosh 3 posting blocks (`W3PostingsWriter`'s format)."""

    def __init__(self, fieldwriter: Any, format_: Any) -> None:
        codec = fieldwriter._codec
        self.fieldwriter = fieldwriter
        self.postfile = fieldwriter._postfile
        self.limit = codec._blocklimit
        self.compression = codec._compression
        self.fixed_size = format_.fixed_value_size()

    def write_term(self, text: bytes, docs: list[int], weights: list[float],
                   values: list[bytes | None], lengths: list[int]) -> None:
        postfile = self.postfile
        terminfo = W3TermInfo()
        start = postfile.tell()
        postfile.write(WHOOSH3_HEADER_MAGIC)
        limit = self.limit
        count = len(docs)
        for begin in range(0, count, limit):
            end = min(begin + limit, count)
            self._write_block(terminfo, docs[begin:end], weights[begin:end], values[begin:end],
                              lengths[begin:end], last=end == count)
        terminfo.set_extent(start, postfile.tell() - start)
        fieldwriter = self.fieldwriter
        fieldwriter._tindex.add(pack_ushort(fieldwriter._fieldid) + text, terminfo.to_bytes())

    def _write_block(self, terminfo: Any, docs: list[int], weights: list[float],
                     values: list[bytes | None], lengths: list[int], last: bool) -> None:
        # Block statistics, as W3PostingsWriter.add_posting keeps them and add_block sums them.
        known = [length for length in lengths if length]
        min_length = min(known) if known else None
        max_length = max(known) if known else 0
        max_weight = max(0, max(weights))
        terminfo._weight += sum(weights)
        terminfo._df += len(docs)
        if min_length is not None:
            terminfo._minlength = min_length if terminfo._minlength is None else min(terminfo._minlength, min_length)
        terminfo._maxlength = max(terminfo._maxlength, max_length)
        terminfo._maxweight = max(terminfo._maxweight, max_weight)
        if terminfo._minid is None:
            terminfo._minid = docs[0]
        terminfo._maxid = docs[-1]

        data = _dumps((_deltas(docs), _mini_weights(weights), self._mini_values(values)))
        compression = self.compression if len(data) >= _COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        info = _dumps((len(docs), docs[-1], float(max_weight), compression,
                       length_to_byte(min_length), length_to_byte(max_length)))
        size = len(info) + len(data)
        self.postfile.write_int(-size if last else size)
        self.postfile.write(info)
        self.postfile.write(data)

    def _mini_values(self, values: list[bytes | None]) -> Any:
        if self.fixed_size is None or self.fixed_size < 0:
            return tuple(values)
        if self.fixed_size == 0:
            return None
        return b"".join(value or b"" for value in values)


#: Whoosh 3 leaves blocks under this many bytes uncompressed (zlib would grow them).
_COMPRESSION_MIN_SIZE = 80


def _deltas(docs: list[int]) -> tuple[int, ...]:
    return (docs[0], *(b - a for a, b in pairwise(docs)))


def _mini_weights(weights: list[float]) -> Any:
    """Whoosh's `_mini_weights` (None when all 1.0, one float when all equal), else each
    weight, as an int where it is whole: a 2-byte pickle opcode instead of a 9-byte float,
    and the same number to every score computed from it."""
    first = weights[0]
    if all(weight == first for weight in weights):
        return None if first == 1.0 else first
    return tuple(int(weight) if weight.is_integer() else weight for weight in weights)


def _dumps(data: Any) -> bytes:
    """Pickle a block's flat tuple without the memo (nothing in it is shared): a memo entry
    costs 2-5 bytes per value and keeps zlib from seeing the values' repetitions."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, BLOCK_PROTOCOL)
    pickler.fast = True
    pickler.dump(data)
    return buffer.getvalue()


class CompactSegmentWriter(SegmentWriter):
    """Whoosh's segment writer with a `CompactPool`, writing its postings term by term."""

    def __init__(self, ix: Any, **kwargs: Any) -> None:
        super().__init__(ix, **kwargs)
        self.pool = CompactPool()

    def _flush_segment(self) -> None:
        _write_column_offsets(self.perdocwriter)
        self.perdocwriter.close()
        lengths = self.per_document_reader() if self.codec.length_stats else None
        self.pool.write(self.fieldwriter, self.schema, lengths)
        self.fieldwriter.close()
        if lengths:
            lengths.close()


def _write_column_offsets(perdocwriter: Any) -> None:
    """Have each variable-length column (stored fields, bodies) write its offsets table.

    Whoosh writes only the lengths when a column has fewer than 32,768 values, and a reader
    then adds them up in a Python loop when it opens the column: at 100k answers that was
    about 10 ms of every fresh `dlqa search`, which opens each segment's stored fields. The
    table costs 4 bytes per answer; readers of any Whoosh version use it when it is there.
    """
    for writer in getattr(perdocwriter, "_colwriters", {}).values():
        while hasattr(writer, "_child"):  # PickleColumn and other wrappers
            writer = writer._child
        if getattr(writer, "allow_offsets", False) and hasattr(writer, "cutoff"):
            writer.cutoff = 0


def segment_writer(ix: Any, **kwargs: Any) -> SegmentWriter:
    """The writer dlqa ingests with (a seam tests replace with Whoosh's own)."""
    kwargs.setdefault("codec", W3Codec(blocklimit=BLOCK_POSTINGS, compression=BLOCK_COMPRESSION))
    return CompactSegmentWriter(ix, **kwargs)
