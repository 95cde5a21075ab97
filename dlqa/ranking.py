"""Which answers match a planned query, and in what order.

Answers matching every content clause (`dlqa.matching`) come first; answers matching most of
them follow (`minimum_should_match`), each knowing which clauses it misses. Within each
group: more clauses matched as typed first, then the BM25F score (the clause scores summed),
raised for answers where the clauses stand close together (`dlqa.proximity`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dlqa.engine import queries as wq
from dlqa.engine.evaluate import matching_docs, scored_docs
from dlqa.matching import Plan
from dlqa.proximity import closeness
from dlqa.threads import thread_terms

#: A page of answers (the default `--limit`): partial matches and related concepts are
#: listed when fewer answers than this match every term.
PAGE = 10
#: Share of the clauses an answer must match to be listed at all (rounded up; at least one).
MINIMUM_SHOULD_MATCH = 0.5
#: A reply listed for its thread's title scores this share of the thread's opening answer.
THREAD_SHARE = 0.3
#: Weight of an optional term's score (a lone character of the question) in an answer's score.
OPTIONAL_SHARE = 0.5
#: How many of the best answers per group are re-scored by proximity (it reads their text).
PROXIMITY_WINDOW = 60
#: Score multiplier for an answer whose clauses stand together: 1 + PROXIMITY_BOOST * closeness.
PROXIMITY_BOOST = 0.5


class MissingTerms(dict):  # type: ignore[type-arg]
    """docnum → the labels of the clauses a partial match misses, worked out when asked: a
    search shows a page of answers, and a broad question lists tens of thousands."""

    def __init__(self, labels: list[str], members: list[set[int]], full: set[int]) -> None:
        super().__init__()
        self._labels, self._members, self._full = labels, members, full

    def get(self, doc: int, default: Any = None) -> Any:  # type: ignore[override]
        if doc in self:
            return self[doc]
        if doc in self._full:
            return default
        return [label for label, members in zip(self._labels, self._members, strict=True)
                if doc not in members] or default


@dataclass
class Ranked:
    """Every listed answer, best first, and what each one matched."""

    #: (docnum, score), best first: full matches, then partial ones.
    docs: list[tuple[int, float]]
    #: Answers that match every clause (and every strict part).
    full: set[int]
    #: docnum → labels of the clauses it misses (partial matches only).
    missing: dict[int, list[str]] = field(default_factory=dict)


def rank(searcher: Any, planned: Plan, extra: list[Any], tables: dict[Any, Any],
         text_of: Callable[[int], str], wanted: int = 10) -> Ranked:
    """Rank the answers for `planned` under the filter queries `extra`; `text_of(doc)` gives
    an answer's folded title and body for proximity; `wanted` is how many results the
    caller shows (answers matching few terms are listed when too few match most)."""
    found: dict[Any, Any] = {}
    if not planned.clauses:
        query = _and([*planned.strict, *extra])
        scored = _sorted(scored_docs(searcher, _without(query, planned.excluded), tables, found))
        return Ranked(scored, {doc for doc, _ in scored})
    if len(planned.clauses) == 1 and not planned.strict and not planned.optional:
        alone = _one_clause(searcher, planned, extra, tables, found, wanted)
        if len(alone.full) < wanted:  # (the benchmarked path: threads only for short lists)
            _add_thread_replies(searcher, planned, alone, extra, found)
        return alone
    base: dict[int, float] | None = None
    if planned.strict:
        base = scored_docs(searcher, _without(_and([*planned.strict, *extra]), planned.excluded), tables, found)
    elif extra or planned.excluded:
        base = dict.fromkeys(matching_docs(searcher, _without(_and(extra) if extra else wq.Every(),
                                                              planned.excluded)), 0.0)
    scores: dict[int, float] = {}
    matched: dict[int, int] = {}  # clauses matched as the same concept (typed, synonym, inflection)
    typed: dict[int, int] = {}
    reached: dict[int, int] = {}  # clauses matched at all (also through a related concept)
    clause_docs: list[set[int]] = []
    for clause in planned.clauses:
        # What was typed, its synonyms and inflections first; related concepts below
        part = scored_docs(searcher, clause.strong, tables, found)
        if base is not None:
            part = {doc: score for doc, score in part.items() if doc in base}
        as_typed = _members(searcher, clause.typed, clause.strong, part, found)
        clause_docs.append(set(part))
        for doc, score in part.items():
            scores[doc] = scores.get(doc, 0.0) + score
            reached[doc] = reached.get(doc, 0) + 1
            matched[doc] = matched.get(doc, 0) + 1
            if doc in as_typed:
                typed[doc] = typed.get(doc, 0) + 1
    full_so_far = sum(1 for value in matched.values() if value == len(planned.clauses))
    for clause, members in zip(planned.clauses, clause_docs, strict=True):
        if clause.weak is None:
            continue
        if full_so_far >= wanted:
            # Related concepts only when fewer than a page match every term as typed or as
            # a synonym (as for a single term, `_one_clause`): they would rank below those
            # anyway, and an umbrella's dozen techniques can cost more than the rest.
            _not_searched(planned, clause)
            continue
        for doc, score in scored_docs(searcher, clause.weak, tables, found).items():
            if base is not None and doc not in base:
                continue
            scores[doc] = scores.get(doc, 0.0) + score
            if doc not in members:
                reached[doc] = reached.get(doc, 0) + 1
    if base:
        for doc in scores:
            scores[doc] += base[doc]
        if planned.strict:  # answers holding the strict parts and no other term: listed last
            for doc, score in base.items():
                if doc not in scores:
                    scores[doc], reached[doc] = score, 0
    _lend_thread_titles(searcher, planned, scores, reached, clause_docs, base, found)
    for optional in planned.optional:
        for doc, score in scored_docs(searcher, optional, tables, found).items():
            if doc in scores:
                scores[doc] += score * OPTIONAL_SHARE
    count = len(planned.clauses)
    # Order and listing: clauses matched, a related concept's match counting half.
    reach = {doc: (matched.get(doc, 0) + reached[doc]) / 2 for doc in scores}
    needed = max(1, math.ceil(count * MINIMUM_SHOULD_MATCH))
    if sum(1 for value in reach.values() if value >= needed) < wanted:
        # Fewer than a page match most terms: list what matches fewer too, after them (as
        # Meilisearch's "last" strategy drops words until there are enough results).
        needed = 0
    keyed = [(-reach[doc], -typed.get(doc, 0), -score, doc) for doc, score in scores.items()
             if reach[doc] >= needed]
    keyed.sort()
    keyed = _by_proximity(keyed, planned, text_of)
    docs = [(doc, -negscore) for _, _, negscore, doc in keyed]
    full = {doc for doc, _ in docs if matched.get(doc, 0) == count}
    return Ranked(docs, full, MissingTerms([clause.label for clause in planned.clauses], clause_docs, full))


def _add_thread_replies(searcher: Any, planned: Plan, ranked: Ranked, extra: list[Any],
                        found: dict[Any, Any]) -> None:
    """One clause: replies of threads whose title holds it, not listed yet, follow the list."""
    clause = planned.clauses[0]
    if clause.title is None:
        return
    title_docs = [matching_docs(searcher, clause.title, found)]
    if not title_docs[0]:
        return
    scores = dict(ranked.docs)
    allowed = admitted(searcher, planned, extra)
    threads = thread_terms(searcher, title_docs, lambda doc: scores.get(doc, 0.0),
                           (lambda doc: True) if allowed is None else allowed.__contains__)
    replies = {doc: scores.get(thread.opener, 0.0) * THREAD_SHARE for doc, thread in threads.items()
               if doc not in scores}
    ranked.docs += _sorted(replies)
    ranked.missing.update(dict.fromkeys(replies, [clause.label]))


def admitted(searcher: Any, planned: Plan, extra: list[Any]) -> set[int] | None:
    """Answers the filters and exclusions of a query let through (None: all)."""
    if not (extra or planned.excluded):
        return None
    return matching_docs(searcher, _without(_and(extra) if extra else wq.Every(), planned.excluded))


def _lend_thread_titles(searcher: Any, planned: Plan, scores: dict[int, float], reached: dict[int, int],
                        clause_docs: list[set[int]], base: dict[int, float] | None,
                        found: dict[Any, Any]) -> None:
    """Replies in threads whose title holds query terms get those terms as related matches
    (`dlqa.threads`); a reply matching nothing itself joins with a share of its thread's
    opening answer's score."""
    title_docs = [matching_docs(searcher, clause.title, found) if clause.title is not None else set()
                  for clause in planned.clauses]
    if not any(title_docs):
        return
    lent = thread_terms(searcher, title_docs, lambda doc: scores.get(doc, 0.0),
                        (lambda doc: True) if base is None else base.__contains__)
    for doc, thread in lent.items():
        own = {number for number, members in enumerate(clause_docs) if doc in members}
        added = len(thread.clauses - own)
        if doc not in scores:
            scores[doc] = scores.get(thread.opener, 0.0) * THREAD_SHARE
            reached[doc] = 0
        reached[doc] = min(len(planned.clauses), reached[doc] + added)


