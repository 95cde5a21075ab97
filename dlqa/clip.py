"""Web-clipper markdown (`.md`, `.markdown`): MarkDownload, Obsidian Web Clipper, Cubox, Joplin.

A clip is YAML front matter (title, source URL, author, dates), then the page as markdown.
The front matter is metadata, never body text. The markdown becomes the plain text a reader
would copy from the page, so the same site rules read it: images are dropped, `[text](url)`
becomes its text, except that a link to an answer or article is kept after its text
(`text https://…/answer/…`) for attribution, as `blocks` writes link targets for HTML; so is
a link whose text is a date or a permalink button (a forum post's own link, `[3 月 12 日](…/t/slug/42/3)`,
`[Share](…/a/118240 "Short permalink to this answer")`).
Headings become lines of their own, and are remembered: a note-taker's headings around a
quoted answer are not the answer's text (`finish_page`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dlqa.model import Page
from dlqa.sites import Source
from dlqa.sites.text_posts import DATE_LINE
from dlqa.textutil import clean_line

CLIP_SUFFIXES = (".md", ".markdown")
#: Front matter is a few lines; more than this is not parsed as YAML.
MAX_FRONT_MATTER_CHARS = 64 * 1024
MAX_FIELD_CHARS = 4096
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(?P<yaml>.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_URL_KEYS = ("source", "url", "link", "source_url", "original_url", "origin", "href")
_AUTHOR_KEYS = ("author", "authors", "creator", "by")
_DATE_KEYS = ("published", "date", "publish_date", "created")
#: "[原文链接](https://…)", "> 原文地址：https://…", "Source: https://…" near a clip's top.
_SOURCE_LINE = re.compile(
    r"^\s*(?:>\s*)?(?:\*\*)?(?:\[(?:原文链接|原文地址|原文|查看原文|来源|Source|Original)\]\((?P<url>https?://[^)\s]{1,2000})\)"
    r"|(?:原文链接|原文地址|来源链接|Source|URL|Link)\s*[:：]\s*(?P<bare>https?://\S{1,2000}))(?:\*\*)?\s*$",
    re.IGNORECASE,
)
#: MarkDownload's "> ## Excerpt" block (the page's meta description, a copy of its start).
_EXCERPT = re.compile(r"^>\s*#{1,6}\s*Excerpt\s*$", re.IGNORECASE)

_FENCE = re.compile(r"^\s*(```|~~~)")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(?P<text>.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_QUOTE = re.compile(r"^\s{0,3}(>\s?)+")
_BULLET = re.compile(r"^(\s*)[-*+]\s+(\[[ xX]\]\s+)?")
#: Every pattern below bounds its repeats: a hostile line of a million "[" or "**" must not
#: make a lazy match rescan the rest of the line from every start (quadratic).
#: `[![alt](image)](target)`, `![alt](image "title")`, `![alt][ref]`.
_LINKED_IMAGE = re.compile(r"\[!\[[^\]]{0,500}\]\([^)\s\[\]]{0,2000}\)\]\([^)\s\[\]]{0,2000}\)")
_IMAGE = re.compile(r"!\[[^\]]{0,500}\](?:\([^)\s\[\]]{0,2000}(?:\s+[\"'][^\"'\n]{0,500}[\"'])?\)|\[[^\]]{0,500}\])")
_LINK = re.compile(
    r"\[(?P<text>[^\]]{0,500})\]\((?P<url><[^>\n]{0,2000}>|[^)\s\[\]]{0,2000})(?:\s+[\"'(](?P<title>[^\"')]{0,500})[\"')])?\)"
)
_HTML_IMG = re.compile(r"<img\b[^>]{0,2000}>", re.IGNORECASE)
_HTML_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)
_HTML_TAG = re.compile(r"</?(?:span|div|p|u|sup|sub|mark|font|strong|em|b|i|a)\b[^>]{0,2000}>", re.IGNORECASE)
_REFERENCE_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*\S+")
_EMPHASIS = re.compile(r"(\*\*|__|==|~~)(?=\S)(.{1,500}?)(?<=\S)\1")
#: `*italic*` (not `a * b`, not inside a word such as `x*y*z`).
_ITALIC = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]{1,500}?)(?<=[^\s*])\*(?![\w*])")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~=])")
_INLINE_CODE = re.compile(r"`([^`\n]{1,2000})`")
#: Links worth keeping for attribution: a Zhihu answer, question or column article.
ATTRIBUTION_URL = re.compile(
    r"^https?://(?:www\.)?zhihu\.com/question/\d+(?:/answer/\d+)?|^https?://zhuanlan\.zhihu\.com/p/\d+"
)


@dataclass
class Clip:
    """A clip's front matter, and the headings of its markdown."""

    title: str | None = None
    url: str | None = None
    author: str | None = None
    published: str | None = None
    headings: set[str] = field(default_factory=set)


