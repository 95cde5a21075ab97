"""Exact, fast evaluation of the Whoosh query trees `dlqa.query` builds.

Why: `searcher.search(q, limit=None)` walks Whoosh's matcher trees one posting at a time in
pure Python (span objects for every gram position, a 2,048-slot score array cleared per part),
which made the search hot path ~10× slower than reading the postings. Here each segment's
postings are read block by block, phrases are checked on sets of positions for the
documents holding every gram only, and scores are computed with Whoosh's own scorer objects
and summed in the same tree order as Whoosh's matchers — so the documents and their scores
are exactly those `searcher.search` returns. Query types without a fast path (prefix,
wildcard, ranges, …) are stepped through their own Whoosh matcher.
"""

from __future__ import annotations

import contextlib
import re
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from pickle import loads
from typing import Any

from whoosh import formats, matching, scoring
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, W3TermsReader, _lenfield
from whoosh.query.spans import SpanNear2
from whoosh.system import _INT_SIZE
from whoosh.util import make_binary_tree, make_weighted_tree
from whoosh.util.numeric import byte_to_length

from dlqa.analysis import bigram_text
from dlqa.engine.analyzers import GramAnalyzer
from dlqa.engine.codec import read_term_blocks
from dlqa.engine.formats import CompactPositions, decode_positions_fast
from dlqa.engine.queries import FixedAndNotMatcher, SafeAndNot
from dlqa.engine.schema import word_field_of

#: Length byte → field length, as Whoosh decodes the length column (0: absent, read as 1).
_BYTE_LENGTHS = [1] + [byte_to_length(byte) for byte in range(1, 256)]
#: Whoosh's own threshold (Or.AUTO_MATCHER) above which a segment's Or uses a union tree.
_ARRAY_OR_MAX_DOCS = 5000


@dataclass
class _Part:
    """A node's matches in one segment: local docnum → score, and the matcher class Whoosh
    would have built for it (its tree-building sort compares matchers by class)."""

    scores: dict[int, float]
    kind: type


_NULL = matching.NullMatcherClass


def _null() -> _Part:
    return _Part({}, _NULL)


class _Slot:
    """A node of the matcher tree Whoosh would build: a leaf's part, or two children."""

    __slots__ = ("kind", "children", "part")

    def __init__(self, kind: type, children: tuple[_Slot, ...] = (), part: _Part | None = None) -> None:
        self.kind = kind
        self.children = children
        self.part = part


def _weighted_tree(combined: type, weighted: list[tuple[int, _Slot]]) -> _Slot:
    """The tree `whoosh.util.make_weighted_tree` builds over matchers of these classes.

    Its sort compares (weight, matcher) pairs, and on equal weights the matchers, which
    compare by class (with Python's subclass-first rule deciding between, say, a
    WrappingMatcher and a SpanNear2Matcher). So the tree is built over bare instances of the
    same classes, made without running their initialisers, and mapped back to the slots.
    """
    slots: dict[int, _Slot] = {}
    tokens: list[Any] = []  # keeps every token alive, so no id is reused

    def token(slot: _Slot) -> Any:
        made = matching.NullMatcher if slot.kind is _NULL else object.__new__(slot.kind)
        tokens.append(made)
        slots[id(made)] = slot
        return made

    def join(a: Any, b: Any) -> Any:
        return token(_Slot(combined, (slots[id(a)], slots[id(b)])))

    root = make_weighted_tree(join, [(weight, token(slot)) for weight, slot in weighted])
    return slots[id(root)]


