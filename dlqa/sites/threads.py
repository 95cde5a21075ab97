"""What every Q&A and forum site shares: posts read by markup rules, and a thread made a `Page`.

A site without structured data still marks its posts up the same way every time: one element
per post, the author's name and the body inside it at fixed places. `PostRules` says where, as
data (XPath); `read_posts` applies it. `page_from_thread` then turns a `Thread` (from
`structured`, from rules, or from `posts.detect`) into the `Page` of the parse contract:

- a Q&A page: the question's text is the page description, every answer an `Answer`;
- a forum thread: the opening post is answer 0 (no floor, as on V2EX), replies follow;
- an article: one answer, the article, with its author.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import Source
from dlqa.sites.maintext import drop_element
from dlqa.sites.structured import Post, Thread
from dlqa.textutil import clean_line


def has_class(name: str) -> str:
    """XPath test: the element's class list holds `name`."""
    return f"contains(concat(' ',normalize-space(@class),' '),' {name} ')"


@dataclass(frozen=True)
class PostRules:
    """Where one site puts its posts, as XPath relative to the page or to one post."""

    #: Every post element of the page, in page order.
    post: str
    #: The post's body, relative to the post.
    body: str
    #: The author's name, relative to the post: XPaths tried in order, the first non-empty wins.
    author: tuple[str, ...] = ()
    #: Elements inside the body that are chrome (fold notices, ads, edit stamps), dropped.
    chrome: str = ""
    #: The post's time, relative to the post (its text, or a `datetime`/`title` attribute).
    posted_at: str = ""
    #: The post's own link from the post element and the page URL, when the site has one.
    url: Callable[[Any, str | None], str | None] | None = None
    #: A body that says the post is gone ("[removed]", "Comment deleted by user"): no answer.
    gone: re.Pattern[str] | None = None
    #: Marks of the accepted answer, relative to the post (a class, a "最佳答案" label).
    accepted: str = ""
    #: The post's floor number as the page prints it, relative to the post (text or attribute).
    floor: str = ""


def read_posts(tree: Any, rules: PostRules, base: str | None) -> list[Post]:
    """Every post the rules find that has a body, in page order."""
    found = tree.xpath(rules.post)
    posts: list[Post] = []
    for element in found:
        bodies = element.xpath(rules.body)
        if not bodies:
            continue
        body = body_text(bodies[0], rules.chrome)
        if rules.gone is not None and rules.gone.fullmatch(clean_line(body)):
            continue
        posts.append(Post(
            body=body,
            author=first_text(element, *rules.author),
            posted_at=_time(element, rules.posted_at) if rules.posted_at else None,
            url=rules.url(element, base) if rules.url else None,
            accepted=bool(rules.accepted and element.xpath(rules.accepted)),
            floor=_floor(element, rules.floor) if rules.floor else None,
        ))
    return posts


@dataclass(frozen=True)
class BodyRules:
    """Where a site puts its post bodies, and how a body's post is found around it.

    Some sites' post templates are not known well enough (or change too often) to name the
    post element, but their body class and their profile links are stable: the post is then
    the nearest ancestor of a body that holds an author link outside the body. Relative
    XPaths below are relative to that block.
    """

    #: Every post body of the page, in page order (a body inside another is dropped).
    body: str
    #: Author links or name elements, relative to the block; the first outside the body wins.
    author: str
    #: The post's own link (an `href`), relative to the block, when the site gives one.
    link: str = ""
    #: Elements inside the body that are chrome (fold buttons, ads), dropped.
    chrome: str = ""
    #: Labels of the accepted answer, relative to the block (outside the body).
    accepted: str = ""


def read_body_blocks(tree: Any, rules: BodyRules, base: str | None) -> list[tuple[Post, Any]]:
    """(post, its block) for every body the rules find whose block names an author."""
    bodies = tree.xpath(rules.body)
    chosen = {id(body) for body in bodies}
    found: list[tuple[Post, Any]] = []
    for body in bodies:
        if any(id(ancestor) in chosen for ancestor in body.iterancestors()):
            continue
        block, author = _block_of(body, rules.author)
        if block is None:
            continue
        links = [href for href in block.xpath(rules.link) if not _inside(href, body)] if rules.link else []
        labels = [label for label in block.xpath(rules.accepted) if not _inside(label, body)] if rules.accepted else []
        found.append((Post(body=body_text(body, rules.chrome), author=author,
                           url=absolute(base, str(links[0])) if links else None,
                           accepted=bool(labels)), block))
    return found


def _block_of(body: Any, author_xpath: str) -> tuple[Any, str | None]:
    """The nearest ancestor of `body` holding a named author outside it, and that name."""
    for ancestor in body.iterancestors():
        if not isinstance(ancestor.tag, str) or ancestor.tag in ("body", "html"):
            break
        for match in ancestor.xpath(author_xpath):
            if _inside(match, body):
                continue
            name = clean_line(match.text_content())
            if name:
                return ancestor, name
    return None, None


def _inside(node: Any, container: Any) -> bool:
    element = node.getparent() if isinstance(node, str) else node
    while element is not None:
        if element is container:
            return True
        element = element.getparent()
    return False


