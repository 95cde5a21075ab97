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
from dlqa.sites.threads import first_text, heading_title

RULES = chrome.WECHAT + chrome.BLOG + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    return True


def extract(source: Source) -> Page:
    if not source.is_html:
        return article_page(source, "web", RULES)
    text = maintext.main_text(source.tree)
    title = heading_title(source.tree, source.html_title) or source.html_title
    if text and text.strip():
        source = dataclasses.replace(source, text=text, html_title=title)
    page = article_page(source, "web", RULES)
    # One unit whose author the page names in its metadata (`<meta name="author">`).
    if len(page.answers) == 1 and not page.answers[0].author:
        page.answers[0].author = first_text(source.tree, "//meta[@name='author']/@content")
    return page


SITE = Site("web", recognise, extract)
