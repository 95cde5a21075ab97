"""Stack Overflow and the other Stack Exchange sites (English deep-learning Q&A).

Every question page carries schema.org microdata: the `Question` (title, text, author,
`dateCreated`, `upvoteCount`) with its answers as `acceptedAnswer`/`suggestedAnswer` `Answer`
items, each with its body (`itemprop=text`), its owner as a `Person` (an edit's signature has
no `itemprop`, so an editor is never taken for the author) and its share link (`itemprop=url`).
Comments, the sidebar's hot network questions and the related list sit outside those items.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, forum, structured
from dlqa.sites.structured import Thread
from dlqa.sites.threads import (
    PostRules,
    absolute,
    body_text,
    first_text,
    has_class,
    page_from_thread,
    read_posts,
    strip_title,
)

NAME = "stackexchange"
HOSTS = ("stackoverflow.com", "stackexchange.com", "superuser.com", "serverfault.com",
         "askubuntu.com", "mathoverflow.net", "stackapps.com")
TITLE_SUFFIX = re.compile(r"\s+-\s+(?:Stack Overflow|[^-]{1,60}Stack Exchange|Super User|Server Fault|Ask Ubuntu|MathOverflow)\s*$")

#: Without microdata (a page saved by a reader mode that kept classes), the same posts by class.
RULES = PostRules(
    post=f"//div[{has_class('answer')}][@data-answerid]",
    body=f".//div[{has_class('js-post-body')} or {has_class('s-prose')}]",
    author=(f".//div[{has_class('post-signature')}][last()]//div[{has_class('user-details')}]/a",),
    url=lambda post, base: absolute(base, f"/a/{post.get('data-answerid')}"),
)


def recognise(source: Source) -> bool:
    host = urlsplit(source.url or "").hostname or ""
    if any(host == h or host.endswith("." + h) for h in HOSTS):
        return True
    return source.is_html and bool(source.tree.xpath("//div[@id='question'][@data-questionid]"))


def extract(source: Source) -> Page:
    tree = source.tree
    thread = structured.read_thread(tree, source.url) if source.is_html else None
    if thread is None or thread.kind != "qa":
        question = tree.xpath(f"//div[@id='question']//div[{has_class('js-post-body')}]") if source.is_html else []
        head = structured.Post(body=body_text(question[0])) if question else None
        thread = Thread("qa", head=head, replies=read_posts(tree, RULES, source.url) if source.is_html else [])
    title = first_text(tree, "//*[@id='question-header']//h1") if source.is_html else None
    return page_from_thread(source, NAME, thread, title or strip_title(source.html_title, TITLE_SUFFIX))


SITE = Site(NAME, recognise, forum.or_any_page(extract))
