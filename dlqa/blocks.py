"""Stage 2 (HTML only): turn a saved HTML page into block text that the text rules can read.

(Placeholder interface; the full implementation keeps paragraphs, headings, list items and
line breaks as lines and writes link targets after their anchor text.)
"""

from __future__ import annotations

from typing import Any


def parse_html(text: str) -> Any:
    import lxml.html

    return lxml.html.document_fromstring(text or "<html></html>")


def html_to_text(tree: Any) -> str:
    return tree.text_content()


def page_url(tree: Any) -> str | None:
    return None


def page_title(tree: Any) -> str | None:
    titles = tree.xpath("//title/text()")
    return titles[0].strip() if titles else None