@dataclass
class _Segment:
    """One segment searcher and what the evaluation reads repeatedly from it.

    `lengths` (field → per-document length table) may be shared between searches on the
    same searcher: the caller passes the same dict back.
    """

    searcher: Any
    scored: bool
    lengths: dict[str, Any] = field(default_factory=dict)
    #: Documents each term and phrase matched in this segment, kept by a scored pass for an
    #: unscored one over the same search (the typed query inside an expanded one).
    found: dict[Any, Any] | None = None
    reader: Any = None
    deleted: frozenset[int] = frozenset()
    #: Postings read in this segment by this evaluation, by (field, term): a phrase and the
    #: word term next to it in the query may both need the same list.
    read: dict[tuple[str, bytes], Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.reader = reader = self.searcher.reader()
        if reader.has_deletions():
            deleted = getattr(reader, "deleted_docs_set", None)
            if deleted is None:  # pragma: no cover - other reader types
                deleted = frozenset(d for d in range(reader.doc_count_all()) if reader.is_deleted(d))
            self.deleted = frozenset(deleted)

    def length_table(self, fieldname: str) -> list[int] | None:
        """Every document's length of `fieldname` as `searcher.doc_field_length(doc, name, 1)`
        gives it, read in one piece from the length column; None when it cannot be."""
        if fieldname in self.lengths:
            return self.lengths[fieldname]
        table = None
        with contextlib.suppress(Exception):  # private codec internals: fall back if changed
            column = self.reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
            if column is not None and column._fixedlen == 1 and column._typecode == "B":
                raw = column._dbfile.get(column._basepos, column._count)
                table = [_BYTE_LENGTHS[byte] for byte in raw]
                table.extend([1] * (self.reader.doc_count_all() - len(table)))
        self.lengths[fieldname] = table
        return table

    def length_of(self, fieldname: str) -> Callable[[int], Any]:
        """`searcher.doc_field_length(doc, fieldname, 1)` as a closure."""
        searcher = self.searcher

        def length(doc: int) -> Any:
            return searcher.doc_field_length(doc, fieldname, 1)

        return length


def scored_docs(searcher: Any, q: Any, cache: dict[Any, Any] | None = None,
                found: dict[Any, Any] | None = None) -> dict[int, float]:
    """Global docnum → score of every document `q` matches, as `searcher.search(q, limit=None)`
    would score them. `cache` keeps per-segment tables between calls on the same searcher;
    `found`, passed on to `matching_docs` in the same search, saves it re-reading postings."""
    out: dict[int, float] = {}
    for sub, offset in searcher.leaf_searchers():
        lengths = cache.setdefault(("lengths", offset), {}) if cache is not None else {}
        memo = found.setdefault(offset, {}) if found is not None else None
        part = _eval(q, _Segment(sub, scored=True, lengths=lengths, found=memo))
        if offset:
            out.update({doc + offset: score for doc, score in part.scores.items()})
        else:
            out.update(part.scores)
    return out


def matching_docs(searcher: Any, q: Any, found: dict[Any, Any] | None = None) -> set[int]:
    """Global docnums `q` matches (as `searcher.docs_for_query(q)`), without scoring."""
    out: set[int] = set()
    for sub, offset in searcher.leaf_searchers():
        memo = found.get(offset) if found is not None else None
        part = _eval(q, _Segment(sub, scored=False, found=memo))
        out.update(doc + offset for doc in part.scores)
    return out


# ---------------------------------------------------------------------------------------------
# Nodes


def _eval(q: Any, seg: _Segment) -> _Part:
    kind = type(q)
    if kind is wq.Term:
        return _term(q, seg)
    if kind is wq.Phrase and q.slop == 1:
        return _phrase(q, seg)
    if kind is wq.Or and q.matcher_type == wq.Or.AUTO_MATCHER and not q.scale:
        return _or(q, seg)
    if kind is wq.And:
        return _and(q, seg)
    if kind is SafeAndNot:
        return _and_not(q, seg)
    if kind is wq.Prefix or kind is wq.Wildcard:
        return _multi_term(q, seg)
    return _generic(q, seg)


def _context(seg: _Segment) -> Any:
    return seg.searcher.context() if seg.scored else seg.searcher.boolean_context()


def _generic(q: Any, seg: _Segment) -> _Part:
    """Any other query: step through the matcher Whoosh builds for it.

    Within one search the same query (a wildcard walking the whole lexicon) may be asked for
    again, by a scored and an unscored pass: its result is kept in `seg.found`."""
    key = None
    if seg.found is not None:
        try:
            key = ("generic", q, seg.scored)
            kept = seg.found.get(key) or (None if seg.scored else seg.found.get(("generic", q, True)))
        except TypeError:  # pragma: no cover - an unhashable query type
            key = kept = None
        if kept is not None:
            scores, kind = kept
            return _Part(dict(scores) if seg.scored else dict.fromkeys(scores, 1.0), kind)
    matcher = q.matcher(seg.searcher, _context(seg))
    scores: dict[int, float] = {}
    scored = seg.scored
    while matcher.is_active():
        scores[matcher.id()] = matcher.score() if scored else 1.0
        matcher.next()
    if key is not None:
        seg.found[key] = (dict(scores), type(matcher))
    return _Part(scores, type(matcher))


@dataclass
class _Postings:
    """One term's postings in a segment, deleted documents left out."""

    ids: list[int]
    weights: list[float]
    values: list[Any]
    scorer: Any
    kind: type


def _postings(seg: _Segment, fieldname: str, btext: bytes, known: bool = False) -> _Postings | None:
    """The term's postings as Whoosh's `searcher.postings` would give them, or None when the
    segment lacks the term (`known`: the caller has just checked that it has it).

    Whoosh 3 blocks are read straight from the term's extent in the postings file: one
    term-table lookup and one read, where `searcher.postings` looks the term up twice and
    builds a matcher that seeks and reads block by block.
    """
    key = (fieldname, btext)
    if key in seg.read:
        return seg.read[key]
    seg.read[key] = postings = _read_postings(seg, fieldname, btext, known)
    return postings


def _read_postings(seg: _Segment, fieldname: str, btext: bytes, known: bool) -> _Postings | None:
    """`_postings`, read from the segment's files."""
    if not known and (fieldname, btext) not in seg.reader:
        return None
    reader = seg.reader
    terms = getattr(reader, "_terms", None)
    scorer = seg.searcher.weighting.scorer(seg.searcher, fieldname, btext)
    read = None
    if type(terms) is W3TermsReader:
        terminfo = terms.term_info(fieldname, btext)
        if not terminfo.is_inlined():
            read = read_term_blocks(terms._postfile, terminfo, seg.searcher.schema[fieldname].format)
    if read is None:  # pragma: no cover - other codecs, inlined postings (whoosh3 never inlines)
        return _matcher_postings(seg, fieldname, btext)
    kind = matching.FilterMatcher if reader.deleted_docs_set else W3LeafMatcher
    return _without_deleted(seg, *read, scorer, kind)


def _matcher_postings(seg: _Segment, fieldname: str, btext: bytes) -> _Postings:  # pragma: no cover
    """`_postings` through the matcher Whoosh builds (inlined postings, other codecs)."""
    matcher = seg.searcher.postings(fieldname, btext, weighting=seg.searcher.weighting)
    kind = type(matcher)
    leaf = matcher.child if isinstance(matcher, matching.FilterMatcher) else matcher
    ids: list[int] = []
    weights: list[float] = []
    values: list[Any] = []
    while leaf.is_active():
        ids.append(leaf.id())
        weights.append(leaf.weight())
        values.append(leaf.value())
        leaf.next()
    return _without_deleted(seg, ids, weights, values, leaf.scorer, kind)


def _without_deleted(seg: _Segment, ids: list[int], weights: list[float], values: list[Any],
                     scorer: Any, kind: type) -> _Postings:
    """The postings, the segment's deleted documents left out (as Whoosh's FilterMatcher)."""
    if seg.deleted:
        keep = [i for i, doc in enumerate(ids) if doc not in seg.deleted]
        ids = [ids[i] for i in keep]
        weights = [weights[i] for i in keep]
        values = [values[i] for i in keep]
    return _Postings(ids, weights, values, scorer, kind)


def _scores(seg: _Segment, fieldname: str, postings: _Postings,
            docs: Any = None) -> dict[int, float] | None:
    """doc → the score Whoosh's scorer gives each posting (of `docs` only, if given), or None
    when only a matcher can tell."""
    ids, weights = postings.ids, postings.weights
    pairs: Any
    if docs is None:
        pairs = zip(ids, weights, strict=True)
    elif len(docs) * 4 < len(ids):  # a phrase's few matches among many postings: bisect
        pairs = [(doc, weights[bisect_left(ids, doc)]) for doc in docs]
    else:
        weight_of = dict(zip(ids, weights, strict=True))
        pairs = [(doc, weight_of[doc]) for doc in docs]
    scorer = postings.scorer
    if type(scorer) is scoring.BM25FScorer:
        table = seg.length_table(fieldname)
        if table is not None:
            idf, avgfl, B, K1 = scorer.idf, scorer.avgfl, scorer.B, scorer.K1  # noqa: N806
            # scoring.bm25(idf, tf, fl, avgfl, B, K1), inlined: the same operations in order
            return {doc: idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * table[doc] / avgfl)))
                    for doc, tf in pairs}
    score = _score_fn(seg, fieldname, scorer)
    if score is None:
        return None
    return {doc: score(doc, w) for doc, w in pairs}


