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
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from typing import Any

_Posting = tuple[str, bytes, int, float, bytes | None]


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
        keys = list(self._term_ids)
        count = len(keys)
        sizes = [0] * count
        for term in self._terms:
            sizes[term] += 1
        # Each term's first slot in the sorted output, then scatter postings into their slots.
        starts = [0] * count
        offset = 0
        for term in sorted(range(count), key=keys.__getitem__):
            starts[term] = offset
            offset += sizes[term]
        order = [0] * len(self._terms)
        for index, term in enumerate(self._terms):
            order[starts[term]] = index
            starts[term] += 1
        docs, weights, values, ends = self._docs, self._weights, self._values, self._value_ends
        terms, none_values = self._terms, self._none_values
        for index in order:
            fieldname, text = keys[terms[index]]
            begin = ends[index - 1] if index else 0
            value = None if index in none_values else bytes(values[begin:ends[index]])
            yield fieldname, text, docs[index], weights[index], value

    def cleanup(self) -> None:
        """Nothing on disk to remove; drop the memory."""
        self.__init__()  # type: ignore[misc]


def use_compact_pool(writer: Any) -> Any:
    """Give a fresh Whoosh `SegmentWriter` a `CompactPool`; returns the writer."""
    if getattr(writer, "_added", False):
        raise ValueError("the pool can only be swapped before the first document")
    if hasattr(writer, "pool"):
        writer.pool = CompactPool()
    return writer
