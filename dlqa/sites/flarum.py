"""Flarum forums.

A saved Flarum discussion is the rendered app: a `PostStream` of `PostStream-item`s
(`data-number`), each comment an `article.CommentPost` with the author in `.PostUser-name
.username` and the text in `.Post-body`; likes, reply buttons and event posts ("added tags")
sit beside them. The server's copy for browsers without scripts (`<noscript id=flarum-content>`
or a save made with scripts off) has one `<article>` per post with the same two classes.
A post's own link is the discussion's URL plus its number (`/d/123-slug/4`).
"""

from __future__ import annotations

import re
from typing import Any

from dlqa.model import Page
from dlqa.sites import Site, Source, forum
from dlqa.sites.structured import Thread
from dlqa.sites.threads import (
    PostRules,
    first_text,
    has_class,
    page_from_thread,
    read_posts,
    strip_title,
)

NAME = "flarum"
_DISCUSSION_URL = re.compile(r"^(?P<discussion>https?://[^?#]+?/d/[^/?#]+)(?:/\d+)?/?(?:[?#].*)?$")
TITLE_SUFFIX = re.compile(r"\s+-\s+[^-]{1,60}$")
_CHROME = f".//*[{has_class('Post-footer')} or {has_class('Post-actions')}]"

#: Posts per page of the server's copy (`?page=N` starts at post (N-1)·20+1).
SERVER_PAGE_SIZE = 20


def _post_link(post: Any, base: str | None) -> str | None:
    """`/d/id-slug/N`: the discussion's URL and the post's number in the stream."""
    discussion = _DISCUSSION_URL.match(base or "")
    numbers = post.xpath(f"ancestor::*[{has_class('PostStream-item')}][1]/@data-number")
    return f"{discussion.group('discussion')}/{numbers[0]}" if discussion and numbers else None


RENDERED = PostRules(
    post=f"//*[{has_class('PostStream-item')}][@data-type='comment' or not(@data-type)]//article[{has_class('CommentPost')}]",
    body=f".//div[{has_class('Post-body')}]",
    author=(f".//*[{has_class('PostUser-name')}]//*[{has_class('username')}]", f".//*[{has_class('PostUser-name')}]"),
    posted_at=f".//*[{has_class('PostMeta')}]//time/@datetime",
    chrome=_CHROME,
    url=_post_link,
)
SERVER_COPY = PostRules(
    post="//*[@id='flarum-content']//article",
    body=f".//div[{has_class('Post-body')}]",
    author=(f".//*[{has_class('PostUser-name')}]", ".//h3"),
)


def recognise(source: Source) -> bool:
    if not source.is_html:
        return False
    return bool(source.tree.xpath(
        f"//*[@id='flarum-loading' or @id='flarum-content'] | //article[{has_class('CommentPost')}]"
    ))


def extract(source: Source) -> Page:
    tree = source.tree
    discussion = _DISCUSSION_URL.match(source.url or "")
    posts = read_posts(tree, RENDERED, source.url)
    if not posts:
        posts = read_posts(tree, SERVER_COPY, source.url)
        page_number = re.search(r"[?&]page=(\d+)", source.url or "")
        first = (int(page_number.group(1)) - 1) * SERVER_PAGE_SIZE + 1 if page_number else 1
        for number, post in enumerate(posts, start=first):
            post.url = f"{discussion.group('discussion')}/{number}" if discussion else None
    thread = Thread("forum", head=posts[0] if posts else None, replies=posts[1:])
    title = first_text(tree, f"//*[{has_class('DiscussionHero-title')}]") or first_text(
        tree, "//*[@id='flarum-content']//h1 | //*[@id='flarum-content']//h2"
    )
    page = page_from_thread(source, NAME, thread, title or strip_title(source.html_title, TITLE_SUFFIX))
    if discussion:
        page.page_url = discussion.group("discussion")
    return page


SITE = Site(NAME, recognise, forum.or_any_page(extract))
