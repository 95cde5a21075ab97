"""Chinese developer Q&A and discussion sites, described as data: CSDN 问答, 腾讯云开发者社区
问答, 阿里云开发者社区 问答, 牛客网 discussions.

These sites render their pages with front-end frameworks whose wrapper classes change between
redesigns, but two things stay: the class of the rendered post text (CSDN's
`answer-content-item`, Tencent's `rno-markdown`, Aliyun's `markdown-body`, Nowcoder's
`nc-post-content`) and the link to the author's profile (`blog.csdn.net/<name>`,
`/developer/user/<id>`, `/profile/<id>`, `/users/<id>`). So each post is read from its body
outward (`threads.BodyRules`): the post is the nearest block around a body that names an
author. On a Q&A page the block under the page's `<h1>` is the question (the page's
description); every other block is an answer. On a discussion the opening post is answer 0 and
comments follow, a reply nested in a comment right after it.

A page of these hosts that the rules do not fit (a profile, a new layout) is read by the
generic steps (`forum.any_page`), never dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, forum
from dlqa.sites.structured import Post, Thread
from dlqa.sites.threads import (
    BodyRules,
    body_text,
    first_text,
    has_class,
    heading_title,
    page_from_thread,
    read_body_blocks,
    strip_title,
)

#: Labels a site prints beside its accepted answer.
_ACCEPTED = ".//*[not(*)][normalize-space()='已采纳' or normalize-space()='采纳回答' or normalize-space()='最佳答案']"


@dataclass(frozen=True)
class DevQASite:
    """One site: its name, hosts, title suffix, thread kind and where its posts are."""

    name: str
    hosts: tuple[str, ...]
    #: The path prefixes of its question or discussion pages: the same hosts serve articles
    #: (cloud.tencent.com/developer/article/…), which the blog and web rules read.
    paths: tuple[str, ...]
    #: The `<title>` suffix, which also recognises a page saved without its URL.
    title_suffix: str
    #: "qa" (the question is the description) or "forum" (the opening post is answer 0).
    kind: str
    rules: BodyRules
    #: The question's text on a Q&A page, when the site marks it (its asker may sit elsewhere);
    #: without it, the block under the page's `<h1>` is the question.
    question: str = ""


SITES_DATA = (
    DevQASite(
        name="csdn",
        hosts=("ask.csdn.net",),
        paths=("/questions/", "/q/"),
        title_suffix=r"\s*[-_]\s*CSDN问答\s*$",
        kind="qa",
        rules=BodyRules(
            body=f"//*[{has_class('answer-content-item')}]",
            author=".//a[substring-after(@href,'blog.csdn.net/')!=''][normalize-space()]",
            chrome=f".//*[{has_class('expandBtn')} or {has_class('ic_ask_down_reeow')}]",
            accepted=_ACCEPTED,
        ),
        question=f"//*[{has_class('question_show_box')}]//*[{has_class('md_content_show')}]",
    ),
    DevQASite(
        name="tencentcloud",
        hosts=("cloud.tencent.com",),
        paths=("/developer/ask/",),
        title_suffix=r"\s*-\s*腾讯云开发者社区(?:\s*-\s*腾讯云)?\s*$",
        kind="qa",
        rules=BodyRules(
            body=f"//*[{has_class('rno-markdown')}]",
            author=".//a[contains(@href,'/developer/user/')][normalize-space()]",
            link=".//a[contains(@href,'/developer/ask/')][contains(@href,'/answer/')]/@href",
            accepted=_ACCEPTED,
        ),
    ),
    DevQASite(
        name="aliyun",
        hosts=("developer.aliyun.com",),
        paths=("/ask/",),
        title_suffix=r"\s*[-_]\s*阿里云开发者社区\s*$",
        kind="qa",
        rules=BodyRules(
            body=f"//*[{has_class('markdown-body')}]",
            author=".//a[contains(@href,'/profile/')][normalize-space()]",
            accepted=_ACCEPTED,
        ),
    ),
    DevQASite(
        name="nowcoder",
        hosts=("nowcoder.com",),
        paths=("/discuss/", "/feed/main/detail/"),
        title_suffix=r"\s*_\s*牛客网\s*$",
        kind="forum",
        rules=BodyRules(
            body=f"//*[{has_class('nc-post-content')}] | //*[{has_class('reply-content')}]"
                 f" | //*[{has_class('comment-content')}]",
            author=".//a[contains(@href,'/profile/') or contains(@href,'/users/')][normalize-space()]",
        ),
    ),
)


def _matches(site: DevQASite, source: Source) -> bool:
    """An HTML page of the site's hosts (text dumps and clips keep the text rules)."""
    if not source.is_html:
        return False
    if source.url:
        parts = urlsplit(source.url)
        host = parts.hostname or ""
        if any(host == h or host.endswith("." + h) for h in site.hosts):
            return parts.path.startswith(site.paths)
    # Saved without its URL (or under another): the title's suffix, and the page must hold
    # answers or a post, since the suffix is also the site's articles'.
    if not re.search(site.title_suffix, source.html_title or ""):
        return False
    thread = _thread(site, source)
    return thread is not None and bool(thread.replies if site.kind == "qa" else thread.head)


def _thread(site: DevQASite, source: Source) -> Thread | None:
    blocks = read_body_blocks(source.tree, site.rules, source.url)
    if not blocks:
        return None
    posts: list[Post] = [post for post, _ in blocks]
    if site.kind == "forum":
        return Thread("forum", url=source.url, head=posts[0], replies=posts[1:])
    if site.question:
        question = source.tree.xpath(site.question)
        # The asker: the nearest author link before the question's text.
        asker = site.rules.author.replace(".//", "preceding::", 1) + "[1]"
        head = Post(body=body_text(question[0]), author=first_text(question[0], asker)) if question else None
    else:
        headed = [post for post, block in blocks if block.xpath(".//h1")]
        head = headed[0] if headed else None
        if head is None and site.rules.link and not posts[0].url and any(post.url for post in posts[1:]):
            head = posts[0]  # the title sits apart; the question is the first post, the one without an answer link
    return Thread("qa", url=source.url, head=head, replies=[post for post in posts if post is not head])


def _site(site: DevQASite) -> Site:
    suffix = re.compile(site.title_suffix)

    def recognise(source: Source) -> bool:
        return _matches(site, source)

    def extract(source: Source) -> Page:
        thread = _thread(site, source)
        if thread is None:
            return forum.any_page(source)
        title = heading_title(source.tree, source.html_title) or strip_title(source.html_title, suffix)
        return page_from_thread(source, site.name, thread, strip_title(title, suffix))

    return Site(site.name, recognise, extract)


SITES = tuple(_site(site) for site in SITES_DATA)
