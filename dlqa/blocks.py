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
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import lxml.etree
import lxml.html

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
_MANY_BLANK = re.compile(r"\n{3,}")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*>", re.IGNORECASE)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")

#: Nesting kept when a page is deeper than libxml2 accepts; below it, tags are flattened.
MAX_DEPTH = 400
_BREAK = "\x00"  # marker for "a line break is required here" while collecting text
_BR = "\x02"  # a <br>: a line break that is always kept
_PRE_MARK = "\x01"  # brackets preformatted text, whose newlines are kept
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
    position = 0
    for match in _TAG.finditer(html):
        if match.start() < position:
            continue  # inside a raw-text element skipped below
        out.append(html[position:match.start()])
        position = match.end()
        closing, name = match.group(1), match.group(2).lower()
        replacement = "<br>" if name in _BLOCKS else " " if name in _CELLS else ""
        if closing:
            if any(open_name == name for open_name, _ in stack):
                while stack:
                    open_name, dropped = stack.pop()
                    if open_name == name:
                        out.append(replacement if dropped else match.group(0))
                        break
            continue
        if name in _RAW_TEXT:
            end = re.compile(rf"</{name}\s*>", re.IGNORECASE).search(html, match.end())
            stop = end.end() if end else len(html)
            out.append(html[match.start():stop] if len(stack) < max_depth else "")
            position = stop
            continue
        if name in _VOID or match.group(3).rstrip().endswith("/"):
            out.append(match.group(0))
            continue
        dropped = len(stack) >= max_depth
        stack.append((name, dropped))
        out.append(replacement if dropped else match.group(0))
    out.append(html[position:])
    return "".join(out)


def html_to_text(tree: Any) -> str:
    """The block text of the page body, one block per line (see the module docstring)."""
    root = _body(tree)
    return "" if root is None else element_text(root)


def element_text(root: Any) -> str:
    """The block text of one element and its descendants (site rules use it per answer)."""
    pieces: list[str | int] = []  # text, or an int: the number of line breaks required
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
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
    return _lines(pieces)


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


def _lines(pieces: list[str | int]) -> str:
    """Join the collected pieces: resolve required breaks, collapse spaces line by line."""
    out: list[str] = []
    pending = 0
    for piece in pieces:
        if isinstance(piece, int):
            pending = max(pending, piece)
        elif piece == _BR:
            out.append(_BREAK * pending + "\n")
            pending = 0
        elif piece.startswith(_PRE_MARK):
            text = piece.strip(_PRE_MARK).replace("\u00a0", " ").strip("\n")
            if text.strip():
                out.append(_BREAK * max(pending, 2) + text)
                pending = 2
        else:
            text = _HTML_SPACE.sub(" ", piece)
            if text.strip():
                out.append(_BREAK * pending + text)
                pending = 0
            elif text and not pending:
                out.append(" ")
    # One required break ends the line, two leave a blank line (a paragraph gap).
    joined = re.sub(_BREAK + "+", lambda m: "\n" * min(2, len(m.group())), "".join(out))
    lines = [_LINE_SPACE.sub(" ", line).strip() for line in joined.split("\n")]
    return _MANY_BLANK.sub("\n\n", "\n".join(lines).strip("\n"))


def _body(tree: Any) -> Any:
    root = tree.getroot() if hasattr(tree, "getroot") else tree
    if root is None:
        return None
    bodies = root.xpath("/html/body|/body") if root.getparent() is None else []
    return bodies[0] if bodies else root


def _meta(tree: Any, *xpaths: str) -> str | None:
    for xpath in xpaths:
        for value in tree.xpath(xpath):
            value = _HTML_SPACE.sub(" ", str(value)).strip()
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
