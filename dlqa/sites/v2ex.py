"""V2EX topic pages, as text dumps and as saved HTML.

A V2EX topic is: header chrome, the title, the author line (`author · time · N 次点击`), the
opening post, `N 条回复`, then one block per reply: the reply's head (avatar alt text = the
username, the floor number, the username, badges such as `OP`, the time with `via Android`
and a `❤️ N` thanks count) followed by the reply's text, and finally the site footer.

Answer 0 is the opening post, with `floor` None: V2EX numbers replies only, and a floor 0
would pretend the opening post is a reply. Every reply becomes an answer, even an empty one
(an image-only reply), because its author and time are still facts about the thread.
The head markers (OP, via, thanks) go into `meta`, never into the body.

Saved HTML is read from V2EX's own markup (`div.cell[id^=r_]`, `strong > a.dark`, `span.no`,
`span.ago`, `div.reply_content`, `div.topic_content`), and falls back to the text rules on
the page's block text when that markup is missing.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from dlqa import blocks
from dlqa.model import Answer, Page
from dlqa.sites import Site, Source
from dlqa.textutil import clean_line

NAME = "v2ex"

#: A timestamp as V2EX prints it: absolute with offset, or relative ("3 天前", "刚刚").
TIME = (
    r"\d{4}-\d{1,2}-\d{1,2}[ T]\d{1,2}:\d{2}(?::\d{2})?(?:\s*[+-]\d{2}:?\d{2}|\s*Z)?"
    r"|\d+\s*(?:秒|分钟|小时|天)(?:\s*\d+\s*(?:分钟|小时))?\s*前|刚刚|几秒前"
    r"|\d+\s+(?:seconds?|minutes?|hours?|days?)\s+ago|just now"
)
_SEP = r"[·•・‧∙]"
#: `olindk · 2018-12-20 20:22:36 +08:00 · 5497 次点击` (the leading bullet is list chrome).
_TOPIC_META = re.compile(
    rf"^(?:{_SEP}\s*)*(?:by\s+)?(?P<author>[A-Za-z0-9_.\-]+)\s*(?:{_SEP}|at)\s*(?P<time>{TIME})"
    rf"(?:\s*(?:{_SEP}|,)\s*(?P<views>[\d,]+)\s*次点击)?",
    re.IGNORECASE,
)
_REPLY_COUNT = re.compile(rf"^(?P<count>\d+)\s*条回复(?:\s*(?:{_SEP}\s*)?(?P<last>{TIME}))?")
#: A reply head after the floor number: name, badges, time, device, thanks.
_REPLY_HEAD = re.compile(
    rf"^(?P<name>[A-Za-z0-9_.\-]+)(?P<badges>(?:\s+(?:OP|MOD|PRO|ADMIN))*)\s+(?P<time>{TIME})"
    r"(?:\s+via\s+(?P<via>[A-Za-z][\w .\-]*?))?"
    r"(?:\s*(?:❤️|❤|♥|♡)\s*(?P<thanks>\d+))?$",
    re.IGNORECASE,
)
_FLOOR = re.compile(r"^#?(\d{1,5})$")
_STALE_NOTICE = re.compile(r"^这是一个创建于.*的主题")
#: Lines that start the page footer (or the reply box / sidebar that precede it).
_FOOTER = re.compile(
    r"^(?:关于\s*[·•]|V2EX\s*=\s*way to explore|V2EX\s*是一个关于分享和探索的地方|现在注册$"
    r"|添加一条新回复|›?\s*回到顶部|请尽量让自己的回复能够对别人有帮助|创意工作者们的社区"
    r"|World is powered by|VERSION:|♥\s*Do have faith|Developed with)"
    r"|^\d+\s*人在线|(?:登录|登入)\s*后才能发表回复",
    re.IGNORECASE,
)
#: Buttons under the opening post (`加入收藏 Tweet 忽略主题 感谢`, `3 人收藏`).
_TOPIC_BUTTONS = re.compile(
    r"^(?:(?:加入收藏|取消收藏|Tweet|Weibo|忽略主题|取消忽略|感谢|举报|分享|\d+\s*次点击|\d+\s*人(?:收藏|感谢))"
    r"\s*[∙·•]?\s*)+$",
    re.IGNORECASE,
)
_BRAND = re.compile(r"^V2EX\s*(?:=|›|是一个)|^V2EX$", re.IGNORECASE)
_TITLE_CHROME = re.compile(r"^[\s•·▲▼↑↓\d]*$")


def recognise(source: Source) -> bool:
    """V2EX by host, by its reply markup, or by its chrome plus the topic/reply rhythm."""
    host = urlsplit(source.url or "").hostname or ""
    if host == "v2ex.com" or host.endswith(".v2ex.com"):
        return True
    if source.is_html and source.tree.xpath(
        "//div[starts-with(@id,'r_')]//div[contains(@class,'reply_content')]"
    ) and "v2ex" in (source.html_title or "").lower() + source.text[:2000].lower():
        return True
    raw = source.lines
    if not any(_BRAND.match(_norm(line)) for line in raw[:60] + raw[-40:]):
        return False
    lines = [_norm(line) for line in raw]
    return any(_TOPIC_META.match(line) or _REPLY_COUNT.match(line) for line in lines) or bool(
        _reply_heads(lines)
    )


def extract(source: Source) -> Page:
    """The opening post and every reply of one V2EX topic."""
    if source.is_html:
        page = _extract_html(source)
        if page is not None:
            return page
    return _extract_text(source)


# --- text dumps -----------------------------------------------------------------------


@dataclass
class _Head:
    """Where one reply's head sits in the lines, and what it says."""

    start: int  # first line of the head (the avatar name line, or the floor line)
    end: int  # last line of the head (the time line)
    floor: int
    author: str
    posted_at: str
    meta: dict[str, Any] = field(default_factory=dict)


