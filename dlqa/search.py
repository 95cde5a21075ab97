"""Stage 9: run a query against the index: filters, ranking, repost merging, paging.

This is the hot path of `dlqa search`, so it never loads jieba: queries are parsed by
`dlqa.query`, read as terms by `dlqa.matching` with the index's own statistics, ranked by
`dlqa.ranking` (evaluated by `dlqa.engine.evaluate`); reposts are merged by `dlqa.reposts`,
near-empty answers sunk by `dlqa.substance`, snippets cut by `dlqa.snippets`.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dlqa import query as query_mod
from dlqa.engine import queries as wq
from dlqa.engine.segments import answer_docnum, column_lookup
from dlqa.errors import DlqaError
from dlqa.matching import COMMON_SHARE, plan
from dlqa.ranking import PAGE, rank
from dlqa.reposts import by_date, merge_reposts, repost_table
from dlqa.results import Hit, SearchResults, answer_fields, make_hit, seen_on
from dlqa.store.documents import BODY_COLUMN, DATE_FIELD, decode_body
from dlqa.store.manifest import VERSION_FILE
from dlqa.store.opening import DAMAGE_ERRORS, damaged_error, open_index
from dlqa.substance import is_near_empty, substantive_first
from dlqa.suggest import suggest
from dlqa.textutil import fold

__all__ = ["SORTS", "Filters", "Hit", "Matched", "SearchResults", "get_answer", "match", "open_searcher",
           "search"]


@dataclass
class Filters:
    """`--author`, `--site`, `--since`, `--until` (dates YYYY-MM-DD, inclusive)."""

    author: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None

    def queries(self) -> list[Any]:
        """Queries every hit must also match; a dated filter drops undated answers."""
        out: list[Any] = []
        if self.author and self.author.strip():
            author = query_mod.gram_match("author", self.author.strip())
            if author is not None:
                out.append(author)
        if self.site and self.site.strip():
            out.append(wq.Term("site", fold(self.site.strip())))
        if self.since or self.until:
            # "2018-12-20T21:13" sorts after "2018-12-20", so the day's end is the date + "~"
            out.append(wq.TermRange(DATE_FIELD, self.since or None,
                                    f"{self.until}~" if self.until else None))
        return out


SORTS = ("relevance", "date")


def search(index_dir: str | os.PathLike[str], query: str, limit: int = 10, page: int = 1,
           filters: Filters | None = None, sort: str = "relevance", expand: bool = True) -> SearchResults:
    """Answers matching `query`, best first; `page` counts from 1 in steps of `limit`.

    Reposts of one answer (same own link, or the same normalised text) are merged into one
    hit listing every page in `seen_in`, and `total` counts merged answers matching every
    term; when fewer than `limit` do, answers matching part of the query follow (`partial`,
    each hit's `missing`). With `expand`, terms find their glossary synonyms, inflections and
    related concepts too, what was typed ranked first. `sort="date"` lists the answers
    matching every term, newest first and undated ones last. Near-empty answers come last.

    Raises `QueryError` for a malformed query (before touching the index) and `NoIndexError`
    when there is no index.
    """
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    tree = query_mod.parse(query)
    with open_searcher(index_dir) as opened:
        try:
            searcher = opened.searcher
            matched = match(opened, tree, filters, sort, expand)
            planned, ranked, full, partial = matched.planned, matched.ranked, matched.full, matched.partial
            bodies = opened.bodies()
            listed = substantive_first(full + partial, lambda members: is_near_empty(
                decode_body(bodies(members[0][0]))), page * limit)
            hits = []
            for members in listed[(page - 1) * limit : page * limit]:
                best, score = members[0]
                hit = make_hit(answer_fields(searcher, best, bodies), planned.terms)
                hit.score = score
                hit.missing = ranked.missing.get(best, [])
                hit.seen_in = [seen_on(searcher.stored_fields(doc)) for doc, _ in members]
                hits.append(hit)
            suggestion = unmatched = None
            if not listed:
                def finds(text: str) -> bool:
                    return _finds(searcher, text, matched.word_freq, matched.extra, opened, expand)

                suggestion, unmatched = suggest(searcher, query, tree, matched.word_freq, finds)
        except DlqaError:
            raise
        except DAMAGE_ERRORS as error:
            opened.broken = True
            raise damaged_error(index_dir, " ".join(str(error).split())) from None
    return SearchResults(query=query, total=len(full), with_reposts=len(ranked.full), page=page,
                         limit=limit, results=hits, expansions=planned.expansions,
                         suggestion=suggestion, partial=len(partial), unmatched=unmatched)


def common_words(searcher: Any) -> Callable[[str], bool]:
    """Whether a word's answers (in the body, where every answer has text) are more than
    `matching.COMMON_SHARE` of the index."""
    limit = searcher.doc_count() * COMMON_SHARE
    return lambda word: searcher.doc_frequency("body", word.lower()) > limit


def _finds(searcher: Any, text: str, word_freq: Callable[[str], int], extra: list[Any],
           opened: _Opened, expand: bool) -> bool:
    """Whether the query `text` lists any answer (for checking a "did you mean")."""
    try:
        planned = plan(query_mod.parse(text), word_freq, expand=expand, common=common_words(searcher))
    except DlqaError:
        return False
    return bool(rank(searcher, planned, extra, opened.tables, lambda doc: "").docs)


@dataclass
class Matched:
    """What a query matched in one searcher, before any hit is made: `search` pages through
    `full` then `partial`, `dlqa search --files` lists their pages."""

    planned: Any
    ranked: Any
    #: Answers matching every content term, reposts merged (each group in rank order), in the
    #: order asked for.
    full: list[list[tuple[int, float]]]
    #: Answers matching only some, listed after `full` when it holds fewer than a page.
    partial: list[list[tuple[int, float]]]
    word_freq: Callable[[str], int]
    extra: list[Any]


def match(opened: _Opened, tree: Any, filters: Filters | None = None, sort: str = "relevance",
          expand: bool = True, wanted: int = PAGE) -> Matched:
    """Match a parsed query (`query.parse`) in an `open_searcher`: filter, rank (`dlqa.ranking`),
    merge reposts and order. Partial matches are listed when fewer than `wanted` answers match
    every term: a page (`ranking.PAGE`) whatever the caller's `--limit` or `--page`, so the
    list and its counts stay the same across pages. Raises what the engine raises on a
    damaged index (callers say so)."""
    searcher = opened.searcher

    def word_freq(word: str) -> int:
        word = word.lower()
        return searcher.doc_frequency("body", word) + searcher.doc_frequency("title", word)

    planned = plan(tree, word_freq, expand=expand, common=common_words(searcher))
    extra = (filters or Filters()).queries()
    bodies = opened.bodies()

    def text_of(doc: int) -> str:
        return fold(f"{searcher.stored_fields(doc).get('title') or ''}\n{decode_body(bodies(doc))}")

    ranked = rank(searcher, planned, extra, opened.tables, text_of, wanted)
    groups = merge_reposts(searcher, ranked.docs, opened.repost_table())
    full = [members for members in groups if members[0][0] in ranked.full]
    partial = [members for members in groups if members[0][0] not in ranked.full]
    if len(full) >= wanted or sort == "date":
        partial = []  # (a date order lists the answers matching every term)
    if sort == "date":
        full = by_date(searcher, full, opened.column)
    return Matched(planned, ranked, full, partial, word_freq, extra)


# ---------------------------------------------------------------------------------------------
# Open searchers, kept between searches in one process


@dataclass
class _Opened:
    """A searcher over one commit of an index, and the column readers made for it.

    Opening costs more than most searches (Whoosh copies each segment's term table), so a
    process that searches repeatedly (a script, the benchmark) keeps the searcher while the
    index files stay the same; any change to them (a commit, damage) opens a fresh one.
    """

    signature: tuple[Any, ...] | None
    searcher: Any
    columns: dict[str, Callable[[int], Any]] = field(default_factory=dict)
    reposts: bytes | None = None
    body: Callable[[int], Any] | None = None
    #: Per-segment tables `dlqa.engine.evaluate` reads once per searcher (field lengths).
    tables: dict[Any, Any] = field(default_factory=dict)
    in_use: bool = False
    broken: bool = False

    def column(self, name: str) -> Callable[[int], Any]:
        """`column_lookup` for this searcher, made once, remembering the values it read."""
        lookup = self.columns.get(name)
        if lookup is None:
            read = column_lookup(self.searcher.reader(), name)
            values: dict[int, Any] = {}

            def lookup(doc: int) -> Any:
                value = values.get(doc, _UNREAD)
                if value is _UNREAD:
                    value = values[doc] = read(doc)
                return value

            self.columns[name] = lookup
        return lookup

    def bodies(self) -> Callable[[int], Any]:
        """The body column's lookup for this searcher, made once (its values not kept)."""
        if self.body is None:
            self.body = column_lookup(self.searcher.reader(), BODY_COLUMN)
        return self.body

    def repost_table(self) -> bytes:
        """`repost_table` for this searcher, read once."""
        if self.reposts is None:
            self.reposts = repost_table(self.searcher.reader())
        return self.reposts


_UNREAD = object()
_OPENED: dict[str, _Opened] = {}
_OPENED_LOCK = threading.Lock()


def _signature(index_dir: str) -> tuple[Any, ...] | None:
    """Name, inode, size and mtime of the index's table of contents, segments and version
    file: equal signatures mean the same commit of the same files. None when unreadable."""
    try:
        entries = []
        with os.scandir(index_dir) as listing:
            for entry in listing:
                name = entry.name
                if (name.startswith(("MAIN_", "_MAIN_")) and not name.endswith("LOCK")) or name == VERSION_FILE:
                    info = entry.stat(follow_symlinks=False)
                    entries.append((name, info.st_ino, info.st_size, info.st_mtime_ns))
    except OSError:
        return None
    return tuple(sorted(entries)) or None


@contextlib.contextmanager
def open_searcher(index_dir: str | os.PathLike[str]) -> Iterator[_Opened]:
    """A searcher for `index_dir`: the kept one when the index files are unchanged and no
    other search is using it, else a newly opened one (raising what `open_index` raises)."""
    key = os.path.abspath(index_dir)
    signature = _signature(key)
    opened = None
    with _OPENED_LOCK:
        kept = _OPENED.get(key)
        if kept is not None and not kept.in_use:
            if signature is not None and kept.signature == signature:
                opened = kept
            else:
                del _OPENED[key]
                _close_quietly(kept.searcher)
        if opened is not None:
            opened.in_use = True
    if opened is None:
        ix = open_index(index_dir)
        opened = _Opened(signature, ix.searcher(), in_use=True)
    try:
        yield opened
    finally:
        with _OPENED_LOCK:
            opened.in_use = False
            current = _OPENED.get(key)
            keep = not opened.broken and opened.signature is not None and opened.signature == _signature(key)
            if current is opened:
                if not keep:
                    del _OPENED[key]
                    _close_quietly(opened.searcher)
            elif keep and (current is None or not current.in_use):
                if current is not None:
                    _close_quietly(current.searcher)
                _OPENED[key] = opened
            else:
                _close_quietly(opened.searcher)


def _close_quietly(searcher: Any) -> None:
    with contextlib.suppress(Exception):
        searcher.close()


def get_answer(index_dir: str | os.PathLike[str], answer_id: str) -> Hit | None:
    """The answer with this id, or with this unique id prefix (6+ characters), else None.

    Prefixes make ids easy to type from a terminal; an ambiguous prefix finds nothing rather
    than a guess.
    """
    if not answer_id.strip():
        return None
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        try:
            docnum = answer_docnum(searcher, answer_id)
            return make_hit(answer_fields(searcher, docnum), []) if docnum is not None else None
        except DAMAGE_ERRORS as error:
            raise damaged_error(index_dir, " ".join(str(error).split())) from None
