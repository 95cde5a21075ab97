"""Snippets: the window of an answer holding the most query terms, and where they are.

Cut by plain substring search over the stored body on the folded text (`textutil.fold`),
not `whoosh.highlight`, which would re-run the analyzers (and load jieba) on every hit.
"""

from __future__ import annotations

import re
import unicodedata

from dlqa.textutil import fold

#: Snippet length in characters, and how much context to keep before the first match.
SNIPPET_CHARS = 120
LEAD_CHARS = 24
#: Occurrences looked at when choosing the snippet window (long answers repeat terms a lot).
MAX_OCCURRENCES = 400


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """`fold(text)` plus, for each folded character, the index of its source character."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    # Already NFKC with one-for-one lowercasing (most Chinese text): folding each character
    # alone changes nothing but case, so do it in one call. Σ lowercases by context in
    # str.lower(), unlike character by character, so texts with it take the long way.
    if "Σ" not in text and unicodedata.is_normalized("NFKC", text):
        lowered = text.lower()
        if len(lowered) == len(text):
            return lowered, list(range(len(text)))
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower() if not char.isascii() else char.lower()
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


def term_pattern(term: str) -> re.Pattern[str]:
    """A term as a regex over folded text; spaces in a phrase match any run of whitespace."""
    parts = [re.escape(part) for part in fold(term).split()]
    return re.compile(r"\s+".join(parts) if parts else re.escape(fold(term)))


def find_occurrences(text: str, terms: list[str]) -> list[tuple[int, int, str]]:
    """`(start, end, term)` for every case-insensitive occurrence of each term in `text`."""
    if not text or not terms:
        return []
    folded, origin = _fold_with_map(text)
    found: list[tuple[int, int, str]] = []
    for term in dict.fromkeys(terms):
        if not fold(term).strip():
            continue
        for match in term_pattern(term).finditer(folded):
            if match.end() > match.start():
                found.append((origin[match.start()], origin[match.end() - 1] + 1, term))
            if len(found) >= MAX_OCCURRENCES * 4:
                break
    found.sort()
    return found


def snippet(body: str, terms: list[str], width: int = SNIPPET_CHARS) -> tuple[str, list[tuple[int, int]]]:
    """The window of `body` holding the most distinct terms, whitespace folded, and match spans.

    Returns `(text, spans)` where spans index into `text`; "…" marks cut ends.
    """
    occurrences = find_occurrences(body, terms)
    start = _best_window(occurrences, width)
    end = min(len(body), start + width)
    if start > 0 and end == len(body):
        start = max(0, end - width)
    inside = [(max(a, start), min(b, end)) for a, b, _ in occurrences if a < end and b > start]
    text, spans = _squeeze(body, start, end, _merge(inside))
    if start > 0:
        text = "…" + text
        spans = [(a + 1, b + 1) for a, b in spans]
    if end < len(body):
        text += "…"
    return text, spans


def _best_window(occurrences: list[tuple[int, int, str]], width: int) -> int:
    """Start of the window with the most distinct terms, then the most occurrences, earliest."""
    if not occurrences:
        return 0
    best_key: tuple[int, int, int] | None = None
    best_start = 0
    candidates = occurrences[:MAX_OCCURRENCES]
    for first, _, _ in candidates:
        start = max(0, first - LEAD_CHARS)
        inside = [term for a, b, term in candidates if a >= start and b <= start + width]
        key = (len(set(inside)), len(inside), -start)
        if best_key is None or key > best_key:
            best_key, best_start = key, start
    return best_start


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for a, b in sorted(spans):
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged


def _squeeze(body: str, start: int, end: int, spans: list[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    """`body[start:end]` with whitespace runs folded to one space, spans moved along."""
    out: list[str] = []
    new_index: dict[int, int] = {}
    previous_space = False
    for index in range(start, end):
        new_index[index] = len(out)
        char = body[index]
        if char.isspace():
            if previous_space or not out:
                continue
            out.append(" ")
            previous_space = True
        else:
            out.append(char)
            previous_space = False
    new_index[end] = len(out)
    text = "".join(out)
    stripped = text.rstrip()
    moved = []
    for a, b in spans:
        new_a, new_b = new_index[a], min(new_index[b], len(stripped))
        if new_b > new_a:
            moved.append((new_a, new_b))
    return stripped, moved