def _norm(line: str) -> str:
    """A line for matching: NFKC (fullwidth → ASCII, NBSP → space), trimmed and folded."""
    return clean_line(unicodedata.normalize("NFKC", line))


def _reply_heads(lines: list[str]) -> list[_Head]:
    """Every reply head: a floor number, then name [badges] time [via X] [❤️ N] over ≤4 lines."""
    heads: list[_Head] = []
    index = 0
    while index < len(lines):
        head = _head_at(lines, index)
        if head is None:
            index += 1
            continue
        heads.append(head)
        index = head.end + 1
    return heads


def _head_at(lines: list[str], index: int) -> _Head | None:
    floor = _FLOOR.match(lines[index])
    if not floor:
        return None
    joined = ""
    for end in range(index + 1, min(index + 5, len(lines))):
        if not lines[end]:
            return None
        joined = f"{joined} {lines[end]}".strip()
        match = _REPLY_HEAD.match(joined)
        if not match:
            continue
        name = match.group("name")
        start = index - 1 if index > 0 and lines[index - 1] == name else index
        meta: dict[str, Any] = {}
        badges = {badge.upper() for badge in match.group("badges").split()}
        if "OP" in badges:
            meta["op"] = True
        if "MOD" in badges or "ADMIN" in badges:
            meta["mod"] = True
        if match.group("via"):
            meta["via"] = match.group("via").strip()
        if match.group("thanks"):
            meta["thanks"] = int(match.group("thanks"))
        return _Head(start, end, int(floor.group(1)), name, match.group("time"), meta)
    return None


def _extract_text(source: Source) -> Page:
    raw = [clean_line(line) for line in source.lines]
    lines = [_norm(line) for line in source.lines]
    heads = _reply_heads(lines)
    first_head = heads[0].start if heads else len(lines)
    meta_at = next((i for i in range(first_head) if _TOPIC_META.match(lines[i])), None)
    count_at = next((i for i in range(first_head) if _REPLY_COUNT.match(lines[i])), None)

    page = Page(source_file=source.path, site=NAME, page_url=_thread_url(source.url))
    answers: list[Answer] = []
    if meta_at is not None:
        topic = _TOPIC_META.match(lines[meta_at])
        assert topic is not None
        page.title = _title_before(raw, meta_at) or source.html_title
        page.meta["author"] = topic.group("author")
        page.meta["posted_at"] = topic.group("time")
        if topic.group("views"):
            page.meta["views"] = int(topic.group("views").replace(",", ""))
        body_end = count_at if count_at is not None and count_at > meta_at else first_head
        # The buttons under the post end it; what follows (tags) is chrome too.
        buttons = next((i for i in range(meta_at + 1, body_end) if _TOPIC_BUTTONS.match(lines[i])), None)
        body_end = buttons if buttons is not None else body_end
        body_lines = [line for line in raw[meta_at + 1:body_end] if not _STALE_NOTICE.match(_norm(line))]
        footer = _footer_at(lines, meta_at + 1, body_end)
        if footer is not None:
            body_lines = body_lines[: max(0, footer - meta_at - 1)]
        answers.append(Answer(position=0, body="\n".join(body_lines), author=topic.group("author"),
                              posted_at=topic.group("time"), url=page.page_url))
    else:
        page.title = source.html_title
    if count_at is not None:
        count = _REPLY_COUNT.match(lines[count_at])
        assert count is not None
        page.meta["replies"] = int(count.group("count"))
        if count.group("last"):
            page.meta["last_reply_at"] = count.group("last")

    for number, head in enumerate(heads):
        stop = heads[number + 1].start if number + 1 < len(heads) else len(lines)
        footer = _footer_at(lines, head.end + 1, stop)
        if footer is not None:
            stop = footer
        answers.append(Answer(
            position=len(answers), body="\n".join(raw[head.end + 1:stop]), author=head.author,
            floor=head.floor, posted_at=head.posted_at, meta=head.meta,
            url=f"{page.page_url}#reply{head.floor}" if page.page_url else None,
        ))
    page.answers = answers
    return page


