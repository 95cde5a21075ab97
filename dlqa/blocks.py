"""Stage 2 (HTML only): turn a saved HTML page into block text that the text rules can read.

Saved pages are whatever the browser wrote: cut off mid-tag, nested absurdly deep, full of
scripts. The text produced here imitates what a reader sees when copying the page: block
elements become line breaks, paragraphs and headings are separated by a blank line, inline
text stays on one line, and every absolute link target is written after its anchor text
(`作者:X https://www.zhihu.com/...`), so the same text rules work on dumps and on HTML.

Everything that walks the tree is iterative: a page nested 10,000 levels deep must neither
hit Python's recursion limit nor lose the text below libxml2's depth limit.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import lxml.html

from dlqa.textutil import clean_line

#: Elements whose content is never visible text.
_DROPPED = frozenset({
    "head", "script", "style", "noscript", "template", "iframe", "object", "embed",
    "svg", "math", "canvas", "select", "textarea", "input",
})
#: Blocks that a browser separates from their neighbours by a blank line when copying.
_PARAGRAPHS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "figure"})
#: Blocks that start and end a line.
_BLOCKS = frozenset({
    "address", "article", "aside", "body", "caption", "center", "dd", "details", "dialog",
    "dir", "div", "dl", "dt", "fieldset", "figcaption", "footer", "form", "header", "hgroup",
    "hr", "html", "legend", "li", "main", "menu", "nav", "ol", "section", "summary", "table",
    "tbody", "tfoot", "thead", "tr", "ul", "option", "optgroup", "frameset", "noframes",
}) | _PARAGRAPHS
#: Table cells: kept on their row's line, separated by a space.
_CELLS = frozenset({"td", "th"})
_VOID = frozenset({
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta",
    "param", "source", "track", "wbr",
})
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext"})

#: HTML's collapsible whitespace, plus NBSP (a copy turns it into a plain space).
_HTML_SPACE = re.compile(r"[ \t\n\r\f\u00a0]+")
_LINE_SPACE = re.compile(r"[ \t\u00a0]+")
#: Whitespace at the start or end of a line (what `str.strip` removes from each line).
_LINE_EDGE = re.compile(r"[^\S\n]*\n[^\S\n]*")
_MANY_BLANK = re.compile(r"\n{3,}")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TAG_HEAD = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)")
_TAG_END = re.compile(r"[>\"']")

#: The longest <title> or og:title kept: a real one is a line, not a chapter.
MAX_META_CHARS = 1000
#: Nesting kept when a page is deeper than libxml2 accepts; below it, tags are flattened.
MAX_DEPTH = 400
_BR = "\x02"  # a <br>: a line break that is always kept
_PRE_MARK = "\x01"  # brackets preformatted text, whose newlines are kept
#: The markers, and NUL (which libxml2 would take for the end of the page).
_MARKERS = re.compile("[\x00\x01\x02]")


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(
        encoding="utf-8", huge_tree=True, remove_comments=True, remove_pis=True,
        no_network=True, recover=True,
    )


def parse_html(text: str) -> Any:
    """Parse `text` into an lxml tree; never raises for malformed, empty or deep input."""
    # The marker characters are removed from the input so page text can never forge them.
    text = _XML_DECLARATION.sub("", _MARKERS.sub("", text or ""), count=1)
    if not text.strip():
        text = "<html><body></body></html>"
    # Bytes plus an explicit encoding: the text is already decoded, so a <meta charset>
    # inside it must not make libxml2 decode it a second time.
    data = text.encode("utf-8", errors="replace")
    parser = _parser()
    try:
        tree = lxml.html.document_fromstring(data, parser=parser)
    except (lxml.etree.ParserError, ValueError):
        return lxml.html.document_fromstring(b"<html><body></body></html>", parser=_parser())
    if any("depth" in entry.message.lower() for entry in parser.error_log):
        # libxml2 stops at its depth limit and drops the rest of the page: flatten and retry.
        flat = limit_depth(text).encode("utf-8", errors="replace")
        tree = lxml.html.document_fromstring(flat, parser=_parser())
    return tree


def limit_depth(html: str, max_depth: int = MAX_DEPTH) -> str:
    """`html` with the tags nested deeper than `max_depth` removed (blocks become <br>).

    A linear scan over the tags, simulating the open-element stack; the text is kept.
    """
    out: list[str] = []
    stack: list[tuple[str, bool]] = []  # (tag name, dropped?)
    open_count: dict[str, int] = {}  # how often each name is on the stack: O(1) "is it open?"
    position = 0
    for start, end, closing, name, self_closing in _tags(html):
        if start < position:
            continue  # inside a raw-text element skipped below
        out.append(html[position:start])
        position = end
        tag = html[start:end]
        replacement = "<br>" if name in _BLOCKS else " " if name in _CELLS else ""
        if closing:
            if open_count.get(name):
                while stack:
                    open_name, dropped = stack.pop()
                    open_count[open_name] -= 1
                    if open_name == name:
                        out.append(replacement if dropped else tag)
                        break
            continue
        if name in _RAW_TEXT:
            raw_end = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, end)
            stop = raw_end.end() if raw_end else len(html)
            out.append(html[start:stop] if len(stack) < max_depth else "")
            position = stop
            continue
        if name in _VOID or self_closing:
            out.append(tag)
            continue
        dropped = len(stack) >= max_depth
        stack.append((name, dropped))
        open_count[name] = open_count.get(name, 0) + 1
        out.append(replacement if dropped else tag)
    out.append(html[position:])
    return "".join(out)


def _tags(html: str) -> Iterator[tuple[int, int, bool, str, bool]]:
    """Every tag of `html` as `(start, end, closing, lowercase name, self-closing)`.

    Scanned by hand rather than with one regex: a regex retried at every `<` of a page whose
    last tag is never closed rescans to the end each time, which is quadratic (minutes for a
    few MB). Here every character is looked at a bounded number of times.
    """
    position = 0
    while True:
        start = html.find("<", position)
        if start < 0:
            return
        head = _TAG_HEAD.match(html, start)
        if head is None:
            position = start + 1
            continue
        cursor = head.end()
        while True:  # to the `>` that ends the tag, skipping quoted attribute values
            match = _TAG_END.search(html, cursor)
            if match is None:
                return  # the page stops inside this tag: the rest is not a tag
            if match.group() == ">":
                break
            close = html.find(match.group(), match.end())
            if close < 0:
                return
            cursor = close + 1
        end = match.end()
        yield start, end, bool(head.group(1)), head.group(2).lower(), html[start:end - 1].rstrip().endswith("/")
        position = end


def html_to_text(tree: Any) -> str:
    """The block text of the page body, one block per line (see the module docstring)."""
    root = _body(tree)
    return "" if root is None else element_text(root)


def element_text(root: Any) -> str:
    """The block text of one element and its descendants (site rules use it per answer)."""
    return _lines(_pieces(root))


def _pieces(root: Any) -> Iterator[str | int]:
    """Text, or an int: the number of line breaks required, in document order.

    A generator, not a list: a 50 MB page has a million text nodes, and a list of them all
    would cost more than the text itself.
    """
    pieces: list[str | int] = []  # the few pieces of the current step
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        yield from pieces
        pieces.clear()
        element, leaving = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else ""
        name = tag.lower()
        if leaving:
            _close(element, name, pieces)
            if element.tail and element is not root:
                pieces.append(element.tail)
            continue
        if not name or name in _DROPPED or _hidden(element):
            if element.tail and element is not root:
                pieces.append(element.tail)
            continue
        _open(element, name, pieces)
        stack.append((element, True))
        if name == "pre":
            pieces.append(_PRE_MARK + "".join(_pre_text(element)) + _PRE_MARK)
            continue
        stack.extend((child, False) for child in reversed(element))
    yield from pieces


def _open(element: Any, name: str, pieces: list[str | int]) -> None:
    if name in _PARAGRAPHS:
        pieces.append(2)
    elif name in _BLOCKS:
        pieces.append(1)
    elif name in _CELLS:
        pieces.append(" ")
    if element.text and name != "pre":
        pieces.append(element.text)


def _close(element: Any, name: str, pieces: list[str | int]) -> None:
    if name == "br":
        pieces.append(_BR)
    elif name in _PARAGRAPHS:
        pieces.append(2)
    elif name in _BLOCKS:
        pieces.append(1)
    elif name in _CELLS:
        pieces.append(" ")
    elif name == "img":
        alt = _emoji_alt(element)
        if alt:
            pieces.append(alt)
    elif name == "a":
        target = _link_target(element)
        if target:
            pieces.append(" " + target)


def _pre_text(element: Any) -> list[str]:
    """All text inside a <pre> in document order (iterwalk is iterative), <br> as newlines."""
    parts: list[str] = []
    for event, node in lxml.etree.iterwalk(element, events=("start", "end")):
        tag = node.tag.lower() if isinstance(node.tag, str) else ""
        if event == "start":
            parts.append("\n" if tag == "br" else "")
            if tag not in _DROPPED:
                parts.append(node.text or "")
        elif node is not element:
            parts.append(node.tail or "")
    return parts


def _emoji_alt(image: Any) -> str | None:
    """The alt text of an emoji image (❤️, 😂): it reads as text; other alt texts do not."""
    alt = (image.get("alt") or "").strip()
    if not alt or len(alt) > 8 or any(char.isalnum() for char in alt):
        return None
    return alt if any(unicodedata.category(char) == "So" for char in alt) else None


def _hidden(element: Any) -> bool:
    if element.get("hidden") is not None or element.get("aria-hidden") == "true":
        return True
    style = element.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def _link_target(anchor: Any) -> str | None:
    """The absolute http(s) target of `anchor`, unless it is already its visible text."""
    href = (anchor.get("href") or "").strip()
    if href.startswith("//"):
        href = "https:" + href
    if not re.match(r"https?://[^\s/]", href, re.IGNORECASE):
        return None
    visible = _HTML_SPACE.sub(" ", anchor.text_content()).strip()
    if not visible or visible.startswith("@"):
        return None  # an image link, or an @mention (its target is a profile, not a source)
    href = _unwrap_redirect(href)
    bare = re.sub(r"^https?://", "", href, flags=re.IGNORECASE).rstrip("/")
    if bare in visible or visible.rstrip("/") in (href.rstrip("/"), bare):
        return None
    return href


def _unwrap_redirect(url: str) -> str:
    """The real target of an outbound redirect (`link.zhihu.com/?target=https%3A//…`)."""
    parts = urlsplit(url)
    if not (parts.hostname or "").startswith("link."):
        return url
    for key, value in parse_qsl(parts.query):
        if key in ("target", "url") and re.match(r"https?:", value, re.IGNORECASE):
            return value
    return url


def _lines(pieces: Iterable[str | int]) -> str:
    """Join the pieces: resolve required breaks, collapse spaces line by line.

    The text is gathered in chunks and then cleaned by whole-string passes rather than as a
    list of lines, so a 50 MB page never holds more than about two copies of its text (and
    not a million small strings) at once.
    """
    chunks: list[str] = []
    out: list[str] = []
    pending = 0  # line breaks required before the next text: one ends a line, two leave a blank
    for piece in pieces:
        if isinstance(piece, int):
            pending = max(pending, piece)
            continue
        if piece == _BR:
            out.append("\n" * pending + "\n")
            pending = 0
        elif piece.startswith(_PRE_MARK):
            text = piece.strip(_PRE_MARK).replace("\u00a0", " ").strip("\n")
            if text.strip():
                out.append("\n" * max(pending, 2) + text)
                pending = 2
        else:
            text = _HTML_SPACE.sub(" ", piece)
            if text.strip():
                out.append("\n" * pending + text)
                pending = 0
            elif text and not pending:
                out.append(" ")
        if len(out) >= 4096:
            chunks.append("".join(out))
            out.clear()
    chunks.append("".join(out))
    joined = "".join(chunks)
    chunks.clear()
    joined = _LINE_EDGE.sub("\n", _LINE_SPACE.sub(" ", joined))
    return _MANY_BLANK.sub("\n\n", joined.strip())


def _body(tree: Any) -> Any:
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    if root is None:
        return None
    bodies = root.xpath("/html/body|/body") if root.getparent() is None else []
    return bodies[0] if bodies else root


def _meta(tree: Any, *xpaths: str) -> str | None:
    """The first non-empty value, cleaned like a text line and cut to `MAX_META_CHARS`.

    A <title> is page text like any other (it may hold escapes or megabytes of filler), and the
    site rules run regexes over it, so it is bounded before anyone sees it.
    """
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            value = clean_line(str(value)[: MAX_META_CHARS * 4])[:MAX_META_CHARS].strip()
            if value:
                return value
    return None


def absolute_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL (protocol-relative ones get https:), else None."""
    if not url:
        return None
    url = url.strip()
    if url.startswith("//"):
        url = "https:" + url
    return url if re.match(r"https?://[^\s/]", url, re.IGNORECASE) else None


def page_url(tree: Any) -> str | None:
    """The page's own URL: `<link rel=canonical>`, else `og:url`, else None."""
    for xpath in (
        "//link[contains(concat(' ', translate(@rel, 'CANONICAL', 'canonical'), ' '), ' canonical ')]/@href",
        "//meta[@property='og:url' or @name='og:url']/@content",
    ):
        for value in tree.xpath(xpath):
            url = absolute_url(str(value))
            if url:
                return url
    return None


def page_title(tree: Any) -> str | None:
    """The page's title: `og:title`, else `<title>`, stripped."""
    return _meta(
        tree,
        "//meta[@property='og:title' or @name='og:title']/@content",
        "//title//text()",
    )
