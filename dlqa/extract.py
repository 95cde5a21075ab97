"""The extraction pipeline, top to bottom: file → text → site → chrome-free answers → `Page`.

`parse_file` is what `dlqa parse` and `dlqa ingest` call; `parse_text` does the same for text
already in memory (tests, scripts).
"""

from __future__ import annotations

import os
from pathlib import Path

from dlqa import blocks, reader, sites
from dlqa.model import Page, assign_ids
from dlqa.sites import Source
from dlqa.textutil import clean_body


def parse_file(path: str | os.PathLike[str]) -> Page:
    """Read, decode and extract one saved page. Raises `InputError` for unreadable files."""
    document = reader.read_document(path)
    return parse_text(document.text, source_file=str(path), is_html=document.is_html)


def parse_text(text: str, source_file: str = "<text>", is_html: bool = False) -> Page:
    """Extract a page from decoded text (HTML when `is_html`)."""
    source = make_source(text, source_file, is_html)
    site = sites.recognise(source)
    page = site.extract(source)
    page.source_file = source_file
    page.site = page.site or site.name
    page.answers = [answer for answer in page.answers if answer.body.strip() or answer.author]
    for answer in page.answers:
        answer.body = clean_body(answer.body)
    assign_ids(page, Path(source_file).name)
    return page


def make_source(text: str, source_file: str, is_html: bool) -> Source:
    if not is_html:
        return Source(path=source_file, text=text)
    tree = blocks.parse_html(text)
    return Source(
        path=source_file,
        text=blocks.html_to_text(tree),
        tree=tree,
        url=blocks.page_url(tree),
        html_title=blocks.page_title(tree),
    )
