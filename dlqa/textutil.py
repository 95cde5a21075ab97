"""Small text helpers shared by the site and layout rules."""

from __future__ import annotations

import re
import unicodedata

#: Characters that carry no text: zero-width spaces/joiners, BOM, soft hyphen.
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009]+")
_MANY_BLANK_LINES = re.compile(r"\n{3,}")

#: Colons and commas as pages write them: ASCII or fullwidth.
COLON = "[:：]"
COMMA = "[,，]"
URL = r"https?://[^\s<>\"'\]\[（）()【】，。；]+"


def clean_line(line: str) -> str:
    """One line with invisible characters removed and runs of spaces folded."""
    return _SPACES.sub(" ", _INVISIBLE.sub("", line)).strip()


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
