"""How dlqa's segments are read and written: subclasses at Whoosh's extension points.

Every piece here is a Whoosh class with one behaviour changed, plugged in where Whoosh asks
for one (`Storage.open_file`, `Codec.per_document_reader/writer`, `Codec.field_writer`,
`Codec.new_segment`); none replaces a method of a live object.

- `SegmentStorage` serves the term tables and postings from read-only mmaps
  (`MappedStructFile`): a term lookup is a few reads at scattered offsets, each refilling an
  8 KB buffer through seek + read; from a map a read is a slice (8% off the benchmark's
  searches at 100k).
- `OpenColumnsReader` opens every column file of a segment when the segment is opened.
  Whoosh opens them lazily and takes a missing file for an absent column, so a concurrent
  commit that merged segments (deleting their files) made a search see no repost keys; opened
  up front, the files stay readable for the reader's life, and a missing stored-fields file
  is an error, not an answer without fields.
- `OffsetsPerDocWriter` has every variable-length column write its offsets table: Whoosh
  writes only lengths under 32,768 values, and a reader then sums them in a Python loop at
  open (~10 ms of a fresh search at 100k). 4 bytes per answer; any Whoosh reader uses them.
- `BlockFieldWriter` writes a whole term's postings as Whoosh 3 blocks in one call (the
  compact pool in `dlqa.engine.postings` holds them term by term), with protocol-3 pickles.
- `DlqaCodec` hands these out. Its segments record a plain `W3Codec`, so the TOC pickles
  only Whoosh's classes and Whoosh alone opens a dlqa index.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import pickle
import zlib
from array import array
from itertools import accumulate
from operator import sub
from typing import Any, BinaryIO

from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3PerDocReader,
    W3PerDocWriter,
    W3Segment,
    W3TermInfo,
)
from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import StructFile
from whoosh.reading import CorruptIndexError
from whoosh.system import _INT_SIZE, pack_ushort
from whoosh.util.numeric import length_to_byte

#: Files read through a map: the term table and the postings.
MAPPED_SUFFIXES = (W3Codec.TERMS_EXT, W3Codec.POSTS_EXT)
#: Columns every segment of a dlqa index has (the stored fields); missing means damaged.
REQUIRED_COLUMNS = ("_stored",)
#: Pickle protocol of written blocks: Whoosh's readers call `pickle.loads`, which reads any.
#: 3 has compact bytes opcodes (2 gives each bytes value ~30 bytes of `_codecs.encode`
#: call) and, unlike 4 and 5, no 9-byte frame header on every small pickle.
BLOCK_PROTOCOL = 3
#: Whoosh 3 leaves blocks under this many bytes uncompressed (zlib would grow them).
COMPRESSION_MIN_SIZE = 80


class MappedStructFile(StructFile):
    """A StructFile whose `get` (every term lookup and postings read) slices a read-only mmap.

    Other reads (seek/read, arrays) still go through the file, which stays open. A file that
    cannot be mapped (empty, not a real file) is read as Whoosh reads it.
    """

    def __init__(self, fileobj: BinaryIO, name: str | None = None, **kwargs: Any) -> None:
        super().__init__(fileobj, name=name, **kwargs)
        self.mapped: mmap.mmap | None = None
        with contextlib.suppress(OSError, ValueError, AttributeError):
            self.mapped = mmap.mmap(fileobj.fileno(), 0, access=mmap.ACCESS_READ)

    def get(self, position: int, length: int) -> bytes:
        mapped = self.mapped
        if mapped is None:
            return super().get(position, length)
        return mapped[position : position + length]

    def close(self) -> None:
        if self.mapped is not None:
            with contextlib.suppress(BufferError, ValueError):
                self.mapped.close()
            self.mapped = None
        super().close()


class SegmentStorage(FileStorage):
    """Whoosh's folder storage, opening term tables and postings as `MappedStructFile`s."""

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        # `_fpath` is FileStorage's own name → path (no public one; checked in compat.py)
        if name.endswith(MAPPED_SUFFIXES):
            return MappedStructFile(open(self._fpath(name), "rb"), name=name, **kwargs)  # noqa: SIM115 - closed with the StructFile
        return super().open_file(name, **kwargs)


