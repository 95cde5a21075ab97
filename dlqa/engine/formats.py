"""Stage 7, posting values: what each posting of a dlqa field stores, compactly and quickly.

Why: Whoosh's `Positions` stores a posting's positions as a 4-byte count plus a pickled list
of deltas (about 11 bytes for one position) and builds it from a stream of Token objects. An
answer gives about one gram posting per character, so that encoding was most of the index
and a large share of ingest time. Here positions are an `array` of deltas behind a one-byte
type code (2 bytes for one position under 256; decoded by `array` in C), and our analyzers
hand over a term → positions map directly, without Token objects. The ingest goes further
(`index_batch`): a field's token list becomes its distinct terms and their values in one
loop, lone positions and counts (most values) looked up in tables, and the weights are read
back from the values when a term is written (`weights_of`), so the pool stores none.

Whoosh pickles the format objects into the on-disk schema, so these classes' import path is
part of the index format: keep them here and stateless. (Indexes written before the engine
package pickled `dlqa.formats.…`, which still resolves here.)
"""

from __future__ import annotations

import sys
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import accumulate, repeat
from operator import sub
from typing import Any

from whoosh import formats

#: One-byte tag → array type code of the deltas that follow it.
_TYPECODES = ("B", "H", "I", "Q")
_ITEMSIZES = tuple(array(code).itemsize for code in _TYPECODES)
_LIMITS = tuple(1 << (8 * size) for size in _ITEMSIZES)
#: `array.tobytes` writes machine order.
_BYTEORDER = sys.byteorder


#: Lone positions (most postings: a gram once in an answer) and counts are encoded once each
#: below this, as met (not at import, which the search path pays for).
MEMO_UPTO = 1 << 16


def encode_positions(positions: list[int]) -> bytes:
    """Sorted positions → tag byte + deltas in the narrowest unsigned array that holds them."""
    if len(positions) == 1 and positions[0] >= 0:
        return _LONE_POSITIONS[positions[0]]
    return _encode(positions)


def _encode(positions: list[int]) -> bytes:
    deltas = [positions[0]]
    deltas += map(sub, positions[1:], positions)
    largest = max(deltas)
    if largest < 256:  # (most values: one byte per delta, no array)
        return b"\x00" + bytes(deltas)
    for tag, limit in enumerate(_LIMITS):
        if largest < limit:
            return bytes((tag,)) + array(_TYPECODES[tag], deltas).tobytes()
    raise ValueError(f"position {positions[-1]} too large")


class _Memo(dict):  # type: ignore[type-arg]
    """key → `make(key)`, kept when `keep(key)` (so the table stays bounded); a lookup is
    `dict.__getitem__`, in C, so `map(memo.__getitem__, keys)` does a document's postings."""

    def __init__(self, make: Callable[[Any], Any], keep: Callable[[Any], bool]) -> None:
        super().__init__()
        self.make = make
        self.keep = keep

    def __missing__(self, key: Any) -> Any:
        value = self.make(key)
        if self.keep(key):
            self[key] = value
        return value


#: The encodings of a lone position (most postings), by position.
_LONE_POSITIONS = _Memo(lambda position: _encode([position]), lambda position: position < MEMO_UPTO)


def decode_positions(value: bytes) -> Iterator[int]:
    """The positions `encode_positions` stored, in order."""
    return accumulate(array(_TYPECODES[value[0]], value[1:]))


def decode_positions_fast(value: bytes) -> tuple[int, ...]:
    """`decode_positions` as a tuple, a lone position (most postings) read without an array."""
    size = _ITEMSIZES[value[0]]
    if len(value) == size + 1:
        return (int.from_bytes(value[1:], _BYTEORDER),)
    return tuple(accumulate(array(_TYPECODES[value[0]], value[1:])))


def positions_count(value: bytes) -> int:
    return (len(value) - 1) // _ITEMSIZES[value[0]]


#: The count of positions a value encodes, by value (kept for values of up to 3 bytes: lone
#: positions, and pairs close together; a bytes value's hash is computed once per object).
_POSITION_COUNTS = _Memo(positions_count, lambda value: len(value) <= 3)


#: What `index_batch` gives for one field of one document: its distinct terms, each one's
#: posting value, and the field length (each term's weight is `weights_of` its value).
TermBatch = tuple[list[str], list[bytes], int]


