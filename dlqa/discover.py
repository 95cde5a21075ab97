"""Stage 0: which files an ingest reads: files, folders (recursively) and globs → real paths.

Kept apart from the index so that what counts as a saved page is decided in one place. A
folder walk takes every format people save pages in (text dumps, HTML, single-file MHTML,
web-clipper markdown) and leaves out, with a reason the ingest summary reports, what is not
a page: the `X_files/` folder a browser's "Webpage, complete" save writes beside `X.html`
(its stylesheets, scripts and iframes: QR-login pages, ads), and files of other types.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

#: What a directory walk picks up; files named explicitly are tried whatever their suffix.
SUFFIXES = (".txt", ".text", ".htm", ".html", ".md", ".markdown", ".mhtml", ".mht")
#: Why a walk left something out (the ingest summary counts them by reason).
RESOURCES = "resource folder of a page saved complete (X_files)"
OTHER_TYPE = "not a saved-page type"
#: How the ingest summary counts each reason: one, many.
SKIP_NOUNS = {
    RESOURCES: ("resource folder (X_files beside a saved page)", "resource folders (X_files beside saved pages)"),
    OTHER_TYPE: ("file of another type", "files of other types"),
}
#: The resource folders browsers write beside a page saved "complete" (`X.html` + `X_files/`;
#: some localised browsers name it `X.files`, older Firefox `X-Dateien`).
RESOURCE_FOLDER_SUFFIXES = ("_files", ".files", "-dateien")


@dataclass
class Discovery:
    """What a walk found: the files to read, the arguments that failed, what it skipped."""

    files: list[str] = field(default_factory=list)
    #: `(path, reason)` for arguments that name nothing readable.
    failures: list[tuple[str, str]] = field(default_factory=list)
    #: `(path, reason)` for folders and files a walk left out on purpose.
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def __iter__(self) -> Iterator[list]:
        """`files, failures = discover(...)`, as callers unpacked it before `skipped` existed."""
        yield self.files
        yield self.failures


def discover(paths: Iterable[str | os.PathLike[str]]) -> Discovery:
    """Resolve files, folders (recursively, by suffix) and globs into unique real paths.

    A path that matches nothing is a failure, not an exception.
    """
    files: dict[str, None] = {}
    found = Discovery()
    for arg in paths:
        text = os.fspath(arg)
        if os.path.isdir(text):
            files.update(dict.fromkeys(_walk(text, found.skipped)))
        elif os.path.exists(text):
            if not os.path.isfile(text):  # a FIFO or device would block the read forever
                found.failures.append((text, "not a regular file (a pipe, socket or device)"))
                continue
            files[os.path.realpath(text)] = None
        elif glob.has_magic(text):
            matches = sorted(glob.glob(text, recursive=True))
            if not matches:
                found.failures.append((text, "no file matches this pattern"))
            for match in matches:
                if _inside_resource_folder(match, text):
                    continue  # `**/*.html` must not reach into `X_files/` either
                if os.path.isdir(match):
                    files.update(dict.fromkeys(_walk(match, found.skipped)))
                elif os.path.isfile(match):
                    files[os.path.realpath(match)] = None
                elif os.path.exists(match):  # (a path through a symlink loop does not exist)
                    found.failures.append((match, "not a regular file (a pipe, socket or device)"))
        else:
            found.failures.append((text, "no such file or directory"))
    found.files = list(files)
    return found


def is_resource_folder(name: str) -> bool:
    """`X_files` (and its localised spellings): the assets of a page saved "complete"."""
    lowered = name.lower()
    return any(lowered.endswith(suffix) and len(lowered) > len(suffix) for suffix in RESOURCE_FOLDER_SUFFIXES)


def _inside_resource_folder(match: str, pattern: str) -> bool:
    """Whether a glob match lies in a resource folder the pattern itself did not name."""
    parts = os.path.normpath(match).split(os.sep)
    named = os.path.normpath(pattern).split(os.sep)
    return any(is_resource_folder(part) and part not in named for part in parts)


def _walk(folder: str, skipped: list[tuple[str, str]]) -> Iterator[str]:
    """Saved pages under `folder`, sorted; hidden folders skipped, symlinked folders not followed."""
    for root, dirnames, filenames in os.walk(folder, followlinks=False):
        kept = []
        for name in sorted(dirnames):
            if name.startswith("."):
                continue
            if is_resource_folder(name):
                skipped.append((os.path.join(root, name), RESOURCES))
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            full = os.path.join(root, name)
            if not name.lower().endswith(SUFFIXES):
                skipped.append((full, OTHER_TYPE))
            elif os.path.isfile(full):
                yield os.path.realpath(full)