def _members(searcher: Any, narrower: Any, query: Any, part: dict[int, float],
             found: dict[Any, Any]) -> set[int]:
    """The documents of `part` (matched by `query`) that `narrower`, a part of it, matches."""
    return set(part) if narrower is query else matching_docs(searcher, narrower, found)


def _one_clause(searcher: Any, planned: Plan, extra: list[Any], tables: dict[Any, Any],
                found: dict[Any, Any], wanted: int) -> Ranked:
    """One clause: the plain query path (the benchmarked one). What was typed first, then
    its synonyms and inflections (full matches too), then related concepts (partial), which
    are searched only when the others fill less than `wanted` places."""
    clause = planned.clauses[0]
    strong = _without(_and([clause.strong, *extra]), planned.excluded)
    scored = _sorted(scored_docs(searcher, strong, tables, found))
    same = None
    if clause.strong is not clause.query and len(scored) < wanted:
        # Related concepts add answers after these, never reorder them (pages stay slices).
        same = {doc for doc, _ in scored}
        related = scored_docs(searcher, _without(_and([clause.query, *extra]), planned.excluded), tables, found)
        scored += _sorted({doc: score for doc, score in related.items() if doc not in same})
    if clause.typed is not clause.strong:
        exact = matching_docs(searcher, _without(_and([clause.typed, *extra]), planned.excluded), found)
        scored.sort(key=lambda item: item[0] not in exact)  # stable: rank order within each
    if same is None:
        _not_searched(planned, clause)
        return Ranked(scored, {doc for doc, _ in scored})
    scored.sort(key=lambda item: item[0] not in same)  # (stable: related concepts stay after)
    return Ranked(scored, same, {doc: [clause.label] for doc, _ in scored if doc not in same})


