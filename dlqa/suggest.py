""""Did you mean": when a query finds nothing, the closest glossary name or indexed word.

Only runs on a zero-hit search, so it may walk the index's word lexicon. Candidates are of the
mistyped term's script (Han or Latin) and near its length; among the closest by
`difflib` ratio, one that finds answers wins over one that does not.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from dlqa import query as query_mod
from dlqa.expand import glossary_names
from dlqa.textutil import fold

_HAN = re.compile("[\u3400-\u9fff]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9+#.\-]*")
#: How many close candidates are tried against the index, best first.
TRIED = 6


def suggest(searcher: Any, query: str, tree: query_mod.Node, word_freq: Callable[[str], int]) -> str | None:
    """`query` with its first term that finds nothing replaced by its closest known word."""
    for term in _positive_terms(tree):
        if term.field == "site" or _finds(searcher, term, word_freq):
            continue
        better = closest(searcher, term.text, word_freq)
        if better is not None:
            return query.replace(term.text, better, 1) if term.text in query else better
    return None


def _positive_terms(node: query_mod.Node) -> Iterator[query_mod.Term]:
    if isinstance(node, query_mod.Term):
        yield node
    elif isinstance(node, (query_mod.And, query_mod.Or)):
        for child in node.children:
            yield from _positive_terms(child)


def _finds(searcher: Any, term: query_mod.Term, word_freq: Callable[[str], int]) -> bool:
    try:
        built = query_mod.build(term, word_freq)
    except Exception:  # noqa: BLE001 - a term with nothing searchable finds nothing
        return False
    return any(True for _ in searcher.docs_for_query(built.query))


def closest(searcher: Any, text: str, word_freq: Callable[[str], int]) -> str | None:
    """The known word closest to `text` that finds answers, else the closest glossary name."""
    target = fold(text).strip()
    han = bool(_HAN.search(target))
    names = {fold(name): name for name in glossary_names() if bool(_HAN.search(name)) == han}
    words: dict[str, str] = {}
    for raw in searcher.lexicon("body"):
        word = raw.decode("utf-8") if isinstance(raw, bytes) else str(raw)
        if abs(len(word) - len(target)) > 2 or word == target:
            continue
        if (han and _HAN.search(word) and len(word) >= 2) or (not han and _LATIN_WORD.fullmatch(word)):
            words.setdefault(word, word)
    candidates = {key: value for key, value in {**words, **names}.items()
                  if key != target and abs(len(key) - len(target)) <= 2}
    close = difflib.get_close_matches(target, list(candidates), n=TRIED, cutoff=0.5 if han else 0.7)
    for key in close:
        if _finds(searcher, query_mod.Term(candidates[key], phrase=True), word_freq):
            return candidates[key]
    glossary = [key for key in close if key in names]
    return names[glossary[0]] if glossary else None
