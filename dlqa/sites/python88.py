"""python88.com topic pages: WeChat-account articles reposted into a Python community site.

The page is forum chrome (section navigation, breadcrumb, footer) around a WeChat article,
which has its own promo header and download/group/knowledge-planet tail. Inside is usually a
compilation of Zhihu answers, split by `layouts`.
"""

from __future__ import annotations

import re

from dlqa import chrome, layouts
from dlqa.model import Page
from dlqa.sites import Site, Source
from dlqa.sites.common import compilation_page, header_fields
from dlqa.textutil import URL, clean_line

RULES = chrome.PYTHON88 + chrome.WECHAT + chrome.ZHIHU_TRAILER
_BREADCRUMB = re.compile(r"^Py学习\s*(»|>|›|\?|/)")
_TOPIC_META = re.compile(r"^(?P<account>[^•·]+?)\s*[•·]\s*(?P<age>[^•·]+?)\s*[•·]\s*(?P<views>\d+)\s*次点击$")
_PAGE_URL = re.compile(r"^本文地址\s*[:：]\s*(?P<url>" + URL + ")")
_TITLE_SUFFIX = re.compile(r"\s*[-_|–—]\s*(Python88\.com|python88).*$", re.IGNORECASE)


def recognise(source: Source) -> bool:
    if source.url and "python88.com" in source.url:
        return True
    head = source.text[:3000]
    return "社区所有版块导航" in head or ("python88.com/topic/" in source.text[-3000:] and "本文地址" in source.text)


def extract(source: Source) -> Page:
    lines = [clean_line(line) for line in source.lines]
    page = Page(source_file=source.path, site="python88", page_url=source.url)
    start = _after_breadcrumb(lines)
    title_at, meta_at = _title_and_meta(lines, start)
    if title_at is not None:
        page.title = lines[title_at]
    elif source.html_title:
        page.title = _TITLE_SUFFIX.sub("", source.html_title) or None
    if meta_at is not None and (match := _TOPIC_META.match(lines[meta_at])):
        page.meta.update(account=match.group("account"), age=match.group("age"), views=int(match.group("views")))
    for line in lines:
        if match := _PAGE_URL.match(line):
            page.page_url = page.page_url or match.group("url")
    body_start = max(i for i in (start, title_at, meta_at) if i is not None) + (0 if title_at is None and meta_at is None else 1)
    content = lines[body_start:]
    header = header_fields(content)
    stripped = chrome.strip(content, RULES)
    return compilation_page(page, stripped.lines, header)


def _after_breadcrumb(lines: list[str]) -> int:
    """Index of the first line after the forum navigation and breadcrumb."""
    for index, line in enumerate(lines[:80]):
        if _BREADCRUMB.match(line):
            return index + 1
    return 0


def _title_and_meta(lines: list[str], start: int) -> tuple[int | None, int | None]:
    """The topic title and its "account • age • N 次点击" line, right after the breadcrumb."""
    candidates = [i for i in range(start, min(len(lines), start + 12)) if lines[i]]
    for position, index in enumerate(candidates):
        if _TOPIC_META.match(lines[index]):
            title = candidates[position - 1] if position > 0 else None
            return title, index
    if start and candidates:
        return candidates[0], None
    return None, None


SITE = Site("python88", recognise, extract)

__all__ = ["SITE", "extract", "recognise", "layouts"]
