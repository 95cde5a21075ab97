"""V2EX topics: the sample dump against its golden file, head markers, chrome, and saved HTML."""

from __future__ import annotations

import json

import pytest

from dlqa.extract import make_source, parse_file, parse_text
from dlqa.sites import Source, v2ex
from tests.helpers import CORPUS, FIXTURES, GOLDEN, SEEDS

SAMPLE = CORPUS / "003_6d93edac9a05b0ae.txt"
HTML = FIXTURES / "html" / "v2ex_thread.html"
FOOTER_MARKERS = ("帮助文档", "人在线", "VERSION", "Do have faith", "创意工作者们的社区",
                  "World is powered by", "现在注册", "登录 后", "次点击", "条回复")


def test_sample_equals_golden():
    expected = json.loads((GOLDEN / "003_6d93edac9a05b0ae.json").read_text(encoding="utf-8"))
    data = parse_file(SAMPLE).to_dict()
    data["source_file"] = "corpus/003_6d93edac9a05b0ae.txt"
    assert data == expected


def test_sample_structure():
    page = parse_file(SAMPLE)
    assert page.site == "v2ex" and page.question_url is None and page.page_url is None
    assert page.meta["views"] == 5497 and page.meta["replies"] == 52
    opening, replies = page.answers[0], page.answers[1:]
    assert opening.floor is None and opening.author == page.meta["author"]
    assert [a.floor for a in replies] == list(range(1, 53))
    assert all(a.author and a.posted_at and a.posted_at.endswith("+08:00") for a in replies)
    op_floors = [a.floor for a in replies if a.meta.get("op")]
    assert op_floors and all(replies[f - 1].author == opening.author for f in op_floors)
    assert {a.meta.get("via") for a in replies} == {None, "Android", "iPhone"}
    assert sum(1 for a in replies if a.meta.get("thanks") == 1) == 4
    assert replies[-1].body == ""  # the footer follows the last reply directly


def test_head_markers_and_footer_never_reach_a_body():
    for answer in parse_file(SAMPLE).answers:
        lines = answer.body.split("\n")
        assert "OP" not in lines
        assert not any(line.startswith("20") and "+08:00" in line for line in lines)
        assert not any("via Android" in line or "via iPhone" in line or "❤️" in line for line in lines)
        for marker in FOOTER_MARKERS:
            assert marker not in answer.body, (answer.floor, marker)


def dump(meta_sep: str = "·", bullet: str = "•", space: str = " ", indent: str = "    ",
         colon: str = ":", digits: str = "12") -> str:
    """A small V2EX text dump in one of the spellings browsers and dump tools produce."""
    s, i = space, indent
    return "\n".join([
        "V2EX = way to explore",
        "V2EX 是一个关于分享和探索的地方",
        "现在注册",
        f"已注册用户请{s}{s}登录",
        f"V2EX{s}›{s}{s}问与答",
        "",
        "显卡只有 8G 显存能训练多大的模型？",
        "",
        f"  {bullet}{s}{s}alice {meta_sep} 2020-05-01 10:00:00 +08:00 {meta_sep} {digits} 次点击",
        f"{i}这是一个创建于 1000 天前的主题，其中的信息可能已经有所发展或是发生改变。",
        "",
        f"{i}想自己微调一个模型{colon}显卡只有 8G。",
        "",
        f"{i}3 条回复{s}{s}{bullet}{s}2020-05-02 08:00:00 +08:00",
        f"{i}bob",
        f"{i}{s}{s}{s}1",
        f"{i}bob{s}{s}",
        f"{i}{s}{s}2020-05-01 10:30:00 +08:00 via iPhone",
        f"{i}用混合精度{colon}再加梯度累积。",
        f"{i}alice",
        f"{i}{s}{s}{s}2",
        f"{i}alice{s}",
        f"{i}OP",
        f"{i}{s}{s}2020-05-01 11:00:00 +08:00{s}{s}{s}❤️ 2",
        f"{i}@bob 谢谢{colon}我试试。",
        f"{i}carol_9",
        f"{i}{s}{s}{s}3",
        f"{i}carol_9{s}",
        f"{i}{s}{s}2020-05-02 08:00:00 +08:00",
        f"{i}关于{s}{s}·{s}{s}帮助文档{s}{s}·{s}{s}FAQ{s}{s}·{s}{s}1234 人在线",
        f"{i}VERSION: 3.9.8.5 · 30ms",
        f"{i}♥ Do have faith in what you're doing.",
    ])