def is_clip(source_file: str, text: str) -> bool:
    """Markdown by suffix, or any text file that opens with clipper front matter."""
    if Path(source_file).suffix.lower() in CLIP_SUFFIXES:
        return True
    match = _FRONT_MATTER.match(text[:8192])
    return bool(match) and any(_front_value(_yaml(match.group("yaml")), key) for key in _URL_KEYS)


def clip_source(text: str, source_file: str) -> Source:
    """The `Source` of a clip: its markdown as text, its front matter as the page's metadata."""
    clip = Clip()
    match = _FRONT_MATTER.match(text)
    if match:
        front = _yaml(match.group("yaml"))
        text = text[match.end():]
        clip.title = _front_value(front, "title")
        clip.url = next((url for key in _URL_KEYS if (url := _front_value(front, key))
                         and re.match(r"https?://", url)), None)
        clip.author = next((name for key in _AUTHOR_KEYS if (name := _front_value(front, key))), None)
        clip.published = next((date for key in _DATE_KEYS if (date := _front_value(front, key))), None)
    if clip.url is None:
        clip.url, text = _source_line(text)
    lines, headings = markdown_lines(text)
    clip.headings = set(headings)
    if clip.title is None:
        first = next((line for line in lines if line.strip()), None)
        clip.title = first if first in clip.headings else None
    if clip.title:
        # The clip's own "# Title" line repeats the title: metadata, not content.
        position = next((i for i, line in enumerate(lines[:20]) if line.strip()), None)
        if position is not None and clean_line(lines[position]) == clean_line(clip.title):
            lines = lines[position + 1:]
    return Source(path=source_file, text="\n".join(lines).strip("\n"), url=clip.url,
                  html_title=clip.title, clip=clip)


def _source_line(markdown: str) -> tuple[str | None, str]:
    """A clip without front matter names its page near the top instead ("[原文链接](url)",
    "原文地址：url", "Source: url", as Cubox and others export): that URL, and the text without
    the line."""
    lines = markdown.split("\n")
    for index, line in enumerate(lines[:15]):
        match = _SOURCE_LINE.match(line)
        if match:
            return match.group("url") or match.group("bare"), "\n".join(lines[:index] + lines[index + 1 :])
    return None, markdown


def markdown_lines(markdown: str) -> tuple[list[str], list[str]]:
    """Markdown → plain text lines (see the module docstring), and the heading lines."""
    lines: list[str] = []
    headings: list[str] = []
    in_code = False
    in_excerpt = False
    for raw in markdown.split("\n"):
        if _FENCE.match(raw):
            in_code = not in_code
            lines.append("")
            continue
        if in_code:
            lines.append(raw)
            continue
        if _EXCERPT.match(raw):
            in_excerpt = True
            continue
        if in_excerpt:
            if raw.startswith(">") or not raw.strip():
                continue
            in_excerpt = False
            if _RULE.match(raw):
                continue  # MarkDownload's rule under the excerpt
        if _RULE.match(raw) or _REFERENCE_DEF.match(raw):
            lines.append("")
            continue
        line = _QUOTE.sub("", raw)
        heading = _HEADING.match(line)
        if heading:
            line = heading.group("text")
        line = _BULLET.sub(r"\1", line)
        line = _inline(line)
        if heading and line.strip():
            headings.append(clean_line(line))
        lines.extend(line.split("\n"))
    return lines, headings


