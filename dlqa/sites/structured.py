"""Structured data first: schema.org microdata and JSON-LD turned into a thread of posts.

Stack Exchange, Discourse, many forums and most blog platforms describe their pages for search
engines: a `QAPage` whose `Question` has `acceptedAnswer`/`suggestedAnswer` `Answer`s, a
`DiscussionForumPosting` with `Comment` replies, an `Article`/`BlogPosting`. Each carries its
`author` (a string, a `Person`, or a list), `url`, `dateCreated` and `upvoteCount`. Read from
there, a page splits into attributed posts without a single site-specific selector, and what
is not inside those items (navigation, side boxes, related lists) never reaches a body.

Microdata is read from the markup, so its bodies are the real answer markup. JSON-LD bodies
are often HTML, or cut short for search snippets: when the page's markup holds the same text
in full, the markup's body is used instead (`_markup_body`).
"""

from __future__ import annotations

import copy
import html
import json
import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin

from dlqa import blocks
from dlqa.textutil import clean_line

#: schema.org types, by what they mean for dlqa.
QUESTION_TYPES = frozenset({"Question"})
ANSWER_TYPES = frozenset({"Answer"})
FORUM_TYPES = frozenset({"DiscussionForumPosting", "SocialMediaPosting"})
COMMENT_TYPES = frozenset({"Comment"})
ARTICLE_TYPES = frozenset({"Article", "BlogPosting", "TechArticle", "NewsArticle", "Report"})
#: Properties holding a post's text, most specific first. (`description` is a summary, never
#: the text: an article described only by it is read from the page's main text instead.)
TEXT_PROPS = ("text", "articleBody")
#: JSON-LD scripts bigger than this are not data a page describes itself with.
MAX_JSONLD_CHARS = 2_000_000
#: Pages bigger than this skip the markup search for JSON-LD bodies (it walks ancestors).
MAX_MARKUP_SEARCH_CHARS = 3_000_000
_SPACE = re.compile(r"\s+")
_ELLIPSIS = re.compile(r"(?:\.\.\.|…|⋯)+\s*$")
_ESCAPED = re.compile(r"&(?:lt|gt|amp|quot|nbsp|#\d+|#x[0-9a-f]+);", re.IGNORECASE)
_HTML_TAG = re.compile(r"<(?:p|br|div|span|a|pre|code|ul|ol|li|img|strong|em|h\d|blockquote)\b", re.IGNORECASE)


@dataclass
class Post:
    """One contribution as the structured data describes it."""

    body: str = ""
    author: str | None = None
    author_url: str | None = None
    url: str | None = None
    posted_at: str | None = None
    upvotes: int | None = None
    accepted: bool = False
    title: str | None = None
    #: The post's number in its thread, when the page says (Discourse's `position`).
    position: int | None = None
    #: The reply's floor as the page prints it ("#4", `data-floor`), kept when earlier
    #: replies were deleted and the count of what is left would say 3.
    floor: int | None = None


@dataclass
class Thread:
    """A page's structured content: a question with answers, a forum thread, or an article."""

    kind: str  # "qa", "forum" or "article"
    title: str | None = None
    url: str | None = None
    #: The question (qa), the opening post (forum) or the article itself.
    head: Post | None = None
    #: Answers (qa) or replies (forum); empty for an article.
    replies: list[Post] = field(default_factory=list)


# --- microdata ------------------------------------------------------------------------


@dataclass
class Item:
    """One `itemscope` element: its types and its properties in document order."""

    types: frozenset[str]
    element: Any
    props: list[tuple[str, Any]] = field(default_factory=list)  # (name, element or Item)

    def values(self, name: str) -> list[Any]:
        return [value for key, value in self.props if key == name]

    def string(self, name: str, base: str | None = None) -> str | None:
        """The first non-empty value of `name` as one line (a URL made absolute with `base`)."""
        for value in self.values(name):
            element = value.element if isinstance(value, Item) else value
            text = _property_value(element, base)
            if text:
                return text
        return None


def _short_type(value: str) -> str:
    """`https://schema.org/Answer` → `Answer` (also `schema:Answer`)."""
    return re.split(r"[/#:]", value.strip())[-1]


def microdata_items(tree: Any) -> list[Item]:
    """Every top-level item of the page (items nested as properties hang off their parent)."""
    tops: list[Item] = []
    for element in tree.xpath("//*[@itemscope]"):
        if element.xpath("ancestor::*[@itemscope]"):
            continue
        tops.append(_read_item(element))
    return tops