@pytest.mark.parametrize("variant", [
    {},
    {"space": "\u00a0", "indent": "\t"},
    {"meta_sep": "•", "bullet": "·"},
    {"colon": "：", "digits": "１２"},
    {"indent": ""},
], ids=["ascii", "nbsp-tabs", "bullets-swapped", "fullwidth", "flush-left"])
def test_spelling_variants_give_the_same_parse(variant):
    page = parse_text(dump(**variant), source_file="v.txt")
    assert page.site == "v2ex"
    assert page.title == "显卡只有 8G 显存能训练多大的模型？"
    assert page.meta["views"] == 12 and page.meta["replies"] == 3
    assert [(a.author, a.floor, a.meta) for a in page.answers] == [
        ("alice", None, {}),
        ("bob", 1, {"via": "iPhone"}),
        ("alice", 2, {"op": True, "thanks": 2}),
        ("carol_9", 3, {}),
    ]
    assert page.answers[1].posted_at == "2020-05-01 10:30:00 +08:00"
    colon = variant.get("colon", ":")
    assert page.answers[0].body == f"想自己微调一个模型{colon}显卡只有 8G。"
    assert page.answers[2].body == f"@bob 谢谢{colon}我试试。"
    assert page.answers[3].body == ""


def test_reply_urls_only_when_the_page_url_is_known():
    text = dump()
    assert all(a.url is None for a in parse_text(text).answers)
    source = Source(path="v.txt", text=text, url="https://www.v2ex.com/t/42?p=1#reply3")
    page = v2ex.extract(source)
    assert page.page_url == "https://www.v2ex.com/t/42"
    assert [a.url for a in page.answers] == [
        "https://www.v2ex.com/t/42", "https://www.v2ex.com/t/42#reply1",
        "https://www.v2ex.com/t/42#reply2", "https://www.v2ex.com/t/42#reply3",
    ]


def test_other_seeds_are_not_v2ex():
    for seed in SEEDS:
        if seed != SAMPLE:
            assert parse_file(seed).site != "v2ex", seed.name


def test_a_page_that_merely_mentions_v2ex_is_not_claimed():
    text = "我在 V2EX 上看到一个帖子\n\n作者 · 2020-01-01 10:00 · 3 次点击\n正文"
    assert not v2ex.recognise(Source(path="x.txt", text=text))


def test_saved_html_thread():
    page = parse_file(HTML)
    assert page.site == "v2ex"
    assert page.title == "小数据集上训练 ResNet 总是过拟合，大家怎么处理？"
    assert page.page_url == "https://www.v2ex.com/t/901234"
    assert page.meta == {"author": "kelvinwu", "posted_at": "2021-03-08 10:15:42 +08:00",
                         "views": 1288, "replies": 5, "last_reply_at": "2021-03-09 08:02:11 +08:00"}
    opening = page.answers[0]
    assert (opening.author, opening.floor, opening.url) == ("kelvinwu", None, page.page_url)
    assert "dropout 调到 0.5" in opening.body.split("\n")
    assert "https://www.zhihu.com/question/11112222" in opening.body
    assert [(a.floor, a.author, a.meta) for a in page.answers[1:]] == [
        (1, "lin_qiu", {}),
        (2, "mochi", {"via": "iPhone"}),
        (3, "kelvinwu", {"op": True}),
        (4, "xu2077", {"thanks": 2}),
        (5, "pandaemon", {"via": "Android"}),
    ]
    assert page.answers[1].url == "https://www.v2ex.com/t/901234#r_10400001"
    assert page.answers[2].posted_at == "2021-03-08 11:02:55 +08:00"
    assert page.answers[5].body == ""  # an image-only reply is still an answer
    assert len({a.id for a in page.answers}) == len(page.answers)
    for answer in page.answers:
        for marker in FOOTER_MARKERS + ("加入收藏", "忽略主题", "way to explore", "OP\n"):
            assert marker not in answer.body


def test_html_markup_and_its_block_text_agree():
    """The DOM rules and the text rules read the same saved page the same way."""
    source = make_source(HTML.read_text(encoding="utf-8"), str(HTML), is_html=True)
    from_markup = v2ex.extract(source)
    from_text = v2ex._extract_text(source)
    assert from_text.title == from_markup.title and from_text.meta == from_markup.meta
    assert [(a.author, a.floor, a.posted_at, a.meta) for a in from_text.answers] == [
        (a.author, a.floor, a.posted_at, a.meta) for a in from_markup.answers
    ]
    assert [a.body.strip() for a in from_text.answers] == [a.body for a in from_markup.answers]
