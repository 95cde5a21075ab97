"""Discourse forums (many Chinese tech communities run it).

Discourse serves every topic with a crawler view in schema.org microdata: the topic is one
`DiscussionForumPosting` (headline, author `Person`, `text`, `position`), each reply a nested
`Comment` (or, with the Q&A plugin, a `QAPage` with `suggestedAnswer`s). A browser save holds
that view inside `<noscript>` next to the rendered app, so it is read once, from the data. A
page saved without it is read from the app's markup (`article#post_N`, `.cooked`).
A post's own link is the topic's URL plus its number (`/t/slug/123/4`).
"""

from __future__ import annotations

import re

from dlqa.model import Page
from dlqa.sites import Site, Source, forum, structured
from dlqa.sites.structured import Thread
from dlqa.sites.threads import (
    PostRules,
    absolute,
    first_text,
    has_class,
    page_from_thread,
    read_posts,
    strip_title,
)

NAME = "discourse"
TITLE_SUFFIX = re.compile(r"\s+-\s+[^-]{1,60}$")
_TOPIC_URL = re.compile(r"^(?P<topic>https?://[^?#]+?/t/[^/?#]+/\d+)(?:/\d+)?/?(?:[?#].*)?$")

#: The rendered app (a save made after the page ran its scripts, without the crawler view).
RULES = PostRules(
    post="//article[starts-with(@id,'post_')][@data-post-id]",
    body=f".//div[{has_class('cooked')}]",
    author=(f".//span[{has_class('first')}]//a", f".//*[{has_class('names')}]//a"),
    posted_at=f".//*[{has_class('relative-date')}]/@data-time | .//a[{has_class('post-date')}]//span/@title",
    url=lambda post, base: absolute(base, (post.xpath(f".//a[{has_class('post-date')}]/@href") or [None])[0]),
)


def recognise(source: Source) -> bool:
    if not source.is_html:
        return False
    tree = source.tree
    generator = " ".join(tree.xpath("//meta[@name='generator']/@content"))
    return "discourse" in generator.lower() or bool(
        tree.xpath(f"//div[{has_class('crawler-post')}] | //*[@id='data-discourse-setup']")
    )


def extract(source: Source) -> Page:
    thread = structured.read_thread(source.tree, source.url)
    if thread is None or not (thread.replies or thread.head):
        posts = read_posts(source.tree, RULES, source.url)
        thread = Thread("forum", head=posts[0] if posts else None, replies=posts[1:])
    topic = _TOPIC_URL.match(source.url or "")
    posts = ([thread.head] if thread.head else []) + thread.replies
    for number, post in enumerate(posts, start=1):
        if topic and not post.url:
            post.url = f"{topic.group('topic')}/{post.position or number}"
    title = (
        first_text(source.tree, "//*[@id='topic-title']//h1", "//h1[@itemprop='headline']")
        or thread.title
        or strip_title(source.html_title, TITLE_SUFFIX)
    )
    page = page_from_thread(source, NAME, thread, title)
    if topic:
        page.page_url = topic.group("topic")
    return page


SITE = Site(NAME, recognise, forum.or_any_page(extract))
