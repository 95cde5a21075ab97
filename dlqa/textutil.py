"""Small text helpers shared by the site and layout rules.

Page text is kept as data: control characters and bidi overrides stay in a `Page` (JSON
escapes them, `render_human.safe` neutralises them for the terminal). Only what cannot be
text at all is changed here: zero-width characters go, lone surrogates (not encodable as
UTF-8) become U+FFFD, and every run of whitespace within a line becomes one space.
"""

from __future__ import annotations

import re
import unicodedata

#: Characters that carry no text: zero-width spaces/joiners, BOM, soft hyphen; and lone
#: surrogates, which a library caller may hand over and which no UTF-8 output can hold.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\ud800-\udfff]")
#: Any run of whitespace within a line (every Unicode space, not just ASCII): a single
#: space. Long runs of exotic spaces would otherwise make some site regexes backtrack.
_SPACES = re.compile(r"[^\S\n]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")

#: Colons and commas as pages write them: ASCII or fullwidth.
COLON = "[:：]"
COMMA = "[,，]"
URL = r"https?://[^\s<>\"'\]\[（）()【】，。；]+"
#: A Zhihu question link, with or without its scheme; group "q" is the question number.
ZHIHU_QUESTION_URL = re.compile(r"(?:https?:)?//(?:www\.)?zhihu\.com/question/(?P<q>\d+)")
#: The path of a Zhihu answer link: question number, answer number.
ZHIHU_ANSWER_PATH = re.compile(r"/question/(?P<q>\d+)/answer/(?P<a>\d+)")
#: A Zhihu column article link (zhuanlan.zhihu.com/p/N), with or without its scheme.
ZHIHU_ARTICLE_URL = re.compile(r"(?:https?:)?//zhuanlan\.zhihu\.com/p/(?P<p>\d+)")


def clean_line(line: str) -> str:
    """One line with invisible characters removed and runs of spaces folded."""
    return _SPACES.sub(" ", _INVISIBLE.sub(_invisible_replacement, line)).strip()


def _invisible_replacement(match: re.Match[str]) -> str:
    """Nothing for an invisible character; U+FFFD for a lone surrogate, which marks damage."""
    return "\ufffd" if "\ud800" <= match.group() <= "\udfff" else ""


def clean_body(text: str) -> str:
    """An answer body: lines cleaned, no leading/trailing blank lines, at most one blank line."""
    lines = [clean_line(line) for line in text.split("\n")]
    body = "\n".join(lines).strip("\n")
    return _MANY_BLANK_LINES.sub("\n\n", body)


def fold(text: str) -> str:
    """Compatibility-fold (fullwidth → ASCII) and lowercase, for comparing and matching."""
    return unicodedata.normalize("NFKC", text).lower()


def paragraphs(lines: list[str]) -> list[list[str]]:
    """Group lines into paragraphs separated by blank lines."""
    groups: list[list[str]] = []
    current: list[str] = []
    for line in lines:
        if line.strip():
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    if current:
        groups.append(current)
    return groups
