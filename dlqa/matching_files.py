"""`dlqa search --files`: the saved pages holding a matching answer, like `rg -l`.

The same matching, repost merging and order as `dlqa.search.search`, reusing its stages, but
without making a hit (body, snippet, matched terms) of every answer: for a common word in a
10k-answer index that was four-fifths of the time, and `--files` lists every match, not a page
of them.
"""

from __future__ import annotations

import os

from dlqa import query as query_mod
from dlqa.errors import DlqaError
from dlqa.index import damage_errors, damaged_error
from dlqa.search import Filters, _by_date, _merge_reposts, _open_searcher, _ranked_docs


def matching_files(index_dir: str | os.PathLike[str], query: str, filters: Filters | None = None,
                   sort: str = "relevance", expand: bool = True) -> list[str]:
    """Each saved file holding an answer that matches `query` once, best match first.

    Raises what `search` raises: `QueryError`, `NoIndexError`, `IndexDamagedError`.
    """
    tree = query_mod.parse(query)
    with _open_searcher(index_dir) as opened:
        try:
            searcher = opened.searcher

            def word_freq(word: str) -> int:
                word = word.lower()
                return searcher.doc_frequency("body", word) + searcher.doc_frequency("title", word)

            built = query_mod.build(tree, word_freq, expand=expand)
            ranked = _ranked_docs(searcher, tree, built, (filters or Filters()).queries(), word_freq, opened.tables)
            groups = _merge_reposts(searcher, ranked, opened.repost_table())
            if sort == "date":
                groups = _by_date(searcher, groups, opened.column)
            files: dict[str, None] = {}
            for members in groups:
                for doc, _ in members:
                    files[searcher.stored_fields(doc).get("source_file") or ""] = None
        except DlqaError:
            raise
        except damage_errors() as error:
            opened.broken = True
            raise damaged_error(index_dir, " ".join(str(error).split())) from None
    return [name for name in files if name]
