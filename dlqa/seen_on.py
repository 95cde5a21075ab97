"""The "also seen on" list of a merged repost: distinct pages, each once with its copies.

One answer saved 300 times from one page is one page with 300 copies, not 299 lines. A page
is its URL and title (the file name when it has no URL); the terminal shows a few pages and
"+N more", while `--json` keeps every copy in `seen_in`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

#: Pages listed under a result before "+N more pages".
SHOWN_PAGES = 3


@dataclass
class SeenPage:
    """One distinct page an answer was seen on, and how many saved copies of it hold it."""

    title: str | None
    site: str
    page_url: str | None
    source_file: str
    copies: int = 1


@dataclass
class SeenOn:
    """Where else a result's answer was found."""

    #: More copies of the result's own page (same URL and title), e.g. the same page saved twice.
    same_page_copies: int = 0
    #: Other pages, most copies first, then in the order first met (best-ranked copy first).
    pages: list[SeenPage] = field(default_factory=list)

    @property
    def shown(self) -> list[SeenPage]:
        return self.pages[:SHOWN_PAGES]

    @property
    def more(self) -> int:
        """Pages left out of `shown`."""
        return max(0, len(self.pages) - SHOWN_PAGES)


def page_key(page: Mapping[str, Any]) -> tuple[str, str]:
    """What makes two copies the same page: URL and title, or the file name without a URL."""
    url = page.get("page_url") or page.get("url")
    return (url or "file:" + file_name(page.get("source_file")), page.get("title") or "")


def group_seen(seen_in: Sequence[Mapping[str, Any]]) -> SeenOn:
    """Group `seen_in` (the result's own copy first) into distinct other pages."""
    result = SeenOn()
    if not seen_in:
        return result
    own = page_key(seen_in[0])
    by_key: dict[tuple[str, str], SeenPage] = {}
    for page in seen_in[1:]:
        key = page_key(page)
        if key == own:
            result.same_page_copies += 1
        elif key in by_key:
            by_key[key].copies += 1
        else:
            by_key[key] = SeenPage(page.get("title"), page.get("site") or "", page.get("page_url"),
                                   page.get("source_file") or "")
            result.pages.append(by_key[key])
    result.pages.sort(key=lambda page: -page.copies)  # stable: ties keep their rank order
    return result


def file_name(path: str | None) -> str:
    """A saved file's base name, whichever separator its path uses."""
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]
