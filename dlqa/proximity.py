"""How close a query's terms stand in an answer: the shortest stretch of text holding one
occurrence of each term found in it, compared with the terms' own length.

Why plain text and not index positions: only the few best answers of a search are looked at,
and their stored text is at hand; the gram positions would need a phrase query per pair.
"""

from __future__ import annotations

#: Characters of slack a stretch may have and still count as "together" (过拟合的正则化).
SLACK = 8
#: Occurrences of one term looked at (long answers repeat terms a lot).
MAX_OCCURRENCES = 200


def closeness(folded_text: str, clauses: list[list[str]]) -> float:
    """1.0 when the terms found stand together (as a phrase), falling towards 0 as the
    shortest stretch holding all of them grows; 0.0 when fewer than two are found.

    `clauses` are alternatives per term (a term and its synonyms), folded like the text.
    """
    events: list[tuple[int, int, int]] = []  # (start, end, clause)
    lengths: list[int] = []
    for names in clauses:
        found = 0
        for name in names:
            name = name.lower()
            if not name:
                continue
            start = folded_text.find(name)
            while start >= 0 and found < MAX_OCCURRENCES:
                events.append((start, start + len(name), len(lengths)))
                found += 1
                start = folded_text.find(name, start + 1)
        if found:
            lengths.append(min(len(name) for name in names if name))
    wanted = len(lengths)
    if wanted < 2:
        return 0.0
    events.sort()
    best = _shortest_window(events, wanted)
    return min(1.0, (sum(lengths) + SLACK) / best) if best else 0.0


def _shortest_window(events: list[tuple[int, int, int]], wanted: int) -> int:
    """Length of the shortest stretch covering one event of each of `wanted` clauses."""
    counts: dict[int, int] = {}
    best = 0
    left = 0
    for right, (_, _, clause) in enumerate(events):
        counts[clause] = counts.get(clause, 0) + 1
        while len(counts) == wanted:
            start, _, first = events[left]
            end = max(event[1] for event in events[left : right + 1])
            if not best or end - start < best:
                best = end - start
            counts[first] -= 1
            if not counts[first]:
                del counts[first]
            left += 1
    return best
