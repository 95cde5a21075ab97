"""Reposts merged at search time: ranked answers sharing an own link or a text key are one
result, and results in date order. The keys are computed at index time (`dlqa.dedup`) and
kept as one fixed-width column, read here a segment at a time.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from dlqa.dedup import DIGEST_BYTES, NO_KEY, REPOSTS_WIDTH
from dlqa.engine.segments import column_lookup, fixed_width_table
from dlqa.store.documents import DATE_FIELD, REPOSTS_FIELD

Ranked = list[tuple[int, float]]


def repost_table(reader: Any) -> bytes:
    """Every document's repost keys, `dedup.REPOSTS_WIDTH` bytes per global doc number
    (zeros: no key).

    A search merges thousands of ranked answers at 100k; slicing one table is far cheaper
    than finding each answer's segment and value.
    """
    return fixed_width_table(reader, REPOSTS_FIELD, REPOSTS_WIDTH)


def merge_reposts(searcher: Any, ranked: list[tuple[int, float]],
                   table: bytes | None = None) -> list[list[tuple[int, float]]]:
    """Group ranked docs sharing an answer link or a text key; each group keeps rank order.

    `table` is a `repost_table` (a kept searcher's); by default one is read afresh. Most
    answers share no key with any other ranked answer and are a group of their own at once;
    only the rest go through the link/text bookkeeping.
    """
    if table is None:
        table = repost_table(searcher.reader())
    width, half = REPOSTS_WIDTH, DIGEST_BYTES
    starts = [doc * width for doc, _ in ranked]
    urls = [table[start : start + half] for start in starts]
    texts = [table[start + half : start + width] for start in starts]
    shared_urls, shared_texts = _repeated(urls), _repeated(texts)
    groups: list[list[tuple[int, float]]] = []
    by_url: dict[bytes, int] = {}
    by_text: dict[bytes, int] = {}
    for item, url, text in zip(ranked, urls, texts, strict=True):
        if url not in shared_urls and text not in shared_texts:
            groups.append([item])  # no other ranked answer has either key
            continue
        has_url, has_text = url != NO_KEY, text != NO_KEY
        group = by_url.get(url) if has_url else None
        if group is None and has_text:
            group = by_text.get(text)
        if group is None:
            group = len(groups)
            groups.append([])
        groups[group].append(item)
        if has_url:
            by_url.setdefault(url, group)
        if has_text:
            by_text.setdefault(text, group)
    return groups


def _repeated(keys: list[bytes]) -> set[bytes]:
    """Keys that occur more than once (never the all-zero "no key")."""
    return {key for key, count in Counter(keys).items() if count > 1 and key != NO_KEY}


def by_date(searcher: Any, groups: list[list[tuple[int, float]]],
             columns: Callable[[str], Callable[[int], Any]] | None = None) -> list[list[tuple[int, float]]]:
    """Newest first by the best hit's normalised date; undated answers last, in rank order."""
    column = columns(DATE_FIELD) if columns else column_lookup(searcher.reader(), DATE_FIELD)
    dated = [(column(members[0][0]) or "", index, members) for index, members in enumerate(groups)]
    with_date = sorted((item for item in dated if item[0]), key=lambda item: (item[0], -item[1]), reverse=True)
    return [members for _, _, members in with_date] + [members for date, _, members in dated if not date]


