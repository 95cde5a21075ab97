"""Bilingual query expansion: a query naming a glossary concept also finds its other names.

Chinese deep-learning writing mixes 过拟合, 过度拟合, overfitting and over-fitting for one idea,
so a term equal to any glossary variant is searched as the OR of all of its concept's variants.
Lookups are case- and width-insensitive; the glossary is a small TSV, parsed once (no jieba).
"""

from __future__ import annotations

import functools

from dlqa.analysis import load_glossary
from dlqa.textutil import fold


@functools.lru_cache(maxsize=1)
def _variants_by_name() -> dict[str, tuple[str, ...]]:
    """Folded variant → every variant of every concept holding it (Chinese first, deduplicated)."""
    table: dict[str, dict[str, None]] = {}
    for concept in load_glossary():
        names = [*concept.zh, *concept.en]
        for name in names:
            table.setdefault(fold(name).strip(), {}).update(dict.fromkeys(names))
    return {key: tuple(value) for key, value in table.items()}


def variants(term: str) -> list[str]:
    """The other names of the concept(s) `term` names, or [] when it names none.

    Variants that fold to the typed term are left out, and so are folded duplicates
    (GAN / GANs stay apart, Overfitting / overfitting do not).
    """
    key = fold(term).strip()
    found = _variants_by_name().get(key, ())
    out: list[str] = []
    seen = {key}
    for name in found:
        folded = fold(name).strip()
        if folded not in seen:
            seen.add(folded)
            out.append(name)
    return out


def is_glossary_name(text: str) -> bool:
    """Whether `text` (any case or width) is one of the glossary's variants."""
    return fold(text).strip() in _variants_by_name()


def glossary_names() -> list[str]:
    """Every glossary variant as written, for "did you mean" suggestions."""
    names: dict[str, None] = {}
    for concept in load_glossary():
        names.update(dict.fromkeys([*concept.zh, *concept.en]))
    return list(names)
