"""Stage 0: which files an ingest reads: files, folders (recursively) and globs → real paths.

Kept apart from the index so that what counts as a saved page is decided in one place.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator

#: What a directory walk picks up; files named explicitly are tried whatever their suffix.
SUFFIXES = (".txt", ".htm", ".html")


def discover(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[str], list[tuple[str, str]]]:
    """Resolve files, folders (recursively, by suffix) and globs into unique real paths.

    Returns `(files, failures)`; a path that matches nothing is a failure, not an exception.
    """
    files: dict[str, None] = {}
    failures: list[tuple[str, str]] = []
    for arg in paths:
        text = os.fspath(arg)
        if os.path.isdir(text):
            files.update(dict.fromkeys(_walk(text)))
        elif os.path.exists(text):
            if not os.path.isfile(text):  # a FIFO or device would block the read forever
                failures.append((text, "not a regular file (a pipe, socket or device)"))
                continue
            files[os.path.realpath(text)] = None
        elif glob.has_magic(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                failures.append((text, "no file matches this pattern"))
            for match in matches:
                if os.path.isdir(match):
                    files.update(dict.fromkeys(_walk(match)))
                elif os.path.isfile(match):
                    files[os.path.realpath(match)] = None
                elif os.path.exists(match):  # (a path through a symlink loop does not exist)
                    failures.append((match, "not a regular file (a pipe, socket or device)"))
        else:
            failures.append((text, "no such file or directory"))
    return list(files), failures


def _walk(folder: str) -> Iterator[str]:
    """Saved pages under `folder`, sorted; hidden folders skipped, symlinked folders not followed."""
    for root, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames[:] = sorted(name for name in dirnames if not name.startswith("."))
        for name in sorted(filenames):
            if name.lower().endswith(SUFFIXES) and not name.startswith("."):
                full = os.path.join(root, name)
                if os.path.isfile(full):
                    yield os.path.realpath(full)
