"""English inflections of a typed word, limited to the forms the index holds.

Why not a stemmer: a query word is compared with the index's own words, so it is enough to
spell the few regular forms a word can take (overfit → overfits, overfitting, overfitted;
networks → network) and keep those the index knows, a handful of term look-ups with no
dependency and no lexicon scan on the search path.
"""

from __future__ import annotations

import re
from collections.abc import Callable

#: Shortest word whose inflections are looked for: "gan" must not find "gans" by rule.
MIN_LETTERS = 4
_WORD = re.compile(r"[a-z]+")
_VOWELS = frozenset("aeiou")
_SIBILANTS = ("s", "x", "z", "ch", "sh")


def _stems(word: str) -> set[str]:
    """The word itself and what it may be an inflection of."""
    stems = {word}
    for suffix, replacements in (("ies", ("y",)), ("es", ("", "e")), ("s", ("",)), ("ing", ("", "e")),
                                 ("ed", ("", "e"))):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            base = word[: -len(suffix)]
            stems.update(base + tail for tail in replacements)
            if len(base) >= 2 and base[-1] == base[-2] and base[-1] not in _VOWELS | {"s", "l"}:
                stems.add(base[:-1])  # overfitting → overfit
    return stems


def _forms(stem: str) -> set[str]:
    forms = {stem, stem + "s", stem + "ing", stem + "ed"}
    if stem.endswith(_SIBILANTS):
        forms.add(stem + "es")
    if stem.endswith("e"):
        forms.update({stem[:-1] + "ing", stem + "d"})
    if stem.endswith("y") and len(stem) > 1 and stem[-2] not in _VOWELS:
        forms.update({stem[:-1] + "ies", stem[:-1] + "ied"})
    if len(stem) >= 3 and stem[-1] not in _VOWELS | {"w", "x", "y"} and stem[-2] in _VOWELS \
            and stem[-3] not in _VOWELS:
        forms.update({stem + stem[-1] + "ing", stem + stem[-1] + "ed"})  # overfit → overfitting
    return forms


def inflections(word: str, known: Callable[[str], bool]) -> list[str]:
    """Other inflected forms of the English `word` (lowercase) that `known(form)` accepts,
    sorted; [] for words that are not plain lowercase letters or are too short."""
    if len(word) < MIN_LETTERS or not _WORD.fullmatch(word):
        return []
    candidates: set[str] = set()
    stems = _stems(word)
    for stem in stems if len(stems) == 1 else stems - {word}:  # an inflected word's own forms: no
        candidates |= _forms(stem)
    candidates.discard(word)
    return sorted(form for form in candidates if len(form) >= MIN_LETTERS - 1 and known(form))
