"""The fallback for pages no other site claims: the cleaned main text as one answer.

For HTML the main text is the page's content container with its chrome removed by markup
(`maintext`); generic WeChat/blog chrome lines are still stripped, and a compilation layout is
still used when one is found, so an unknown mirror of a known article family degrades
gracefully.
"""

from __future__ import annotations

import dataclasses

from dlqa import chrome
from dlqa.model import Page
from dlqa.sites import Site, Source, maintext
from dlqa.sites.common import article_page

RULES = chrome.WECHAT + chrome.BLOG + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    if source.is_html:
        text = maintext.main_text(source.tree)
        if text and text.strip():
            source = dataclasses.replace(source, text=text)
    return article_page(source, "web", RULES)


SITE = Site("web", recognise, extract)
