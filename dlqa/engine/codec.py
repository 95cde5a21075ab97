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
  compact pool in `dlqa.engine.postings` holds them term by term), with protocol-3 pickles,
  and its term table through `TermTableWriter` (Whoosh's, one write per entry).
- `DlqaCodec` hands these out. Its segments record a plain `W3Codec`, so the TOC pickles
  only Whoosh's classes and Whoosh alone opens a dlqa index.
"""

from __future__ import annotations

import contextlib
import io
import mmap
import pickle
import struct
import zlib
from array import array
from hashlib import md5
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
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.filedb.structfile import StructFile
from whoosh.reading import CorruptIndexError
from whoosh.system import _INT_SIZE, pack_int, pack_long, pack_ushort
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


class BlockFieldWriter(W3FieldWriter):
    """Whoosh 3's field writer, plus `add_term_blocks`: a whole term's postings in one call.

    The blocks are the ones `W3PostingsWriter` writes a posting at a time, and the term info
    the one `W3TermInfo.to_bytes` packs (its readers read them unchanged); built per term,
    they skip the per-posting type asserts, length lookups and statistics, which cost as
    much as building the postings. Per term there is one write to the postings file, and
    pickles come from one reused pickler: real text has a long tail of terms met once
    (hundreds of thousands at 10k answers), each costing this per-term work.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._tindex = TermTableWriter.adopt(self._tindex)
        self._pickle_buffer = io.BytesIO()
        self._pickler = pickle.Pickler(self._pickle_buffer, BLOCK_PROTOCOL)
        # No memo (nothing in a block is shared): a memo entry costs 2-5 bytes per value and
        # keeps zlib from seeing the values' repetitions.
        self._pickler.fast = True

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
        out = bytearray(WHOOSH3_HEADER_MAGIC)
        limit = self._codec._blocklimit
        count = len(docs)
        # The term's statistics, summed over its blocks as `W3TermInfo.add_block` sums them.
        total_weight: Any = 0
        min_length: int | None = None
        max_length = 0
        max_weight = 0.0
        for begin in range(0, count, limit):
            end = begin + limit
            if begin == 0 and end >= count:  # (most terms: one block, no copies)
                block_docs, block_weights, block_values = docs, weights, values
            else:
                block_docs = docs[begin:end]
                block_weights, block_values = weights[begin:end], values[begin:end]
            lengths = list(map(field_lengths.__getitem__, block_docs))
            if 0 in lengths:
                lengths = [length for length in lengths if length]
            block_min = min(lengths) if lengths else None
            block_max = max(lengths) if lengths else 0
            block_max_weight = float(max(0, max(block_weights)))
            total_weight += sum(block_weights)
            if block_min is not None and (min_length is None or block_min < min_length):
                min_length = block_min
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_max_weight)
            data = self._dumps((_deltas(block_docs), _mini_weights(block_weights),
                                _mini_values(block_values, self.value_size)))
            compression = self._codec._compression if len(data) >= COMPRESSION_MIN_SIZE else 0
            if compression:
                data = zlib.compress(data, compression)
            info = self._dumps((len(block_docs), block_docs[-1], block_max_weight, compression,
                                _LENGTH_BYTES[block_min], _LENGTH_BYTES[block_max]))
            size = len(info) + len(data)
            out += pack_int(-size if end >= count else size)
            out += info
            out += data
        self._postfile.write(out)
        terminfo = _TERM_INFO.pack(False, total_weight, count,
                                   0 if min_length is None else _LENGTH_BYTES[min_length],
                                   _LENGTH_BYTES[max_length], max_weight, docs[0], docs[-1])
        self._tindex.add(pack_ushort(self._fieldid) + text,
                         terminfo + pack_long(self.post_position) + pack_int(len(out)))
        self.post_position += len(out)

    def _dumps(self, data: Any) -> bytes:
        """Pickle a block's flat tuple (protocol 3, no memo) with the writer's pickler."""
        buffer = self._pickle_buffer
        buffer.seek(0)
        buffer.truncate()
        self._pickler.dump(data)
        return buffer.getvalue()


class TermTableWriter(OrderedHashWriter):
    """Whoosh's term table writer (`OrderedHashWriter`), writing each entry in one call: the
    same bytes, without two `tell()` system calls, four writes and a hex round trip of the
    MD5 per term."""

    position: int

    @classmethod
    def adopt(cls, table: OrderedHashWriter) -> TermTableWriter:
        """This writer over the table `W3FieldWriter` opened (its header already written)."""
        adopted = cls.__new__(cls)
        adopted.__dict__.update(table.__dict__)
        adopted.position = table.dbfile.tell()
        return adopted

    def add(self, key: bytes, value: bytes) -> None:
        if key <= self.lastkey:
            raise ValueError(f"Keys must increase: {self.lastkey!r}..{key!r}")
        position = self.position
        self.index.append(position)
        entry = _ENTRY_LENGTHS.pack(len(key), len(value)) + key + value
        self.dbfile.write(entry)
        self.position = position + len(entry)
        if self.hashtype == 0:  # md5_hash: the digest's last 4 bytes, big-endian
            hashed = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        else:
            hashed = self.hashfn(key)
        self.buckets[hashed & 255].append((hashed, position))
        self.lastkey = key


#: An entry's key and value lengths, as `HashWriter.add` packs them.
_ENTRY_LENGTHS = struct.Struct("!ii")


class _LengthBytes(dict):  # type: ignore[type-arg]
    """length → Whoosh's one-byte length (`length_to_byte`), looked up in C once met."""

    def __missing__(self, length: int | None) -> int:
        value = self[length] = length_to_byte(length)
        return value


_LENGTH_BYTES = _LengthBytes()
#: `W3TermInfo.to_bytes`'s layout: inlined flag, weight, doc frequency, min and max length
#: bytes, max weight, first and last document; then the postings' offset and length.
_TERM_INFO = W3TermInfo._struct


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
