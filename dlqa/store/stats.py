"""What the index holds, for `dlqa stats`: pages per site, answers, top authors, size."""

from __future__ import annotations

import contextlib
import os
from collections import Counter
from pathlib import Path
from typing import Any

from dlqa.store.manifest import SCHEMA_VERSION
from dlqa.store.opening import damaged_error, one_line, open_index


def stats(index_dir: str | os.PathLike[str], top: int = 10) -> dict[str, Any]:
    """Pages per site, answers, top authors and size on disk, for `dlqa stats`."""
    path = Path(index_dir)
    ix = open_index(path)
    pages_by_site: dict[str, set[str]] = {}
    answers_by_site: Counter[str] = Counter()
    authors: Counter[str] = Counter()
    answers = 0
    try:
        with ix.searcher() as searcher:
            for stored in searcher.all_stored_fields():
                answers += 1
                site = stored.get("site") or "web"
                pages_by_site.setdefault(site, set()).add(stored.get("source_file") or "")
                answers_by_site[site] += 1
                if stored.get("author"):
                    authors[stored["author"]] += 1
    except Exception as error:  # a segment damaged in a way opening did not notice
        raise damaged_error(path, one_line(error)) from None
    size = _folder_size(path)
    return {
        "index": str(path.resolve()),
        "schema_version": SCHEMA_VERSION,
        "answers": answers,
        "pages": sum(len(files) for files in pages_by_site.values()),
        "sites": {site: {"pages": len(files), "answers": answers_by_site[site]}
                  for site, files in sorted(pages_by_site.items(), key=lambda item: (-len(item[1]), item[0]))},
        "top_authors": [{"author": name, "answers": count}
                        for name, count in sorted(authors.items(), key=lambda item: (-item[1], item[0]))[:top]],
        "size_bytes": size,
    }


def _folder_size(path: Path) -> int:
    """Bytes in the index folder; files a concurrent ingest deletes meanwhile count as 0."""
    size = 0
    for entry in os.scandir(path):
        with contextlib.suppress(OSError):
            if entry.is_file():
                size += entry.stat().st_size
    return size