def _score_fn(seg: _Segment, fieldname: str, scorer: Any) -> Callable[[int, float], float] | None:
    """(doc, weight) → the score Whoosh's scorer gives, or None when only the matcher knows."""
    if isinstance(scorer, scoring.WeightLengthScorer):
        length = seg.length_of(fieldname)
        score = scorer._score
        return lambda doc, weight: score(weight, length(doc))
    if type(scorer) is scoring.WeightScorer:
        return lambda doc, weight: weight
    return None


def _term(q: Any, seg: _Segment) -> _Part:
    fieldname = q.fieldname
    if fieldname not in seg.searcher.schema:
        return _null()
    try:
        btext = seg.searcher.schema[fieldname].to_bytes(q.text)
    except ValueError:
        return _null()
    key = ("term", fieldname, btext)
    if not seg.scored and seg.found is not None and key in seg.found:
        docs, kind = seg.found[key]
        return _Part(dict.fromkeys(docs, 1.0), kind)
    postings = _postings(seg, fieldname, btext)
    if seg.found is not None:
        seg.found[key] = ((), _NULL) if postings is None else (postings.ids, postings.kind)
    if postings is None:
        return _null()
    if not seg.scored:
        return _Part(dict.fromkeys(postings.ids, 1.0), postings.kind)
    scores = _scores(seg, fieldname, postings)
    if scores is None:  # pragma: no cover - custom weighting models
        return _generic(q, seg)
    boost = q.boost
    if boost != 1.0:
        return _Part({doc: score * boost for doc, score in scores.items()}, matching.WrappingMatcher)
    return _Part(scores, postings.kind)


