"""The library facade: everything the CLI does, as methods returning the dataclasses it renders.

    from dlqa import Library
    lib = Library("index")
    lib.ingest(["corpus/"])
    results = lib.search("过拟合", limit=5)
    for hit in results.hits:
        print(hit.author, hit.link, hit.snippet)

`Library()` finds the library as every `dlqa` command does (`dlqa.store.location`:
`$DLQA_INDEX`, the `index` setting of `dlqa config`, the nearest `index/` here or above).
Errors are `dlqa.errors.DlqaError`s with one-line messages (`NoIndexError`, `QueryError`,
`IndexDamagedError`, …); a missing index says how its folder was chosen. Ingesting and key
terms import extraction and jieba on first use, so a script that only searches starts as
fast as `dlqa search`.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dlqa.dedup import parse_date_option
from dlqa.engine.segments import column_lookup
from dlqa.errors import NoIndexError
from dlqa.matching_files import matching_files
from dlqa.related import Similar, key_terms, similar
from dlqa.results import Hit, answer_fields, make_hit
from dlqa.search import Filters, SearchResults, get_answer, search
from dlqa.store.documents import BODY_COLUMN
from dlqa.store.location import Location, missing_index_message, resolve
from dlqa.store.opening import DAMAGE_ERRORS, damaged_error, open_index
from dlqa.store.stats import answer_count, index_sites, stats

if TYPE_CHECKING:
    from dlqa.store.ingest import IngestReport, ProgressCallback


class Library:
    """One index folder: `index`, else the one `dlqa.store.location.resolve` finds.

    With nothing given, set or found, `Library()` raises `NoIndexError` saying where it looked,
    and `Library(create=True)` is `./index`, made by its first `ingest`.
    """

    def __init__(self, index: str | os.PathLike[str] | None = None, *, create: bool = False) -> None:
        #: The folder and why it was chosen (`location.reason`, shown by `dlqa stats`).
        self.location: Location = resolve(index, create=create)
        self.path: Path = self.location.path

    def __repr__(self) -> str:
        return f"Library({os.fspath(self.path)!r})"

    def search(self, query: str, *, limit: int = 10, page: int = 1, site: str | None = None,
               author: str | None = None, since: str | None = None, until: str | None = None,
               sort: str = "relevance", expand: bool = True) -> SearchResults:
        """One page of answers matching `query` (the CLI's query language), best first.

        `since`/`until` are YYYY-MM-DD (ValueError otherwise); `sort` is "relevance" or
        "date"; `expand` also searches glossary synonyms. `results.hits` are the answers,
        `results.total` counts every match with reposts merged.
        """
        filters = _filters(site, author, since, until)
        with self._said_where():
            return search(self.path, query, limit=limit, page=page, filters=filters, sort=sort,
                          expand=expand)

    def matching_files(self, query: str, *, site: str | None = None, author: str | None = None,
                       since: str | None = None, until: str | None = None, sort: str = "relevance",
                       expand: bool = True) -> list[str]:
        """Every saved file holding an answer that matches, once, in `search`'s order (the
        pages `dlqa search --files` lists); faster than paging through every hit."""
        filters = _filters(site, author, since, until)
        with self._said_where():
            return matching_files(self.path, query, filters=filters, sort=sort, expand=expand)

    def get(self, id_or_prefix: str) -> Hit | None:
        """The answer with this id (or unique prefix of 6+ characters), else None."""
        with self._said_where():
            return get_answer(self.path, id_or_prefix)

    def key_terms(self, id_or_prefix: str) -> list[str] | None:
        """The answer's key terms (TF-IDF), best first; None when no answer has this id."""
        with self._said_where():
            return key_terms(self.path, id_or_prefix)

    def similar(self, id_or_prefix: str, *, limit: int = 10) -> Similar | None:
        """Answers sharing this answer's key terms; None when no answer has this id."""
        with self._said_where():
            return similar(self.path, id_or_prefix, limit=limit)

    def stats(self, top: int = 10) -> dict[str, Any]:
        """Pages per site, answers, the `top` authors and the index's size on disk."""
        with self._said_where():
            return stats(self.path, top=top)

    def sites(self) -> list[str]:
        """The sites the index's pages come from, sorted (read from its term list: cheap)."""
        with self._said_where():
            return index_sites(self.path)

    def answer_count(self) -> int:
        """How many answers the index holds (cheap: no answer is read)."""
        with self._said_where():
            return answer_count(self.path)

    def ingest(self, paths: Iterable[str | os.PathLike[str]], *, prune: bool = False,
               rebuild: bool = False, jobs: int | None = None,
               progress: ProgressCallback | None = None, wait: float | None = None) -> IngestReport:
        """Add files, folders and globs; unchanged files are skipped, changed ones replaced.

        `progress(done, total, path)` hears of every file (and `progress.stage(name)`, if the
        callback has that method, of the stages between: see `store.ingest.ProgressCallback`);
        `jobs` worker processes index
        large batches (default: the usable cores); `wait` bounds the wait for another ingest.
        One bad file is reported in `report.failures` and never stops the batch.
        """
        # (imported on first use: extraction, filelock and the workers take longer to import
        # than a whole fresh `dlqa search`, which must not pay for them)
        from dlqa.store.ingest import ingest

        return ingest(paths, self.path, rebuild=rebuild, prune=prune, progress=progress,
                      wait=wait, jobs=jobs)

    def iter_answers(self) -> Iterator[Hit]:
        """Every stored answer, in index order, read one at a time (for exports)."""
        with self._said_where():
            ix = open_index(self.path)
        with ix.searcher() as searcher:
            try:
                bodies = column_lookup(searcher.reader(), BODY_COLUMN)
                for doc in searcher.reader().all_doc_ids():
                    yield make_hit(answer_fields(searcher, doc, bodies), [])
            except DAMAGE_ERRORS as error:
                raise damaged_error(self.path, " ".join(str(error).split())) from None

    @contextmanager
    def _said_where(self) -> Iterator[None]:
        """A missing index's error says how this folder was chosen and how to make one."""
        try:
            yield
        except NoIndexError:
            raise NoIndexError(missing_index_message(self.location)) from None


def _filters(site: str | None, author: str | None, since: str | None, until: str | None) -> Filters:
    """The search filters; `since`/`until` not written YYYY-MM-DD are a ValueError."""
    return Filters(author=author, site=site, since=since and parse_date_option(since),
                   until=until and parse_date_option(until))
