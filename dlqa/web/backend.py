"""The one adapter between `dlqa serve` / `dlqa export` and the library: `dlqa.Library`.

Everything the web page and the exporters need goes through these few functions, and they
reach the index only through the facade's methods (and `dlqa.store.opening` to check it is
there), so the server never sees engine objects. Results come back as plain dicts of the
JSON contract (`dlqa search --json`, `dlqa show --json`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from dlqa.dedup import parse_date_option
from dlqa.errors import DlqaError, QueryError
from dlqa.library import Library
from dlqa.search import SORTS
from dlqa.store.opening import open_index


def site_choices(library: Library, chosen: str | None = None) -> list[str]:
    """The sites the search form offers: those the index's pages come from (the list grows
    with every site dlqa learns, so it is read, not written down), and the one chosen."""
    try:
        sites = list(library.sites())
    except DlqaError:  # (a damaged or missing index is reported by the search itself)
        sites = []
    if chosen and chosen not in sites:
        sites.append(chosen)
    return sites


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


def search(library: Library, query: str, limit: int = 10, page: int = 1,
           options: Options = Options()) -> SearchPage:
    """Run one search. Raises `QueryError` for a bad query or filter, `NoIndexError`, … (DlqaError).

    `Library.search` keeps its searcher open between calls and opens a fresh one when the
    index files change (an ingest committed), so a long-running server never reopens the
    index per request and still sees every commit.
    """
    if options.sort not in SORTS:
        raise QueryError(f"sort must be one of: {', '.join(SORTS)}")
    for value in (options.since, options.until):
        try:
            if value:
                parse_date_option(value)
        except ValueError as error:
            raise QueryError(f"since/until: {error}") from None
    results = library.search(query, limit=limit, page=page, site=options.site or None,
                             author=options.author or None, since=options.since or None,
                             until=options.until or None, sort=options.sort, expand=options.expand)
    return SearchPage(results.to_dict(), [list(hit.spans) for hit in results.hits])


def iter_search(library: Library, query: str, options: Options = Options(),
                page_size: int = 1000) -> tuple[int, Iterator[dict[str, Any]]]:
    """(total, every answer matching all of `query`'s terms, in rank order), fetched a page at a time: memory holds one
    page whatever the library's size. Each page re-runs the ranking (~0.25 s for a query matching
    most of 10k answers), hence large pages."""
    first = search(library, query, limit=page_size, page=1, options=options)
    total = first.data["total"]

    def results() -> Iterator[dict[str, Any]]:
        # The answers matching every term: a page that runs short of them also lists answers
        # matching part of the query (each with what it is `missing`), which an export leaves out.
        yield from (hit for hit in first.data["results"] if not hit.get("missing"))
        for page in range(2, (total + page_size - 1) // page_size + 1):
            found = search(library, query, limit=page_size, page=page, options=options).data["results"]
            yield from (hit for hit in found if not hit.get("missing"))

    return total, results()


def answer_page(library: Library, answer_id: str, related: int = 8) -> dict[str, Any] | None:
    """What an answer page shows: {"answer", "key_terms", "related"}; None for an unknown id.

    `answer` has the fields of `dlqa show --json` (no search fields); `related` are results of
    `dlqa similar --json` (each with its `shared_terms`). One `similar` call gives all three:
    its anchor is the answer and its first key terms are `dlqa show`'s.
    """
    found = library.similar(answer_id, limit=related)
    if found is None:
        return None
    data = found.to_dict()
    return {"answer": found.anchor.to_dict(search_fields=False), "key_terms": data["key_terms"],
            "related": data["results"]}


def count_answers(library: Library) -> int:
    """Stored answers in the index (each copy of a repost counted): `stats` reads every
    answer's stored fields, so callers ask only when they show the number."""
    return int(library.stats(top=0)["answers"])


def iter_answers(library: Library) -> Iterator[dict[str, Any]]:
    """Every stored answer, one dict at a time in index order, with `dlqa show --json`'s fields."""
    for hit in library.iter_answers():
        yield hit.to_dict(search_fields=False)


def warm_up() -> None:
    """Load the segmenter in the background: answer pages re-segment one answer (key terms),
    and jieba's first load (~0.7 s) should not land on the first page a user opens."""
    from dlqa.analysis import load_segmenter

    threading.Thread(target=load_segmenter, name="dlqa-warm-up", daemon=True).start()


def check_index(library: Library) -> None:
    """Raise `NoIndexError` (or `IndexDamagedError`) now rather than on the first request."""
    open_index(library.path)
