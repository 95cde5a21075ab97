"""Compilation layouts on made-up pages: the rules are about layout, not about the seeds."""

from __future__ import annotations

from dlqa.extract import parse_text
from dlqa.layouts import parse_attribution, split_answers

A1 = "https://www.zhihu.com/question/111/answer/222"
A2 = "https://www.zhihu.com/question/111/answer/333"


def test_fullwidth_header_layout_with_link_on_next_line():
    text = f"""如何理解注意力机制？

作者：张三
{A1}

注意力机制本质上是加权求和。权重来自查询和键的相似度。

作者：李四，某厂算法工程师
来源链接：{A2}

从信息检索的角度看，注意力就是软寻址。
"""
    layout = split_answers(text.split("\n")[1:])
    assert layout is not None
    assert [(a.author, a.author_bio, a.url) for a in layout.answers] == [
        ("张三", None, A1),
        ("李四", "某厂算法工程师", A2),
    ]
    assert layout.answers[1].body == "从信息检索的角度看，注意力就是软寻址。"


def test_zhihu_copy_trailer_after_each_body():
    text = f"""为什么Transformer需要位置编码？
自注意力对输入顺序不敏感，所以需要位置编码来注入顺序信息，这是很多人第一次读论文时忽略的细节。
作者：王五
链接：{A1}
来源：知乎
著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。
另一个角度：卷积和循环结构天然带有位置信息，而纯注意力结构没有，因此必须显式加入。
作者：赵六
链接：{A2}
来源：知乎
著作权归作者所有。商业转载请联系作者获得授权，非商业转载请注明出处。
"""
    page = parse_text(text)
    assert [(a.author, a.url) for a in page.answers] == [("王五", A1), ("赵六", A2)]
    assert page.answers[1].body.startswith("另一个角度")
    assert all("著作权" not in a.body and "来源" not in a.body for a in page.answers)
    assert page.question_url == "https://www.zhihu.com/question/111"


def test_reference_list_is_not_assigned_when_counts_disagree():
    text = """01
作者：甲
第一个回答的正文，讲的是批归一化。
02
作者：乙
第二个回答的正文，讲的是残差连接。
原文链接：
【1】https://www.zhihu.com/question/9/answer/1
"""
    layout = split_answers(text.split("\n"))
    assert layout is not None and [a.author for a in layout.answers] == ["甲", "乙"]
    assert [a.url for a in layout.answers] == [None, None]
    assert layout.references == ["https://www.zhihu.com/question/9/answer/1"]
    assert "原文链接" not in layout.answers[1].body


def test_author_line_variants():
    lines = ["答主： @某某 ，深度学习爱好者 https://www.zhihu.com/question/1/answer/2"]
    attribution = parse_attribution(lines, 0)
    assert (attribution.author, attribution.bio, attribution.url) == (
        "某某",
        "深度学习爱好者",
        "https://www.zhihu.com/question/1/answer/2",
    )


def test_page_without_layout_is_one_answer():
    text = "一篇普通的博客\n\n今天聊聊梯度下降。\n\n学习率太大容易发散。\n"
    page = parse_text(text)
    assert page.site == "web" and page.title == "一篇普通的博客"
    assert len(page.answers) == 1 and page.answers[0].author is None
    assert page.answers[0].body == "今天聊聊梯度下降。\n\n学习率太大容易发散。"


def test_wechat_chrome_is_stripped_on_unknown_sites():
    text = """一篇转载文章
点击上方“某公众号”，选择加"星标"或“置顶”
重磅干货，第一时间送达
作者：甲
https://www.zhihu.com/question/5/answer/6
正文说的是知识蒸馏。
作者：乙
https://www.zhihu.com/question/5/answer/7
正文说的是模型剪枝。
推荐阅读
某篇广告文章
"""
    page = parse_text(text)
    assert [a.body for a in page.answers] == ["正文说的是知识蒸馏。", "正文说的是模型剪枝。"]


def test_empty_and_chrome_only_pages():
    assert parse_text("").answers == []
    chrome_only = "社区所有版块导航\nPy学习 » 机器学习算法\n\n标题\n\n点击上方“号”，选择加\"星标\"\n本文地址：http://www.python88.com/topic/1\n"
    page = parse_text(chrome_only)
    assert all("星标" not in a.body and "本文地址" not in a.body for a in page.answers)


def test_decorated_headings_and_numbered_author_lines():
    text = """▌回答一
1. 作者：甲
https://www.zhihu.com/question/8/answer/1
批归一化让训练更稳定。
▌回答二
**作者：乙**
https://www.zhihu.com/question/8/answer/2
残差连接缓解了梯度消失。
"""
    layout = split_answers(text.split("\n"))
    assert layout is not None
    assert [(a.author, a.url[-1]) for a in layout.answers] == [("甲", "1"), ("乙", "2")]


def test_at_handle_lines_delimit_answers():
    text = """导读
这是一篇关于炼丹的合集。
@张三：
调参靠的是经验和耐心，先调学习率。
@李四：
数据比模型更重要，清洗数据是第一步。
"""
    page = parse_text("标题\n" + text)
    assert [a.author for a in page.answers] == ["张三", "李四"]
    assert page.description == "这是一篇关于炼丹的合集。"


def test_single_article_takes_its_author_from_the_header():
    text = """一篇独立文章
作者丨张三(已授权)
来源丨某公众号
编辑丨某编辑
今天我们聊聊学习率预热为什么有效。它让训练初期更稳定。
"""
    page = parse_text(text)
    assert len(page.answers) == 1
    assert page.answers[0].author == "张三"
    assert page.answers[0].body == "今天我们聊聊学习率预热为什么有效。它让训练初期更稳定。"
    assert page.meta["editor"] == "某编辑"
