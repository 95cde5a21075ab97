"""Zhihu column articles (`zhuanlan.zhihu.com/p/N`): one unit, the article, its author, its link.

The post header holds the title (`h1.Post-Title`) and the author block (`.Post-Author
.AuthorInfo`, with schema.org `meta itemprop=name/url` and the visible `.AuthorInfo-name`);
the text is `.Post-RichText`; the time shown under it (`.ContentItem-time`, "发布于 …").
Comments, "推荐阅读" and the column's other posts are outside those elements. When the
markup lacks the text, the page's JSON (`zhihu_data`, `entities.articles`) has it.
"""

from __future__ import annotations

from typing import Any

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import Source, zhihu_data
from dlqa.sites.zhihu_markup import (
    TITLE_SUFFIX,
    cls,
    first_attr,
    first_text,
    rich_text,
    shown_time,
    visible_text,
)
from dlqa.textutil import ZHIHU_ARTICLE_URL

_BODY = f"//*[{cls('Post-RichText')}]"
_HEADER = f"//*[{cls('Post-Header')}]"


def recognise(source: Source) -> bool:
    """A column article by its markup, or by its URL."""
    if not source.is_html:
        return False
    if source.tree.xpath(_BODY) or source.tree.xpath(f"//h1[{cls('Post-Title')}]"):
        return True
    return bool(ZHIHU_ARTICLE_URL.search(source.url or ""))


def extract(source: Source) -> Page:
    tree = source.tree
    page = Page(source_file=source.path, site="zhihu", page_url=_article_url(source, tree))
    page.title = (
        first_text(tree.xpath(f"//h1[{cls('Post-Title')}]"))
        or TITLE_SUFFIX.sub("", source.html_title or "")
        or None
    )
    author_block = (tree.xpath(f"//*[{cls('Post-Author')}]//*[{cls('AuthorInfo')}]")
                    or tree.xpath(f"{_HEADER}//*[{cls('AuthorInfo')}]"))
    author = bio = profile = None
    if author_block:
        block = author_block[0]
        author = (first_text(block.xpath(f".//*[{cls('AuthorInfo-name')}]"))
                  or first_attr(block, ".//meta[@itemprop='name']/@content"))
        bio = first_text(block.xpath(f".//*[{cls('AuthorInfo-badgeText')}]"))
        profile = blocks.absolute_url(first_attr(block, ".//meta[@itemprop='url']/@content"))
    bodies = tree.xpath(_BODY)
    body = rich_text(bodies[0]) if bodies else ""
    posted_at = _shown_time(tree)
    meta: dict[str, Any] = {"author_url": profile} if profile else {}
    state = zhihu_data.initial_state(tree)
    articles = zhihu_data.entries(state, "article") if state else []
    entry = next((a for a in articles if page.page_url and page.page_url.endswith(f"/p/{a.id}")),
                 articles[0] if len(articles) == 1 else None)
    if entry is not None:
        if len(entry.body.split()) and len("".join(entry.body.split())) > len("".join(body.split())):
            body = entry.body
        author, bio = author or entry.author, bio or entry.author_bio
        posted_at = posted_at or entry.posted_at
        page.title = page.title or entry.title
        page.page_url = page.page_url or entry.url
        if entry.upvotes is not None:
            meta["upvotes"] = entry.upvotes
        if entry.author_url:
            meta.setdefault("author_url", entry.author_url)
    if body.strip():
        page.answers = [Answer(position=0, body=body, author=author, author_bio=bio,
                               url=page.page_url, posted_at=posted_at, meta=meta)]
    return page


def _article_url(source: Source, tree: Any) -> str | None:
    """https://zhuanlan.zhihu.com/p/N from the page URL or any link to itself."""
    for candidate in [source.url or "", *map(str, tree.xpath("//meta[@itemprop='url']/@content"))]:
        match = ZHIHU_ARTICLE_URL.search(candidate)
        if match:
            return f"https://zhuanlan.zhihu.com/p/{match.group(1)}"
    return source.url


def _shown_time(tree: Any) -> str | None:
    times = tree.xpath(f"//*[{cls('ContentItem-time')}]")
    if not times:
        return None
    return shown_time(visible_text(times[0]))
