"""SegmentFault 思否 Q&A pages.

Question pages describe themselves in JSON-LD (`QAPage` → `Question` with its answers, each
with `author` and `url` `/q/QID/a-AID`), whose answer text is cut for search snippets: the
bodies come from the markup where it holds them in full (see `structured`). A page without
that data is read as repeated post blocks (`posts`): the first is the question.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, posts, structured
from dlqa.sites.structured import Thread
from dlqa.sites.threads import first_text, page_from_thread, strip_title

NAME = "segmentfault"
TITLE_SUFFIX = re.compile(r"\s*[-_|]\s*SegmentFault\s*思否\s*$", re.IGNORECASE)


def recognise(source: Source) -> bool:
    host = urlsplit(source.url or "").hostname or ""
    if host == "segmentfault.com" or host.endswith(".segmentfault.com"):
        return True
    if not source.is_html:
        return False
    site_name = " ".join(source.tree.xpath("//meta[@property='og:site_name']/@content"))
    return "segmentfault" in site_name.lower()


def extract(source: Source) -> Page:
    tree = source.tree
    thread = structured.read_thread(tree, source.url)
    if thread is None or thread.kind != "qa":
        found = posts.detect(tree, source.url)
        thread = Thread("qa", head=found[0] if found else None, replies=found[1:] if found else [])
        if thread.head is not None:
            thread.head.url = None  # the question's link is the page's own
    title = first_text(tree, "//h1") or strip_title(source.html_title, TITLE_SUFFIX)
    return page_from_thread(source, NAME, thread, strip_title(title, TITLE_SUFFIX))


SITE = Site(NAME, recognise, extract)
