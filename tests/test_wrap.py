"""`dlqa.wrap`: mixed Chinese/English text wrapped by display cells, Latin words kept whole."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from dlqa.wrap import NO_LINE_START, text_width, wrap


def test_chinese_breaks_anywhere_and_counts_two_cells():
    lines = wrap("深度学习" * 10, 20)
    assert lines == ["深度学习深度学习深度", "学习深度学习深度学习"] * 2
    assert all(text_width(line) == 20 for line in lines)


def test_latin_words_are_never_cut():
    text = "如果你想学习deep learning，建议先看花书，然后用PyTorch实现一遍。Overfitting is when a model memorises."
    for width in range(12, 60):
        lines = wrap(text, width)
        assert all(text_width(line) <= width for line in lines), (width, lines)
        words = re.findall(r"[A-Za-z]+", text)
        assert re.findall(r"[A-Za-z]+", " ".join(lines)) == words, (width, lines)
        assert "".join("".join(lines).split()) == "".join(text.split())


def test_closing_punctuation_never_starts_a_line():
    text = "这是一个很长的句子，后面还有标点。然后继续写下去，直到换行为止。"
    for width in range(6, 40):
        for line in wrap(text, width)[1:]:
            assert line[:1] not in NO_LINE_START, (width, line)


def test_a_word_wider_than_the_line_is_cut_by_cells():
    url = "https://www.zhihu.com/question/338066667/answer/772003333"
    lines = wrap(f"链接 {url} 在这里", 20)
    assert all(text_width(line) <= 20 for line in lines)
    assert "".join(lines).count(url) == 1 and len(lines) > 3


def test_paragraphs_and_blank_lines_are_kept():
    assert wrap("第一段\n\n第二段", 40) == ["第一段", "", "第二段"]


@given(st.text(alphabet=st.sampled_from(list("深度学习过拟合，。 abcXYZ-.\n")), max_size=200),
       st.integers(min_value=4, max_value=80))
def test_every_line_fits_and_nothing_is_lost(text, width):
    lines = wrap(text, width)
    assert all(text_width(line) <= width for line in lines)
    assert "".join("".join(lines).split()) == "".join(text.split())
