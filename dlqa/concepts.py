"""Concept knowledge for the query side: a term's synonyms, its related concepts, and the
glossary names inside an unspaced question.

People type 怎么解决过拟合 or 正则化 and expect answers that say 过拟合, dropout or 权重衰减. The
glossary (`data/glossary.tsv`) says which names are one concept (searched as equals); the
relations file (`data/relations.tsv`) says which concepts are an umbrella and its techniques
(`narrower`/`broader`) or closely associated (`related`): weaker links that ranking weighs
below synonyms. Both files are parsed once per process, without jieba or an index, because
query start-up time is benchmarked.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, cast

from dlqa.analysis import fold, load_glossary
from dlqa.expand import variants

RELATIONS_PATH = Path(__file__).parent / "data" / "relations.tsv"

Relation = Literal["synonym", "narrower", "broader", "related"]
#: Strongest link first: an expansion's relation tells ranking how much a match on it counts
#: (what was typed > a synonym > a narrower technique > a broader umbrella > an associated idea).
RELATION_ORDER: tuple[Relation, ...] = ("synonym", "narrower", "broader", "related")
#: The inverse of each relation the relations file may state; `related` is symmetric.
_INVERSE: dict[str, Relation] = {"narrower": "broader", "broader": "narrower", "related": "related"}


@dataclass(frozen=True)
class Expansion:
    """Names to search for a typed term, and how they relate to it."""

    relation: Relation
    #: The canonical name (first Chinese variant, else first English one) of the concept reached.
    concept: str
    #: The names to search: every variant of a related concept; for a synonym, the typed
    #: term's other names (as `expand.variants` gives them).
    names: tuple[str, ...]


@dataclass(frozen=True)
class Mention:
    """A glossary name found inside a text; offsets are into `fold(text)`."""

    text: str
    start: int
    end: int
    #: The canonical name of the concept the name belongs to.
    concept: str


def _key(name: str) -> str:
    """The lookup form of a name: the same folding `expand.variants` uses."""
    return fold(name).strip()


@dataclass(frozen=True)
class _Tables:
    names: tuple[tuple[str, ...], ...]  # concept id → every variant, Chinese first
    by_key: dict[str, int]  # folded variant → concept id


@functools.lru_cache(maxsize=1)
def _tables() -> _Tables:
    """Concept ids are glossary line order; each folded variant names exactly one concept."""
    names: list[tuple[str, ...]] = []
    by_key: dict[str, int] = {}
    for concept in load_glossary():
        variants_ = tuple(dict.fromkeys([*concept.zh, *concept.en]))
        for name in variants_:
            by_key.setdefault(_key(name), len(names))  # a duplicate keeps its first concept
        names.append(variants_)
    return _Tables(tuple(names), by_key)


def _concept_id(term: str) -> int | None:
    return _tables().by_key.get(_key(term))


def concept(term: str) -> str | None:
    """The canonical name of the concept `term` names (any variant, case or width), or None."""
    found = _concept_id(term)
    return None if found is None else _tables().names[found][0]


def names(term: str) -> tuple[str, ...]:
    """Every name of the concept `term` names, the canonical one first; () when it names none."""
    found = _concept_id(term)
    return () if found is None else _tables().names[found]


def synonyms(term: str) -> list[str]:
    """The typed term's other names: exactly what glossary expansion searches today."""
    return variants(term)


# ---------------------------------------------------------------------------------------------
# Relations


@functools.lru_cache(maxsize=4)
def load_relations(path: Path = RELATIONS_PATH) -> types.MappingProxyType[int, tuple[tuple[Relation, int], ...]]:
    """Concept id → its (relation, other concept id) links, each stated link with its inverse.

    Raises ValueError naming file and line for a malformed line, an unknown relation or name,
    a concept related to itself, or two lines that contradict each other.
    """
    links: dict[tuple[int, int], tuple[Relation, int]] = {}  # (from, to) → (relation, line)
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        where = f"{path.name}:{lineno}"
        parts = raw.split("\t")
        if len(parts) != 3:
            raise ValueError(f"{where}: expected concept<TAB>relation<TAB>concept, got {raw!r}")
        left, stated, right = (part.strip() for part in parts)
        if stated not in _INVERSE:
            raise ValueError(f"{where}: unknown relation {stated!r} (narrower, broader or related)")
        kind = cast(Relation, stated)
        ids = []
        for name in (left, right):
            found = _concept_id(name)
            if found is None:
                raise ValueError(f"{where}: {name!r} is not a glossary name")
            ids.append(found)
        if ids[0] == ids[1]:
            raise ValueError(f"{where}: {left!r} and {right!r} are one concept")
        for pair, relation in (((ids[0], ids[1]), kind), ((ids[1], ids[0]), _INVERSE[kind])):
            earlier = links.get(pair)
            if earlier and earlier[0] != relation:
                raise ValueError(f"{where}: {left} {kind} {right} contradicts line {earlier[1]}")
            links.setdefault(pair, (relation, lineno))
    table: dict[int, list[tuple[Relation, int]]] = {}
    for (source, target), (relation, _) in links.items():
        table.setdefault(source, []).append((relation, target))
    order = {relation: rank for rank, relation in enumerate(RELATION_ORDER)}
    return types.MappingProxyType({source: tuple(sorted(found, key=lambda link: (order[link[0]], link[1])))
                                   for source, found in table.items()})