class _FromTermPositions:
    """`word_values` from the analyzer's term → positions map when it gives one (dlqa's do),
    else Whoosh's Token path; subclasses say how one term's positions become its value.

    `index_batch` is the ingest's path: a field's postings for one document from its token
    list in a few passes, mostly in C (`dlqa.engine.postings.CompactSegmentWriter`).
    """

    field_boost: float

    def index_batch(self, value: Any, analyzer: Any) -> TermBatch | None:
        """The postings of `value` as `TermBatch`, the terms and values `word_values` gives;
        None when the analyzer cannot hand over `value` as a token list."""
        method = getattr(analyzer, "index_tokens", None)
        tokens = method(value) if method is not None else None
        if tokens is None:
            return None
        return (*self.batch_from_tokens(tokens), len(tokens))

    def batch_from_tokens(self, tokens: list[str]) -> tuple[list[str], list[bytes]]:
        raise NotImplementedError

    def value_counts(self, values: list[bytes]) -> list[int]:
        """The count (occurrences in the field) each posting value encodes."""
        raise NotImplementedError

    def weights_of(self, values: list[bytes]) -> list[Any]:
        """The weights `word_values` gives these values' postings: count × field boost, kept
        as the int count when the boost is 1 (the same number to every sum and score)."""
        counts = self.value_counts(values)
        boost = self.field_boost
        return counts if boost == 1.0 else list(map(boost.__mul__, counts))

    def posting_value(self, positions: list[int]) -> bytes:
        raise NotImplementedError

    def word_values(self, value: Any, analyzer: Any, **kwargs: Any) -> Iterable[tuple[str, int, float, bytes]]:
        method = getattr(analyzer, "term_positions", None)
        if method is None:
            yield from super().word_values(value, analyzer, **kwargs)  # type: ignore[misc]
            return
        boost = self.field_boost
        posting_value = self.posting_value
        for text, positions in method(value).items():
            yield text, len(positions), len(positions) * boost, posting_value(positions)


class CompactPositions(_FromTermPositions, formats.Positions):
    """Positions for phrase (gram) fields, in `encode_positions` form."""

    def posting_value(self, positions: list[int]) -> bytes:
        return encode_positions(positions)

    def batch_from_tokens(self, tokens: list[str]) -> tuple[list[str], list[bytes]]:
        """Each token's position is its index. One pass finds each term's first position and
        the positions of terms met again; lone positions are encoded by table lookup."""
        first: dict[str, int] = {}
        seen = first.setdefault
        again: dict[str, list[int]] = {}
        for position, token in enumerate(tokens):
            if seen(token, position) != position:
                positions = again.get(token)
                if positions is None:
                    again[token] = [first[token], position]
                else:
                    positions.append(position)
        if not again:
            return tokens, list(map(_LONE_POSITIONS.__getitem__, range(len(tokens))))
        for token in again:
            del first[token]
        terms = list(first)
        terms += again
        values = list(map(_LONE_POSITIONS.__getitem__, first.values()))
        values += map(_encode, again.values())
        return terms, values

    def value_counts(self, values: list[bytes]) -> list[int]:
        return list(map(_POSITION_COUNTS.__getitem__, values))

    def encode(self, poslist: Any) -> bytes:
        return encode_positions(list(poslist))

    def decode_positions(self, valuestring: bytes) -> list[int]:
        return list(decode_positions(valuestring))

    def decode_frequency(self, valuestring: bytes) -> int:
        return positions_count(valuestring)

    def decode_weight(self, valuestring: bytes) -> float:
        return positions_count(valuestring) * self.field_boost


class CountedFrequency(_FromTermPositions, formats.Frequency):
    """Whoosh's `Frequency` (4-byte counts), fed from the analyzer's map without Tokens."""

    def posting_value(self, positions: list[int]) -> bytes:
        return _pack_uint(len(positions))

    def batch_from_tokens(self, tokens: list[str]) -> tuple[list[str], list[bytes]]:
        counted = Counter(tokens)
        return list(counted), list(map(_COUNTS.__getitem__, counted.values()))

    def value_counts(self, values: list[bytes]) -> list[int]:
        return list(map(int.from_bytes, values, repeat("big")))


def _pack_uint(number: int) -> bytes:
    return number.to_bytes(4, "big")


#: `Frequency` values (4-byte counts), by count.
_COUNTS = _Memo(_pack_uint, lambda count: count < MEMO_UPTO)
