"""Where the library lives: which index folder a command uses, and why.

In order: `--index DIR`; `$DLQA_INDEX`; the `index` setting of the settings file
(`dlqa config index DIR`); the nearest `index/` folder holding a dlqa index in the current
folder or one of its parents, as git finds `.git`. With none of those, `dlqa ingest` creates
`./index` and every other command says where it looked. Each step is a few `stat` calls; the
settings file is parsed only when it exists. This is the one place that decides where the
library lives: `dlqa.Library` (and through it every command) asks `resolve`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from pathlib import Path

from dlqa import config
from dlqa.engine.segments import has_index
from dlqa.errors import NoIndexError

#: The folder name looked for in the current folder and its parents, and made by a first ingest.
INDEX_FOLDER = "index"


class Location:
    """An index folder and how it was chosen. A plain class: defining a dataclass or a
    NamedTuple costs 0.25-0.5 ms, and this module is imported by every search."""

    __slots__ = ("path", "source", "reason")

    def __init__(self, path: Path, source: str, reason: str) -> None:
        self.path = path
        #: "option", "env", "config", "found" (a parent's index/) or "new" (./index, made by ingest).
        self.source = source
        #: Why this folder, for messages: "from --index", "from $DLQA_INDEX", …
        self.reason = reason

    def __repr__(self) -> str:
        return f"Location({self.path!r}, {self.source!r}, {self.reason!r})"


def resolve(option: str | os.PathLike[str] | None = None, *, create: bool = False,
            environ: Mapping[str, str] | None = None, cwd: Path | None = None,
            config_file: Callable[[], Path] | None = None,
            index_test: Callable[[Path], bool] | None = None) -> Location:
    """The index folder for a command; `create` (ingest) falls back to `./index`.

    Raises `NoIndexError` naming every place looked at, and how to choose one, when nothing
    is found and `create` is false.
    """
    environ = os.environ if environ is None else environ
    if option is not None and os.fspath(option) != "":
        return Location(Path(option).expanduser(), "option", "from --index")
    if environ.get("DLQA_INDEX"):
        return Location(Path(environ["DLQA_INDEX"]).expanduser(), "env", "from $DLQA_INDEX")
    settings_path = (config_file or (lambda: config.config_file(environ)))()
    configured = config.read_settings(settings_path).get("index") if settings_path.is_file() else None
    if configured:
        path = Path(configured).expanduser()
        if not path.is_absolute():  # relative to the settings file, not to wherever dlqa runs
            path = settings_path.parent / path
        return Location(path, "config", f"from the index setting in {settings_path}")
    index_test = index_test or has_index
    try:
        here = Path.cwd() if cwd is None else cwd
    except OSError:  # the current folder was deleted under us: nothing to walk up from
        here = Path(os.environ.get("PWD") or os.sep)
    for folder in (here, *here.parents):
        candidate = folder / INDEX_FOLDER
        if index_test(candidate):
            where = "the current folder" if folder == here else folder
            return Location(_shortest(candidate, here), "found", f"the nearest {INDEX_FOLDER}/ (in {where})")
    if create:
        return Location(Path(INDEX_FOLDER), "new", f"none set or found: a new {INDEX_FOLDER}/ here")
    raise NoIndexError(
        f"no index found: no --index, no DLQA_INDEX, no index setting in {settings_path}, and no "
        f"{INDEX_FOLDER}/ holding an index in {here} or its parents; make one with `dlqa ingest FOLDER`, "
        "or choose one with --index DIR, DLQA_INDEX=DIR or `dlqa config index DIR`")


def missing_index_message(location: Location) -> str:
    """The one line for a chosen folder that holds no index."""
    how = f"`dlqa ingest FOLDER --index {location.path}`" if location.source == "option" \
        else "`dlqa ingest FOLDER`"
    return f"no index at {location.path} ({location.reason}); make one with {how}"


def _shortest(path: Path, here: Path) -> Path:
    """`index` for the current folder's own, else the absolute path (clearer than ../../index)."""
    return Path(INDEX_FOLDER) if path.parent == here else path
