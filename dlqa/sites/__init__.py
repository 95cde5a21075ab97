"""Stage 3: recognise which site a page comes from, and hand it to that site's rules.

A site is a small module with a `SITE = Site(...)` value: a name, a `recognise(source)` test
and an `extract(source) -> Page` function. Adding a site is one new file here plus one line
in `SITES`. Sites are tried in order; `generic` accepts every page and comes last.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dlqa.model import Page


@dataclass
class Source:
    """What every site's rules receive: one decoded page, as lines and (for HTML) as a tree."""

    path: str
    #: The page as plain text. For HTML this is the block text of `blocks.html_to_text`, with
    #: link targets written after their anchor text, so text rules work on both.
    text: str
    #: The parsed lxml tree of an HTML page, else None.
    tree: Any = None
    #: The page's own URL when the HTML names it (canonical link, og:url), else None.
    url: str | None = None
    #: The HTML <title>, else None.
    html_title: str | None = None
    #: A web-clipper markdown page's front matter and headings (`clip.Clip`), else None.
    clip: Any = None
    #: What a site's `recognise` worked out for its `extract`, by site name (a costly
    #: reading is done once per page).
    worked_out: dict[str, Any] = field(default_factory=dict)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def is_html(self) -> bool:
        return self.tree is not None


@dataclass(frozen=True)
class Site:
    """One site family's rules."""

    name: str
    recognise: Callable[[Source], bool]
    extract: Callable[[Source], Page]


def all_sites() -> list[Site]:
    """The registered sites, most specific first, `generic` last."""
    from dlqa.sites import (
        blogrepost,
        blogs,
        devqa,
        discourse,
        flarum,
        forum,
        generic,
        python88,
        segmentfault,
        stackexchange,
        text_posts,
        tieba,
        v2ex,
        zhidao,
        zhihu,
    )

    return [v2ex.SITE, zhihu.SITE, stackexchange.SITE, discourse.SITE, flarum.SITE, segmentfault.SITE,
            zhidao.SITE, tieba.SITE, *devqa.SITES, python88.SITE, blogrepost.SITE, blogs.SITE, forum.SITE,
            text_posts.SITE, generic.SITE]


def recognise(source: Source) -> Site:
    """The first site whose `recognise` accepts the page (always at least `generic`)."""
    for site in all_sites():
        if site.recognise(source):
            return site
    raise AssertionError("generic accepts every page")
