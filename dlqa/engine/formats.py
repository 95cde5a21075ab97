"""Stage 7, posting values: what each posting of a dlqa field stores, compactly and quickly.

Why: Whoosh's `Positions` stores a posting's positions as a 4-byte count plus a pickled list
of deltas (about 11 bytes for one position) and builds it from a stream of Token objects. An
answer gives about one gram posting per character, so that encoding was most of the index
and a large share of ingest time. Here positions are an `array` of deltas behind a one-byte
type code (2 bytes for one position under 256; decoded by `array` in C), and our analyzers
hand over a term → positions map directly, without Token objects.

Whoosh pickles the format objects into the on-disk schema, so these classes' import path is
part of the index format: keep them here and stateless. (Indexes written before the engine
package pickled `dlqa.formats.…`, which still resolves here.)
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Iterable, Iterator
from itertools import accumulate, pairwise
from typing import Any

from whoosh import formats

#: One-byte tag → array type code of the deltas that follow it.
_TYPECODES = ("B", "H", "I", "Q")
_ITEMSIZES = tuple(array(code).itemsize for code in _TYPECODES)
_LIMITS = tuple(1 << (8 * size) for size in _ITEMSIZES)
#: `array.tobytes` writes machine order.
_BYTEORDER = sys.byteorder


#: Encodings of lone positions (most postings: a gram once in an answer), filled as met below
#: `_SINGLES_UPTO`; not built at import, which the search path pays for.
_SINGLES: dict[int, bytes] = {}
_SINGLES_UPTO = 1 << 16


def encode_positions(positions: list[int]) -> bytes:
    """Sorted positions → tag byte + deltas in the narrowest unsigned array that holds them."""
    if len(positions) == 1 and 0 <= positions[0] < _SINGLES_UPTO:
        value = _SINGLES.get(positions[0])
        if value is None:
            value = _SINGLES[positions[0]] = _encode(positions)
        return value
    return _encode(positions)


def _encode(positions: list[int]) -> bytes:
    deltas = [positions[0], *(b - a for a, b in pairwise(positions))]
    largest = max(deltas)
    for tag, limit in enumerate(_LIMITS):
        if largest < limit:
            return bytes((tag,)) + array(_TYPECODES[tag], deltas).tobytes()
    raise ValueError(f"position {positions[-1]} too large")


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
    return (len(value) - 1) // array(_TYPECODES[value[0]]).itemsize


class _FromTermPositions:
    """`word_values` from the analyzer's term → positions map when it gives one (dlqa's do),
    else Whoosh's Token path; subclasses say how one term's positions become its value."""

    field_boost: float

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


def _pack_uint(number: int) -> bytes:
    return number.to_bytes(4, "big")
