"""Saved Zhihu question and answer pages: metadata from the markup, chrome left behind."""

from __future__ import annotations

import re

from dlqa.extract import make_source, parse_file, parse_text
from dlqa.sites import zhihu
from tests.helpers import FIXTURES

HTML = FIXTURES / "html" / "zhihu_question.html"
QUESTION = "https://www.zhihu.com/question/61007788"
CHROME = ("赞同", "添加评论", "条评论", "分享", "收藏", "喜欢", "登录", "发布于", "编辑于", "关注者",
          "被浏览", "显示全部", "相关问题", "知乎指南", "ICP", "个回答", "人赞同了该回答")


def test_question_page():
    page = parse_file(HTML)
    assert page.site == "zhihu"
    assert page.title == "Batch Normalization 为什么能加速训练？"
    assert page.page_url == QUESTION and page.question_url == QUESTION
    assert page.description is not None and page.description.split("\n")[-1] == "到底哪种解释更靠谱？"
    assert [(a.author, a.author_bio) for a in page.answers] == [
        ("沈青岩", "计算机视觉算法工程师"), ("匿名用户", None), ("Ada Chen", "机器学习 PhD 在读"),
    ]
    assert [a.url for a in page.answers] == [
        f"{QUESTION}/answer/182243011", f"{QUESTION}/answer/182512345", f"{QUESTION}/answer/190887766",
    ]
    # dateCreated when the markup has it, else the "发布于" time shown under the answer.
    assert [a.posted_at for a in page.answers] == [
        "2017-06-14T02:31:07.000Z", "2017-06-15T13:05:44.000Z", "2017-07-02 08:40",
    ]
    assert page.answers[1].meta.get("anonymous") is True
    assert page.answers[0].meta["upvotes"] == 1024
    assert len({a.id for a in page.answers}) == 3


def test_bodies_keep_paragraphs_and_lists_as_lines_and_no_chrome():
    page = parse_file(HTML)
    first = page.answers[0].body.split("\n")
    assert "对初始化不那么敏感；" in first  # a list item is its own line
    assert "不同设置下的训练曲线" in first  # figure captions are text
    assert "https://arxiv.org/abs/1805.11604" in page.answers[0].body  # redirect unwrapped
    assert "zhihu.com/people" not in page.answers[0].body  # an @mention is not a source
    assert "y = gamma * (x - mean) / sqrt(var + eps) + beta" in page.answers[2].body.split("\n")
    for answer in page.answers:
        for marker in CHROME:
            assert marker not in answer.body, (answer.author, marker)


def test_answer_page_uses_the_same_code_path():
    html = HTML.read_text(encoding="utf-8")
    html = html.replace(f'rel="canonical" href="{QUESTION}"', f'rel="canonical" href="{QUESTION}/answer/182512345"')
    items = html.split('<div class="List-item" tabindex="0">')
    html = items[0] + '<div class="List-item" tabindex="0">' + items[2].split("</div></div>\n", 1)[0] + "</div></div>\n</div></div></main></div></body></html>"
    page = parse_text(html, "answer.html", is_html=True)
    assert page.site == "zhihu"
    assert page.page_url == f"{QUESTION}/answer/182512345" and page.question_url == QUESTION
    assert [a.author for a in page.answers] == ["匿名用户"]
    assert page.answers[0].body.startswith("说个工程上的体会")


def test_missing_metadata_falls_back_to_visible_markup():
    html = HTML.read_text(encoding="utf-8")
    html = re.sub(r'<meta itemProp="(url|dateCreated|name)" content="[^"]*"/>', "", html)
    html = re.sub(r'<link data-rh="true" rel="canonical"[^>]*>|<meta data-rh="true" property="og:url"[^>]*>', "", html)
    html = html.replace('data-zop="{&quot;authorName', 'data-zop="{broken json &quot;authorName')
    page = parse_text(html, "saved.html", is_html=True)
    assert page.site == "zhihu" and page.question_url == QUESTION and page.page_url == QUESTION
    assert [a.url for a in page.answers][0] == f"{QUESTION}/answer/182243011"
    assert [a.author for a in page.answers] == ["沈青岩", "匿名用户", "Ada Chen"]
    assert page.answers[0].posted_at == "2017-06-14 10:31"  # the "发布于" tooltip, not "编辑于"


def test_not_claimed_without_zhihu_markup():
    assert parse_text("<html><body><p>知乎 zhihu.com 上的讨论</p></body></html>", "x.html", is_html=True).site != "zhihu"
    assert not zhihu.recognise(make_source("作者:X\n知乎", "x.txt", False))