class OpenColumnsReader(W3PerDocReader):
    """Whoosh 3's per-document reader with every column file opened at once (see module)."""

    def __init__(self, storage: Any, segment: Any) -> None:
        super().__init__(storage, segment)
        prefix = segment.make_filename(".")
        names = storage.list()
        try:
            for name in names:
                if name.startswith(prefix) and name.endswith(W3Codec.COLUMN_EXT):
                    column = name[len(prefix) : -len(W3Codec.COLUMN_EXT)]
                    self._colfiles[column] = self._get_column_file(column)
            for column in REQUIRED_COLUMNS:
                if column not in self._colfiles:
                    raise FileNotFoundError(f"No such file: {W3Codec.column_filename(segment, column)}")
        except BaseException:
            self.close()
            raise

    def has_column(self, fieldname: str) -> bool:
        """Whether the segment had this column when it was opened (Whoosh asks the folder)."""
        return fieldname in self._colfiles


class OffsetsPerDocWriter(W3PerDocWriter):
    """Whoosh 3's per-document writer whose variable-length columns write offsets tables."""

    def close(self) -> None:
        for writer in self._colwriters.values():
            while hasattr(writer, "_child"):  # PickleColumn and other wrappers
                writer = writer._child
            if getattr(writer, "allow_offsets", False) and hasattr(writer, "cutoff"):
                writer.cutoff = 0
        super().close()


class BlockTermInfo(W3TermInfo):
    """Whoosh 3's term info, summing a block's statistics from plain values (Whoosh's
    `add_block` takes them from a postings writer's block object)."""

    def add_block_statistics(self, docs: list[int], weights: list[float], min_length: int | None,
                             max_length: int, max_weight: float) -> None:
        """Add one block, as `W3PostingsWriter.add_posting` keeps and `add_block` sums them."""
        self._weight += sum(weights)
        self._df += len(docs)
        if min_length is not None:
            self._minlength = min_length if self._minlength is None else min(self._minlength, min_length)
        self._maxlength = max(self._maxlength, max_length)
        self._maxweight = max(self._maxweight, max_weight)
        if self._minid is None:
            self._minid = docs[0]
        self._maxid = docs[-1]


class BlockFieldWriter(W3FieldWriter):
    """Whoosh 3's field writer, plus `add_term_blocks`: a whole term's postings in one call.

    The blocks are the ones `W3PostingsWriter` writes a posting at a time (its readers read
    them unchanged); built per block, they skip the per-posting type asserts, length lookups
    and statistics, which cost as much as building the postings.
    """

    def start_field(self, fieldname: str, fieldobj: Any) -> None:
        super().start_field(fieldname, fieldobj)
        self.value_size = fieldobj.format.fixed_value_size()  # once per field, not per term
        #: Where the postings file stands: counted here, as only `add_term_blocks` writes to
        #: it in a field (its `tell` is a system call, once per term).
        self.post_position = self._postfile.tell()

    def add_term_blocks(self, text: bytes, docs: list[int], weights: list[Any],
                        values: list[bytes | None], field_lengths: list[int]) -> None:
        """Write one term of the current field: its documents in order, with their weights
        (numbers), encoded values, and `field_lengths`, every document's field length in
        this segment (0: unknown)."""
        terminfo = BlockTermInfo()
        self._postfile.write(WHOOSH3_HEADER_MAGIC)
        written = len(WHOOSH3_HEADER_MAGIC)
        limit = self._codec._blocklimit
        fixed_size = self.value_size
        count = len(docs)
        if count <= limit:
            written += self._write_block(terminfo, docs, weights, _mini_values(values, fixed_size),
                                         field_lengths, last=True)
        else:
            for begin in range(0, count, limit):
                end = min(begin + limit, count)
                written += self._write_block(terminfo, docs[begin:end], weights[begin:end],
                                             _mini_values(values[begin:end], fixed_size),
                                             field_lengths, last=end == count)
        terminfo.set_extent(self.post_position, written)
        self.post_position += written
        self._tindex.add(pack_ushort(self._fieldid) + text, terminfo.to_bytes())

    def _write_block(self, terminfo: BlockTermInfo, docs: list[int], weights: list[Any],
                     values: Any, field_lengths: list[int], last: bool) -> int:
        """Write one block; returns the bytes written."""
        lengths = list(map(field_lengths.__getitem__, docs))
        if 0 in lengths:
            lengths = [length for length in lengths if length]
        min_length = min(lengths) if lengths else None
        max_length = max(lengths) if lengths else 0
        max_weight = float(max(0, max(weights)))
        terminfo.add_block_statistics(docs, weights, min_length, max_length, max_weight)
        data = _dumps((_deltas(docs), _mini_weights(weights), values))
        compression = self._codec._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
        if compression:
            data = zlib.compress(data, compression)
        info = _dumps((len(docs), docs[-1], max_weight, compression,
                       length_to_byte(min_length), length_to_byte(max_length)))
        size = len(info) + len(data)
        postfile = self._postfile
        postfile.write_int(-size if last else size)
        postfile.write(info)
        postfile.write(data)
        return _INT_SIZE + size


