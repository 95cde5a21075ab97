"""Blog reposts of Zhihu discussions: "回答一:<headline>", the body, then "作者:Name,bio".

Any page that is not claimed by a more specific site but carries a compilation of attributed
Zhihu answers lands here; the blog platform's tails ("更多推荐", "所有评论(0)") are chrome.
An HTML page is read from its article alone (a known platform's post body, else the page's
main text), so the blog's header, sidebars and footer never reach an answer.
"""

from __future__ import annotations

import dataclasses

from dlqa import chrome, layouts
from dlqa.model import Page
from dlqa.sites import Site, Source, blogs, maintext
from dlqa.sites.common import article_page
from dlqa.sites.threads import heading_title
from dlqa.textutil import clean_line

RULES = chrome.BLOG + chrome.WECHAT + chrome.ZHIHU_TRAILER


def recognise(source: Source) -> bool:
    lines = [clean_line(line) for line in source.lines]
    headings = sum(1 for line in lines if layouts.HEADING_LINE.match(line))
    authors = sum(1 for line in lines if layouts.AUTHOR_LINE.match(line) or layouts.ANSWER_LABEL.match(line))
    mentions_zhihu = "zhihu.com" in source.text or "知乎" in source.text
    quoted = bool(layouts.COPY_LINK_ANYWHERE.search(source.text))  # Zhihu's own copy trailer
    return mentions_zhihu and authors >= 1 and (headings >= 1 or authors >= 2 or quoted)


def extract(source: Source) -> Page:
    return article_page(_article_only(source) if source.is_html else source, "blog", RULES)


def _article_only(source: Source) -> Source:
    """The page narrowed to its article's text and title (unchanged when none is found)."""
    found = blogs.platform_article(source)
    if found is not None:
        title, text = found
    else:
        title = heading_title(source.tree, source.html_title) or source.html_title
        text = maintext.main_text(source.tree) or ""
    if not text.strip():
        return source
    return dataclasses.replace(source, text=text, html_title=title)


SITE = Site("blog", recognise, extract)
