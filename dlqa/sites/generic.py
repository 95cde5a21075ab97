"""The fallback for pages no other site claims: the cleaned main text as one answer.

Generic WeChat/blog chrome is still stripped, and a compilation layout is still used when
one is found, so an unknown mirror of a known article family degrades gracefully.
"""

from __future__ import annotations

from dlqa import chrome
from dlqa.model import Page
from dlqa.sites import Site, Source
from dlqa.sites.common import article_page

RULES = chrome.WECHAT + chrome.BLOG + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    return article_page(source, "web", RULES)


SITE = Site("web", recognise, extract)