def _read_item(element: Any) -> Item:
    """The item `element` starts, with its properties (nested items included) in document
    order; iterative, so items nested thousands deep cannot exhaust Python's stack."""
    root = Item(types=_item_types(element), element=element)
    stack = [(child, root) for child in reversed(element)]
    while stack:
        node, owner = stack.pop()
        if not isinstance(node.tag, str):
            continue
        names = (node.get("itemprop") or "").split()
        if node.get("itemscope") is not None:
            nested = Item(types=_item_types(node), element=node)
            owner.props.extend((name, nested) for name in names)
            stack.extend((child, nested) for child in reversed(node))
        else:
            owner.props.extend((name, node) for name in names)
            stack.extend((child, owner) for child in reversed(node))
    return root


def _item_types(element: Any) -> frozenset[str]:
    return frozenset(_short_type(value) for value in (element.get("itemtype") or "").split())


def _property_value(element: Any, base: str | None) -> str | None:
    """A property's value as HTML microdata defines it (content, href, datetime, or text)."""
    tag = element.tag.lower() if isinstance(element.tag, str) else ""
    if element.get("content") is not None:
        raw = element.get("content")
    elif tag in ("a", "link", "area"):
        raw = element.get("href")
        return urljoin(base or "", raw.strip()) if raw and raw.strip() else None
    elif tag in ("img", "audio", "video", "source", "iframe", "embed"):
        raw = element.get("src")
    elif tag == "time" and element.get("datetime"):
        raw = element.get("datetime")
    elif tag in ("data", "meter") and element.get("value"):
        raw = element.get("value")
    else:
        raw = element.text_content()
    text = clean_line(raw or "")
    return text or None


def _items_of(tops: list[Item]) -> Iterator[Item]:
    """Every item, nested ones included, in document order."""
    stack = list(reversed(tops))
    while stack:
        item = stack.pop()
        yield item
        stack.extend(reversed([value for _, value in item.props if isinstance(value, Item)]))


def _micro_author(item: Item, base: str | None) -> tuple[str | None, str | None]:
    """The author's name and profile link: a Person item, or the property's own text."""
    for value in item.values("author") + item.values("creator"):
        if isinstance(value, Item):
            name = value.string("name") or clean_line(value.element.text_content()) or None
            url = value.string("url", base)
            if not url:
                links = value.element.xpath(".//a/@href")
                url = urljoin(base or "", str(links[0])) if links else None
            return name, url
        # An `<a itemprop="author">`'s microdata value is its link; its name is its text.
        is_link = isinstance(value.tag, str) and value.tag.lower() == "a"
        name = clean_line(value.text_content()) if is_link else _property_value(value, base)
        if name:
            link = value if is_link else next(iter(value.xpath("ancestor::a[1]")), None)
            return name, urljoin(base or "", link.get("href")) if link is not None and link.get("href") else None
    return None, None


def _micro_body(item: Item) -> str:
    for name in TEXT_PROPS:
        for value in item.values(name):
            element = value.element if isinstance(value, Item) else value
            if element.get("content") is not None:
                text = clean_line(element.get("content") or "")
            else:
                text = blocks.element_text(element)
            if text.strip():
                return text
    return ""


def _permalink(item: Item, base: str | None) -> str | None:
    """A post's own link when its item names none: the anchor marked as its permalink."""
    for href in item.element.xpath(".//a[contains(@class,'permalink') or @rel='bookmark']/@href"):
        if str(href).strip() and not str(href).startswith("#"):
            return urljoin(base or "", str(href).strip())
    return None


def _micro_post(item: Item, base: str | None, accepted: bool = False) -> Post:
    author, author_url = _micro_author(item, base)
    return Post(
        body=_micro_body(item), author=author, author_url=author_url,
        url=item.string("url", base) or _permalink(item, base),
        posted_at=item.string("dateCreated") or item.string("datePublished"),
        upvotes=_count(item.string("upvoteCount")), accepted=accepted,
        title=item.string("name") or item.string("headline"), position=_count(item.string("position")),
    )


def thread_from_microdata(tree: Any, base: str | None) -> Thread | None:
    """The page's question, forum thread or article as its microdata describes it."""
    tops = microdata_items(tree)
    items = list(_items_of(tops))
    question = next((item for item in items if item.types & QUESTION_TYPES), None)
    if question is not None:
        thread = Thread("qa", title=question.string("name") or question.string("headline"))
        thread.head = _micro_post(question, base)
        for name, value in question.props:
            if name in ("acceptedAnswer", "suggestedAnswer") and isinstance(value, Item):
                thread.replies.append(_micro_post(value, base, accepted=name == "acceptedAnswer"))
        if not thread.replies:  # answers marked up beside the question rather than inside it
            thread.replies = [_micro_post(item, base) for item in items if item.types & ANSWER_TYPES]
        return thread
    forum = [item for item in items if item.types & FORUM_TYPES]
    if forum:
        thread = Thread("forum", title=forum[0].string("headline") or forum[0].string("name"))
        posts = [_micro_post(item, base) for item in forum]
        for item in forum:
            posts += [_micro_post(value, base) for name, value in item.props
                      if name == "comment" and isinstance(value, Item) and value.types & COMMENT_TYPES]
        thread.head, thread.replies = posts[0], posts[1:]
        return thread
    # Forums that mark each post up as a `Comment` of the page, with no posting around them.
    comments = [item for item in tops if item.types & COMMENT_TYPES and _micro_body(item)]
    if len(comments) >= 2:
        posts = [_micro_post(item, base) for item in comments]
        return Thread("forum", head=posts[0], replies=posts[1:])
    article = next((item for item in items if item.types & ARTICLE_TYPES), None)
    if article is not None:
        return Thread("article", title=article.string("headline") or article.string("name"),
                      head=_micro_post(article, base))
    return None


