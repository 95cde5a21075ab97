"""Saved Zhihu question pages and answer pages (HTML).

Zhihu marks every answer up as one `.ContentItem.AnswerItem` whose `data-zop` JSON names the
author and answer id, with schema.org `meta` tags (`itemprop=url/dateCreated`), the author
block (`.AuthorInfo-name`, `.AuthorInfo-badgeText`) and the text in `.RichContent-inner
.RichText`. Everything around the answers (vote buttons, "添加评论", share menus, login
prompts, the sidebar) lives outside those elements, so reading the markup rather than the
page text leaves the chrome behind by construction.

A question page holds many answers and an answer page one (plus, sometimes, more below it):
both are the same list of `AnswerItem`s, so they share one code path. The page's own JSON
(`zhihu_data`) fills in answers whose markup a save lost or cut at "阅读全文".

The other shapes of a Zhihu page have a module each, chosen here: column articles
(`zhihu_column`), the 2014–2016 layout (`zhihu_legacy`), and text — "select all / copy"
dumps and web-clipper markdown of a Zhihu page (`zhihu_text`).
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import (
    Site,
    Source,
    zhihu_column,
    zhihu_data,
    zhihu_legacy,
    zhihu_markup,
    zhihu_text,
)
from dlqa.sites.zhihu_markup import ANONYMOUS, TITLE_SUFFIX, cls, first_attr, first_text, rich_text
from dlqa.textutil import ZHIHU_ANSWER_PATH, ZHIHU_QUESTION_URL

NAME = "zhihu"

_ANSWER_ITEMS = "//*[contains(concat(' ',normalize-space(@class),' '),' AnswerItem ')]"


def recognise(source: Source) -> bool:
    """A Zhihu page by its host, by one of Zhihu's markups, or (text) by a dump's rhythm."""
    host = urlsplit(source.url or "").hostname or ""
    if host == "zhihu.com" or host.endswith(".zhihu.com"):
        return True
    if not source.is_html:
        return zhihu_text.recognise(source)
    tree = source.tree
    return (
        bool(tree.xpath(f"{_ANSWER_ITEMS}//*[{cls('RichContent-inner')}]"))
        or bool(tree.xpath(f"//h1[{cls('QuestionHeader-title')}]"))
        or zhihu_legacy.recognise(source)
        or zhihu_column.recognise(source)
        or bool(tree.xpath("//script[@id='js-initialData' and contains(., 'zhihu')]"))
    )


def extract(source: Source) -> Page:
    """Hand the page to the rules of its shape; a Zhihu page of no known shape (a 想法, a
    video page, a layout to come) still gives its main text, as any page would."""
    if not source.is_html:
        page = zhihu_text.extract(source)
    elif zhihu_legacy.recognise(source):
        page = zhihu_legacy.extract(source)
    elif zhihu_column.recognise(source):
        page = zhihu_column.extract(source)
    else:
        page = extract_question(source)
    if not page.answers and source.is_html:
        from dlqa.sites import generic

        fallback = generic.SITE.extract(source)
        page.answers = fallback.answers
        page.title = page.title or fallback.title
    return page


def extract_question(source: Source) -> Page:
    """The question (title, detail, URL) and every answer on the page."""
    tree = source.tree
    page = Page(source_file=source.path, site=NAME, page_url=source.url)
    page.title = (
        first_text(tree.xpath(f"//h1[{cls('QuestionHeader-title')}]"))
        or first_attr(tree, "//*[@itemtype='http://schema.org/Question']/meta[@itemprop='name']/@content")
        or TITLE_SUFFIX.sub("", source.html_title or "")
        or None
    )
    detail = tree.xpath(f"//*[{cls('QuestionHeader-detail')}]//*[{cls('RichText')}]")
    if detail:
        page.description = blocks.element_text(detail[0]) or None
    answers = [_answer(item) for item in _answer_items(tree)]
    page.answers = [answer for answer in answers if answer is not None]
    state = zhihu_data.initial_state(tree)
    if state:
        page.title = page.title or zhihu_data.question_title(state)
        page.answers = merge_entries(page.answers, zhihu_data.entries(state, "answer"))
    page.question_url = _question_url(source, tree, page.answers)
    page.page_url = page.page_url or page.question_url
    return page


def merge_entries(answers: list[Answer], entries: list[zhihu_data.Entry]) -> list[Answer]:
    """The markup's answers, completed from the page's JSON.

    An answer whose markup body is shorter than its JSON content was cut ("阅读全文") and
    takes the JSON body; answers only in the JSON (never drawn, or lost by the save) follow
    the drawn ones in the JSON's order. The markup's own fields win where it has them.
    """
    by_id = {answer.url.rsplit("/", 1)[-1]: answer for answer in answers if answer.url}
    # An answer drawn without its link is found by how its text starts (a cut body is a
    # prefix of the full one).
    by_start = {_squash(answer.body)[:20]: answer for answer in answers if len(_squash(answer.body)) >= 20}
    merged = list(answers)
    for entry in entries:
        answer = by_id.get(entry.id) or by_start.get(_squash(entry.body)[:20])
        if answer is None:
            merged.append(entry_answer(entry))
            continue
        if len(_squash(entry.body)) > len(_squash(answer.body)):
            answer.body = entry.body
        answer.url = answer.url or entry.url
        answer.author = answer.author or entry.author
        answer.author_bio = answer.author_bio or entry.author_bio
        answer.posted_at = answer.posted_at or entry.posted_at
        if entry.upvotes is not None:
            answer.meta.setdefault("upvotes", entry.upvotes)
    return merged


def entry_answer(entry: zhihu_data.Entry) -> Answer:
    """An `Answer` from one answer or article of the page's JSON."""
    meta: dict[str, Any] = {}
    if entry.author_url:
        meta["author_url"] = entry.author_url
    if entry.author == ANONYMOUS:
        meta["anonymous"] = True
    if entry.upvotes is not None:
        meta["upvotes"] = entry.upvotes
    if entry.modified_at:
        meta["modified_at"] = entry.modified_at
    return Answer(position=0, body=entry.body, author=entry.author, author_bio=entry.author_bio,
                  url=entry.url, posted_at=entry.posted_at, meta=meta)


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _answer_items(tree: Any) -> list[Any]:
    """The outermost AnswerItem elements (an item nested in another is the same answer)."""
    items = tree.xpath(_ANSWER_ITEMS)
    inside = set()
    for item in items:
        inside.update(id(nested) for nested in item.xpath(f".//*[{cls('AnswerItem')}]"))
    return [item for item in items if id(item) not in inside]