def _inline(line: str) -> str:
    """Images dropped, links to their text (attribution links kept), emphasis marks removed."""
    line = _LINKED_IMAGE.sub("", line)
    line = _IMAGE.sub("", line)
    line = _HTML_IMG.sub("", line)
    line = _HTML_BR.sub("\n", line)
    line = _HTML_TAG.sub("", line)
    line = _LINK.sub(_link_text, line)
    line = _INLINE_CODE.sub(r"\1", line)
    for _ in range(3):  # nested: **==bold highlight==**
        line = _EMPHASIS.sub(r"\2", line)
    line = _ITALIC.sub(r"\1", line)
    return _ESCAPE.sub(r"\1", line).rstrip()


def _link_text(match: re.Match[str]) -> str:
    text = match.group("text").strip()
    url = match.group("url").strip("<>")
    if url.startswith("//"):
        url = "https:" + url
    title = (match.group("title") or "").strip()
    if re.match(r"https?://", url) and len(text) <= 40 and (
        DATE_LINE.match(text) or (text in ("Share", "Permalink") and "permalink" in title.lower())
    ):
        return f"{text} {url}"  # a post's date or share button linking to the post: its permalink
    if not ATTRIBUTION_URL.match(url):
        return text
    if title and (not text or "的回答 - 知乎" in title):
        text = title  # "… - Name的回答 - 知乎": the title names the answer's author
    return f"{text} {url}" if text and url not in text else url


def finish_page(page: Page, clip: Clip) -> None:
    """What the front matter says, where the page rules found nothing; note headings out.

    A heading that opens or closes an answer's body is the note-taker's (a section title
    above a quoted answer), not the answer's; so is one inside a quoted Zhihu answer.
    """
    page.title = page.title or clip.title
    page.page_url = page.page_url or clip.url
    if len(page.answers) == 1:
        answer = page.answers[0]
        answer.author = answer.author or clip.author
        answer.posted_at = answer.posted_at or clip.published
        answer.url = answer.url or clip.url
    for answer in page.answers:
        lines = answer.body.split("\n")
        if page.site != "zhihu" and ATTRIBUTION_URL.match(answer.url or "") and "/answer/" in (answer.url or ""):
            # A Zhihu answer quoted in a note: a copy from Zhihu is plain text, so a markdown
            # heading inside it is the note-taker's, and what follows it is their own notes.
            cut = next((i for i, line in enumerate(lines) if i and clean_line(line) in clip.headings), None)
            lines = lines[:cut] if cut is not None else lines
        while lines and (not lines[0].strip() or clean_line(lines[0]) in clip.headings):
            lines.pop(0)
        while lines and (not lines[-1].strip() or clean_line(lines[-1]) in clip.headings):
            lines.pop()
        answer.body = "\n".join(lines)


def _yaml(text: str) -> dict[str, Any]:
    """Front matter as a dict; YAML that does not parse is read as `key: value` lines."""
    if len(text) > MAX_FRONT_MATTER_CHARS:
        text = ""  # a page, not front matter
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    if isinstance(data, dict):
        return {str(key).lower(): value for key, value in data.items()}
    pairs = (line.split(":", 1) for line in text.split("\n") if ":" in line)
    return {key.strip().lower(): value.strip().strip("\"'") for key, value in pairs}


def _front_value(front: dict[str, Any], key: str) -> str | None:
    """One front-matter value as text: lists joined, `[[wiki links]]` unwrapped, dates as ISO."""
    value = front.get(key)
    if isinstance(value, list):
        names = [_front_text(item) for item in value]
        value = "、".join(name for name in names if name)
    else:
        value = _front_text(value)
    return value or None


def _front_text(value: Any) -> str:
    """A scalar as text; anything nested is not a title, URL, author or date (and `str()` of
    YAML built from aliases could be enormous)."""
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        return ""
    text = clean_line(str(value)[:MAX_FIELD_CHARS])
    text = re.sub(r"^\[\[(?:[^|\]]*\|)?([^\]]*)\]\]$", r"\1", text)  # Obsidian's "[[Name]]"
    return _LINK.sub(lambda m: m.group("text"), text).strip()
