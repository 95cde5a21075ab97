"""The query tree the engine evaluates: Whoosh's query classes, and the one dlqa adds.

`dlqa.query` builds its trees from these names (never from `whoosh` directly), and
`dlqa.engine.evaluate` evaluates them. `SafeAndNot` is Whoosh's `AndNot` with a fixed matcher
(`Matcher` is Whoosh's extension point for that).
"""

from __future__ import annotations

from typing import Any

from whoosh.matching import AndNotMatcher
from whoosh.query import And, AndNot, Every, Or, Phrase, Prefix, Sequence, Term, TermRange, Wildcard

__all__ = ["And", "Every", "FixedAndNotMatcher", "Or", "Phrase", "Prefix", "SafeAndNot", "Sequence",
           "Term", "TermRange", "Wildcard", "boosted"]


class FixedAndNotMatcher(AndNotMatcher):
    """whoosh 3.54's AndNotMatcher checks the excluded side at start only when both sides sit
    on the same document, so `a -b` kept the first `a` document whenever `b` started on an
    earlier one. This one always aligns the excluded side first."""

    def _find_first(self) -> None:
        if self.a.is_active() and self.b.is_active():
            self._find_next()


class SafeAndNot(AndNot):
    """`a ANDNOT b` using the fixed matcher."""

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        scored = self.a.matcher(searcher, context)
        excluded = self.b.matcher(searcher, searcher.boolean_context())
        return FixedAndNotMatcher(scored, excluded)


def boosted(query: Any, boost: float) -> Any:
    """A copy of `query` with this boost."""
    query = query.copy()
    query.boost = boost
    return query
