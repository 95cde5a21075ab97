"""Page-level relevance of forum threads: what a thread's title lends its replies.

A forum reply is not indexed under its thread's title (`store.documents`), so "mark" and
"+1" never match a query through the title. But a reply answers its thread's title: a reply
matching part of a query in its own text, in a thread whose title holds the rest, is nearly
as good as one holding every term (`thread_terms`, used by `dlqa.ranking`); and when a search
lists fewer than a page of answers, the replies of listed threads whose title holds a query
term follow the partial matches, in thread order (`thread_replies`; `dlqa.substance` still
sinks the near-empty ones).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dlqa.engine import queries as wq
from dlqa.textutil import fold

#: A reply listed for its thread scores this share of its thread's best listed answer.
THREAD_SHARE = 0.3
#: Threads looked at per search for `thread_terms`: those whose titles hold the most terms.
MAX_THREADS = 50


def thread_terms(searcher: Any, title_docs: list[set[int]], candidates: dict[int, Any]) -> dict[int, set[int]]:
    """Reply docnum → the clauses (indexes into `title_docs`) its thread's title holds, for
    the `candidates` that are replies. `title_docs[i]` are the answers whose indexed title
    matches clause i (opening posts and whole-page answers; replies have no indexed title)."""
    held: dict[int, set[int]] = {}
    for number, docs in enumerate(title_docs):
        for doc in docs:
            held.setdefault(doc, set()).add(number)
    if not held or not candidates:
        return {}
    openers = sorted(held, key=lambda doc: (-len(held[doc]), doc))[:MAX_THREADS]
    out: dict[int, set[int]] = {}
    for opener in openers:
        source = searcher.stored_fields(opener).get("source_file")
        if not source:
            continue
        for doc in searcher.docs_for_query(wq.Term("source_file", source)):
            if doc in candidates and doc not in held and not searcher.doc_field_length(doc, "title"):
                out.setdefault(doc, set()).update(held[opener])
    return out


def thread_replies(searcher: Any, listed: list[tuple[int, float]], names: Iterable[Iterable[str]],
                   wanted: int, allowed: set[int] | None = None) -> list[tuple[int, float]]:
    """(docnum, score) of up to `wanted` replies, not in `listed` (and in `allowed`, unless
    None), of forum threads that `listed` reaches and whose title holds one of the `names`
    (folded) of a query term."""
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
            if doc in listed_docs or (allowed is not None and doc not in allowed) \
                    or searcher.stored_fields(doc).get("floor") is None:
                continue
            out.append((doc, score * THREAD_SHARE))
            if len(out) >= wanted:
                return out
    return out


def _title_names(title: str, folded_names: list[str]) -> bool:
    folded = fold(title)
    return any(name in folded for name in folded_names)