def _not_searched(planned: Plan, clause: Any) -> None:
    """Drop a clause's related concepts from what the search reports it searched."""
    if not clause.related_names or clause.label not in planned.expansions:
        return
    kept = [name for name in planned.expansions[clause.label] if name not in clause.related_names]
    if kept:
        planned.expansions[clause.label] = kept
    else:
        del planned.expansions[clause.label]


def _by_proximity(keyed: list[tuple[float, int, float, int]], planned: Plan,
                  text_of: Callable[[int], str]) -> list[tuple[float, int, float, int]]:
    """Re-score the best answers of each group by how close their clauses stand."""
    if len(planned.clauses) < 2 or not keyed:
        return keyed
    names = [[name for name in clause.names] for clause in planned.clauses]
    head: list[tuple[float, int, float, int]] = []
    seen_in_group: dict[tuple[float, int], int] = {}
    for index, (negmatched, negtyped, negscore, doc) in enumerate(keyed):
        group = (negmatched, negtyped)
        seen = seen_in_group.get(group, 0)
        if seen >= PROXIMITY_WINDOW:
            if index >= PROXIMITY_WINDOW * 4:
                return sorted(head) + keyed[index:]
            head.append((negmatched, negtyped, negscore, doc))
            continue
        seen_in_group[group] = seen + 1
        near = closeness(text_of(doc), names) if -negmatched >= 1.5 else 0.0
        head.append((negmatched, negtyped, negscore * (1 + PROXIMITY_BOOST * near), doc))
    return sorted(head)


def _sorted(scored: dict[int, float]) -> list[tuple[int, float]]:
    """Best score first, ties in document order."""
    ranked = sorted(scored.items())
    ranked.sort(key=lambda item: item[1], reverse=True)
    return ranked


def _and(queries: list[Any]) -> Any:
    return queries[0] if len(queries) == 1 else wq.And(queries)


def _without(query: Any, excluded: list[Any]) -> Any:
    if not excluded:
        return query
    return wq.SafeAndNot(query, excluded[0] if len(excluded) == 1 else wq.Or(excluded))