def _multi_term(q: Any, seg: _Segment) -> _Part:
    """A prefix or wildcard, as `MultiTerm.matcher` builds it: its one term, or an `Or` of
    every term it expands to in this segment, each carrying the query's boost (its
    `constantscore` context still scores each term with the searcher's weighting). Evaluated
    here instead of stepping Whoosh's tree of union matchers a posting at a time: a lone
    character's prefix over the bigrams (看 → 看到, 看看 …) has hundreds of terms."""
    if q.fieldname not in seg.searcher.schema:
        return _null()
    terms = [wq.Term(q.fieldname, word, boost=q.boost) for word in _expanded(q, seg)]
    if not terms:
        return _null()
    if len(terms) == 1:
        return _term(terms[0], seg)
    union = wq.Or(terms)
    if seg.scored and q.constantscore and not _or_is_a_tree(union, seg):
        # An unweighted PreloadedOr (the constant-score context): 1.0 for every document,
        # whatever the boost
        docs = _or(union, _Segment(seg.searcher, scored=False, found=seg.found)).scores
        return _Part(dict.fromkeys(docs, 1.0), matching.ArrayUnionMatcher)
    return _or(union, seg)


#: A gram field's terms starting in this range are CJK grams (`analysis.gram_spans` keeps CJK
#: runs and other letters apart), so they never hold a Latin token: a `*token*` wildcard skips
#: them (at 100k answers, nine in ten of the bigram field's terms).
_CJK_GRAMS = ("\u3400".encode(), "\ua000".encode())
_INNER_TOKEN = re.compile(r"\*([0-9a-z]+)\*")