def _footer_at(lines: list[str], start: int, stop: int) -> int | None:
    return next((i for i in range(start, stop) if _FOOTER.search(lines[i])), None)


def _title_before(raw: list[str], meta_at: int) -> str | None:
    """The title: the nearest line above the author line with words in it (not a vote count)."""
    for line in reversed(raw[:meta_at]):
        if line and not _TITLE_CHROME.match(line) and not _BRAND.match(_norm(line)):
            return line
    return None


def _thread_url(url: str | None) -> str | None:
    """The topic's URL without page number or fragment, so reply anchors can be added."""
    if not url:
        return None
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


# --- saved HTML -----------------------------------------------------------------------

_CELL = "//div[starts-with(@id,'r_') and contains(concat(' ',normalize-space(@class),' '),' cell ')]"


def _has_class(name: str) -> str:
    return f"contains(concat(' ',normalize-space(@class),' '),' {name} ')"


def _text(elements: list[Any]) -> str:
    return clean_line(elements[0].text_content()) if elements else ""


def _extract_html(source: Source) -> Page | None:
    tree = source.tree
    cells = tree.xpath(_CELL)
    topic_bodies = tree.xpath(f"//div[{_has_class('topic_content')}]")
    header = tree.xpath(f"//div[{_has_class('header')}][h1]")
    if not cells and not topic_bodies and not header:
        return None
    page = Page(source_file=source.path, site=NAME, page_url=_thread_url(source.url))
    answers: list[Answer] = []
    title = _text(header[0].xpath("h1")) if header else ""
    page.title = title or re.sub(r"\s*-\s*V2EX\s*$", "", source.html_title or "") or None
    if header:
        small = header[0].xpath(f".//small[{_has_class('gray')}]")
        author = _text(small[0].xpath(".//a")) if small else ""
        info = clean_line(small[0].text_content()) if small else ""
        topic = _TOPIC_META.match(unicodedata.normalize("NFKC", info))
        posted_at = topic.group("time") if topic else None
        if topic and topic.group("views"):
            page.meta["views"] = int(topic.group("views").replace(",", ""))
        if author:
            page.meta["author"] = author
        if posted_at:
            page.meta["posted_at"] = posted_at
        body = "\n\n".join(blocks.element_text(element) for element in topic_bodies)
        answers.append(Answer(position=0, body=body, author=author or None, posted_at=posted_at,
                              url=page.page_url))
    count = None
    for element in tree.xpath("//div[contains(@class,'cell')]//span[contains(., '条回复')]"):
        shown = unicodedata.normalize("NFKC", clean_line(element.text_content()))
        count = _REPLY_COUNT.match(shown)
        if count:
            break
    if count:
        page.meta["replies"] = int(count.group("count"))
        if count.group("last"):
            page.meta["last_reply_at"] = count.group("last")
    for cell in cells:
        answers.append(_html_reply(cell, page.page_url, len(answers)))
    page.answers = answers
    return page


def _html_reply(cell: Any, thread_url: str | None, position: int) -> Answer:
    author = _text(cell.xpath(f".//strong/a[{_has_class('dark')}]")) or _text(
        cell.xpath(".//a[starts-with(@href,'/member/') and normalize-space()]")
    )
    floor_text = _text(cell.xpath(f".//span[{_has_class('no')}]"))
    meta: dict[str, Any] = {}
    ago = cell.xpath(f".//span[{_has_class('ago')}]")
    posted_at = None
    if ago:
        shown = unicodedata.normalize("NFKC", clean_line(ago[0].text_content()))
        via = re.search(r"\s+via\s+(.+)$", shown, re.IGNORECASE)
        if via:
            meta["via"] = via.group(1).strip()
            shown = shown[: via.start()].strip()
        absolute = clean_line(ago[0].get("title") or "")
        relative = not re.match(r"\d{4}-", shown)
        posted_at = absolute if relative and re.match(r"\d{4}-", absolute) else shown or None
    badges = " ".join(clean_line(b.text_content()) for b in cell.xpath(f".//div[{_has_class('badge')}]"))
    if re.search(r"\bOP\b", badges) or cell.xpath(f".//div[{_has_class('badge')} and {_has_class('op')}]"):
        meta["op"] = True
    if re.search(r"\bMOD\b", badges):
        meta["mod"] = True
    for fade in cell.xpath(f".//span[{_has_class('fade')} and .//img]"):
        thanks = re.search(r"\d+", fade.text_content())
        if thanks:
            meta["thanks"] = int(thanks.group())
    content = cell.xpath(f".//div[{_has_class('reply_content')}]")
    reply_id = cell.get("id")
    return Answer(
        position=position,
        body=blocks.element_text(content[0]) if content else "",
        author=author or None,
        floor=int(floor_text) if floor_text.isdigit() else None,
        posted_at=posted_at,
        url=f"{thread_url}#{reply_id}" if thread_url and reply_id else None,
        meta=meta,
    )


SITE = Site(NAME, recognise, extract)