def _answer(item: Any) -> Answer | None:
    content = item.xpath(f".//*[{cls('RichContent-inner')}]")
    if not content:
        return None
    rich = content[0].xpath(f".//*[{cls('RichText')}]")
    body = rich_text(rich[0] if rich else content[0])
    zop = _zop(item)
    author_info = item.xpath(f".//*[{cls('AuthorInfo')}]")
    author = (
        first_text(item.xpath(f".//*[{cls('AuthorInfo-name')}]"))
        or (first_attr(author_info[0], "./meta[@itemprop='name']/@content") if author_info else None)
        or (str(zop.get("authorName") or "").strip() or None)
    )
    bio = first_text(item.xpath(f".//*[{cls('AuthorInfo-badgeText')}]"))
    meta: dict[str, Any] = {}
    if author_info:
        profile = blocks.absolute_url(first_attr(author_info[0], "./meta[@itemprop='url']/@content"))
        if profile and not profile.rstrip("/").endswith("/people"):
            meta["author_url"] = profile
    if author == ANONYMOUS:
        meta["anonymous"] = True
    votes = first_attr(item, "./meta[@itemprop='upvoteCount']/@content")
    if votes and votes.isdigit():
        meta["upvotes"] = int(votes)
    shown_time = item.xpath(f".//*[{cls('ContentItem-time')}]")
    posted_at = first_attr(item, "./meta[@itemprop='dateCreated']/@content") or _shown_time(shown_time)
    modified = first_attr(item, "./meta[@itemprop='dateModified']/@content")
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
    candidates = [first_attr(item, "./meta[@itemprop='url']/@content")]
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
            return zhihu_markup.shown_time(str(tooltip))
    return zhihu_markup.shown_time(shown_time[0].text_content())


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


SITE = Site(NAME, recognise, extract)
