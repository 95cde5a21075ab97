"""Structured data, repeated post blocks and the main-text fallback, each on small pages."""

from __future__ import annotations

import json

import pytest

from dlqa.blocks import parse_html
from dlqa.extract import parse_text
from dlqa.reader import read_document
from dlqa.sites import maintext, posts, structured
from tests.helpers import ROOT


def _jsonld(data: object, body: str = "") -> str:
    # As sites write it: `</` escaped so the data cannot end its <script> element.
    text = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return f'<html><head><script type="application/ld+json">{text}</script></head><body>{body}</body></html>'


def test_microdata_nested_items_stop_at_their_own_scope():
    tree = parse_html(
        '<div itemscope itemtype="https://schema.org/Question"><h1 itemprop="name">为什么要归一化</h1>'
        '<div itemprop="text">问题正文</div>'
        '<div itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer">'
        '<div itemprop="text">回答正文：加快收敛。</div><a itemprop="url" href="/a/7">share</a>'
        '<div itemprop="author" itemscope itemtype="http://schema.org/Person"><a href="/u/1">甲</a>'
        '<span itemprop="name">甲</span></div></div></div>'
    )
    thread = structured.thread_from_microdata(tree, "https://qa.example.com/q/1")
    assert thread is not None and thread.kind == "qa" and thread.title == "为什么要归一化"
    assert thread.head is not None and thread.head.body == "问题正文"
    [answer] = thread.replies
    assert (answer.body, answer.author, answer.url) == ("回答正文：加快收敛。", "甲", "https://qa.example.com/a/7")


def test_jsonld_authors_as_string_person_and_list():
    data = {"@context": "https://schema.org", "@graph": [{"@type": "QAPage", "mainEntity": {
        "@type": "Question", "name": "Q", "text": "q",
        "acceptedAnswer": {"@type": "Answer", "text": "第一个回答的正文", "author": "张三"},
        "suggestedAnswer": [
            {"@type": "Answer", "text": "第二个回答的正文", "author": {"@type": "Person", "name": "李四"}},
            {"@type": "Answer", "text": "第三个回答的正文", "author": [{"@type": "Person", "name": "王五"}, "赵六"]},
        ]}}]}
    thread = structured.read_thread(parse_html(_jsonld(data)), None)
    assert thread is not None
    assert [(a.author, a.accepted) for a in thread.replies] == [("张三", True), ("李四", False), ("王五", False)]


def test_damaged_jsonld_is_skipped_not_fatal():
    page = parse_text('<html><head><script type="application/ld+json">{"@type": "QAPage", </script></head>'
                      "<body><article><p>正文还在。</p></article></body></html>", "x.html", is_html=True)
    assert page.site == "web" and page.answers[0].body == "正文还在。"


def test_jsonld_nested_absurdly_deep_is_skipped():
    deep = "[" * 100_000 + "]" * 100_000
    page = parse_text(f'<html><head><script type="application/ld+json">{deep}</script></head>'
                      "<body><article><p>正文还在。</p></article></body></html>", "x.html", is_html=True)
    assert page.answers[0].body == "正文还在。"


def test_microdata_nested_thousands_deep_is_read_without_recursion():
    opening = '<div itemprop="suggestedAnswer" itemscope itemtype="https://schema.org/Answer">'
    html = ('<html><body><div itemscope itemtype="https://schema.org/Question">' + opening * 3000
            + '<div itemprop="text">x</div>' + "</div>" * 3001 + "</body></html>")
    page = parse_text(html, "y.html", is_html=True)
    json.dumps(page.to_dict())


def test_truncated_jsonld_text_is_replaced_by_the_markup_body():
    full = "梯度裁剪要放在 backward 之后、step 之前，用了 AMP 要先 unscale 再裁剪。"
    data = {"@type": "DiscussionForumPosting", "headline": "h", "text": full[:12] + "…", "author": "甲"}
    thread = structured.read_thread(parse_html(_jsonld(data, f"<div class='x'><p>{full}</p></div>")), None)
    assert thread is not None and thread.head is not None and thread.head.body == full


def test_jsonld_text_is_kept_when_the_markup_does_not_hold_it():
    data = {"@type": "DiscussionForumPosting", "headline": "h", "text": "只在数据里的正文，页面上没有。", "author": "甲"}
    thread = structured.read_thread(parse_html(_jsonld(data, "<p>别的内容</p>")), None)
    assert thread is not None and thread.head is not None and thread.head.body == "只在数据里的正文，页面上没有。"


def test_html_in_jsonld_text_becomes_text():
    data = {"@type": "BlogPosting", "headline": "h", "articleBody": "&lt;p&gt;第一段&lt;/p&gt;&lt;p&gt;第二段&lt;/p&gt;"}
    thread = structured.read_thread(parse_html(_jsonld(data)), None)
    assert thread is not None and thread.head is not None
    assert thread.head.body.split() == ["第一段", "第二段"]


