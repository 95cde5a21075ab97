"""Zhihu in all its shapes, and Zhihu answers quoted elsewhere: each rule on its own.

The family fixtures (`tests/families/`, checked by `test_family_goldens.py`) cover whole
pages; here each behaviour is pinned by changing one thing in a page and watching the
result follow (so a rule that only happens to pass on a fixture is caught).
"""

from __future__ import annotations

import re
from pathlib import Path

from dlqa.extract import make_source, parse_file, parse_text
from dlqa.sites import zhihu
from tests.helpers import CORPUS, FIXTURES

FAMILIES = Path(__file__).resolve().parent / "families"
MODERN = FAMILIES / "zhihu-modern" / "question_partial_markup.html"


def _html(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _page(html: str):
    return parse_text(html, "saved.html", is_html=True)


# --- modern pages --------------------------------------------------------------------------


def test_style_inside_the_author_name_is_not_the_name():
    html = _html(FIXTURES / "html" / "zhihu_question.html").replace(
        'shen-qing-yan-42">沈青岩</a></div></div></span>',
        'shen-qing-yan-42">沈青岩</a></div></div><style data-emotion-css="1cd9gw4">'
        '.css-1cd9gw4{margin-left:.3em;}</style></span>',
    )
    assert "css-1cd9gw4" in html
    assert _page(html).answers[0].author == "沈青岩"


def test_shopping_card_never_reaches_the_body_whatever_its_class():
    html = _html(FIXTURES / "html" / "zhihu_question.html")
    card = ('<div class="RichText-GoodsContainer"><a class="GoodsCardV3" href="https://union-click.jd.com/x">'
            '<div class="GoodsCardV3-title">某品牌 RTX 4090 显卡</div><div>¥ 12999</div>'
            '<button class="GoodsCardV3-btn">去购买</button></a></div>')
    unknown_class = card.replace("GoodsCardV3", "ShopItemZ").replace("RichText-GoodsContainer", "Wrap")
    course = ('<div class="CourseCard"><div>【AI 大模型公开课】RTX 4090 实战</div><div>¥ 12999 → 0 元</div>'
              '<a class="CourseCard-btn" href="https://www.zhihu.com/xen/market/training">立即报名</a></div>')
    for variant in (card, unknown_class, course):
        page = _page(html.replace("<p>具体来说有三点：</p>", "<p>具体来说有三点：</p>" + variant))
        body = page.answers[0].body
        assert "具体来说有三点：" in body and "梯度的尺度更稳定" in body  # the text around it stays
        assert not any(ad in body for ad in ("去购买", "立即报名", "RTX 4090", "12999"))


def test_initial_data_completes_a_cut_body_and_adds_missing_answers():
    page = parse_file(MODERN)
    assert [a.author for a in page.answers] == ["陈默", "Kevin Wu", "林小北"]
    assert page.answers[1].body.endswith("每个时间步可以单独归一化。")  # markup had only "…"
    assert page.answers[2].url == "https://www.zhihu.com/question/398765432/answer/1800000003"
    assert page.answers[2].meta == {"author_url": "https://www.zhihu.com/people/lin-xiao-bei", "upvotes": 41}
    # Without the JSON, the markup is all there is: two answers, the second cut.
    without = _page(re.sub(r'<script id="js-initialData".*?</script>', "", _html(MODERN), flags=re.S))
    assert [a.author for a in without.answers] == ["陈默", "Kevin Wu"]
    assert without.answers[1].body.endswith("通信开销不小…")


def test_damaged_initial_data_is_ignored():
    html = _html(MODERN).replace('{"initialState"', '{"initialState" broken', 1)
    assert [a.author for a in _page(html).answers] == ["陈默", "Kevin Wu"]


def test_answer_page_title_drops_the_answerer_suffix():
    page = parse_file(FAMILIES / "zhihu-modern" / "answer_page_json_only.html")
    assert page.title == "学习率 warmup 为什么有效？"
    assert page.answers[0].posted_at == "2021-09-30T11:06:40.000Z"
    assert page.answers[0].meta["modified_at"] == "2021-10-06T06:00:00.000Z"


# --- column articles, the old layout -------------------------------------------------------


def test_column_article_is_one_unit_with_author_and_time():
    page = parse_file(FAMILIES / "zhihu-column" / "column_article.html")
    [article] = page.answers
    assert (article.author, article.author_bio) == ("王小川", "计算机视觉 | 模型压缩")
    assert article.posted_at == "2023-04-18 21:07"  # "编辑于 …・IP 属地上海" read as a time
    assert "讲得很清楚" not in article.body and "推荐阅读" not in article.body


def test_column_recognised_by_its_markup_without_a_url():
    html = re.sub(r'<link data-rh="true" rel="canonical"[^>]*>|<meta data-rh="true" property="og:url"[^>]*>', "",
                  _html(FAMILIES / "zhihu-column" / "column_article.html"))
    page = _page(html)
    assert page.site == "zhihu" and [a.author for a in page.answers] == ["王小川"]


def test_old_layout_bio_is_not_part_of_the_name_and_links_are_absolute():
    page = parse_file(FAMILIES / "zhihu-old" / "question_2015.html")
    assert [(a.author, a.author_bio) for a in page.answers] == [
        ("刘星", "机器学习研究员，偶尔写写代码"), ("匿名用户", None), ("陶然", "图像处理 / 传统 CV 转深度学习")]
    assert page.answers[0].meta["upvotes"] == 864
    assert page.answers[0].posted_at == "2015-04-14T08:26:40.000Z"  # data-created, not "编辑于"
    assert page.description == "看资料说 CNN 的一个特点是权值共享，参数量因此大大减少。具体是哪些权值在共享？"


def test_old_layout_answer_link_from_the_date_link_alone():
    html = re.sub(r'<link itemprop="url"[^>]*>|data-entry-url="[^"]*"', "", _html(FAMILIES / "zhihu-old" / "question_2015.html"))
    page = _page(html)
    assert [a.url.rsplit("/", 1)[-1] for a in page.answers] == ["45678901", "45990011", "46100222"]


# --- text dumps ------------------------------------------------------------------------------


def test_text_dump_drops_every_chrome_line_the_issue_lists():
    zw = "\u200b"
    dump = (
        "为什么要用 Adam？\n" f"{zw}查看全部 59 个回答\n张三\n张三\n算法工程师\n1,024 人赞同了该回答\n"
        "Adam 结合了动量和自适应学习率。\n展开阅读全文\n编辑于 2021-03-02 18:11\n"
        f"{zw}赞同 1.2 万{zw}{zw}添加评论\n{zw}分享\n{zw}收藏{zw}喜欢\n{zw}收起{zw}\n"
        "李四\n发布于 2022-01-01 10:00\n"  # an author line and nothing else: no answer
    )
    page = parse_text(dump, "dump.txt")
    assert page.site == "zhihu" and page.title == "为什么要用 Adam？"
    assert [(a.author, a.author_bio, a.body, a.posted_at) for a in page.answers] == [
        ("张三", "算法工程师", "Adam 结合了动量和自适应学习率。", "2021-03-02 18:11")]
    assert page.answers[0].meta["upvotes"] == 1024


def test_text_dump_answer_without_votes_starts_at_its_author_line():
    page = parse_file(FAMILIES / "zhihu-text-dump" / "answer_page_with_more.text")
    assert [a.author for a in page.answers] == ["苏木", "阿飞的炼丹炉"]
    assert "upvotes" not in page.answers[1].meta


def test_seeds_and_other_dumps_are_not_taken_for_zhihu_dumps():
    for path in sorted(CORPUS.glob("*.txt")) + [FIXTURES / "blog_repost.txt", FIXTURES / "python88_topic.txt"]:
        assert parse_file(path).site != "zhihu", path.name
    # One time line alone is not a dump's rhythm (a blog post says "编辑于" too).
    assert not zhihu.recognise(make_source("编辑于 2021-03-02\n正文", "x.txt", False))


# --- quoted answers ------------------------------------------------------------------------

TRAILER = "作者：{name}\n链接：https://www.zhihu.com/question/1/answer/{n}\n来源：知乎\n著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。\n"


def _quoted(text: str):
    return parse_text("知乎回答摘录\n" + text, "repost.txt")


def test_body_comes_before_the_copy_trailer():
    page = _quoted("第一个回答的正文，讲梯度裁剪。\n" + TRAILER.format(name="甲", n=11)
                   + "第二个回答的正文，讲权重初始化。\n" + TRAILER.format(name="乙", n=22))
    assert [(a.author, a.url.rsplit("/", 1)[-1], a.body) for a in page.answers] == [
        ("甲", "11", "第一个回答的正文，讲梯度裁剪。"), ("乙", "22", "第二个回答的正文，讲权重初始化。")]


def test_stacked_trailers_give_the_merged_body_to_the_first():
    page = _quoted("两段回答被合在了一起，无法拆开。\n" + TRAILER.format(name="甲", n=11) + TRAILER.format(name="乙", n=22))
    assert [(a.author, a.body) for a in page.answers] == [("甲", "两段回答被合在了一起，无法拆开。")]


def test_at_zhihu_is_not_part_of_the_name():
    page = _quoted("正文：标签平滑防止模型过度自信。\n" + TRAILER.format(name="丙@知乎", n=33))
    assert page.answers[0].author == "丙"


def test_answer_labels_before_the_body():
    html = ('<html><head><title>收藏的回答</title></head><body><h1>收藏的回答</h1>'
            '<p><a href="https://www.zhihu.com/question/5/answer/55">知乎|赵六</a></p><p>数据增强研究者</p>'
            '<p>CutMix 比 Mixup 更适合检测任务，因为保留了局部结构。</p>'
            '<p><a href="https://www.zhihu.com/question/5/answer/66">检测任务用什么数据增强？ - 钱七的回答 - 知乎</a></p>'
            '<p>Mosaic 增强对小目标很有效。</p></body></html>')
    page = _page(html)
    assert [(a.author, a.author_bio, a.url.rsplit("/", 1)[-1], a.body) for a in page.answers] == [
        ("赵六", "数据增强研究者", "55", "CutMix 比 Mixup 更适合检测任务，因为保留了局部结构。"),
        ("钱七", None, "66", "Mosaic 增强对小目标很有效。"),
    ]


def test_note_headings_and_highlights_are_not_answer_text():
    page = parse_file(FAMILIES / "zhihu-quoted" / "obsidian_study_note.md")
    bodies = "\n".join(a.body for a in page.answers)
    for note_text in ("二、推理时要注意什么", "我的总结", "推理前检查 eval 模式", "=="):
        assert note_text not in bodies
    assert "缓解了梯度消失" in bodies  # the highlighted words themselves are the answer's


def test_copy_trailer_run_onto_one_line():
    page = _quoted("早停是最便宜的正则化。\n作者：小王，博士生 链接：https://www.zhihu.com/question/1/answer/2 "
                   "来源：知乎 著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。\n")
    assert page.site == "blog"
    assert [(a.author, a.author_bio, a.url, a.body) for a in page.answers] == [
        ("小王", "博士生", "https://www.zhihu.com/question/1/answer/2", "早停是最便宜的正则化。")]


def test_a_cited_answer_in_the_references_does_not_attribute_the_article():
    article = ("自己写的一篇关于学习率调度的长文，讲 cosine、step 和 one-cycle 三种策略的差别与选择。\n"
               "参考：学习率怎么调？ - 张三的回答 - 知乎 https://www.zhihu.com/question/1/answer/2\n")
    [answer] = parse_text("学习率调度小结\n" + article, "post.txt").answers
    assert answer.author != "张三" and answer.body.startswith("自己写的一篇")


def test_trailer_on_top_goes_with_the_text_after_it():
    page = _quoted(TRAILER.format(name="小王", n=2) + "早停是最便宜的正则化，验证集 loss 不降就停。\n还可以存下最好的那一轮。\n")
    assert [(a.author, a.body) for a in page.answers] == [
        ("小王", "早停是最便宜的正则化，验证集 loss 不降就停。\n还可以存下最好的那一轮。")]


def test_initial_data_finds_an_answer_drawn_without_its_link():
    html = re.sub(r'<meta itemProp="url" content="https://www.zhihu.com/question/398765432/answer/\d+"/>|'
                  r'<a target="_blank" href="/question/398765432/answer/\d+">|name="\d+"|&quot;itemId&quot;:\d+,',
                  "", _html(MODERN))
    page = _page(html)
    assert [a.author for a in page.answers] == ["陈默", "Kevin Wu", "林小北"]  # no duplicates
    assert page.answers[1].url == "https://www.zhihu.com/question/398765432/answer/1800000002"
    assert page.answers[1].body.endswith("每个时间步可以单独归一化。")


def test_a_zhihu_page_of_no_known_shape_still_gives_its_text():
    html = ('<html><head><link rel="canonical" href="https://www.zhihu.com/pin/1234567890"><title>想法 - 知乎</title>'
            '</head><body><div class="PinItem"><p>今天把 Transformer 从头手写了一遍，注意力的 mask 最容易写错。</p>'
            '</div></body></html>')
    page = _page(html)
    assert page.site == "zhihu"
    assert [a.body for a in page.answers] == ["今天把 Transformer 从头手写了一遍，注意力的 mask 最容易写错。"]


def test_copy_trailer_after_a_short_body_inside_numbered_sections():
    page = _quoted("回答一：\n谢邀，先跑通再调参。\n" + TRAILER.format(name="甲", n=11)
                   + "回答二：\n学习率最重要，先扫一遍学习率。\n" + TRAILER.format(name="乙", n=22))
    assert [(a.author, a.body) for a in page.answers] == [
        ("甲", "谢邀，先跑通再调参。"), ("乙", "学习率最重要，先扫一遍学习率。")]


def test_clip_numbering_its_answers_splits_at_each_header():
    clip = ('---\ntitle: "为什么 ReLU 比 sigmoid 好？ - 知乎"\nsource: "https://www.zhihu.com/question/29021768"\n---\n'
            "## 回答 1\n\n**张三**\n\n机器学习工程师\n\n1,024 人赞同了该回答\n\nsigmoid 两端饱和，梯度接近 0。\n\n"
            "[编辑于 2021-03-02 18:11](https://www.zhihu.com/question/29021768/answer/111)\n\n赞同 1024\n\n"
            "## 回答 2\n\n**李四**\n\n博士在读\n\n88 人赞同了该回答\n\n计算也更便宜，只是一个 max。\n\n"
            "[发布于 2022-01-01 09:00](https://www.zhihu.com/question/29021768/answer/222)\n")
    page = parse_text(clip, "clip.md")
    assert page.title == "为什么 ReLU 比 sigmoid 好？"
    assert [(a.author, a.author_bio, a.url.rsplit("/", 1)[-1], a.body) for a in page.answers] == [
        ("张三", "机器学习工程师", "111", "sigmoid 两端饱和，梯度接近 0。"),
        ("李四", "博士在读", "222", "计算也更便宜，只是一个 max。")]


def test_2013_author_wrap_is_read_like_the_later_author_info():
    html = re.sub(r'<div class="zm-item-answer-author-info">(.*?)</div>\n<div class="zm-item-vote-info',
                  r'<h3 class="zm-item-answer-author-wrap">\1</h3>\n<div class="zm-item-vote-info',
                  _html(FAMILIES / "zhihu-old" / "question_2015.html"), flags=re.S)
    assert "zm-item-answer-author-wrap" in html and "zm-item-answer-author-info" not in html
    assert [(a.author, a.author_bio) for a in _page(html).answers][0] == ("刘星", "机器学习研究员，偶尔写写代码")
