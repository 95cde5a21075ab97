"""Stage 9: run a query against the index and shape the hits (snippet, matched terms, link).

This is the hot path of `dlqa search`, so it never loads jieba: queries are built by
`dlqa.query` from the index's own statistics, and snippets are cut here by plain substring
search over the stored body (not `whoosh.highlight`, which would re-run the analyzers).
"""

from __future__ import annotations

import bisect
import contextlib
import os
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from dlqa import query as query_mod
from dlqa.dedup import DIGEST_BYTES, NO_KEY, REPOSTS_WIDTH
from dlqa.errors import DlqaError
from dlqa.index import VERSION_FILE, damage_errors, damaged_error, decode_body, open_index

#: Snippet length in characters, and how much context to keep before the first match.
SNIPPET_CHARS = 120
LEAD_CHARS = 24
#: Occurrences looked at when choosing the snippet window (long answers repeat terms a lot).
MAX_OCCURRENCES = 400
_SPACES = re.compile(r"\s+")


@dataclass
class Hit:
    """One answer found by a search, with everything `--json` prints about it."""

    id: str
    position: int | None
    author: str | None
    author_bio: str | None
    url: str | None
    floor: int | None
    posted_at: str | None
    body: str
    title: str | None
    site: str
    page_url: str | None
    question_url: str | None
    source_file: str
    score: float = 0.0
    snippet: str = ""
    matched: list[str] = field(default_factory=list)
    #: (start, end) offsets of matched terms inside `snippet`, for colouring.
    spans: list[tuple[int, int]] = field(default_factory=list)
    #: Normalised date (YYYY-MM-DD[THH:MM[:SS]]) when `posted_at` is an absolute date.
    posted_date: str | None = None
    #: Every page this answer was seen on (itself first): reposts are merged into one hit.
    seen_in: list[dict[str, Any]] = field(default_factory=list)

    @property
    def link(self) -> str | None:
        """The answer's own link, else the thread's, else the question's."""
        return self.url or self.page_url or self.question_url

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: the extraction contract's answer fields plus search fields."""
        return {
            "id": self.id,
            "position": self.position,
            "author": self.author,
            "author_bio": self.author_bio,
            "url": self.url,
            "floor": self.floor,
            "posted_at": self.posted_at,
            "body": self.body,
            "title": self.title,
            "site": self.site,
            "page_url": self.page_url,
            "question_url": self.question_url,
            "source_file": self.source_file,
            "link": self.link,
            "score": round(self.score, 4),
            "snippet": self.snippet,
            "matched": list(self.matched),
            "posted_date": self.posted_date,
            "seen_in": [dict(page) for page in self.seen_in],
        }


@dataclass
class SearchResults:
    """One page of hits and the total number of answers that matched.

    `total` counts answers with reposts merged (what the result list pages through);
    `with_reposts` counts every matching answer, each copy of a repost on its own.
    """

    query: str
    total: int
    page: int
    limit: int
    results: list[Hit] = field(default_factory=list)
    #: Typed term → the other glossary names searched with it.
    expansions: dict[str, list[str]] = field(default_factory=dict)
    #: When nothing matched: the query with its closest known word, else None.
    suggestion: str | None = None
    with_reposts: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "with_reposts": self.with_reposts,
                "expansions": dict(self.expansions),
                "suggestion": self.suggestion, "results": [hit.to_dict() for hit in self.results]}


@dataclass
class Filters:
    """`--author`, `--site`, `--since`, `--until` (dates YYYY-MM-DD, inclusive)."""

    author: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None

    def queries(self) -> list[Any]:
        """Whoosh queries every hit must also match; a dated filter drops undated answers."""
        from whoosh import query as wq

        out: list[Any] = []
        if self.author and self.author.strip():
            author = query_mod.gram_match("author", self.author.strip())
            if author is not None:
                out.append(author)
        if self.site and self.site.strip():
            out.append(wq.Term("site", fold(self.site.strip())))
        if self.since or self.until:
            # "2018-12-20T21:13" sorts after "2018-12-20", so the day's end is the date + "~"
            out.append(wq.TermRange("posted_date", self.since or None,
                                    f"{self.until}~" if self.until else None))
        return out


SORTS = ("relevance", "date")


