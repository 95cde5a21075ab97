"""Baidu Zhidao (百度知道) question pages.

The question sits in `.wgt-question-title`/`ask-title` with its detail marked
`accuse="qContent"`; the best answer in `.wgt-best`, the other answers in `.wgt-answers`, every
answer's text marked `accuse="aContent"` with a "展开全部" fold mask inside it, the answerer's
name in `.wgt-replyer-*-uname` or `.user-name`. Evaluation bars ("你对这个回答的评价是？"), the
"其他类似问题" list and ads sit outside those elements. Zhidao gives answers no links of their
own, so every answer links to the question.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, forum
from dlqa.sites.structured import Post, Thread
from dlqa.sites.threads import (
    PostRules,
    body_text,
    first_text,
    has_class,
    page_from_thread,
    read_posts,
    strip_title,
)

NAME = "zhidao"
TITLE_SUFFIX = re.compile(r"\s*[_-]\s*百度知道\s*$")
_FOLD = f".//*[{has_class('wgt-best-mask')} or {has_class('wgt-answers-mask')} or {has_class('wgt-best-showbtn')} or {has_class('wgt-answers-showbtn')}]"
_BEST = f"//div[{has_class('wgt-best')} or {has_class('wgt-recommend')} or {has_class('wgt-quality')}]"
RULES = PostRules(
    post=f"{_BEST} | //div[{has_class('wgt-answers')}]//div[{has_class('answer')}][starts-with(@id,'answer-')]",
    body=".//*[@accuse='aContent']",
    author=(
        f".//*[{has_class('wgt-replyer-best-uname')} or {has_class('wgt-replyer-all-uname')}"
        f" or {has_class('user-name')} or {has_class('quality-info-name')}]",
    ),
    posted_at=f".//*[{has_class('wgt-replyer-all-time')} or {has_class('answer-time')} or {has_class('wgt-replyer-best-time')}]",
    chrome=_FOLD,
)
_TIME_LABEL = re.compile(r"^(?:回答于|推荐于|发布于)\s*")


def recognise(source: Source) -> bool:
    host = urlsplit(source.url or "").hostname or ""
    if host == "zhidao.baidu.com":
        return True
    return source.is_html and bool(source.tree.xpath("//*[@accuse='aContent'] | //*[@accuse='qContent']"))


def extract(source: Source) -> Page:
    tree = source.tree
    answers = read_posts(tree, RULES, source.url)
    best = tree.xpath(_BEST)  # kept alive: the identity test below compares element objects
    for post, element in zip(answers, tree.xpath(RULES.post), strict=False):
        post.accepted = any(element is chosen for chosen in best)
        if post.posted_at:
            post.posted_at = _TIME_LABEL.sub("", post.posted_at) or None
    question = tree.xpath("//*[@accuse='qContent']")
    head = Post(body=body_text(question[0]) if question else "",
                author=first_text(tree, f"//*[{has_class('ask-user')}]//a | //a[{has_class('asker-name')}]"))
    title = first_text(tree, f"//*[{has_class('ask-title')}] | //h1[{has_class('question-title')}]")
    return page_from_thread(source, NAME, Thread("qa", head=head, replies=answers),
                            title or strip_title(source.html_title, TITLE_SUFFIX))


SITE = Site(NAME, recognise, forum.or_any_page(extract))
