"""Wrapping mixed Chinese and English text to a terminal width, by display cells.

Chinese characters take two cells and may break anywhere; a Latin word (any run without
spaces or wide characters: `PyTorch`, `learning,`, a URL) stays whole unless it is wider than
the line itself. Closing punctuation (，。）…) never starts a line: the character before it
moves down with it. Paragraphs and blank lines are kept; indentation is not.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator

#: Punctuation that must not start a line (Chinese line-breaking rules, simplified).
NO_LINE_START = frozenset("，。、；：？！）》」』】〉〕…—,.;:?!)]}%’”")
_TOKEN = re.compile(r"\s+|[^\s]")


def char_width(char: str) -> int:
    """Terminal cells of one character: 2 for wide (CJK), 0 for combining marks, else 1."""
    if unicodedata.combining(char) or char in "\u200b\u200c\u200d\ufeff":
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def text_width(text: str) -> int:
    return sum(char_width(char) for char in text)


def wrap(text: str, width: int) -> list[str]:
    """`text` as lines of at most `width` cells (a lone character wider than that excepted)."""
    width = max(width, 2)
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(_wrap_paragraph(paragraph.rstrip(), width) if paragraph.strip() else [""])
    return lines


def _tokens(paragraph: str) -> Iterator[str]:
    """Spaces, Latin words and single wide characters, in order."""
    word = []
    for char in paragraph:
        if char.isspace() or char_width(char) == 2:
            if word:
                yield "".join(word)
                word = []
            yield char
        else:
            word.append(char)
    if word:
        yield "".join(word)


def _wrap_paragraph(paragraph: str, width: int) -> list[str]:
    lines: list[str] = []
    line: list[str] = []
    used = 0
    for token in _tokens(paragraph.strip()):
        size = text_width(token)
        if token.isspace():
            if line and used + size < width:
                line.append(token)
                used += size
            continue
        if used + size <= width:
            line.append(token)
            used += size
            continue
        if (len(line) > 1 and token[0] in NO_LINE_START and len(line[-1]) == 1 and not line[-1].isspace()
                and text_width(line[-1]) + size <= width):
            carried = line.pop()  # take the character before the punctuation down with it
            lines.append("".join(line).rstrip())
            line, used = [carried, token], text_width(carried) + size
            continue
        if line:
            lines.append("".join(line).rstrip())
            line, used = [], 0
        while size > width:  # a word wider than the line: cut it by cells
            head, token = _cut(token, width)
            lines.append(head)
            size = text_width(token)
        if token:
            line, used = [token], size
    if line:
        lines.append("".join(line).rstrip())
    return lines or [""]


def _cut(word: str, width: int) -> tuple[str, str]:
    """The longest head of `word` that fits `width` cells (at least one character), and the rest."""
    used = 0
    for index, char in enumerate(word):
        used += char_width(char)
        if used > width:
            return word[: max(index, 1)], word[max(index, 1):]
    return word, ""