def search(index_dir: str | os.PathLike[str], query: str, limit: int = 10, page: int = 1,
           filters: Filters | None = None, sort: str = "relevance", expand: bool = True) -> SearchResults:
    """Answers matching `query`, best first; `page` counts from 1 in steps of `limit`.

    Reposts of one answer (same own link, or the same normalised text) are merged into one
    hit listing every page in `seen_in`, and `total` counts merged answers. With `expand`,
    glossary names find their other names too, answers matching what was typed ranked first.
    `sort="date"` puts the newest dated answers first and undated ones last.

    Raises `QueryError` for a malformed query (before touching the index) and `NoIndexError`
    when there is no index.
    """
    if limit < 1 or page < 1:
        raise ValueError("limit and page must be at least 1")
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    tree = query_mod.parse(query)
    with _open_searcher(index_dir) as opened:
        try:
            searcher = opened.searcher

            def word_freq(word: str) -> int:
                word = word.lower()
                return searcher.doc_frequency("body", word) + searcher.doc_frequency("title", word)

            built = query_mod.build(tree, word_freq, expand=expand)
            extra = (filters or Filters()).queries()
            ranked = _ranked_docs(searcher, tree, built, extra, word_freq, opened.tables)
            groups = _merge_reposts(searcher, ranked, opened.repost_table())
            if sort == "date":
                groups = _by_date(searcher, groups, opened.column)
            hits = []
            for members in groups[(page - 1) * limit : page * limit]:
                best, score = members[0]
                hit = make_hit(answer_fields(searcher, best, opened.bodies()), built.terms)
                hit.score = score
                hit.seen_in = [_seen(searcher.stored_fields(doc)) for doc, _ in members]
                hits.append(hit)
            suggestion = None
            if not groups:
                from dlqa.suggest import suggest

                suggestion = suggest(searcher, query, tree, word_freq)
        except DlqaError:
            raise
        except damage_errors() as error:
            opened.broken = True
            raise damaged_error(index_dir, " ".join(str(error).split())) from None
    return SearchResults(query=query, total=len(groups), with_reposts=len(ranked), page=page,
                         limit=limit, results=hits,
                         expansions=built.expansions, suggestion=suggestion)


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
    #: Per-segment tables `dlqa.evaluate` reads once per searcher (field lengths).
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
            self.body = column_lookup(self.searcher.reader(), "body_text")
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
def _open_searcher(index_dir: str | os.PathLike[str]) -> Iterator[_Opened]:
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


def _ranked_docs(searcher: Any, tree: Any, built: Any, extra: list[Any], word_freq: Any,
                 tables: dict[Any, Any] | None = None) -> list[tuple[int, float]]:
    """(docnum, score) of every matching answer, best first (ties: lower docnum first).

    Scores are exactly those of `searcher.search(query, limit=None)`, computed by
    `dlqa.evaluate` without Whoosh's per-posting matcher overhead. With expansions, answers
    that match the query as typed come before those found only through another name of a
    concept, whatever their scores.
    """
    from whoosh import query as wq

    from dlqa.evaluate import matching_docs, scored_docs

    final = wq.And([built.query, *extra]) if extra else built.query
    found: dict[Any, Any] = {}  # the typed query's terms are inside the expanded one
    # Best score first, ties in document order: sorted by document, then (stably) by score.
    scored = sorted(scored_docs(searcher, final, tables, found).items())
    scored.sort(key=itemgetter(1), reverse=True)
    if not built.expansions:
        return scored
    typed = query_mod.build(tree, word_freq, expand=False)
    exact = matching_docs(searcher, wq.And([typed.query, *extra]) if extra else typed.query, found)
    scored.sort(key=lambda item: item[0] not in exact)  # stable: rank order within each
    return scored


def column_lookup(reader: Any, name: str) -> Callable[[int], Any]:
    """doc number → the value of column `name`, segment by segment.

    Whoosh's multi-segment column reader leaves out segments that lack the column (a batch
    in which no answer had a date has no `posted_date` column) and then maps document numbers to
    the wrong segment, so each segment's column is read on its own here.
    """
    leaves = [
        (offset, leaf.column_reader(name) if leaf.has_column(name) else None)
        for leaf, offset in reader.leaf_readers()
    ]
    offsets = [offset for offset, _ in leaves]

    def lookup(doc: int) -> Any:
        offset, column = leaves[bisect.bisect_right(offsets, doc) - 1]
        return column[doc - offset] if column is not None else None

    return lookup


def repost_table(reader: Any) -> bytes:
    """Every document's `reposts` column value, `dedup.REPOSTS_WIDTH` bytes per global doc
    number (zeros: no key), read a segment at a time in one piece each.

    A search merges thousands of ranked answers at 100k; slicing one table is far cheaper
    than finding each answer's segment and value.
    """
    width = REPOSTS_WIDTH
    parts = []
    for leaf, _ in reader.leaf_readers():
        size = leaf.doc_count_all() * width
        blob = _column_bytes(leaf, "reposts", width)
        if len(blob) != size:  # (copy only a column that is short or missing)
            blob = blob[:size] + bytes(max(0, size - len(blob)))
        parts.append(blob)
    return b"".join(parts)


