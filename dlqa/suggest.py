""""Did you mean": when a query finds nothing, the closest glossary name or indexed word.

Only runs on a zero-hit search, so it may walk the index's word lexicon. Candidates are of the
mistyped term's script (Han or Latin) and near its length, closest by `difflib` ratio first;
a suggestion is offered only when the whole corrected query finds answers (checked by running
it), so following one never ends in another "did you mean".
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


def suggest(searcher: Any, query: str, tree: query_mod.Node, word_freq: Callable[[str], int],
            query_finds: Callable[[str], bool]) -> tuple[str | None, str | None]:
    """(`query` with a term that finds nothing replaced by a close known word, that term).

    The suggestion is None unless `query_finds(suggestion)`: a corrected query that also
    finds nothing is never offered. The term is the first one finding nothing, even when
    no suggestion is found for it.
    """
    unmatched = None
    for term in _positive_terms(tree):
        if term.field == "site" or _finds(searcher, term, word_freq):
            continue
        unmatched = unmatched or term.text
        for better in closest_words(searcher, term.text, word_freq):
            corrected = query.replace(term.text, better, 1) if term.text in query else better
            if corrected != query and query_finds(corrected):
                return corrected, term.text
    return None, unmatched


def _positive_terms(node: query_mod.Node) -> Iterator[query_mod.Term]:
    if isinstance(node, query_mod.Term):
        yield node
    elif isinstance(node, (query_mod.And, query_mod.Or)):
        for child in node.children:
            yield from _positive_terms(child)
    elif isinstance(node, query_mod.Must):
        yield from _positive_terms(node.child)


def _finds(searcher: Any, term: query_mod.Term, word_freq: Callable[[str], int]) -> bool:
    try:
        built = query_mod.build(term, word_freq)
    except Exception:  # noqa: BLE001 - a term with nothing searchable finds nothing
        return False
    return any(True for _ in searcher.docs_for_query(built.query))


def closest_words(searcher: Any, text: str, word_freq: Callable[[str], int]) -> list[str]:
    """Indexed words and glossary names close to `text`, closest first (the caller checks
    which of them find answers)."""
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
    return [candidates[key] for key in close]
