"""What an index remembers beside Whoosh's files (where it lives: `dlqa.store.location`).

Two small JSON files sit beside the segments: `dlqa-index.json` (schema version, checked on
every open so an index from another dlqa version asks for `--rebuild` instead of giving wrong
answers, and the source paths it was made from) and `dlqa-files.json`, a cache of the
per-file signatures tagged with the Whoosh generation it describes.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from dlqa.store.location import INDEX_FOLDER

#: Bump when the schema or the meaning of a field changes: older indexes must be rebuilt.
SCHEMA_VERSION = 7  # v7: forum replies not indexed under the thread title (v6: repost keys column)
VERSION_FILE = "dlqa-index.json"
FILES_CACHE = "dlqa-files.json"


def rebuild_command(path: Path) -> str:
    """`dlqa ingest --rebuild …` for this index: PATH only when it does not remember its sources."""
    where = "" if os.fspath(path) == INDEX_FOLDER else f" --index {path}"
    return f"dlqa ingest --rebuild{where}" + ("" if remembered_sources(path) else " PATH…")


def remembered_sources(index_dir: str | os.PathLike[str]) -> list[str]:
    """The paths the index was made from, as recorded by `ingest` in `dlqa-index.json`.

    Falls back to the indexed files listed in the signature cache, so an index whose manifest
    was lost can still be rebuilt from its corpus.
    """
    path = Path(index_dir)
    sources = manifest_sources(path)
    if sources:
        return sources
    with contextlib.suppress(OSError, ValueError, AttributeError):
        files = json.loads((path / FILES_CACHE).read_text(encoding="utf-8")).get("files")
        if isinstance(files, dict):
            return sorted(files)
    return []


def manifest_sources(path: Path) -> list[str]:
    with contextlib.suppress(OSError, ValueError, AttributeError):
        sources = json.loads((path / VERSION_FILE).read_text(encoding="utf-8")).get("sources")
        if isinstance(sources, list):
            return [str(source) for source in sources]
    return []


def write_manifest(path: Path, sources: list[str]) -> None:
    """Schema version and source paths; skipped when unchanged (a read-only index stays usable)."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        data = json.loads((path / VERSION_FILE).read_text(encoding="utf-8"))
        if data.get("schema_version") == SCHEMA_VERSION and data.get("sources") == sources:
            return
    write_json(path / VERSION_FILE, {"schema_version": SCHEMA_VERSION, "tool": "dlqa", "sources": sources})


def read_version(path: Path) -> Any:
    """The schema version the manifest records; raises OSError/ValueError when unreadable."""
    return json.loads((path / VERSION_FILE).read_text(encoding="utf-8")).get("schema_version")


def write_json(path: Path, data: Any) -> None:
    """Write atomically: a temporary file in the same folder, then `os.replace`."""
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


