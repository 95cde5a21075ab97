"""The extraction pipeline, top to bottom: file → text → site → chrome-free answers → `Page`.

`parse_file` is what `dlqa parse` and `dlqa ingest` call; `parse_text` does the same for text
already in memory (tests, scripts).

Whatever a site's rules produce, `parse_text` finishes the page the same way: every text field
is cleaned (no control characters, bidi overrides or lone surrogates, see `textutil`) and
bounded in length. Users point dlqa at whatever they scraped, and a 50 MB page of filler must
become a page of sane size here, before the index analyses every character of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from dlqa import blocks, chrome, clip, reader, sites
from dlqa.model import Answer, Page, assign_ids
from dlqa.sites import Source, generic
from dlqa.textutil import clean_body, clean_line

#: The longest answer body kept (characters). A very long Zhihu answer is ~30,000; beyond
#: this a "body" is a dump, and indexing it costs ~300 bytes of memory per character.
MAX_BODY_CHARS = 200_000
#: The longest page description (lead-in) kept.
MAX_DESCRIPTION_CHARS = 20_000
#: Single-line fields: title, author, bio, time. Longer ones are cut (URLs are dropped).
MAX_FIELD_CHARS = {"title": 300, "author": 100, "author_bio": 300, "posted_at": 100}
MAX_URL_CHARS = 4096
#: Meta strings (editor's paragraphs, account names, …).
MAX_META_CHARS = 5_000


def parse_file(path: str | os.PathLike[str]) -> Page:
    """Read, decode and extract one saved page. Raises `InputError` for unreadable files."""
    return extract(_read_source(path), str(path))


def parse_bytes(data: bytes, path: str | os.PathLike[str]) -> Page:
    """Decode and extract a page whose bytes were already read from `path`."""
    document = reader.decode_document(path, data)
    return extract(make_source(document.text, str(path), document.is_html, document.url), str(path))


def parse_text(text: str, source_file: str = "<text>", is_html: bool = False) -> Page:
    """Extract a page from decoded text (HTML when `is_html`)."""
    return extract(make_source(text, source_file, is_html), source_file)


def _read_source(path: str | os.PathLike[str]) -> Source:
    """The file's `Source`. The decoded document dies here: for HTML only the tree and the
    block text are kept, not a third copy of the page."""
    document = reader.read_document(path)
    return make_source(document.text, str(path), document.is_html, document.url)


def extract(source: Source, source_file: str) -> Page:
    """Run the site rules on `source`, then clean, bound and number the answers."""
    site = sites.recognise(source)
    page = site.extract(source)
    page.source_file = source_file
    page.site = page.site or site.name
    if source.clip is not None:
        clip.finish_page(page, source.clip)
    if not page.answers and page.site == "web":
        page.answers = _single_line_answer(source, page)
    finish(page)
    page.answers = [answer for answer in page.answers if answer.body.strip() or answer.author]
    assign_ids(page, Path(source_file).name)
    return page


def make_source(text: str, source_file: str, is_html: bool, saved_from: str | None = None) -> Source:
    """The `Source` the site rules read: the text as is, or an HTML page's tree and block text.

    `saved_from` is where the save says the page came from (an MHTML location, a "saved from
    url" comment): the page URL when the page names none. Web-clipper markdown is read as
    the clip it is (front matter → metadata, markdown → text, see `clip`).
    """
    if not is_html:
        if clip.is_clip(source_file, text):
            return clip.clip_source(text, source_file)
        return Source(path=source_file, text=text, url=saved_from)
    tree = blocks.parse_html(text)
    return Source(
        path=source_file,
        text=blocks.html_to_text(tree),
        tree=tree,
        url=blocks.page_url(tree) or saved_from or reader.saved_from(text),
        html_title=blocks.page_title(tree),
    )


def _single_line_answer(source: Source, page: Page) -> list[Answer]:
    """The fallback answer of a page whose whole text is one line.

    The generic rules take a page's first line for its title; when that line is all there is
    (a one-line dump, an HTML page without <title> holding one paragraph), it is the content,
    and a page with its only text in the title would index nothing.
    """
    if source.html_title or not page.title:
        return []  # a real <title>: the line matching it was taken as the heading on purpose
    text = source.text.strip()
    if "\n" in text or clean_line(text) != page.title or chrome.is_chrome(page.title, generic.RULES):
        return []
    return [Answer(position=0, body=page.title, url=page.page_url)]


def finish(page: Page) -> None:
    """Clean and bound every text field of `page` in place (see the module docstring)."""
    for name in ("title", "description"):
        value = getattr(page, name)
        if value is not None:
            limit = MAX_DESCRIPTION_CHARS if name == "description" else MAX_FIELD_CHARS[name]
            setattr(page, name, _bounded(value, limit, multiline=name == "description"))
    page.page_url = _url(page.page_url)
    page.question_url = _url(page.question_url)
    page.meta = _clean_meta(page.meta)
    for answer in page.answers:
        length = len(answer.body)
        answer.body = _bounded(answer.body, MAX_BODY_CHARS, multiline=True) or ""
        if length > MAX_BODY_CHARS:
            answer.meta["truncated_from_chars"] = length
        for name in ("author", "author_bio", "posted_at"):
            value = getattr(answer, name)
            if value is not None:
                setattr(answer, name, _bounded(value, MAX_FIELD_CHARS[name]) or None)
        answer.url = _url(answer.url)
        answer.meta = _clean_meta(answer.meta)


def _bounded(text: str, limit: int, multiline: bool = False) -> str | None:
    """`text` cleaned and cut to `limit` characters (at a line end when one is near)."""
    if len(text) > limit:
        text = text[:limit]
        if multiline:
            cut = text.rfind("\n", limit - limit // 10)
            text = text[:cut] if cut > 0 else text
    text = clean_body(text) if multiline else clean_line(text)
    return text if len(text) <= limit else text[:limit]


def _url(url: str | None) -> str | None:
    """A URL cleaned; an absurdly long one is dropped (a cut URL would point elsewhere)."""
    if url is None:
        return None
    url = clean_line(url)
    return url if url and len(url) <= MAX_URL_CHARS else None


def _clean_meta(value: Any) -> Any:
    """Meta values with their strings cleaned and bounded, whatever the nesting."""
    if isinstance(value, str):
        return _bounded(value, MAX_META_CHARS, multiline="\n" in value) or ""
    if isinstance(value, dict):
        return {key: _clean_meta(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_clean_meta(item) for item in value]
    return value