def _expanded(q: Any, seg: _Segment) -> list[bytes]:
    """The terms a prefix or wildcard expands to in this segment, in lexicon order, as its
    `_btexts` gives them (empty terms left out, as `MultiTerm.matcher` does); kept for the
    search, which asks again for its tree weights (`_estimate_size`)."""
    key = ("expanded", type(q), q.fieldname, q.text)
    if seg.found is not None and key in seg.found:
        return seg.found[key]
    reader = seg.searcher.reader()
    inner = _INNER_TOKEN.fullmatch(q.text) if type(q) is wq.Wildcard else None
    if inner and isinstance(seg.searcher.schema[q.fieldname].analyzer, GramAnalyzer):
        words = _terms_holding(reader, q.fieldname, inner.group(1).encode())
    else:
        words = [word for word in q._btexts(reader) if word]
    if seg.found is not None:
        seg.found[key] = words
    return words


def _terms_holding(reader: Any, fieldname: str, token: bytes) -> list[bytes]:
    """The gram field's terms containing `token` (what `*token*` matches), CJK grams skipped."""
    out = []
    for start, stop in ((b"", _CJK_GRAMS[0]), (_CJK_GRAMS[1], None)):
        for name, word in reader.terms_from(fieldname, start):
            if name != fieldname or (stop is not None and word >= stop):
                break
            if token in word:
                out.append(word)
    return out


def _estimate_size(q: Any, seg: _Segment) -> int:
    """`q.estimate_size(reader)`, a prefix or wildcard's from its kept expansion."""
    reader = seg.searcher.reader()
    if type(q) is wq.Prefix or type(q) is wq.Wildcard:
        return sum(reader.doc_frequency(q.fieldname, word) for word in _expanded(q, seg))
    return q.estimate_size(reader)


def _phrase(q: Any, seg: _Segment) -> _Part:
    """Consecutive grams: documents holding every word, then a check on their positions
    where the answer's jieba words do not already hold the word the grams spell."""
    fieldname = q.fieldname
    schema = seg.searcher.schema
    if fieldname not in schema:
        return _null()
    fieldobj = schema[fieldname]
    if not fieldobj.format or not fieldobj.format.supports("positions"):
        return _generic(q, seg)
    kind = SpanNear2.SpanNear2Matcher if q.boost == 1.0 else matching.WrappingMatcher
    key = ("phrase", fieldname, tuple(q.words))
    if not seg.scored and seg.found is not None and key in seg.found:
        return _Part(dict.fromkeys(seg.found[key], 1.0), kind)
    words = []
    for word in q.words:
        try:
            btext = fieldobj.to_bytes(word)
        except ValueError:
            return _null()
        if (fieldname, btext) not in seg.reader:
            return _null()
        words.append(btext)
    lists = [_postings(seg, fieldname, btext, known=True) for btext in words]
    if any(postings is None for postings in lists):  # pragma: no cover - checked above
        return _null()
    postings_list: list[_Postings] = lists  # type: ignore[assignment]
    rarest_first = sorted(postings_list, key=lambda postings: len(postings.ids))
    common = set(rarest_first[0].ids)
    for postings in rarest_first[1:]:
        if not common:
            break
        common.intersection_update(postings.ids)
    if len(postings_list) > 1 and common:
        spelled = _spelled_as_one_word(seg, fieldname, q.words)
        unsure = common.difference(spelled) if spelled else common
        matched = _consecutive(postings_list, unsure, _positions_decoder(fieldobj.format)) if unsure else set()
        common = (common.intersection(spelled) if spelled else set()) | matched
    if seg.found is not None:
        seg.found[key] = common
    if not seg.scored:
        return _Part(dict.fromkeys(common, 1.0), kind)
    # SpanNear2 scores as the binary intersection tree of its terms' matchers
    term_scores = []
    for postings in postings_list:
        scores = _scores(seg, fieldname, postings, common)
        if scores is None:  # pragma: no cover - custom weighting models
            return _generic(q, seg)
        term_scores.append(scores)
    slots = [_Slot(_NULL, part=_Part(scores, _NULL)) for scores in term_scores]
    tree = make_binary_tree(lambda a, b: _Slot(matching.IntersectionMatcher, (a, b)), slots)
    scores = _sum_full_tree(tree, common)
    if q.boost != 1.0:
        boost = q.boost
        scores = {doc: score * boost for doc, score in scores.items()}
    return _Part(scores, kind)


