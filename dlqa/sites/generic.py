"""The fallback for pages no other site claims: the cleaned main text as one answer.

Generic WeChat/blog chrome is still stripped, and a compilation layout is still used when
one is found, so an unknown mirror of a known article family degrades gracefully.
"""

from __future__ import annotations

from dlqa import chrome
from dlqa.model import Page
from dlqa.sites import Site, Source
from dlqa.sites.common import compilation_page, content_after_title, header_fields
from dlqa.textutil import clean_line

RULES = chrome.WECHAT + chrome.BLOG + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    lines = [clean_line(line) for line in source.lines]
    page = Page(source_file=source.path, site="web", page_url=source.url)
    page.title, content = content_after_title(lines, source.html_title)
    header = header_fields(content)
    stripped = chrome.strip(content, RULES)
    return compilation_page(page, stripped.lines, header)


SITE = Site("web", recognise, extract)
