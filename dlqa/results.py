"""What a search returns: `Hit` (an answer record plus what the search found in it) and
`SearchResults`, the dataclasses the CLI renders and `dlqa.Library` returns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dlqa.engine.segments import column_lookup
from dlqa.model import RECORD_FIELDS, AnswerRecord
from dlqa.snippets import snippet, term_pattern
from dlqa.store.documents import BODY_COLUMN, DATE_FIELD, decode_body
from dlqa.textutil import fold

#: Fields a search adds to an answer record in JSON (`dlqa show` leaves them out).
SEARCH_FIELDS = ("score", "snippet", "matched", "missing", "seen_in")
#: What `seen_in` says about each page an answer was seen on.
SEEN_FIELDS = ("id", "title", "page_url", "url", "source_file", "site")


@dataclass
class Hit(AnswerRecord):  # type: ignore[misc,valid-type]
    """One answer found by a search: every record field (`model.RECORD_FIELDS`), and what
    the search found in it."""

    score: float = 0.0
    snippet: str = ""
    matched: list[str] = field(default_factory=list)
    #: The query's terms this answer lacks: set on answers listed as partial matches.
    missing: list[str] = field(default_factory=list)
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

    def to_dict(self, search_fields: bool = True) -> dict[str, Any]:
        """The JSON form: the record's fields, `link`, the search's fields (unless
        `search_fields` is false, as for `dlqa show`) and `posted_date`."""
        data = {spec.name: getattr(self, spec.name) for spec in RECORD_FIELDS}
        data["link"] = self.link
        if search_fields:
            data.update(score=round(self.score, 4), snippet=self.snippet, matched=list(self.matched),
                        missing=list(self.missing))
        data["posted_date"] = self.posted_date
        if search_fields:
            data["seen_in"] = [dict(page) for page in self.seen_in]
        return data


@dataclass
class SearchResults:
    """One page of hits and the total number of answers that matched.

    `total` counts answers matching every term of the query, with reposts merged;
    `with_reposts` counts those answers with each copy of a repost on its own. When fewer
    than a page of answers match every term, `partial` more answers matching most of them
    follow in the list (each with its `missing` terms).
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
    #: Answers listed after the `total` ones that match only part of the query.
    partial: int = 0
    #: When nothing matched: the query term that found nothing (the one `suggestion` replaces).
    unmatched: str | None = None

    @property
    def hits(self) -> list[Hit]:
        """This page's answers (`results`)."""
        return self.results

    def to_dict(self) -> dict[str, Any]:
        return {"query": self.query, "total": self.total, "partial": self.partial,
                "with_reposts": self.with_reposts,
                "expansions": dict(self.expansions),
                "suggestion": self.suggestion, "unmatched": self.unmatched, "results": [hit.to_dict() for hit in self.results]}


def answer_fields(searcher: Any, doc: int, bodies: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """A document's stored fields with its `body` (kept apart, in the body column); `bodies`
    is a `column_lookup` of that column made for this searcher, if the caller has one."""
    lookup = bodies or column_lookup(searcher.reader(), BODY_COLUMN)
    return {**searcher.stored_fields(doc), "body": decode_body(lookup(doc))}


def make_hit(stored: dict[str, Any], terms: list[tuple[str, str | None]]) -> Hit:
    """A `Hit` from a document's stored fields, with its snippet and matched terms."""
    record = {spec.name: stored.get(spec.name, "" if spec.kind in ("key", "body") else None)
              for spec in RECORD_FIELDS}
    hit = Hit(**record, posted_date=stored.get(DATE_FIELD))
    hit.matched = matched_terms(stored, terms)
    body_terms = [text for text, name in terms if name in (None, "body")]
    hit.snippet, hit.spans = snippet(hit.body, body_terms)
    return hit


def seen_on(stored: dict[str, Any]) -> dict[str, Any]:
    """One page an answer was seen on, for `seen_in`."""
    return {name: stored.get(name, "" if name in ("id", "source_file", "site") else None)
            for name in SEEN_FIELDS}


def matched_terms(stored: dict[str, Any], terms: list[tuple[str, str | None]]) -> list[str]:
    """The query's positive terms that occur in this answer (in the field they were asked for)."""
    folded = {name: fold(stored.get(name) or "") for name in ("title", "body", "author")}
    if stored.get("floor") is not None:
        folded["title"] = ""  # a forum reply is not matched by its thread's title
    matched: list[str] = []
    for text, name in terms:
        if name == "site":
            found = fold(stored.get("site") or "") == fold(text)
        else:
            pattern = term_pattern(text)
            names = [name] if name else ["title", "body", "author"]
            found = any(pattern.search(folded[field_name]) for field_name in names)
        if found and text not in matched:
            matched.append(text)
    return matched