# --- JSON-LD --------------------------------------------------------------------------


def jsonld_objects(tree: Any) -> list[dict[str, Any]]:
    """Every JSON-LD object of the page, `@graph`s and lists flattened, damaged scripts skipped."""
    objects: list[dict[str, Any]] = []
    for script in tree.xpath("//script[contains(translate(@type,'LDJSON','ldjson'),'ld+json')]"):
        text = (script.text or "").strip()
        if not text or len(text) > MAX_JSONLD_CHARS:
            continue
        text = re.sub(r"^\s*<!--|-->\s*$", "", text)
        try:
            data = json.loads(text)
        except (ValueError, RecursionError):  # damaged, or nested deeper than any real data
            continue
        stack = [data]
        while stack:
            value = stack.pop()
            if isinstance(value, list):
                stack.extend(reversed(value))
            elif isinstance(value, dict):
                objects.append(value)
                if isinstance(value.get("@graph"), list):
                    stack.extend(reversed(value["@graph"]))
    return objects


def _types(obj: Any) -> frozenset[str]:
    if not isinstance(obj, dict):
        return frozenset()
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return frozenset(_short_type(v) for v in values if isinstance(v, str))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is None else [value]


def _json_string(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("@id")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return clean_line(value) or None


def _json_author(value: Any, base: str | None) -> tuple[str | None, str | None]:
    """`"Name"`, `{"@type": "Person", "name", "url"}`, or a list of either (the first wins)."""
    for author in _as_list(value):
        if isinstance(author, str) and clean_line(author):
            return clean_line(author), None
        if isinstance(author, dict):
            name = _json_string(author.get("name")) or _json_string(author.get("alternateName"))
            url = _json_string(author.get("url"))
            if name:
                return name, urljoin(base or "", url) if url else None
    return None, None


def _json_text(obj: dict[str, Any]) -> str:
    for name in TEXT_PROPS:
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            if _ESCAPED.search(value):  # HTML escaped once more inside the JSON string
                value = html.unescape(value)
            if _HTML_TAG.search(value):
                return blocks.element_text(blocks.parse_html(f"<div>{value}</div>"))
            return "\n".join(clean_line(line) for line in value.split("\n")).strip()
    return ""


def _json_post(obj: dict[str, Any], base: str | None, accepted: bool = False) -> Post:
    author, author_url = _json_author(obj.get("author") or obj.get("creator"), base)
    url = _json_string(obj.get("url")) or _json_string(obj.get("@id"))
    return Post(
        body=_json_text(obj), author=author, author_url=author_url,
        url=urljoin(base or "", url) if url and not url.startswith("_:") else None,
        posted_at=_json_string(obj.get("dateCreated")) or _json_string(obj.get("datePublished")),
        upvotes=_count(_json_string(obj.get("upvoteCount"))), accepted=accepted,
        title=_json_string(obj.get("name")) or _json_string(obj.get("headline")),
    )


def thread_from_jsonld(tree: Any, base: str | None) -> Thread | None:
    """The page's question, forum thread or article as its JSON-LD describes it."""
    objects = jsonld_objects(tree)
    for obj in objects:
        if "QAPage" in _types(obj) and _types(obj.get("mainEntity")) & QUESTION_TYPES:
            objects = [obj["mainEntity"], *objects]
            break
    question = next((obj for obj in objects if _types(obj) & QUESTION_TYPES), None)
    if question is not None:
        thread = Thread("qa", title=_json_string(question.get("name")) or _json_string(question.get("headline")))
        thread.head = _json_post(question, base)
        answers = [(a, True) for a in _as_list(question.get("acceptedAnswer"))]
        answers += [(a, False) for a in _as_list(question.get("suggestedAnswer"))]
        thread.replies = [_json_post(a, base, accepted) for a, accepted in answers if isinstance(a, dict)]
        return thread
    forum = next((obj for obj in objects if _types(obj) & FORUM_TYPES), None)
    if forum is not None:
        thread = Thread("forum", title=_json_string(forum.get("headline")) or _json_string(forum.get("name")))
        thread.head = _json_post(forum, base)
        thread.replies = [_json_post(c, base) for c in _as_list(forum.get("comment")) if isinstance(c, dict)]
        return thread
    article = next((obj for obj in objects if _types(obj) & ARTICLE_TYPES), None)
    if article is not None:
        return Thread("article", title=_json_string(article.get("headline")) or _json_string(article.get("name")),
                      url=_json_string(article.get("url")), head=_json_post(article, base))
    return None


# --- both, preferring the markup's bodies ---------------------------------------------


#: The last page's thread: a site's `recognise` and `extract` (and the generic sites after
#: it) ask for the same page's thread in turn. The tree is held weakly: the cache never keeps
#: a page alive.
_last: tuple[weakref.ref[Any], str | None, Thread | None] | None = None


def read_thread(tree: Any, base: str | None) -> Thread | None:
    """Microdata when it carries post bodies, else JSON-LD with bodies from the markup.

    Each caller gets its own copy (sites fill in links on the posts they receive)."""
    global _last
    if _last is None or _last[0]() is not tree or _last[1] != base:
        _last = (weakref.ref(tree), base, _read_thread(tree, base))
    return copy.deepcopy(_last[2])


def _read_thread(tree: Any, base: str | None) -> Thread | None:
    thread = thread_from_microdata(tree, base)
    if thread is not None and _has_bodies(thread):
        return thread
    from_json = thread_from_jsonld(tree, base)
    if from_json is None:
        return thread
    if thread is not None:  # microdata without text: it still knows authors and links
        _fill_missing(from_json, thread)
    size = sum(len(text) for text in tree.xpath("//body//text()")[:200_000])
    if size <= MAX_MARKUP_SEARCH_CHARS:
        for post in [from_json.head, *from_json.replies]:
            if post is not None and post.body:
                post.body = _markup_body(tree, post.body) or post.body
    return from_json


def _has_bodies(thread: Thread) -> bool:
    posts = [thread.head, *thread.replies] if thread.kind != "qa" else thread.replies or [thread.head]
    return any(post is not None and post.body.strip() for post in posts)


def _fill_missing(target: Thread, source: Thread) -> None:
    target.title = target.title or source.title
    for mine, theirs in zip(target.replies, source.replies, strict=False):
        mine.author = mine.author or theirs.author
        mine.url = mine.url or theirs.url


def _squash(text: str) -> str:
    return _SPACE.sub("", text)


def _markup_body(tree: Any, text: str) -> str | None:
    """The page's own markup for a post whose JSON-LD text is `text`, when it holds it in full.

    The element is the smallest one whose text starts with the post's opening words and is at
    least as long as the JSON-LD text (which may end in an ellipsis where it was cut).
    """
    wanted = _squash(_ELLIPSIS.sub("", text))
    if len(wanted) < 8:
        return None
    prefix = wanted[:12]
    best: tuple[int, Any] | None = None
    seen: dict[int, Any] = {}  # by id, the elements kept alive so their ids stay theirs
    # The opening words may be split across inline elements (`可以用 <code>torch…`): the
    # text nodes are probed with fewer characters when more find nothing.
    for probe in (prefix[:6], prefix[:2]):
        holders = tree.xpath("//body//text()[contains(translate(., ' \t\r\n', ''), $p)]/..", p=probe)
        for holder in holders:
            best = _smallest_holder(holder, prefix, len(wanted), seen, best)
        if best is not None:
            break
    if best is None:
        return None
    body = blocks.element_text(best[1])
    return body if _squash(body).startswith(prefix) else None


def _smallest_holder(
    node: Any, prefix: str, length: int, seen: dict[int, Any], best: tuple[int, Any] | None
) -> tuple[int, Any] | None:
    """Climb from a text's element to the first ancestor that starts with `prefix` and holds
    at least `length` characters; keep it when it is smaller than `best`."""
    while node is not None and isinstance(node.tag, str) and node.tag.lower() not in ("body", "html"):
        if id(node) in seen or node.tag.lower() in ("script", "style", "noscript", "template", "head", "title"):
            break
        seen[id(node)] = node
        squashed = _squash(node.text_content())
        if prefix in squashed:
            if not squashed.startswith(prefix):
                break  # the words sit mid-element: every ancestor starts elsewhere too
            if len(squashed) >= length * 0.98:
                if best is None or len(squashed) < best[0]:
                    best = (len(squashed), node)
                break
        node = node.getparent()
    return best


def _count(value: str | None) -> int | None:
    if not value:
        return None
    digits = re.sub(r"[^\d-]", "", value)
    try:
        return int(digits)
    except ValueError:
        return None
