"""The one adapter between `dlqa serve` / `dlqa export` and the search engine.

Everything the web page and the exporters need from the library goes through these few
functions, so pointing them at another engine API (the `dlqa.Library` facade of issue #13)
is a change to this file only. Results come back as plain dicts of the JSON contract
(`dlqa search --json`), never as engine objects.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dlqa.errors import QueryError

#: Fields of a search result that only a search has (an answer read by id has none of them).
SEARCH_ONLY_FIELDS = ("score", "snippet", "matched", "seen_in")
SITES = ("python88", "blog", "v2ex", "zhihu", "web")
SORTS = ("relevance", "date")


@dataclass(frozen=True)
class Options:
    """The CLI's search filters and switches: --site --author --since --until --sort --no-expand."""

    site: str | None = None
    author: str | None = None
    since: str | None = None
    until: str | None = None
    sort: str = "relevance"
    expand: bool = True


@dataclass
class SearchPage:
    """One page of results: `data` is exactly `dlqa search --json`'s object; `spans[i]` are the
    (start, end) offsets of matched terms in `data["results"][i]["snippet"]`, for highlighting."""

    data: dict[str, Any]
    spans: list[list[tuple[int, int]]]


def search(index_dir: str | os.PathLike[str], query: str, limit: int = 10, page: int = 1,
           options: Options = Options()) -> SearchPage:
    """Run one search. Raises `QueryError` for a bad query or filter, `NoIndexError`, … (DlqaError).

    Today's `dlqa.search.search` keeps its searcher open between calls and opens a fresh one
    when the index files change (an ingest committed), so a long-running server never
    reopens the index per request and still sees every commit.
    """
    from dlqa.dedup import parse_date_option
    from dlqa.search import Filters
    from dlqa.search import search as run_search

    if options.sort not in SORTS:
        raise QueryError(f"sort must be one of: {', '.join(SORTS)}")
    try:
        filters = Filters(author=options.author or None, site=options.site or None,
                          since=options.since and parse_date_option(options.since),
                          until=options.until and parse_date_option(options.until))
    except ValueError as error:
        raise QueryError(f"since/until: {error}") from None
    results = run_search(index_dir, query, limit=limit, page=page, filters=filters, sort=options.sort,
                         expand=options.expand)
    return SearchPage(results.to_dict(), [list(hit.spans) for hit in results.results])


def iter_search(index_dir: str | os.PathLike[str], query: str, options: Options = Options(),
                page_size: int = 1000) -> tuple[int, Iterator[dict[str, Any]]]:
    """(total, every result of `query` in rank order), fetched a page at a time: memory holds one
    page whatever the library's size. Each page re-runs the ranking (~0.25 s for a query matching
    most of 10k answers), hence large pages."""
    first = search(index_dir, query, limit=page_size, page=1, options=options)
    total = first.data["total"]

    def results() -> Iterator[dict[str, Any]]:
        yield from first.data["results"]
        for page in range(2, (total + page_size - 1) // page_size + 1):
            yield from search(index_dir, query, limit=page_size, page=page, options=options).data["results"]

    return total, results()


def answer_page(index_dir: str | os.PathLike[str], answer_id: str, related: int = 8) -> dict[str, Any] | None:
    """What an answer page shows: {"answer", "key_terms", "related"}; None for an unknown id.

    `answer` has the fields of `dlqa show --json` (no search fields); `related` are results of
    `dlqa similar --json` (each with its `shared_terms`). One `similar` call gives all three:
    its anchor is the answer and its first key terms are `dlqa show`'s.
    """
    from dlqa.related import similar

    found = similar(index_dir, answer_id, limit=related)
    if found is None:
        return None
    data = found.to_dict()
    answer = found.anchor.to_dict()
    for name in SEARCH_ONLY_FIELDS:
        answer.pop(name, None)
    return {"answer": answer, "key_terms": data["key_terms"], "related": data["results"]}


def count_answers(index_dir: str | os.PathLike[str]) -> int:
    """Stored answers in the index (each copy of a repost counted)."""
    from dlqa.index import open_index

    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        return int(searcher.doc_count())


def iter_answers(index_dir: str | os.PathLike[str]) -> Iterator[dict[str, Any]]:
    """Every stored answer, one dict at a time in index order, with `dlqa show --json`'s fields.

    Engine detail kept here on purpose: today this walks Whoosh's stored fields and reads each
    body from the `body_text` column the way `dlqa.search` does, holding one answer at a time.
    """
    from dlqa.index import damage_errors, damaged_error, decode_body, open_index
    from dlqa.search import column_lookup, make_hit

    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        reader = searcher.reader()
        bodies = column_lookup(reader, "body_text")
        try:
            for docnum, stored in reader.iter_docs():
                record = make_hit({**stored, "body": decode_body(bodies(docnum))}, []).to_dict()
                for name in SEARCH_ONLY_FIELDS:
                    record.pop(name, None)
                yield record
        except damage_errors() as error:
            raise damaged_error(index_dir, " ".join(str(error).split())) from None


def warm_up() -> None:
    """Load the segmenter in the background: answer pages re-segment one answer (key terms),
    and jieba's first load (~0.7 s) should not land on the first page a user opens."""
    from dlqa.analysis import load_segmenter

    threading.Thread(target=load_segmenter, name="dlqa-warm-up", daemon=True).start()


def check_index(index_dir: str | os.PathLike[str]) -> None:
    """Raise `NoIndexError` (or `IndexDamagedError`) now rather than on the first request."""
    from dlqa.index import open_index

    open_index(index_dir)
