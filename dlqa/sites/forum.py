"""Any other Q&A or forum page: structured data first, else repeated post blocks.

No site of its own: first the thread markup of known forum software (`forum_rules`, as
data); then a page whose schema.org data (microdata or JSON-LD) describes a
question with answers or a forum thread is read from it (`structured`); a page that repeats
one post shape with an author link and a body is read as that list (`posts`). The posts must
carry most of the page's text, so an article with a short comment thread under it is not
mistaken for a forum (it stays one unit, `web`).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from dlqa import blocks
from dlqa.model import Page
from dlqa.sites import Site, Source, posts, structured
from dlqa.sites.forum_rules import KNOWN_THREADS
from dlqa.sites.structured import Thread
from dlqa.sites.threads import heading_title, page_from_thread, read_ruled_thread

NAME = "forum"
#: The share of the page's text the detected posts must hold.
MIN_POST_SHARE = 0.25
TITLE_SUFFIX = re.compile(r"\s+[-_|–—]\s+[^-_|–—]{1,40}$")


def _ruled(source: Source) -> Thread | None:
    """The thread as the first known software whose markup the page has reads it."""
    for rules in KNOWN_THREADS:
        if source.tree.xpath(rules.recognise):
            thread = read_ruled_thread(source.tree, rules, source.url)
            if thread is not None:
                return thread
    return None


def _structured(source: Source) -> Thread | None:
    thread = structured.read_thread(source.tree, source.url)
    if thread is None or thread.kind == "article":
        return None
    bodies = [post for post in [thread.head, *thread.replies] if post is not None and post.body.strip()]
    return thread if bodies else None


def _repeated(source: Source) -> Thread | None:
    thread = posts.thread_of(source.tree, source.url, None)
    if thread is None or thread.head is None:
        return None
    found = sum(len(post.body) for post in [thread.head, *thread.replies])
    return thread if found >= MIN_POST_SHARE * len(source.text) else None


def recognise(source: Source) -> bool:
    return source.is_html and (
        _ruled(source) is not None or _structured(source) is not None or _repeated(source) is not None
    )


def extract(source: Source) -> Page:
    ruled = _ruled(source)
    thread = ruled or _structured(source) or _repeated(source)
    assert thread is not None
    title = (ruled.title if ruled else None) or heading_title(source.tree, source.html_title) or thread.title
    if not title and source.html_title:
        title = TITLE_SUFFIX.sub("", source.html_title)
    page = page_from_thread(source, NAME, thread, title)
    page.page_url = page.page_url or blocks.page_url(source.tree)
    return page


def any_page(source: Source) -> Page:
    """The page read without site rules: an article, a generic forum (a thread saved as text or
    clipped: `text_posts`), else the main text."""
    from dlqa.sites import blogs, generic, text_posts

    for site in (blogs.SITE, SITE, text_posts.SITE):
        if site.recognise(source):
            return site.extract(source)
    return generic.extract(source)


def or_any_page(extract: Callable[[Source], Page]) -> Callable[[Source], Page]:
    """A site's `extract` that falls back to `any_page` when its rules find nothing: a page of
    the site that is not a thread (a profile, a mobile layout, a SegmentFault article) is still
    read, not dropped."""

    def extract_or_fallback(source: Source) -> Page:
        page = extract(source)
        return page if page.answers or page.description else any_page(source)

    return extract_or_fallback


SITE = Site(NAME, recognise, extract)
