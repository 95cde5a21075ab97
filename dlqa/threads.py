"""Page-level relevance of forum threads: the replies of a thread whose title matches.

A forum reply is not indexed under its thread's title (`store.documents`), so "mark" and
"+1" never match a query through the title. But a thread titled with the query's topic makes
its replies worth reading — they answer that title — so when a search lists fewer than a page
of answers, the replies of listed threads whose title holds a query term follow the partial
matches, in thread order (`dlqa.substance` still sinks the near-empty ones).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlqa.engine import queries as wq
from dlqa.textutil import fold

#: A reply listed for its thread scores this share of its thread's best listed answer.
THREAD_SHARE = 0.3


def thread_replies(searcher: Any, listed: list[tuple[int, float]], names: Iterable[Iterable[str]],
                   wanted: int) -> list[tuple[int, float]]:
    """(docnum, score) of up to `wanted` replies, not in `listed`, of forum threads that
    `listed` reaches and whose title holds one of the `names` (folded) of a query term."""
    folded_names = [fold(name) for group in names for name in group if name.strip()]
    listed_docs = {doc for doc, _ in listed}
    pages: dict[str, float] = {}
    for doc, score in listed:
        stored = searcher.stored_fields(doc)
        source = stored.get("source_file")
        if source and source not in pages and _title_names(stored.get("title") or "", folded_names):
            pages[source] = score
    out: list[tuple[int, float]] = []
    for source, score in pages.items():
        for doc in sorted(searcher.docs_for_query(wq.Term("source_file", source))):
            if doc in listed_docs or searcher.stored_fields(doc).get("floor") is None:
                continue
            out.append((doc, score * THREAD_SHARE))
            if len(out) >= wanted:
                return out
    return out


def _title_names(title: str, folded_names: list[str]) -> bool:
    folded = fold(title)
    return any(name in folded for name in folded_names)
