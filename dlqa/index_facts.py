"""Cheap facts about an index for messages and completion: which sites it holds, is it empty.

Read from the index's term list and document count, never by walking stored answers, and
asked only when a search found nothing (to say why) or when the shell completes `--site`.
"""

from __future__ import annotations

import os

from dlqa.index import damage_errors, open_index


def index_sites(index_dir: str | os.PathLike[str]) -> list[str]:
    """The site names of the pages in the index, sorted."""
    ix = open_index(index_dir)
    try:
        with ix.reader() as reader:
            return sorted(term.decode("utf-8") if isinstance(term, bytes) else str(term)
                          for term in reader.lexicon("site"))
    except damage_errors():
        return []


def registered_sites() -> list[str]:
    """Every site family dlqa recognises (loads the site rules: for error messages only)."""
    from dlqa.sites import all_sites

    return [site.name for site in all_sites()]


def is_empty(index_dir: str | os.PathLike[str]) -> bool:
    """Whether the index holds no answer at all (made, but nothing ingested, or all pruned)."""
    return open_index(index_dir).doc_count() == 0
