"""Near-empty answers ("mark", "+1", "同问", an empty reply) sink below substantive ones.

Forum threads are full of replies that bookmark or agree and say nothing; they may match a
query (through a name, a quoted word) but should never head a list, by relevance or by date.
Decided on the text itself (letters, digits and Han characters left once @mentions, links and
punctuation are gone), so it needs no word list and works for any site and language.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TypeVar

#: An answer with at most this many letters, digits or Han characters says nothing.
NEAR_EMPTY_CHARS = 6
_MENTION = re.compile(r"@\S+|https?://\S+")
_NOT_CONTENT = re.compile(r"[\W_]+")

Item = TypeVar("Item")


def is_near_empty(text: str) -> bool:
    """Whether an answer's text is (almost) nothing: empty, "mark", "+1", "@someone 同问"."""
    content = _NOT_CONTENT.sub("", _MENTION.sub("", text))
    return len(content) <= NEAR_EMPTY_CHARS


def substantive_first(items: list[Item], near_empty: Callable[[Item], bool], wanted: int) -> list[Item]:
    """`items` with the near-empty ones moved after all others, order otherwise kept.

    Only as many items are tested as it takes to fill the first `wanted` places with
    substantive ones (a large result list is not read through for one page).
    """
    kept: list[Item] = []
    sunk: list[Item] = []
    for index, item in enumerate(items):
        if len(kept) >= wanted:
            return kept + items[index:] + sunk  # beyond the wanted places: untested, in order
        (sunk if near_empty(item) else kept).append(item)
    return kept + sunk