def _column_bytes(leaf: Any, name: str, width: int) -> bytes:
    """A segment's fixed-width column in one read; documents past its end have no value."""
    if not leaf.has_column(name):
        return b""
    column = leaf.column_reader(name, translate=False)
    with contextlib.suppress(AttributeError):  # FixedBytesColumn.Reader's file and extent
        return bytes(column._dbfile.get(column._basepos, column._count * width))
    return b"".join(column[doc] for doc in range(leaf.doc_count_all()))  # pragma: no cover


def _merge_reposts(searcher: Any, ranked: list[tuple[int, float]],
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


def _by_date(searcher: Any, groups: list[list[tuple[int, float]]],
             columns: Callable[[str], Callable[[int], Any]] | None = None) -> list[list[tuple[int, float]]]:
    """Newest first by the best hit's normalised date; undated answers last, in rank order."""
    column = columns("posted_date") if columns else column_lookup(searcher.reader(), "posted_date")
    dated = [(column(members[0][0]) or "", index, members) for index, members in enumerate(groups)]
    with_date = sorted((item for item in dated if item[0]), key=lambda item: (item[0], -item[1]), reverse=True)
    return [members for _, _, members in with_date] + [members for date, _, members in dated if not date]


def _seen(stored: dict[str, Any]) -> dict[str, Any]:
    """One page an answer was seen on, for `seen_in`."""
    return {"id": stored.get("id", ""), "title": stored.get("title"), "page_url": stored.get("page_url"),
            "url": stored.get("url"), "source_file": stored.get("source_file", ""),
            "site": stored.get("site", "")}


def get_answer(index_dir: str | os.PathLike[str], answer_id: str) -> Hit | None:
    """The answer with this id, or with this unique id prefix (6+ characters), else None.

    Prefixes make ids easy to type from a terminal; an ambiguous prefix finds nothing rather
    than a guess.
    """
    from whoosh import query as wq

    answer_id = answer_id.strip().lower()
    if not answer_id:
        return None
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        try:
            docnum = searcher.document_number(id=answer_id)
            if docnum is None and len(answer_id) >= 6:
                matches = searcher.search(wq.Prefix("id", answer_id), limit=2)
                if len({hit["id"] for hit in matches}) == 1:
                    docnum = matches[0].docnum
            if docnum is None:
                return None
            return make_hit(answer_fields(searcher, docnum), [])
        except damage_errors() as error:
            raise damaged_error(index_dir, " ".join(str(error).split())) from None


def answer_fields(searcher: Any, doc: int, bodies: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """A document's stored fields with its `body` (kept apart, in the `body_text` column);
    `bodies` is a `column_lookup` of that column made for this searcher, if the caller has one."""
    lookup = bodies or column_lookup(searcher.reader(), "body_text")
    return {**searcher.stored_fields(doc), "body": decode_body(lookup(doc))}


def make_hit(stored: dict[str, Any], terms: list[tuple[str, str | None]]) -> Hit:
    """A `Hit` from a document's stored fields, with its snippet and matched terms."""
    body = stored.get("body") or ""
    hit = Hit(
        id=stored.get("id", ""),
        position=stored.get("position"),
        author=stored.get("author"),
        author_bio=stored.get("author_bio"),
        url=stored.get("url"),
        floor=stored.get("floor"),
        posted_at=stored.get("posted_at"),
        body=body,
        title=stored.get("title"),
        site=stored.get("site", ""),
        page_url=stored.get("page_url"),
        question_url=stored.get("question_url"),
        source_file=stored.get("source_file", ""),
        posted_date=stored.get("posted_date"),
    )
    hit.matched = matched_terms(stored, terms)
    body_terms = [text for text, name in terms if name in (None, "body")]
    hit.snippet, hit.spans = snippet(body, body_terms)
    return hit


def matched_terms(stored: dict[str, Any], terms: list[tuple[str, str | None]]) -> list[str]:
    """The query's positive terms that occur in this answer (in the field they were asked for)."""
    folded = {name: fold(stored.get(name) or "") for name in ("title", "body", "author")}
    matched: list[str] = []
    for text, name in terms:
        if name == "site":
            found = fold(stored.get("site") or "") == fold(text)
        else:
            pattern = _term_pattern(text)
            names = [name] if name else ["title", "body", "author"]
            found = any(pattern.search(folded[field_name]) for field_name in names)
        if found and text not in matched:
            matched.append(text)
    return matched


def fold(text: str) -> str:
    """Case- and width-insensitive form used for matching (same as the query side)."""
    return unicodedata.normalize("NFKC", text).lower()


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


def _term_pattern(term: str) -> re.Pattern[str]:
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
        for match in _term_pattern(term).finditer(folded):
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
