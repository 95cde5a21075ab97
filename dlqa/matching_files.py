"""`dlqa search --files`: the saved pages holding a matching answer, like `rg -l`.

The same matching, repost merging and order as `dlqa.search.search` (its public `match`), but
without making a hit (body, snippet, matched terms) of every answer: for a common word in a
10k-answer index that was four-fifths of the time, and `--files` lists every match, not a page
of them.
"""

from __future__ import annotations

import os

from dlqa import query as query_mod
from dlqa.errors import DlqaError
from dlqa.search import Filters, match, open_searcher
from dlqa.store.opening import DAMAGE_ERRORS, damaged_error


def matching_files(index_dir: str | os.PathLike[str], query: str, filters: Filters | None = None,
                   sort: str = "relevance", expand: bool = True) -> list[str]:
    """Each saved file holding an answer that matches `query` once, best match first.

    Raises what `search` raises: `QueryError`, `NoIndexError`, `IndexDamagedError`.
    """
    tree = query_mod.parse(query)
    with open_searcher(index_dir) as opened:
        try:
            # wanted=1: the pages of the answers matching every term, or, when none does, of
            # those matching part of the query (as `dlqa search` would list them).
            matched = match(opened, tree, filters, sort, expand, wanted=1)
            files: dict[str, None] = {}
            for members in matched.full + matched.partial:
                for doc, _ in members:
                    files[opened.searcher.stored_fields(doc).get("source_file") or ""] = None
        except DlqaError:
            raise
        except DAMAGE_ERRORS as error:
            opened.broken = True
            raise damaged_error(index_dir, " ".join(str(error).split())) from None
    return [name for name in files if name]
