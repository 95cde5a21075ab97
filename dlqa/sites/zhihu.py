"""Saved Zhihu question pages and answer pages (HTML).

Zhihu marks every answer up as one `.ContentItem.AnswerItem` whose `data-zop` JSON names the
author and answer id, with schema.org `meta` tags (`itemprop=url/dateCreated`), the author
block (`.AuthorInfo-name`, `.AuthorInfo-badgeText`) and the text in `.RichContent-inner
.RichText`. Everything around the answers (vote buttons, "添加评论", share menus, login
prompts, the sidebar) lives outside those elements, so reading the markup rather than the
page text leaves the chrome behind by construction.

A question page holds many answers and an answer page one (plus, sometimes, more below it):
both are the same list of `AnswerItem`s, so they share one code path.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import Site, Source
from dlqa.textutil import ZHIHU_ANSWER_PATH, ZHIHU_QUESTION_URL, clean_line

NAME = "zhihu"
ANONYMOUS = "匿名用户"

_ANSWER_ITEMS = "//*[contains(concat(' ',normalize-space(@class),' '),' AnswerItem ')]"
_TIME_LABEL = re.compile(r"^(?:发布于|编辑于|发表于)\s*")
_TITLE_SUFFIX = re.compile(r"\s*-\s*知乎\s*$")


def _cls(name: str) -> str:
    return f"contains(concat(' ',normalize-space(@class),' '),' {name} ')"


def recognise(source: Source) -> bool:
    """A Zhihu page by its host, or (saved without URL) by Zhihu's answer markup."""
    if not source.is_html:
        return False
    host = urlsplit(source.url or "").hostname or ""
    if host == "zhihu.com" or host.endswith(".zhihu.com"):
        return True
    return bool(source.tree.xpath(f"{_ANSWER_ITEMS}//*[{_cls('RichContent-inner')}]")) or bool(
        source.tree.xpath(f"//h1[{_cls('QuestionHeader-title')}]")
    )


def extract(source: Source) -> Page:
    """The question (title, detail, URL) and every answer on the page."""
    tree = source.tree
    page = Page(source_file=source.path, site=NAME, page_url=source.url)
    page.title = (
        _first_text(tree.xpath(f"//h1[{_cls('QuestionHeader-title')}]"))
        or _first_attr(tree, "//*[@itemtype='http://schema.org/Question']/meta[@itemprop='name']/@content")
        or _TITLE_SUFFIX.sub("", source.html_title or "")
        or None
    )
    detail = tree.xpath(f"//*[{_cls('QuestionHeader-detail')}]//*[{_cls('RichText')}]")
    if detail:
        page.description = blocks.element_text(detail[0]) or None
    answers = [_answer(item) for item in _answer_items(tree)]
    page.answers = [answer for answer in answers if answer is not None]
    page.question_url = _question_url(source, tree, page.answers)
    page.page_url = page.page_url or page.question_url
    return page


def _answer_items(tree: Any) -> list[Any]:
    """The outermost AnswerItem elements (an item nested in another is the same answer)."""
    items = tree.xpath(_ANSWER_ITEMS)
    inside = set()
    for item in items:
        inside.update(id(nested) for nested in item.xpath(f".//*[{_cls('AnswerItem')}]"))
    return [item for item in items if id(item) not in inside]


def _answer(item: Any) -> Answer | None:
    content = item.xpath(f".//*[{_cls('RichContent-inner')}]")
    if not content:
        return None
    rich = content[0].xpath(f".//*[{_cls('RichText')}]")
    body = blocks.element_text(rich[0] if rich else content[0])
    zop = _zop(item)
    author_info = item.xpath(f".//*[{_cls('AuthorInfo')}]")
    author = (
        _first_text(item.xpath(f".//*[{_cls('AuthorInfo-name')}]"))
        or (_first_attr(author_info[0], "./meta[@itemprop='name']/@content") if author_info else None)
        or (str(zop.get("authorName") or "").strip() or None)
    )
    bio = _first_text(item.xpath(f".//*[{_cls('AuthorInfo-badgeText')}]"))
    meta: dict[str, Any] = {}
    if author_info:
        profile = blocks.absolute_url(_first_attr(author_info[0], "./meta[@itemprop='url']/@content"))
        if profile and not profile.rstrip("/").endswith("/people"):
            meta["author_url"] = profile
    if author == ANONYMOUS:
        meta["anonymous"] = True
    votes = _first_attr(item, "./meta[@itemprop='upvoteCount']/@content")
    if votes and votes.isdigit():
        meta["upvotes"] = int(votes)
    shown_time = item.xpath(f".//*[{_cls('ContentItem-time')}]")
    posted_at = _first_attr(item, "./meta[@itemprop='dateCreated']/@content") or _shown_time(shown_time)
    modified = _first_attr(item, "./meta[@itemprop='dateModified']/@content")
    if modified and modified != posted_at:
        meta["modified_at"] = modified
    return Answer(
        position=0, body=body, author=author, author_bio=bio, posted_at=posted_at,
        url=_answer_url(item, shown_time, zop), meta=meta,
    )


def _zop(item: Any) -> dict[str, Any]:
    """The answer's `data-zop` JSON (authorName, itemId), or {} when missing or damaged."""
    try:
        data = json.loads(item.get("data-zop") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _answer_url(item: Any, shown_time: list[Any], zop: dict[str, Any]) -> str | None:
    """The answer's own absolute URL: schema.org meta, else its time link, else data-zop."""
    candidates = [_first_attr(item, "./meta[@itemprop='url']/@content")]
    candidates += [str(href) for element in shown_time for href in element.xpath(".//a/@href")]
    candidates += [str(href) for href in item.xpath(".//a[contains(@href,'/answer/')]/@href")]
    for candidate in candidates:
        match = ZHIHU_ANSWER_PATH.search(candidate or "")
        if match:
            return f"https://www.zhihu.com/question/{match.group(1)}/answer/{match.group(2)}"
    item_id = zop.get("itemId") or item.get("name")
    question = ZHIHU_QUESTION_URL.search(" ".join(item.xpath("//link[@rel='canonical']/@href")))
    if item_id and str(item_id).isdigit() and question:
        return f"https://www.zhihu.com/question/{question.group(1)}/answer/{item_id}"
    return None


def _shown_time(shown_time: list[Any]) -> str | None:
    """The time under an answer: its "发布于" tooltip, else the shown "编辑于/发布于" text."""
    if not shown_time:
        return None
    for tooltip in shown_time[0].xpath(".//@data-tooltip"):
        if str(tooltip).strip().startswith("发布于"):
            return _TIME_LABEL.sub("", clean_line(str(tooltip))) or None
    return _TIME_LABEL.sub("", clean_line(shown_time[0].text_content())) or None


def _question_url(source: Source, tree: Any, answers: list[Answer]) -> str | None:
    """https://www.zhihu.com/question/N, from the page URL, the question's meta or an answer."""
    candidates = [source.url or ""]
    candidates += [str(url) for url in tree.xpath("//meta[@itemprop='url']/@content")]
    candidates += [answer.url or "" for answer in answers]
    for candidate in candidates:
        match = ZHIHU_QUESTION_URL.search(candidate)
        if match:
            return f"https://www.zhihu.com/question/{match.group(1)}"
    return None


def _first_text(elements: list[Any]) -> str | None:
    for element in elements:
        text = clean_line(element.text_content())
        if text:
            return text
    return None


def _first_attr(element: Any, xpath: str) -> str | None:
    for value in element.xpath(xpath):
        text = clean_line(str(value))
        if text:
            return text
    return None


SITE = Site(NAME, recognise, extract)
