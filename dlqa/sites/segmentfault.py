"""SegmentFault 思否 Q&A pages.

Question pages describe themselves in JSON-LD (`QAPage` → `Question` with its answers, each
with `author` and `url` `/q/QID/a-AID`), whose answer text is cut for search snippets: the
bodies come from the markup where it holds them in full (see `structured`). A page without
that data is read from SegmentFault's own markup: every answer is the element its anchor
names (`id="a-AID"`), its text the formatted block (`.fmt`) inside, its author the first
profile link (`/u/name`); the question's text is the first `.fmt` block outside the answers.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, forum, structured
from dlqa.sites.structured import Post, Thread
from dlqa.sites.threads import (
    PostRules,
    body_text,
    heading_title,
    page_from_thread,
    read_posts,
    strip_title,
)

NAME = "segmentfault"
TITLE_SUFFIX = re.compile(r"\s*[-_|]\s*SegmentFault\s*思否\s*$", re.IGNORECASE)
_ANSWER = "//*[starts-with(@id,'a-')][translate(substring(@id,3),'0123456789','')='']"
_FMT = "contains(concat(' ',normalize-space(@class),' '),' fmt ')"
RULES = PostRules(
    post=_ANSWER,
    body=f".//*[{_FMT}]",
    author=(".//a[contains(@href,'/u/')][normalize-space()]",),
    url=lambda answer, base: f"{_question(base)}/{answer.get('id')}" if _question(base) else None,
)


def _question(url: str | None) -> str | None:
    match = re.match(r"^(https?://[^/]+/q/\d+)", url or "")
    return match.group(1) if match else None


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
    if thread is not None and thread.kind == "article":  # a 专栏 article (/a/ID), not a question
        return forum.any_page(source)
    if thread is None or thread.kind != "qa":
        question = tree.xpath(f"//*[{_FMT}][not(ancestor::*[starts-with(@id,'a-')])]")
        head = Post(body=body_text(question[0])) if question else None
        thread = Thread("qa", head=head, replies=read_posts(tree, RULES, source.url))
    title = heading_title(tree, source.html_title) or strip_title(source.html_title, TITLE_SUFFIX)
    return page_from_thread(source, NAME, thread, strip_title(title, TITLE_SUFFIX))


SITE = Site(NAME, recognise, forum.or_any_page(extract))
