"""From a parsed query to what decides matching: content clauses and strict parts.

People type questions (怎么解决过拟合, how to avoid overfitting), not Boolean queries. A bare
query word is split into terms; question and function words (`data/function_words.txt`) and
lone characters left over by the split never decide whether an answer matches. Each remaining
term is a *clause*: what was typed, or its glossary synonyms, related concepts or English
inflections (each weighted below what was typed). `dlqa.ranking` lets answers match most
clauses, like Elasticsearch's `minimum_should_match`. Quoted phrases, `+term`, `-term`/NOT,
field terms and OR groups are strict: every hit matches them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlqa import concepts
from dlqa import query as query_mod
from dlqa.analysis import segment_query
from dlqa.engine import queries as wq
from dlqa.errors import QueryError
from dlqa.expand import is_glossary_name
from dlqa.inflect import inflections
from dlqa.textutil import fold

FUNCTION_WORDS_PATH = Path(__file__).parent / "data" / "function_words.txt"
QUESTION_FRAMES_PATH = Path(__file__).parent / "data" / "question_frames.txt"
#: Weights of a clause's alternatives relative to a synonym (1.0): what was typed ranks first,
#: then its inflections, synonyms, a narrower technique, an umbrella, an associated idea.
TYPED_BOOST = query_mod.TYPED_BOOST
INFLECTION_BOOST = 1.5
RELATION_BOOSTS = {"synonym": 1.0, "narrower": 0.5, "broader": 0.4, "related": 0.3}
#: Most related concepts searched per clause (an umbrella can cover dozens), each with all its
#: names: a cap on names instead let the first concepts' spellings crowd out the rest (正则化's
#: five L1 spellings left no room for dropout or 标签平滑).
MAX_RELATED_CONCEPTS = 10
#: A word in more than this share of the answers is common: as a part of a compound it is not
#: searched for it.
COMMON_SHARE = 0.3


@dataclass
class Clause:
    """One content term: the answers it matches decide matching, together with the others."""

    #: The term as the user typed it (shown in `missing:`).
    label: str
    #: Engine query for the typed term and every alternative, weighted.
    query: Any
    #: Engine query for the same concept: the typed term, its synonyms and inflections (the
    #: same object as `query` when no related concept is searched).
    strong: Any
    #: Engine query for the typed term alone (the same object as `query` without alternatives).
    typed: Any
    #: Every name searched, typed first (for proximity and snippets).
    names: list[str] = field(default_factory=list)
    #: Engine query for the same concept's names in the title alone (for `dlqa.threads`).
    title: Any = None
    #: The names of related concepts among `names` (searched only when needed, `dlqa.ranking`).
    related_names: list[str] = field(default_factory=list)
    #: Engine query for the related concepts alone (`query` is `strong` or `weak`); None if none.
    weak: Any = None


@dataclass
class Plan:
    """A query as clauses plus strict parts; `clauses` is empty when nothing is relaxable
    (an OR at the top, a lone phrase): then `strict` is the whole query, as typed."""

    clauses: list[Clause]
    strict: list[Any]
    excluded: list[Any]
    #: Positive terms (text, field) for snippets and `matched`.
    terms: list[tuple[str, str | None]]
    expansions: dict[str, list[str]]
    #: Queries that only add to the score of answers listed anyway (lone characters, frames).
    optional: list[Any]


@functools.lru_cache(maxsize=1)
def function_words() -> frozenset[str]:
    """The folded question and function words."""
    return _word_list(FUNCTION_WORDS_PATH)


@functools.lru_cache(maxsize=1)
def question_frames() -> frozenset[str]:
    """The folded question frames (解决, 区别, avoid …): scored, never deciding a match."""
    return _word_list(QUESTION_FRAMES_PATH)


def _word_list(path: Path) -> frozenset[str]:
    words: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0]
        words.update(fold(word) for word in line.split())
    return frozenset(words)


def plan(tree: query_mod.Node, word_freq: Callable[[str], int], expand: bool = True,
         common: Callable[[str], bool] = lambda word: False) -> Plan:
    """Split a parsed query into content clauses and strict parts (raises `QueryError` when
    nothing in it is searchable, as `query.build` does); `common(word)` says whether a word is
    in most answers of the index (`search.common_words`)."""
    children = tree.children if isinstance(tree, query_mod.And) else (tree,)
    if not any(_relaxable(child) for child in children):
        built = query_mod.build(tree, word_freq, expand=expand)
        return Plan([], [built.query], [], built.terms, built.expansions, [])
    if expand:
        children = query_mod.join_names(children)
    result = Plan([], [], [], [], {}, [])
    bare = [child.text for child in children if _relaxable(child)]  # type: ignore[union-attr]
    content, lone = content_terms(bare, word_freq)
    typed_concepts = {concepts.concept(label) for label in content} - {None}
    for label in content:
        clause = _clause(label, word_freq, expand, result, typed_concepts - {concepts.concept(label)}, common)
        if clause is not None:
            result.clauses.append(clause)
    for char in lone:
        optional = query_mod.term_query(query_mod.Term(char), word_freq, [])
        if optional is not None:
            result.optional.append(optional)
    for child in children:
        if _relaxable(child):
            continue
        if isinstance(child, query_mod.Not):
            built = query_mod.build(child.child, word_freq, expand=expand)
            result.excluded.append(built.query)
        else:
            built = query_mod.build(child, word_freq, expand=expand)
            result.strict.append(built.query)
            result.terms.extend(built.terms)
            result.expansions.update(built.expansions)
    if not result.clauses and not result.strict:
        query_mod.build(tree, word_freq, expand=expand)  # raises the one-line reason
        raise QueryError("nothing to search for: the query holds only excluded terms")
    result.terms = list(dict.fromkeys(result.terms))
    return result


def _relaxable(node: query_mod.Node) -> bool:
    return isinstance(node, query_mod.Term) and not node.phrase and node.field is None


def content_terms(texts: list[str], word_freq: Callable[[str], int]) -> tuple[list[str], list[str]]:
    """(terms that decide matching, lone characters that only add to the score) of the bare
    query words `texts`.

    A glossary name is one term. Otherwise a word is split (`analysis.segment_query`); runs
    of single characters the split left (unknown words: 寒冬 as 寒/冬) are joined back in pairs
    when they stand together in the text. Function words never decide matching, nor do lone
    characters (层 in 为什么要有很多层) and question frames (解决 in 怎么解决过拟合), which only
    help ranking; when nothing else is left, they are the terms. A lone character that is a
    glossary name (书 in 入门看什么书) or that was typed as a word of its own is a term.
    """
    pieces: list[str] = []
    typed_alone: set[str] = set()  # characters typed as a word of their own (深度学习 入门 书)
    for text in texts:
        pieces.extend(_split(text, word_freq))
        if _lone_han(fold(text).strip()):
            typed_alone.add(fold(text).strip())
    stop, frames = function_words(), question_frames()

    def lone(piece: str) -> bool:
        return _lone_han(piece) and piece not in typed_alone and not is_glossary_name(piece)

    content = [piece for piece in pieces if piece not in stop and piece not in frames and not lone(piece)]
    if not content:
        return list(dict.fromkeys(piece for piece in pieces if piece not in stop) or pieces), []
    scored_only = [piece for piece in pieces if piece not in stop and (piece in frames or lone(piece))]
    return list(dict.fromkeys(content)), list(dict.fromkeys(scored_only))


def _split(text: str, word_freq: Callable[[str], int]) -> list[str]:
    folded = fold(text).strip()
    if is_glossary_name(text):
        return [folded]
    runs = _cut_function_words(folded).split() or [folded]  # (only function words: as typed)
    pieces = [piece for run in runs for piece in segment_query(run, word_freq) if piece.strip()]
    if len(pieces) <= 1:
        return runs if runs != [folded] else ([folded] if pieces else [])
    joined: list[str] = []
    from_chars: list[bool] = []  # whether joined[i] is lone characters joined (at most two)
    for piece in pieces:
        if (joined and _lone_han(piece) and from_chars[-1] and len(joined[-1]) < 2
                and joined[-1] not in function_words() and (joined[-1] + piece) in folded):
            joined[-1] += piece
        else:
            joined.append(piece)
            from_chars.append(_lone_han(piece))
    return joined


def _cut_function_words(folded: str) -> str:
    """`folded` with its function words of two or more characters (为什么, 怎么, 哪些) replaced
    by spaces, except inside a glossary name: the split then never glues a question word to
    a neighbour when the index does not know the words (为什么会过拟合 → 会 过拟合)."""
    if folded.isascii():
        return folded
    protected = [False] * len(folded)
    for mention in concepts.concepts_in(folded):
        for position in range(mention.start, min(mention.end, len(folded))):
            protected[position] = True
    longest = _longest_function_word()
    out: list[str] = []
    i = 0
    while i < len(folded):
        cut = 0
        if not protected[i]:
            for size in range(min(longest, len(folded) - i), 1, -1):
                if folded[i : i + size] in function_words() and not any(protected[i : i + size]):
                    cut = size
                    break
        if cut:
            out.append(" ")
            i += cut
        else:
            out.append(folded[i])
            i += 1
    return "".join(out)


@functools.lru_cache(maxsize=1)
def _longest_function_word() -> int:
    return max(len(word) for word in function_words())


def _lone_han(piece: str) -> bool:
    return len(piece) == 1 and not piece.isascii()


def _clause(label: str, word_freq: Callable[[str], int], expand: bool, result: Plan,
            other_concepts: frozenset[str] | set[str] = frozenset(),
            common: Callable[[str], bool] = lambda word: False) -> Clause | None:
    """The clause of one content term; concepts typed as other terms of the query are not
    searched as its related concepts (in 过拟合 正则化, 正则化 is its own term, not half of 过拟合)."""
    # A Chinese term is matched as one substring (火锅, not 火 and 锅 anywhere); a Latin word
    # keeps the bare-word rules (feather also inside feather12315).
    typed = query_mod.term_query(query_mod.Term(label, phrase=not label.isascii()), word_freq, result.terms)
    if typed is None:
        return None
    alternatives: list[tuple[str, float, bool]] = []
    if expand:
        alternatives = [(name, INFLECTION_BOOST, True) for name in
                        inflections(fold(label), lambda form: word_freq(form) > 0)]
        alternatives += concept_alternatives(label, other_concepts)
        alternatives += [(part, RELATION_BOOSTS["related"], False) for part in _parts(label, word_freq, common)]
    strong = [wq.boosted(typed, TYPED_BOOST)]
    weak = []
    names = [label]
    related_names = []
    titles = [query_mod.term_query(query_mod.Term(label, "title", phrase=True), word_freq, [])]
    for name, boost, same in alternatives:
        option = query_mod.term_query(query_mod.Term(name, phrase=True), word_freq, result.terms)
        if option is not None:
            (strong if same else weak).append(option if boost == 1.0 else wq.boosted(option, boost))
            names.append(name)
            if not same:
                related_names.append(name)
            if same:
                titles.append(query_mod.term_query(query_mod.Term(name, "title", phrase=True), word_freq, []))
    kept = [title for title in titles if title is not None]
    title = (kept[0] if len(kept) == 1 else wq.Or(kept)) if kept else None
    if len(names) == 1:
        return Clause(label, typed, typed, typed, names, title)
    result.expansions.setdefault(label, names[1:])
    strong_query = wq.Or(strong) if len(strong) > 1 else typed
    return Clause(label, wq.Or([*strong, *weak]) if weak else strong_query, strong_query, typed, names,
                  title, related_names, (wq.Or(weak) if len(weak) > 1 else weak[0]) if weak else None)


def _parts(label: str, word_freq: Callable[[str], int], common: Callable[[str], bool]) -> list[str]:
    """The two indexed words a long Chinese compound splits into (算法工程师 → 算法, 工程师):
    an answer naming one of them is related to the compound (decompounding). A `common` part,
    found in most answers, says nothing about the compound (学习 of 迁移学习 in a deep-learning
    library): it is left out."""
    if len(label) < 4 or label.isascii():
        return []
    for cut in range(2, len(label) - 1):
        head, tail = label[:cut], label[cut:]
        if len(tail) >= 2 and word_freq(head) > 0 and word_freq(tail) > 0:
            return [part for part in (head, tail) if not common(part)]
    return []


def concept_alternatives(term: str, skip: frozenset[str] | set[str] = frozenset()) -> list[tuple[str, float, bool]]:
    """Other names to search for `term`: (name, weight, whether it names the same concept),
    synonyms first, then related concepts (`dlqa.concepts`) except those named in `skip`."""
    out: dict[str, tuple[float, bool]] = {}
    related = 0
    typed = fold(term).strip()
    for expansion in concepts.expansions(term):
        if expansion.relation != "synonym":
            if expansion.concept in skip:
                continue
            if related >= MAX_RELATED_CONCEPTS:
                break
            related += 1
        boost = RELATION_BOOSTS.get(expansion.relation, min(RELATION_BOOSTS.values()))
        for name in expansion.names:
            key = fold(name).strip()
            if key == typed or any(fold(other).strip() == key for other in out):
                continue
            out[name] = (boost, expansion.relation == "synonym")
    return [(name, boost, same) for name, (boost, same) in out.items()]
