"""Pure functions that shape results for the templates: links, highlighted snippets, readable
bodies, paging. They return plain text pieces; the templates escape every piece (autoescape),
so nothing here ever builds HTML from page text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

#: A URL inside answer text: http(s) only, up to whitespace or a CJK/closing punctuation mark.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'\u3000-\u303f\uff01-\uff5e\u4e00-\u9fff]+", re.IGNORECASE)
_TRAILING_PUNCT = ".,;:!?)]}"
_BULLET = re.compile(r"^\s*(?:[-*•·●▪◦]|[·•])\s+")
_NUMBERED = re.compile(r"^\s*(\d{1,3})[.)、．]\s*")
ANSWER_ID = re.compile(r"[0-9a-f]{16}")


def safe_link(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL with a host, else None (shown as text, not a link).

    `javascript:`, `data:`, `vbscript:`, relative and protocol-relative targets never become
    an `href`.
    """
    if not isinstance(url, str):
        return None
    url = url.strip()
    if any(char.isspace() or ord(char) < 0x20 for char in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def is_answer_id(text: str) -> bool:
    """A dlqa answer id: exactly 16 lowercase hex digits (no path, no prefix)."""
    return ANSWER_ID.fullmatch(text) is not None


def highlighted_parts(text: str, spans: list[tuple[int, int]] | list[list[int]]) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is_match) at the snippet's match spans (overlaps and bad spans skipped)."""
    parts: list[tuple[str, bool]] = []
    cursor = 0
    for start, end in sorted((int(a), int(b)) for a, b in spans):
        if start < cursor or end <= start or end > len(text):
            continue
        if start > cursor:
            parts.append((text[cursor:start], False))
        parts.append((text[start:end], True))
        cursor = end
    if cursor < len(text):
        parts.append((text[cursor:], False))
    return parts


def linked_parts(line: str) -> list[tuple[str, str | None]]:
    """`line` cut into (text, href): http(s) URLs in the text become links, the rest plain text."""
    parts: list[tuple[str, str | None]] = []
    cursor = 0
    for match in _URL_IN_TEXT.finditer(line):
        url = match.group().rstrip(_TRAILING_PUNCT)
        start, end = match.start(), match.start() + len(url)
        if start > cursor:
            parts.append((line[cursor:start], None))
        parts.append((url, safe_link(url)))
        cursor = end
    if cursor < len(line):
        parts.append((line[cursor:], None))
    return parts


@dataclass
class Block:
    """One block of an answer body: a paragraph ("p") or a list ("ul"/"ol") of items."""

    kind: str
    #: For "p": one item (the paragraph's lines joined by line breaks); for lists: one per item.
    items: list[list[list[tuple[str, str | None]]]]
    #: For "ol": the number written before each item.
    numbers: list[int] | None = None


def body_blocks(body: str) -> list[Block]:
    """An answer body as paragraphs and lists, as the page wrote them.

    Blank lines separate paragraphs; consecutive lines starting with a bullet (- * • ·) form a
    list, consecutive "1." / "2、" lines a numbered list; other lines keep their line breaks.
    """
    blocks: list[Block] = []
    paragraph: list[list[tuple[str, str | None]]] = []

    def end_paragraph() -> None:
        if paragraph:
            blocks.append(Block("p", [list(paragraph)]))
            paragraph.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            end_paragraph()
            continue
        bullet = _BULLET.match(line)
        numbered = None if bullet else _NUMBERED.match(line)
        if bullet or numbered:
            end_paragraph()
            kind = "ul" if bullet else "ol"
            match = bullet or numbered
            assert match is not None
            item = [linked_parts(line[match.end():])]
            if blocks and blocks[-1].kind == kind:
                blocks[-1].items.append(item)
            else:
                blocks.append(Block(kind, [item], [] if kind == "ol" else None))
            if numbered:
                numbers = blocks[-1].numbers
                assert numbers is not None
                numbers.append(int(numbered.group(1)))
            continue
        paragraph.append(linked_parts(line))
    end_paragraph()
    return blocks


@dataclass
class Paging:
    """Where a page of results sits: shown range, previous/next page numbers, nearby pages."""

    page: int
    pages: int
    first: int
    last: int
    previous: int | None
    next: int | None
    nearby: list[int]


def paging(total: int, page: int, limit: int, shown: int, width: int = 2) -> Paging:
    """The pager for result page `page` of `total` answers, `limit` per page, `shown` on it."""
    pages = max(1, (total + limit - 1) // limit)
    first = (page - 1) * limit + 1 if shown else 0
    return Paging(
        page=page, pages=pages, first=first, last=first + shown - 1 if shown else 0,
        previous=page - 1 if 1 < page <= pages + 1 else None,
        next=page + 1 if page < pages else None,
        nearby=list(range(max(1, page - width), min(pages, page + width) + 1)),
    )


def query_string(params: dict[str, object], **changes: object) -> str:
    """`params` with `changes`, as a URL query string; empty and default values left out."""
    merged = {**params, **changes}
    return urlencode([(key, str(value)) for key, value in merged.items()
                      if value not in (None, "", False) and not (key == "page" and value == 1)])