@dataclass(frozen=True)
class ThreadRules:
    """Where one forum's software puts a whole thread, as data: the page is recognised by its
    markup (never by its host, so a mirror or a browser save is read the same way)."""

    #: The software or site, for people reading the rules.
    name: str
    #: XPath that finds something only this software's thread pages have.
    recognise: str
    #: Every post in page order, or only the replies when `head` is given.
    posts: PostRules
    #: The opening post, when it is marked up apart from the replies.
    head: PostRules | None = None
    #: The thread's title: XPaths (or attributes) tried in order.
    title: tuple[str, ...] = ()
    #: "forum" (the opening post is answer 0) or "qa" (the question is the page's
    #: description and only the answers are answers).
    kind: str = "forum"


def read_ruled_thread(tree: Any, rules: ThreadRules, base: str | None) -> Thread | None:
    """The thread the rules find (the opening post first), or None when they find no post.
    The opening post's link is the thread's: its own anchor (`#issue-1`) names the page.
    An opening post without text (a Reddit link post) is no answer; its replies still are."""
    title = first_text(tree, *rules.title)
    if rules.head is None:
        posts = read_posts(tree, rules.posts, base)
        head, replies = (posts[0], posts[1:]) if posts else (None, [])
    else:
        head = next((post for post in read_posts(tree, rules.head, base) if post.body.strip()), None)
        replies = read_posts(tree, rules.posts, base)
    if head is None and not replies:
        return None
    if head is not None:
        head.url = None
    return Thread(rules.kind, title=title, url=base, head=head, replies=replies)


def body_text(element: Any, chrome: str = "") -> str:
    """The block text of a body, without the elements `chrome` names (on a copy)."""
    if chrome and element.xpath(chrome):
        element = copy.deepcopy(element)
        for junk in element.xpath(chrome):
            drop_element(junk)
    return blocks.element_text(element)


def first_text(element: Any, *xpaths: str) -> str | None:
    """The first non-empty text (or attribute value) the XPaths find, tried in order."""
    for xpath in xpaths:
        for match in element.xpath(xpath):
            text = clean_line(match if isinstance(match, str) else match.text_content())
            if text:
                return text
    return None


def _floor(element: Any, xpath: str) -> int | None:
    """The first number in what the XPath finds ("#4", "4楼", `data-floor="4"`)."""
    text = first_text(element, xpath)
    digits = re.search(r"\d+", text or "")
    return int(digits.group()) if digits else None


def _time(element: Any, xpath: str) -> str | None:
    for match in element.xpath(xpath):
        if isinstance(match, str):
            return clean_line(match) or None
        for name in ("datetime", "title", "data-time"):
            if match.get(name):
                return clean_line(match.get(name)) or None
        return clean_line(match.text_content()) or None
    return None


def absolute(base: str | None, href: str | None) -> str | None:
    """`href` made absolute against the page URL (None when it is not a web link)."""
    if not href or href.strip().lower().startswith("javascript:"):
        return None
    return blocks.absolute_url(urljoin(base or "", href.strip()))


def heading_title(tree: Any, html_title: str | None) -> str | None:
    """The page's heading: the `<h1>` (else `<h2>`) the `<title>` starts with — the site's
    logo can be an h1 too; without a `<title>`, the first `<h1>`."""
    for level in ("h1", "h2"):
        for heading in tree.xpath(f"//body//{level}"):
            text = clean_line(heading.text_content())
            if html_title and len(text) >= 4 and html_title.startswith(text):
                return text
    if html_title:
        return None
    return next((t for t in (clean_line(h.text_content()) for h in tree.xpath("//body//h1")) if t), None)


def strip_title(title: str | None, suffix: re.Pattern[str] | None) -> str | None:
    """A page title without the site's suffix (" - Stack Overflow", "_百度知道")."""
    if not title:
        return None
    title = clean_line(suffix.sub("", title) if suffix else title)
    return title or None


def page_from_thread(source: Source, site: str, thread: Thread, title: str | None = None) -> Page:
    """The parse contract's `Page` for a thread (see the module docstring)."""
    page = Page(source_file=source.path, site=site, page_url=source.url or thread.url)
    page.title = title or thread.title or (thread.head.title if thread.head else None) or source.html_title
    if thread.kind == "qa":
        head = thread.head
        page.question_url = page.page_url or (head.url if head and head.url else None)
        page.description = head.body if head and head.body else None
        if head and head.author:
            page.meta["asked_by"] = head.author
        page.answers = [_answer(post, page.question_url) for post in thread.replies]
    elif thread.kind == "forum":
        posts = [thread.head] if thread.head else []
        page.answers = [_answer(post, page.page_url) for post in posts + thread.replies]
        # Replies are numbered from 1; without an opening post every answer is a reply.
        for number, answer in enumerate(page.answers[1:] if thread.head else page.answers, start=1):
            answer.floor = answer.floor or number
    elif thread.head is not None:
        page.answers = [_answer(thread.head, thread.head.url or page.page_url)]
        page.page_url = page.page_url or thread.head.url
    return page


def _answer(post: Post, fallback_url: str | None) -> Answer:
    meta: dict[str, Any] = {}
    if post.accepted:
        meta["accepted"] = True
    if post.upvotes is not None:
        meta["upvotes"] = post.upvotes
    if post.author_url:
        meta["author_url"] = post.author_url
    return Answer(position=0, body=post.body, author=post.author, url=post.url or fallback_url,
                  posted_at=post.posted_at, floor=post.floor, meta=meta)