def _spelled_as_one_word(seg: _Segment, fieldname: str, words: list[str]) -> set[int]:
    """Documents whose word field (same text, `word_field_of`) holds the word these grams
    spell: the phrase matches there, no position check needed. The slow phrases are long,
    common glossary terms, which jieba keeps as one word nearly everywhere."""
    word_field = word_field_of(fieldname)
    text = bigram_text(words) if word_field in seg.searcher.schema else None
    if text is None:
        return set()
    try:
        btext = seg.searcher.schema[word_field].to_bytes(text)
    except ValueError:  # pragma: no cover - text fields take any str
        return set()
    postings = _postings(seg, word_field, btext)
    return set(postings.ids) if postings is not None else set()


def _consecutive(postings_list: list[_Postings], docs: set[int], decode: Callable[[bytes], Any]) -> set[int]:
    """Of `docs` (each in every list), those where the lists' terms stand at consecutive
    positions. A document's value is found by bisection: ids are in document order."""
    (first_ids, first_values), *later = [(postings.ids, postings.values) for postings in postings_list]
    following = list(enumerate(later, 1))
    matched = set()
    for doc in docs:
        starts: Any = decode(first_values[bisect_left(first_ids, doc)])
        for offset, (ids, values) in following:
            there = decode(values[bisect_left(ids, doc)])
            starts = [start for start in starts if start + offset in there]
            if not starts:
                break
        if starts:
            matched.add(doc)
    return matched


def _positions_decoder(format_: Any) -> Callable[[bytes], Any]:
    """`format_.decode_positions` (any container of ints), in as few calls as can be."""
    if isinstance(format_, CompactPositions):
        return decode_positions_fast
    if type(format_) is not formats.Positions:
        return format_.decode_positions

    def decode(value: bytes) -> Any:
        # Positions.decode_positions: the pickled deltas after a 4-byte count, STOP optional
        if not value.endswith(b"."):
            value += b"."
        return accumulate(loads(value[_INT_SIZE:]))

    return decode


def _sum_full_tree(slot: _Slot, docs: Any) -> dict[int, float]:
    """`_sum_tree` where every leaf scores every one of `docs` (a phrase's terms)."""
    if slot.part is not None:
        return slot.part.scores
    left = _sum_full_tree(slot.children[0], docs)
    right = _sum_full_tree(slot.children[1], docs)
    return {doc: left[doc] + right[doc] for doc in docs}


def _sum_tree(slot: _Slot, docs: Any) -> dict[int, float]:
    """Scores of `docs` summed as a tree of intersection/union matchers adds them up."""
    if slot.part is not None:
        return slot.part.scores
    left = _sum_tree(slot.children[0], docs)
    right = _sum_tree(slot.children[1], docs)
    if slot.kind is matching.UnionMatcher:  # docs is every leaf's: walk the children only
        return _union_sum(left, right)
    out: dict[int, float] = {}
    for doc in docs:
        a = left.get(doc)
        b = right.get(doc)
        if a is None:
            if b is not None:
                out[doc] = b
        elif b is None:
            out[doc] = a
        else:
            out[doc] = a + b
    return out


