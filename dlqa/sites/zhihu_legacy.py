"""Zhihu question pages saved in 2014–2016 (`zm-*` markup, before the React site).

Each answer is a `div.zm-item-answer` (schema.org `Answer` microdata, `data-atoken` = the
answer id, `data-created` = its Unix time): a vote bar, the author block
`.zm-item-answer-author-info` (2013: `h3.zm-item-answer-author-wrap`; the author link, then a bio that is not part of the name:
`<span class="bio">` or, older, `<strong class="zu-question-my-bio">`; an anonymous answer
has a plain `匿名用户`), the text in `.zm-editable-content`, and a meta bar whose
`a.answer-date-link` is the answer's own link ("编辑于 2015-03-02"), next to "N 条评论",
"感谢", "分享", "收藏", "没有帮助", "举报" — all outside the text element.
"""

from __future__ import annotations

import re
from typing import Any

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import Source
from dlqa.sites.zhihu_markup import (
    ANONYMOUS,
    TIME_LABEL,
    TITLE_SUFFIX,
    answer_url,
    cls,
    first_attr,
    first_text,
    iso_time,
    question_url,
    rich_text,
    visible_text,
)

_ITEMS = f"//*[{cls('zm-item-answer')}]"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?:\s+\d{1,2}:\d{2})?|\d{1,2}:\d{2}|昨天\s*\d{1,2}:\d{2}")


def recognise(source: Source) -> bool:
    return source.is_html and bool(source.tree.xpath(f"{_ITEMS}//*[{cls('zm-editable-content')}]"))


def extract(source: Source) -> Page:
    tree = source.tree
    page = Page(source_file=source.path, site="zhihu", page_url=source.url)
    page.title = (
        first_text(tree.xpath(f"//*[@id='zh-question-title']//*[{cls('zm-item-title')}]"))
        or first_text(tree.xpath(f"//h2[{cls('zm-item-title')}]"))
        or TITLE_SUFFIX.sub("", source.html_title or "")
        or None
    )
    detail = tree.xpath(f"//*[@id='zh-question-detail']//*[{cls('zm-editable-content')}]")
    if detail:
        page.description = blocks.element_text(detail[0]) or None
    answers = [_answer(item) for item in tree.xpath(_ITEMS)]
    page.answers = [answer for answer in answers if answer is not None]
    token = first_attr(tree, "//*[@id='zh-single-question-page']/@data-urltoken")
    page.question_url = question_url(
        source.url, f"//www.zhihu.com/question/{token}" if token and token.isdigit() else None,
        *(answer.url for answer in page.answers),
    )
    page.page_url = page.page_url or page.question_url
    return page


def _answer(item: Any) -> Answer | None:
    content = item.xpath(f".//*[{cls('zm-editable-content')}]")
    if not content:
        return None
    body = rich_text(content[0])
    info = item.xpath(f".//*[{cls('zm-item-answer-author-info')} or {cls('zm-item-answer-author-wrap')}]")
    author = bio = profile = None
    if info:
        block = info[0]
        links = block.xpath(f".//a[{cls('author-link')}]") or [
            link for link in block.xpath(".//a[contains(@href,'/people/')]") if visible_text(link)
        ]
        author = first_text(links)
        if links:
            profile = blocks.absolute_url(_absolute(links[0].get("href")))
        else:  # anonymous: the name is plain text, before the bio
            author = first_text(block.xpath(f".//*[{cls('name')}]")) or _leading_name(block)
        bio = (first_attr(block, f".//*[{cls('bio')} or {cls('zu-question-my-bio')}]/@title")
               or first_text(block.xpath(f".//*[{cls('bio')} or {cls('zu-question-my-bio')}]")))
    date_link = item.xpath(f".//a[{cls('answer-date-link')}]")
    url = answer_url(date_link[0].get("href") if date_link else None)
    url = url or answer_url(first_attr(item, ".//link[@itemprop='url']/@href"))
    url = url or answer_url(first_attr(item, f".//*[{cls('zm-item-rich-text')}]/@data-entry-url"))
    posted_at = iso_time(_number(item.get("data-created"))) or _shown_date(date_link)
    meta: dict[str, Any] = {}
    if profile:
        meta["author_url"] = profile
    if author == ANONYMOUS:
        meta["anonymous"] = True
        bio = None
    votes = _number(first_attr(item, f".//*[{cls('zm-item-vote-info')}]/@data-votecount"))
    if votes is not None:
        meta["upvotes"] = votes
    return Answer(position=0, body=body, author=author, author_bio=bio, url=url,
                  posted_at=posted_at, meta=meta)


def _leading_name(block: Any) -> str | None:
    text = visible_text(block)
    return ANONYMOUS if text.startswith(ANONYMOUS) else None


def _shown_date(date_link: list[Any]) -> str | None:
    """The "发布于" tooltip, else the shown "编辑于/发布于 <date>" text."""
    if not date_link:
        return None
    for text in (date_link[0].get("data-tooltip") or "", visible_text(date_link[0])):
        text = TIME_LABEL.sub("", text.strip())
        if _DATE.match(text):
            return text
    return None


def _absolute(href: str | None) -> str | None:
    if href and href.startswith("/") and not href.startswith("//"):
        return "https://www.zhihu.com" + href
    return href


def _number(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isdigit() else None
