"""HTML → block text: the layout the text rules expect, and robustness against hostile markup."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st

from dlqa import blocks


def text_of(html: str) -> str:
    return blocks.html_to_text(blocks.parse_html(html))


def test_blocks_are_lines_and_paragraphs_are_separated_by_one_blank_line():
    html = "<div>导航</div><h2>标题</h2><p>第一段<b>粗体</b>继续</p><p>第二段<br>第二行</p><ul><li>一</li><li>二</li></ul>"
    assert text_of(html) == "导航\n\n标题\n\n第一段粗体继续\n\n第二段\n第二行\n\n一\n二"


def test_whitespace_collapses_within_lines_and_blank_lines_never_pile_up():
    html = "<p>  a \n\t b\u00a0\u00a0c </p><p></p><p></p><br><br><br><br><p>d</p>"
    text = text_of(html)
    assert text.startswith("a b c\n")
    assert "\n\n\n" not in text and text.endswith("d")


def test_invisible_elements_are_dropped():
    html = (
        "<head><title>T</title><style>p{color:red}</style></head><body><p>shown</p>"
        "<script>var x = '<p>not text</p>';</script><noscript>enable js</noscript>"
        "<template><p>later</p></template><div hidden>hidden</div>"
        "<div style='display: none'>gone</div></body>"
    )
    assert text_of(html) == "shown"


def test_absolute_link_targets_follow_their_anchor_text():
    html = (
        '<p>作者:<a href="//www.zhihu.com/question/1/answer/2">某人</a></p>'
        '<p><a href="https://www.zhihu.com/question/1">https://www.zhihu.com/question/1</a></p>'
        '<p><a href="/relative/page">相对链接</a> <a href="javascript:void(0)">按钮</a></p>'
        '<p><a href="https://link.zhihu.com/?target=https%3A//arxiv.org/abs/1">论文</a></p>'
        '<p><a href="//www.zhihu.com/people/x">@某人</a> 说得对</p>'
    )
    assert text_of(html).split("\n\n") == [
        "作者:某人 https://www.zhihu.com/question/1/answer/2",
        "https://www.zhihu.com/question/1",
        "相对链接 按钮",
        "论文 https://arxiv.org/abs/1",
        "@某人 说得对",
    ]


def test_emoji_images_read_as_text_other_images_do_not():
    html = '<p>谢谢 <img alt="❤️" src="h.png"> 1 <img alt="图片" src="a.png"><img alt="logo" src="b.png"></p>'
    assert text_of(html) == "谢谢 ❤️ 1"


def test_table_cells_share_their_row_line():
    assert text_of("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>") == "a b\nc"


def test_preformatted_text_keeps_its_lines():
    assert text_of("<p>代码:</p><pre><code>x = 1\ny = 2</code></pre><p>完</p>") == "代码:\n\nx = 1\ny = 2\n\n完"


def test_page_url_prefers_canonical_then_og_url():
    both = '<head><meta property="og:url" content="https://a.com/og"><link rel="canonical" href="//a.com/c"></head>'
    og_only = '<head><meta property="og:url" content="https://a.com/og"></head>'
    relative = '<head><link rel="canonical" href="/t/1"></head>'
    assert blocks.page_url(blocks.parse_html(both)) == "https://a.com/c"
    assert blocks.page_url(blocks.parse_html(og_only)) == "https://a.com/og"
    assert blocks.page_url(blocks.parse_html(relative)) is None


def test_page_title_prefers_og_title_then_title():
    html = '<head><title> 标题 - 站点 </title><meta property="og:title" content=" 标题 "></head>'
    assert blocks.page_title(blocks.parse_html(html)) == "标题"
    assert blocks.page_title(blocks.parse_html("<title>\n 只有 title \n</title>")) == "只有 title"
    assert blocks.page_title(blocks.parse_html("<p>none</p>")) is None


def test_empty_and_whitespace_input():
    for html in ("", "   \n", "<html></html>"):
        tree = blocks.parse_html(html)
        assert blocks.html_to_text(tree) == ""
        assert blocks.page_url(tree) is None and blocks.page_title(tree) is None


def test_truncated_html_keeps_what_was_there():
    assert text_of("<p>第一段</p><p>第二段 <a href=\"https://a.com/x") == "第一段\n\n第二段"
    assert text_of("<div><p>cut mid-tag</p><di") == "cut mid-tag"


def test_xml_declaration_and_foreign_charset_meta_in_decoded_text():
    html = '<?xml version="1.0" encoding="gbk"?><html><head><meta charset="gbk"></head><p>中文</p></html>'
    assert text_of(html) == "中文"


def test_ten_thousand_levels_deep_keeps_all_text_without_recursion():
    depth = 10_000
    html = "<p>before</p>" + "<div><span>" * depth + "deep" + "</span></div>" * depth + "<p>after</p>"
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(200)  # the walk must not need Python recursion at all
    try:
        text = text_of(html)
    finally:
        sys.setrecursionlimit(limit)
    assert text.split("\n\n") == ["before", "deep", "after"]


def test_deep_unclosed_nesting_and_raw_text_are_flattened_safely():
    html = "<script>var s='<div>'</script>" + "<div>" * 5000 + "x<br>y"
    assert text_of(html) == "x\ny"


def test_element_text_reads_one_subtree():
    tree = blocks.parse_html("<p>out</p><div id='a'><p>in</p><p>side</p></div><p>tail</p>")
    assert blocks.element_text(tree.get_element_by_id("a")) == "in\n\nside"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "<p>", "</p>", "<div>", "</div>", "<br>", "<a href='https://x.y/z'>", "</a>", "<script>",
    "</script>", "<li>", "<pre>", "</pre>", "文字", " ", "\n", "<", ">", "&amp;", "&#", "<!--",
    "\u00a0", "<img alt='❤️'>", "<table><tr><td>",
]), max_size=60))
def test_any_tag_soup_gives_clean_lines(parts):
    text = text_of("".join(parts))
    assert "\n\n\n" not in text
    assert text == text.strip()
    assert all(line == line.strip() and "  " not in line for line in text.split("\n"))
    assert "\x00" not in text and "\x01" not in text and "\x02" not in text
