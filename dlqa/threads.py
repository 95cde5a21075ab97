"""Page-level relevance of forum threads: what a thread's title lends its replies.

A forum reply is not indexed under its thread's title (`store.documents`), so "mark" and
"+1" never match a query through the title. But a reply answers its thread's title, so the
title still counts at the page level (`dlqa.ranking`): a reply in a thread whose title holds
query terms gets them as related matches (half a match, never a full one), whether or not
its own text matches other terms. A reply matching nothing itself is listed only as a partial
match (its `missing` names every term), and `dlqa.substance` sinks the near-empty ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlqa.engine import queries as wq

#: Threads looked at per search: those whose titles hold the most terms, best scored first.
MAX_THREADS = 50


@dataclass(frozen=True)
class Lent:
    """What a reply's thread lends it: the clauses its title holds and its opening answer."""

    clauses: frozenset[int]
    opener: int


def thread_terms(searcher: Any, title_docs: list[set[int]], score_of: Callable[[int], float],
                 admit: Callable[[int], bool]) -> dict[int, Lent]:
    """Reply docnum → what its thread lends it, for the replies `admit` lets through.

    `title_docs[i]` are the answers whose indexed title matches clause i (opening posts and
    whole-page answers; replies have no indexed title); `score_of(doc)` ranks the threads.
    """
    held: dict[int, set[int]] = {}
    for number, docs in enumerate(title_docs):
        for doc in docs:
            held.setdefault(doc, set()).add(number)
    openers = sorted(held, key=lambda doc: (-len(held[doc]), -score_of(doc), doc))[:MAX_THREADS]
    out: dict[int, Lent] = {}
    pages: set[str] = set()
    for opener in openers:
        source = searcher.stored_fields(opener).get("source_file")
        if not source or source in pages:
            continue
        pages.add(source)
        clauses = frozenset(held[opener])
        for doc in searcher.docs_for_query(wq.Term("source_file", source)):
            if doc not in held and admit(doc) and not searcher.doc_field_length(doc, "title"):
                out[doc] = Lent(clauses, opener)
    return out
