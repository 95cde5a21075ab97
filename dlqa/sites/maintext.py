"""The main text of an HTML page that no site claims, without its chrome.

A page that cannot be split into answers is still one unit, and its body must be the content,
not the navigation, side boxes, share bars, login prompts, related lists and footers around it.
Those are marked up the same way on every site, by element (`nav`, `aside`, `footer`, `form`)
or by class and id words (`sidebar`, `breadcrumb`, `related`, `comment`, `login`, …), so they
are removed by construction; then the content container is chosen: the `<article>` or
`<main>` holding most text, else the element named like content (`content`, `article`,
`post`, `entry`) holding most text, else what is left of the body.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from dlqa import blocks

#: Elements that are chrome wherever they stand.
CHROME_TAGS = ("nav", "aside", "footer", "form", "button", "dialog", "menu")
#: Class or id words of chrome containers (matched as whole words of a class or id).
CHROME_WORDS = re.compile(
    r"(?:^|[-_\s])(?:nav|navbar|navigation|menu|sidebar|side|aside|footer|foot|breadcrumbs?|crumbs?"
    r"|comments?|related|recommend(?:ed|s)?|hot|hotlist|share|social|login|signin|sign-in|register"
    r"|ads?|advert(?:isement)?|banner|toolbar|copyright|pagination|pager|widget|popup|modal|cookies?"
    r"|subscribe|qrcode|download-app|app-download|tags?|topbar|masthead|header|headerlink|permalink)(?:$|[-_\s])",
    re.IGNORECASE,
)
CONTENT_WORDS = re.compile(r"(?:^|[-_\s])(?:content|article|post|entry|main|body|text|detail)(?:$|[-_\s])", re.IGNORECASE)
#: A chrome-looking element holding more than this share of the page's text is the content
#: itself with an unlucky class name (`<div class="main has-sidebar">`), and stays.
MAX_CHROME_SHARE = 0.6


def _text_sizes(root: Any) -> dict[int, tuple[Any, int]]:
    """Every element's text length, by id, computed bottom-up in one pass (asking each element
    for its own text would be quadratic on a deep page). The elements are kept in the values
    so that their ids stay theirs."""
    elements = [element for element in root.iter() if isinstance(element.tag, str)]
    sizes: dict[int, tuple[Any, int]] = {}
    for element in reversed(elements):
        size = len((element.text or "").strip())
        for child in element:
            if isinstance(child.tag, str):
                size += sizes[id(child)][1]
            size += len((child.tail or "").strip())
        sizes[id(element)] = (element, size)
    return sizes


def _names(element: Any) -> str:
    return f"{element.get('class') or ''} {element.get('id') or ''}"


def main_text(tree: Any) -> str | None:
    """The block text of the page's main content, or None when the page has no body."""
    bodies = tree.xpath("//body")
    if not bodies:
        return None
    body = copy.deepcopy(bodies[0])
    sizes = _text_sizes(body)
    total = sizes[id(body)][1] or 1
    chrome = []
    for element, size in sizes.values():
        if element is body or element.getparent() is None:
            continue
        if element.tag in CHROME_TAGS or CHROME_WORDS.search(_names(element)):
            if element.tag == "header" and element.xpath(".//h1"):
                continue  # an article's own header carries its title
            if size <= MAX_CHROME_SHARE * total:
                chrome.append(element)
    for element in chrome:
        drop_element(element)
    return blocks.element_text(_container(body))


def drop_element(element: Any) -> None:
    """Remove an element from its tree, keeping the text that follows it (its tail)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _container(body: Any) -> Any:
    """The content container (see the module docstring)."""
    sizes = _text_sizes(body)
    for xpath in (".//article", ".//main | .//*[@role='main']"):
        found = [(element, sizes[id(element)][1]) for element in body.xpath(xpath)]
        found = [(element, size) for element, size in found if size]
        if found:
            return max(found, key=lambda pair: pair[1])[0]
    total = sizes[id(body)][1]
    named = [(element, size) for element, size in sizes.values()
             if CONTENT_WORDS.search(_names(element)) and size >= 0.5 * total]
    if named:
        return min(named, key=lambda pair: pair[1])[0]
    return body