def _mini_values(values: list[bytes | None], fixed_size: int | None) -> Any:
    """A block's values as `W3PostingsWriter` stores them for the format's value size."""
    if fixed_size is None or fixed_size < 0:
        return tuple(values)
    if fixed_size == 0:
        return None
    return b"".join(value or b"" for value in values)


def _deltas(docs: list[int]) -> tuple[int, ...]:
    return (docs[0], *map(sub, docs[1:], docs))


def _mini_weights(weights: list[Any]) -> Any:
    """Whoosh's `_mini_weights` (None when all 1.0, one float when all equal), else each
    weight, as an int where it is whole: a 2-byte pickle opcode instead of a 9-byte float,
    and the same number to every score computed from it. (A pool's weights are floats, or
    ints where a field's weight is its count.)"""
    first = weights[0]
    if weights.count(first) == len(weights):
        return None if first == 1.0 else float(first)
    if all(map(int.__instancecheck__, weights)):
        return tuple(weights)
    return tuple(weight if weight.__class__ is int or not weight.is_integer() else int(weight)
                 for weight in weights)


def _dumps(data: Any) -> bytes:
    """Pickle a block's flat tuple without the memo (nothing in it is shared): a memo entry
    costs 2-5 bytes per value and keeps zlib from seeing the values' repetitions."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, BLOCK_PROTOCOL)
    pickler.fast = True
    pickler.dump(data)
    return buffer.getvalue()


def read_term_blocks(postfile: Any, terminfo: Any, format_: Any) -> tuple[list[int], list[float], list[Any]]:
    """Every posting of a term stored in Whoosh 3 blocks (`BlockFieldWriter`'s or Whoosh's),
    as (ids, weights, values) decoded as `W3LeafMatcher` does, in one read of its extent."""
    offset, length = terminfo.extent()
    if isinstance(length, tuple):  # W3TermInfo.from_bytes keeps struct.unpack's 1-tuple
        length = length[0]
    raw = postfile.get(offset, length)
    if raw[:4] != WHOOSH3_HEADER_MAGIC:
        raise CorruptIndexError(f"bad postings block tag at offset {offset}")
    fixed = format_.fixed_value_size()
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    position, end = 4, len(raw)
    while position < end:
        size = int.from_bytes(raw[position : position + _INT_SIZE], "big", signed=True)
        position += _INT_SIZE
        last = size < 0
        block = raw[position : position + abs(size)]
        position += abs(size)
        stream = io.BytesIO(block)
        count, _, _, compression, _, _ = pickle.load(stream)
        data = block[stream.tell():]
        block_ids, block_weights, block_values = pickle.loads(zlib.decompress(data) if compression else data)
        ids.extend(accumulate(block_ids))
        if block_weights is None:  # W3LeafMatcher._read_weights: float32 arrays when minified
            weights.extend(array("f", (1.0,)) * count)
        elif isinstance(block_weights, float):
            weights.extend(array("f", (block_weights,)) * count)
        else:
            weights.extend(block_weights)
        if fixed is None or fixed < 0:  # W3LeafMatcher._read_values
            values.extend(block_values)
        elif fixed == 0:
            values.extend((None,) * count)
        else:
            values.extend(block_values[i : i + fixed] for i in range(0, len(block_values), fixed))
        if last:
            break
    return ids, weights, values


class DlqaCodec(W3Codec):
    """Whoosh 3's codec with the readers and writers above; on disk, plain Whoosh 3."""

    def per_document_reader(self, storage: Any, segment: Any) -> OpenColumnsReader:
        return OpenColumnsReader(storage, segment)

    def per_document_writer(self, storage: Any, segment: Any) -> OffsetsPerDocWriter:
        return OffsetsPerDocWriter(self, storage, segment)

    def field_writer(self, storage: Any, segment: Any) -> BlockFieldWriter:
        return BlockFieldWriter(self, storage, segment)

    def new_segment(self, storage: Any, indexname: str) -> W3Segment:
        """A segment that records Whoosh's own codec (same settings), which the TOC pickles."""
        return W3Segment(W3Codec(self._blocklimit, self._compression, self._inlinelimit), indexname)


#: The codec every segment is read with (reading uses none of the codec's settings).
READ_CODEC = DlqaCodec()