def _union_sum(left: dict[int, float], right: dict[int, float]) -> dict[int, float]:
    """left + right where a document is in both (in that order: float sums are not
    commutative in the last bit), else whichever has it; the smaller side is walked."""
    if len(right) <= len(left):
        out = dict(left)
        for doc, b in right.items():
            a = out.get(doc)
            out[doc] = b if a is None else a + b
    else:
        out = dict(right)
        for doc, a in left.items():
            b = out.get(doc)
            out[doc] = a if b is None else a + b
    return out


def _leaf_slots(subs: list[Any], seg: _Segment) -> list[tuple[Any, _Slot]]:
    return [(sub, _Slot(part.kind, part=part)) for sub in subs for part in [_eval(sub, seg)]]


def _single(q: Any, seg: _Segment) -> _Part | None:
    """An Or or And of no clause (nothing) or one (that clause); None when it has more."""
    subs = q.subqueries
    if not subs:
        return _null()
    return _eval(subs[0], seg) if len(subs) == 1 else None


def _tree_part(kind: type, weighted: list[tuple[int, _Slot]], docs: Any, boost: float) -> _Part:
    """Scores summed over the weighted tree Whoosh builds of `kind` matchers, then boosted."""
    tree = _weighted_tree(kind, weighted)
    scores = _sum_tree(tree, docs)
    if boost != 1.0:
        return _Part({doc: score * boost for doc, score in scores.items()}, matching.WrappingMatcher)
    return _Part(scores, tree.kind)


def _or(q: Any, seg: _Segment) -> _Part:
    if (single := _single(q, seg)) is not None:
        return single
    subs = q.subqueries
    evaluated = _leaf_slots(subs, seg)
    docs: set[int] = set()
    for _, slot in evaluated:
        docs.update(slot.part.scores)  # type: ignore[union-attr]
    if _or_is_a_tree(q, seg):
        if not seg.scored:
            return _Part(dict.fromkeys(docs, 1.0), matching.UnionMatcher)
        return _tree_part(matching.UnionMatcher,
                          [(_estimate_size(sub, seg), slot) for sub, slot in evaluated], docs, q.boost)
    # PreloadedOr: an ArrayUnionMatcher adds each sub-score times the boost, in order, and
    # skips documents whose sum is not positive
    if not seg.scored:
        return _Part(dict.fromkeys(docs, 1.0), matching.ArrayUnionMatcher)
    boost = q.boost
    totals: dict[int, float] = dict.fromkeys(docs, 0.0)
    for _, slot in evaluated:
        for doc, score in slot.part.scores.items():  # type: ignore[union-attr]
            totals[doc] += score * boost
    return _Part({doc: score for doc, score in totals.items() if score > 0}, matching.ArrayUnionMatcher)


def _or_is_a_tree(q: Any, seg: _Segment) -> bool:
    """Whether Whoosh's Or.AUTO_MATCHER, in a context that does not need the current match
    (searcher.search), sums this Or as a tree of union matchers (else: a preloaded array)."""
    count = len(q.subqueries)
    return count < q.TOO_MANY_CLAUSES and (count == 2 or seg.searcher.doc_count_all() > _ARRAY_OR_MAX_DOCS)


def _and(q: Any, seg: _Segment) -> _Part:
    if (single := _single(q, seg)) is not None:
        return single
    evaluated = _leaf_slots(q.subqueries, seg)
    docs = set(evaluated[0][1].part.scores)  # type: ignore[union-attr]
    for _, slot in evaluated[1:]:
        docs.intersection_update(slot.part.scores)  # type: ignore[union-attr]
    if not seg.scored:
        return _Part(dict.fromkeys(docs, 1.0), matching.IntersectionMatcher)
    return _tree_part(matching.IntersectionMatcher,
                      [(0 - _estimate_size(sub, seg), slot) for sub, slot in evaluated], docs, q.boost)


def _and_not(q: Any, seg: _Segment) -> _Part:
    positive = _eval(q.a, seg)
    excluded = _eval(q.b, _Segment(seg.searcher, scored=False, found=seg.found))
    scores = {doc: score for doc, score in positive.scores.items() if doc not in excluded.scores}
    return _Part(scores, FixedAndNotMatcher)
