"""What several sites share: reading an article's header fields and building a compilation page."""

from __future__ import annotations

import re

from dlqa import chrome, layouts
from dlqa.chrome import ChromeRules
from dlqa.model import Answer, Page
from dlqa.sites import Source
from dlqa.textutil import URL, clean_line

#: Article header fields: "作者丨A、B", "来源丨https://…", "编辑丨X", "本文转自|X".
_HEADER_FIELD = re.compile(r"^(?P<key>作者|来源|编辑|责编|出品|本文转自|转自|转载自)\s*[丨|]\s*(?P<value>.+)$")
_HEADER_KEYS = {"作者": "authors", "来源": "source", "编辑": "editor", "责编": "editor", "出品": "publisher"}


def header_fields(lines: list[str], window: int = 40) -> dict[str, str]:
    """The article's header fields, read before chrome rules drop those lines."""
    fields: dict[str, str] = {}
    for line in lines[:window]:
        match = _HEADER_FIELD.match(line.strip())
        if match:
            key = _HEADER_KEYS.get(match.group("key"), "reposted_from")
            fields.setdefault(key, match.group("value").strip())
    return fields


def compilation_page(page: Page, lines: list[str], header: dict[str, str]) -> Page:
    """Fill `page` from chrome-free `lines`: answers by layout, else one answer of all text."""
    layout = layouts.split_answers(lines)
    if layout is None or not layout.answers:
        lead_in, lines = _editor_lead_in(lines)
        page.description = page.description or lead_in
        body = "\n".join(lines).strip()
        # A single article: its header's author, when it names exactly one person, wrote it
        # ("作者丨X@知乎": a Zhihu answer reposted, "@知乎" saying where from).
        authors = re.sub(r"[(（][^)）]*[)）]", "", header.get("authors", "")).strip()
        authors = layouts.AT_ZHIHU.sub("", authors).strip()
        author = authors if authors and not re.search(r"[、,，/&和]|\s{2,}", authors) else None
        answer_link = re.match(URL, header.get("source", ""))
        url = answer_link.group() if answer_link and "/answer/" in answer_link.group() else None
        page.answers = [Answer(position=0, body=body, author=author, url=url)] if body else []
    else:
        page.description = layouts.lead_in_text(layout.lead_in)
        page.answers = layout.answers
        if layout.editorial:
            page.meta["editorial"] = layout.editorial
    source = header.get("source", "")
    source_url = re.match(URL, source)
    if source_url and "zhihu.com/question/" in source_url.group():
        page.question_url = layouts.find_question_url(source_url.group())
    elif source:
        page.meta["source"] = source
    for key in ("authors", "editor", "publisher", "reposted_from"):
        if key in header:
            page.meta[key] = header[key]
    page.question_url = (
        page.question_url
        or layouts.question_url_of([answer.url for answer in page.answers])
        or layouts.find_question_url("\n".join(lines))
    )
    fallback = page.question_url or page.page_url
    for answer in page.answers:
        answer.url = answer.url or fallback
    return page


#: Labels of an editor's summary above a reposted article (not an author's 前言 or 摘要).
_EDITOR_LABEL = re.compile(r"^(#+\s*)?(导读|极市导读|编者按|编者的话)\s*[:：]?$")


def _editor_lead_in(lines: list[str]) -> tuple[str | None, list[str]]:
    """An article's "导读" (label, then its paragraph) before the text: the editor's, not the
    author's. Returns (the lead-in, the lines after it)."""
    for index, line in enumerate(lines[:40]):
        if _EDITOR_LABEL.match(line.strip()):
            rest = [i for i in range(index + 1, len(lines)) if lines[i].strip()]
            if len(rest) >= 2:
                return lines[rest[0]], lines[rest[0] + 1 :]
            break
    return None, lines


def content_after_title(lines: list[str], html_title: str | None) -> tuple[str | None, list[str]]:
    """The page title and the lines after it.

    For a text dump the title is the first line. For HTML the <title> may carry a site suffix
    and the body starts with navigation, so the content starts after the first line that the
    <title> begins with (the article's heading); without one, every line is content.
    """
    first = next((i for i, line in enumerate(lines) if line), None)
    if first is None:
        return html_title, []
    if not html_title:
        return lines[first], lines[first + 1 :]
    for index, line in enumerate(lines[:200]):
        if len(line) >= 4 and html_title.startswith(line):
            return line, lines[index + 1 :]
    return html_title, lines


def article_page(source: Source, site: str, rules: ChromeRules) -> Page:
    """A page read as one article: title, header fields, chrome stripped by `rules`, then answers."""
    lines = [clean_line(line) for line in source.lines]
    page = Page(source_file=source.path, site=site, page_url=source.url)
    page.title, content = content_after_title(lines, source.html_title)
    header = header_fields(content)
    return compilation_page(page, chrome.strip(content, rules).lines, header)