def related(term: str) -> list[Expansion]:
    """The concepts linked to `term`'s concept, narrower first, then broader, then related."""
    found = _concept_id(term)
    if found is None:
        return []
    tables = _tables()
    return [Expansion(relation, tables.names[other][0], tables.names[other])
            for relation, other in load_relations().get(found, ())]


def expansions(term: str) -> list[Expansion]:
    """Everything to search for `term` besides itself, strongest link first.

    The synonym entry (when the concept has other names) holds `synonyms(term)`; every
    related concept follows with all its names, tagged with its relation.
    """
    found = concept(term)
    if found is None:
        return []
    others = synonyms(term)
    head = [Expansion("synonym", found, tuple(others))] if others else []
    return head + related(term)


def relation_triples() -> Iterator[tuple[str, Relation, str]]:
    """Every link as (canonical name, relation, canonical name), inverses included."""
    names_ = _tables().names
    for source, links in load_relations().items():
        for relation, target in links:
            yield names_[source][0], relation, names_[target][0]


# ---------------------------------------------------------------------------------------------
# Names inside a question


@functools.lru_cache(maxsize=1)
def _lengths_by_first_char() -> dict[str, tuple[int, ...]]:
    """First character of a folded name → the lengths of names starting with it, longest first."""
    lengths: dict[str, set[int]] = {}
    for key in _tables().by_key:
        if key:
            lengths.setdefault(key[0], set()).add(len(key))
    return {char: tuple(sorted(found, reverse=True)) for char, found in lengths.items()}


def _is_latin(char: str) -> bool:
    """A letter or digit of a Latin word: a name may not start or end inside such a word."""
    return char.isascii() and char.isalnum()


def _folded_for_matching(text: str) -> str:
    """`fold(text)` with every whitespace character a plain space (names are written so)."""
    return "".join(" " if char.isspace() else char for char in fold(text))


@functools.lru_cache(maxsize=1024)
def _mentions(folded: str) -> tuple[Mention, ...]:
    tables = _tables()
    lengths = _lengths_by_first_char()
    candidates: list[tuple[int, int]] = []
    for start, char in enumerate(folded):
        if start and _is_latin(char) and _is_latin(folded[start - 1]):
            continue
        for length in lengths.get(char, ()):
            end = start + length
            piece = folded[start:end]
            if end > len(folded) or piece not in tables.by_key:
                continue
            if _is_latin(piece[-1]) and end < len(folded) and _is_latin(folded[end]):
                continue
            candidates.append((start, end))
    # Longest first (leftmost on ties), never overlapping a name already taken.
    taken = [False] * len(folded)
    chosen: list[tuple[int, int]] = []
    for start, end in sorted(candidates, key=lambda span: (span[0] - span[1], span[0])):
        if not any(taken[start:end]):
            taken[start:end] = [True] * (end - start)
            chosen.append((start, end))
    return tuple(Mention(folded[start:end], start, end, tables.names[tables.by_key[folded[start:end]]][0])
                 for start, end in sorted(chosen))


def concepts_in(text: str) -> list[Mention]:
    """The glossary names inside `text`, longest match first, in text order.

    Works on unspaced questions without a segmenter: 怎么解决过拟合 → 过拟合 (not 拟合, which it
    contains), 批归一化为什么能加速训练 → 批归一化, BERT和GPT的区别 → bert, gpt. Latin names match
    whole words only (AI is not found in "OpenAI"). Offsets are into `fold(text)` (same length as
    `text` for everything but the rare characters NFKC expands).
    """
    return list(_mentions(_folded_for_matching(text)))
