"""The fallback for pages no other site claims: the cleaned main text as one answer.

Generic WeChat/blog chrome is still stripped, and a compilation layout is still used when
one is found, so an unknown mirror of a known article family degrades gracefully.
"""

from __future__ import annotations

from dlqa import chrome
from dlqa.model import Page
from dlqa.sites import Site, Source
from dlqa.sites.common import compilation_page, header_fields
from dlqa.textutil import clean_line

RULES = chrome.WECHAT + chrome.BLOG + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    lines = [clean_line(line) for line in source.lines]
    title_at = next((i for i, line in enumerate(lines) if line), None)
    page = Page(source_file=source.path, site="web", page_url=source.url)
    page.title = source.html_title or (lines[title_at] if title_at is not None else None)
    content = lines[title_at + 1 :] if title_at is not None and not source.html_title else lines
    header = header_fields(content)
    stripped = chrome.strip(content, RULES)
    return compilation_page(page, stripped.lines, header)


SITE = Site("web", recognise, extract)
