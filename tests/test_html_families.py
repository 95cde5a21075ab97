"""Saved HTML of the WeChat-repost and blog families parses like its select-all text copy.

The text rules (python88, blog) run on `blocks.html_to_text`, so an HTML page and the text a
browser copies from it must give the same title and answers. The one expected difference:
a link that is only an anchor's href (`作者:<a href=answer>Name</a>`) survives in HTML but
not in a text copy, so HTML may know an answer's own URL where the text knows only the
question's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dlqa.extract import parse_file
from dlqa.model import Page
from tests.helpers import CHROME_MARKERS, FIXTURES

PAIRS = [
    (FIXTURES / "html" / "python88_topic.html", FIXTURES / "python88_topic.txt"),
    (FIXTURES / "html" / "blog_repost.html", FIXTURES / "blog_repost.txt"),
]


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize(("html", "text"), PAIRS, ids=lambda p: p.name)
def test_html_and_text_copy_give_the_same_answers(html: Path, text: Path):
    from_html, from_text = parse_file(html), parse_file(text)
    assert from_html.site == from_text.site
    assert from_html.title == from_text.title
    assert from_html.question_url == from_text.question_url
    assert len(from_html.answers) == len(from_text.answers) == 3
    for a, b in zip(from_html.answers, from_text.answers, strict=True):
        assert (a.author, a.author_bio) == (b.author, b.author_bio)
        assert squash(a.body) == squash(b.body)


def test_python88_href_only_link_gives_html_the_answer_url():
    from_html = parse_file(PAIRS[0][0])
    from_text = parse_file(PAIRS[0][1])
    question = "https://www.zhihu.com/question/338066667"
    assert from_html.page_url == from_text.page_url == "http://www.python88.com/topic/163052"
    assert [a.url for a in from_html.answers] == [
        f"{question}/answer/770001111", f"{question}/answer/771002222", f"{question}/answer/772003333",
    ]
    # Visible links agree; the href-only one falls back to the question in the text copy.
    assert [a.url for a in from_text.answers] == [
        f"{question}/answer/770001111", question, f"{question}/answer/772003333",
    ]


def test_blog_profile_link_on_author_line_is_not_an_answer_url():
    page = parse_file(PAIRS[1][0])
    assert all(a.url == "https://www.zhihu.com/question/296532114" for a in page.answers)


@pytest.mark.parametrize(("html", "_text"), PAIRS, ids=lambda p: p.name)
def test_no_chrome_in_html_bodies(html: Path, _text: Path):
    for answer in parse_file(html).answers:
        for marker in CHROME_MARKERS + ("https://www.csdn.net", "Python88.com", "社区统计"):
            assert marker not in answer.body, (answer.author, marker)


def _answers(page: Page) -> list[tuple[str | None, str | None, str]]:
    return [(a.author, a.url, a.body) for a in page.answers]


@pytest.mark.parametrize("fixture", ["blog_repost.html", "python88_topic.html", "zhihu_question.html"])
@pytest.mark.parametrize("encoding", ["gbk", "big5"])
@pytest.mark.parametrize("declared", [True, False], ids=["meta-charset", "no-meta"])
def test_legacy_encodings_decode_to_the_same_parse(tmp_path: Path, fixture: str, encoding: str, declared: bool):
    source = FIXTURES / "html" / fixture
    html = source.read_text(encoding="utf-8")
    html = re.sub(r'<meta charSet="utf-8"/>|<meta charset="utf-8">', f'<meta charset="{encoding}">' if declared else "", html)
    # Characters the legacy encoding lacks become character references, as browsers save them.
    path = tmp_path / fixture
    path.write_bytes(html.encode(encoding, errors="xmlcharrefreplace"))
    expected, got = parse_file(source), parse_file(path)
    assert got.title == expected.title
    assert _answers(got) == _answers(expected)