def _post(number: int, author: str | None, text: str) -> str:
    who = f'<a href="/member/{author}">{author}</a>' if author else '<span class="username">游客甲</span>'
    return (f'<div class="reply-cell"><div class="who">{who}</div>'
            f'<div class="reply-content">{text}</div><a href="#reply{number}">#{number}</a></div>')


def test_repeated_post_blocks_with_a_guest_post():
    body = (_post(1, "alice", "第一楼：验证集 loss 上升怎么办？") + _post(2, None, "第二楼：先看是不是过拟合。")
            + _post(3, "bob", "第三楼：加 weight decay 和数据增强。"))
    found = posts.detect(parse_html(f"<html><body><div class='list'>{body}</div></body></html>"),
                         "https://bbs.example.com/t/1")
    assert found is not None
    assert [(p.author, p.body) for p in found] == [
        ("alice", "第一楼：验证集 loss 上升怎么办？"), ("游客甲", "第二楼：先看是不是过拟合。"),
        ("bob", "第三楼：加 weight decay 和数据增强。"),
    ]
    assert found[0].url == "https://bbs.example.com/t/1#reply1"


def test_one_author_link_is_not_a_forum():
    html = "<html><body><article><a href='/u/alice'>alice</a><p>一篇文章，只有一个作者。</p></article></body></html>"
    assert posts.detect(parse_html(html), None) is None


def test_article_with_a_short_comment_thread_stays_one_unit():
    article = "<p>" + "注意力机制把每个位置和所有位置做加权求和。" * 20 + "</p>"
    comments = _post(1, "a", "写得好") + _post(2, "b", "收藏了")
    page = parse_text(f"<html><head><title>注意力</title></head><body><article>{article}</article>"
                      f"<div>{comments}</div></body></html>", "x.html", is_html=True)
    assert page.site == "web" and len(page.answers) == 1
    assert "写得好" not in page.answers[0].body


def test_main_text_drops_navigation_and_side_boxes_but_not_a_container_named_like_one():
    html = ("<html><body class='has-sidebar'><nav>首页 教程</nav><div class='sidebar'>热门文章</div>"
            "<div class='content-wrap with-sidebar'><p>" + "正文段落。" * 30 + "</p></div>"
            "<footer>版权所有</footer></body></html>")
    text = maintext.main_text(parse_html(html))
    assert text is not None and text.startswith("正文段落。")
    assert "热门文章" not in text and "首页" not in text and "版权所有" not in text


def test_a_site_page_that_is_not_a_thread_is_still_read():
    """Recognised by host, but no question, thread or floor: an article, else the main text."""
    article = parse_text(
        '<html><head><title>优化器综述 - SegmentFault 思否</title>'
        '<link rel="canonical" href="https://segmentfault.com/a/1190000040000003">'
        '<script type="application/ld+json">{"@type": "Article", "headline": "优化器综述",'
        ' "author": {"@type": "Person", "name": "opt_writer"}}</script></head>'
        "<body><nav>首页 问答 专栏</nav><article class='article fmt'><h1>优化器综述</h1>"
        "<p>从 SGD 到 AdamW，优化器围绕自适应步长和正则化演进。</p></article><aside>相关文章</aside></body></html>",
        "a.html", is_html=True)
    assert article.site == "blog" and article.title == "优化器综述"
    assert [(a.author, a.body) for a in article.answers] == [("opt_writer", "从 SGD 到 AdamW，优化器围绕自适应步长和正则化演进。")]
    profile = parse_text(
        '<html><head><link rel="canonical" href="https://stackoverflow.com/users/123/someone">'
        "<title>User someone - Stack Overflow</title></head><body><nav>Questions</nav>"
        "<main><p>Top posts by someone about pytorch.</p></main></body></html>", "u.html", is_html=True)
    assert profile.site == "web" and [a.body for a in profile.answers] == ["Top posts by someone about pytorch."]


def test_hostile_text_in_structured_data_stays_data():
    data = {"@type": "DiscussionForumPosting", "headline": "\x1b[2J标题", "author": "[bold]甲[/bold]",
            "text": "正文</script><script>alert(1)</script>\x1b[31m红"}
    page = parse_text(_jsonld(data), "x.html", is_html=True)
    json.dumps(page.to_dict(), ensure_ascii=False)  # never breaks JSON
    assert page.site == "forum" and page.answers[0].author == "[bold]甲[/bold]"
    assert "alert(1)" in page.answers[0].body  # text, never run or parsed as markup


_FIXTURES = sorted(p for p in (ROOT / "tests" / "families").glob("*/*.htm*"))


@pytest.mark.parametrize("fixture", _FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_a_page_cut_anywhere_still_parses(fixture):
    """A save interrupted mid-page: every family's rules get what is left, never a traceback."""
    text = read_document(fixture).text
    for tenth in (1, 3, 5, 7, 9):
        page = parse_text(text[: len(text) * tenth // 10], fixture.name, is_html=True)
        json.dumps(page.to_dict(), ensure_ascii=False)
