"""Zhihu pages as text: "select all / copy" dumps, and web-clipper markdown of a Zhihu page.

Copied, a Zhihu question page reads: navigation, the topics, the title, the question's
detail, its buttons and counts ("关注者 / 2,210 / 被浏览 …", "查看全部 59 个回答"), then for
each answer: the author line (and a bio line), "1,024 人赞同了该回答", the text, the time
("编辑于 2021-03-02 18:11"; a clip keeps its link, the answer's own URL) and the action bar
("赞同 1.2 万", "添加评论", "分享", "收藏", "喜欢", "收起"). A column article is the same
with "人赞同了该文章" and one unit.

So the time line ends an answer's text, and the vote line ends its header: the author is the
first line after the previous answer's bar (or, for the first answer, after the page's
chrome), the bio the line after it. Chrome lines are data below; the text is what is left.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dlqa.model import Answer, Page
from dlqa.sites import Source
from dlqa.sites.zhihu_markup import ANONYMOUS, TITLE_SUFFIX, answer_url, question_url
from dlqa.textutil import URL, clean_line

#: "1,024 人赞同了该回答", "1.2 万人赞同了该回答", "3 人赞同了该文章".
VOTES = re.compile(r"^(?P<n>[\d,.]+)\s*(?P<wan>万)?\s*人赞同了该(?:回答|文章)$")
#: "编辑于 2021-03-02 18:11", "发布于 昨天 09:12 · IP 属地北京", with the answer link after it in a clip.
TIME = re.compile(
    r"^(?:编辑于|发布于|发表于)\s*(?P<time>(?:\d{4}-\d{1,2}-\d{1,2}|昨天|今天|\d{1,2}-\d{1,2})?\s*(?:\d{1,2}:\d{2})?)"
    r"\s*(?:[·・]\s*IP\s*属地\s*\S+)?\s*(?P<url>" + URL + r")?\s*$"
)
#: The page's buttons, counts and bars. A line made only of these is chrome: a copy runs a
#: bar's buttons together ("​赞同 1024​​98 条评论", its zero-width spaces read as spaces).
CHROME_TOKENS = (
    r"赞同(?:\s*[\d,.]+\s*万?)?", r"[\d,.]+\s*万?\s*赞同", "反对", r"[\d,.]*\s*万?\s*条评论", "添加评论", "分享", "收藏",
    "喜欢", "收起", "举报", "感谢", "没有帮助", "展开阅读全文", "阅读全文", r"查看全部\s*[\d,]+\s*个回答",
    r"[\d,]+\s*个回答", "写回答", "关注问题", "已关注", "邀请回答", r"好问题(?:\s*[\d,]+)?", "默认排序", "按时间排序",
    "关注者", "被浏览", r"[\d,]+", "真诚赞赏，手留余香", "还没有人赞赏，快来当第一个赞赏的人吧！", "赞赏", "申请转载",
    "设置", "更多回答", "显示全部", "写文章", "关注专栏", "首页", "会员", "知乎知学堂", "发现", "等你来答", "登录/注册", "登录", "注册",
    "搜索", r"\+?\s*关注(?:他|她|Ta)?", "私信", "下载知乎客户端", "与世界分享知识、经验和见解", "相关问题",
    "相关推荐", r"被收藏\s*[\d,]+\s*次", "推荐阅读", "文章被以下专栏收录", r"所属专栏\s*·.*", r"[\d,]+\s*人关注",
    "打开知乎App", "在App内查看", "…", r"\.\.\.", "知乎", r"#[^\s#]+",
)
CHROME = re.compile(r"^(?:\s*(?:" + "|".join(CHROME_TOKENS) + r")\s*)+$")
#: Where the question's header ends and the answers begin.
ANSWERS_START = re.compile(r"^(?:​?查看全部\s*[\d,]+\s*个回答|[\d,]+\s*个回答|默认排序|按时间排序|被浏览)$")
#: A clipper's or note's own numbering above an answer: "回答 1", "第 2 个回答".
ANSWER_NUMBER = re.compile(r"^(?:回答|答案)\s*[#No.]*\s*[\d一二三四五六七八九十]{1,3}\s*[:：]?$|^第\s*[\d一二三四五六七八九十]{1,3}\s*个?回答$")
_BIO_MAX = 60


@dataclass
class _Block:
    """One answer's lines, from after the previous answer's time line to its own."""

    #: The lines as read to tell chrome (zero-width spaces as spaces), and as kept for bodies.
    lines: list[str]
    texts: list[str]
    time_line: str | None


def recognise(source: Source) -> bool:
    """A dump by its rhythm: vote lines, or time lines with the action bar after them."""
    head = source.text[:2_000_000]
    if "赞同" not in head and "编辑于" not in head and "发布于" not in head:
        return False  # (most pages: no need to read them line by line)
    lines = [clean_line(line.replace("\u200b", " ")) for line in head.split("\n")[:20000]]
    if any(VOTES.match(line) for line in lines):
        return True
    times = sum(1 for line in lines if TIME.match(line))
    bars = sum(1 for line in lines if line in ("添加评论", "收起") or re.match(r"^赞同\s*[\d,.]+\s*万?$", line))
    return times >= 1 and bars >= 2


def extract(source: Source) -> Page:
    texts, lines = _read_lines(source.text)
    page = Page(source_file=source.path, site="zhihu", page_url=source.url)
    blocks = _blocks(lines, texts)
    answers: list[Answer] = []
    for number, block in enumerate(blocks):
        lead, answer = _answer(block, first=number == 0)
        if number == 0:
            page.title, page.description = _title_and_detail(lead, source.html_title)
        if answer is not None:
            answers.append(answer)
    if not answers:
        # No answer rhythm: an article (a column post) or a single answer, one unit.
        title, content = _title_and_content(lines, texts, source.html_title)
        page.title = page.title or title
        body = "\n".join(content).strip("\n")
        answers = [Answer(position=0, body=body)] if body else []
    page.question_url = question_url(source.url, *(a.url for a in answers))
    page.page_url = page.page_url or page.question_url
    for answer in answers:
        answer.url = answer.url or page.page_url
    page.answers = answers
    return page


def _blocks(lines: list[str], texts: list[str]) -> list[_Block]:
    """The lines cut at each time line; a last block with a vote line is a cut-off answer."""
    found: list[_Block] = []
    start = 0
    for index, line in enumerate(lines):
        if TIME.match(line):
            found.append(_Block(lines[start:index], texts[start:index], line))
            start = index + 1
    if any(VOTES.match(line) for line in lines[start:]):
        found.append(_Block(lines[start:], texts[start:], None))
    return found


def _answer(block: _Block, first: bool) -> tuple[list[str], Answer | None]:
    """(the lines before the answer's header, the answer)."""
    lines = block.lines
    vote_at = next((i for i, line in enumerate(lines) if VOTES.match(line)), None)
    if vote_at is not None:
        lead, header = _header_above_votes(lines, vote_at, first)
        body_from = vote_at + 1
    else:
        start = 0
        if first:
            start = max((i + 1 for i, line in enumerate(lines) if ANSWERS_START.match(line)), default=0)
        author_at = next((i for i in range(start, len(lines)) if lines[i] and not _is_chrome(lines[i])), None)
        if author_at is None:
            return lines, None
        lead, header, body_from = lines[:author_at], [lines[author_at]], author_at + 1
    body = [text for line, text in zip(lines[body_from:], block.texts[body_from:], strict=True)
            if not _is_chrome(line)]
    author = header[0] if header else None
    bio = header[1] if len(header) > 1 and len(header[1]) <= _BIO_MAX and author != ANONYMOUS else None
    if author and re.match(URL, author.split()[-1]):
        author = " ".join(author.split()[:-1]) or None  # a profile link after the name
    answer = Answer(position=0, body="\n".join(body).strip("\n"), author=author, author_bio=bio)
    if vote_at is not None:
        answer.meta["upvotes"] = _votes(VOTES.match(lines[vote_at]))
    if author == ANONYMOUS:
        answer.meta["anonymous"] = True
    time = TIME.match(block.time_line or "")
    if time:
        answer.posted_at = time.group("time").strip() or None
        answer.url = answer_url(time.group("url")) or time.group("url")
    if not answer.body.strip():
        return lead, None
    return lead, answer


def _header_above_votes(lines: list[str], vote_at: int, first: bool) -> tuple[list[str], list[str]]:
    """(the lines before the header, the header: name and bio) of an answer with a vote line."""
    header_end = vote_at
    while header_end > 0 and (not lines[header_end - 1] or _is_chrome(lines[header_end - 1])):
        header_end -= 1  # a "关注他" button between the name and the votes
    boundary = max((i for i in range(header_end) if _is_chrome(lines[i]) or ANSWERS_START.match(lines[i])
                    or ANSWER_NUMBER.match(lines[i])), default=-1)
    header = _distinct([line for line in lines[boundary + 1 : header_end] if line])
    lead = lines[: boundary + 1]
    if len(header) > 2:
        # After the answers' header ("查看全部 N 个回答") or the previous answer's bar, the
        # header starts at once (name, bio, then a badge line); otherwise the page's title
        # and detail come first, and the header is the last two lines.
        starts_at_once = not first or (boundary >= 0 and bool(ANSWERS_START.match(lines[boundary])
                                                               or ANSWER_NUMBER.match(lines[boundary])))
        lead, header = (lead, header[:2]) if starts_at_once else (lead + header[:-2], header[-2:])
    return lead, header


def _title_and_content(lines: list[str], texts: list[str], clip_title: str | None) -> tuple[str | None, list[str]]:
    """A page read as one unit: its title (the clip's, else the first line) and the rest."""
    kept = [text for line, text in zip(lines, texts, strict=True) if not _is_chrome(line)]
    if clip_title:
        return TITLE_SUFFIX.sub("", clip_title) or clip_title, kept
    first = next((i for i, line in enumerate(kept) if line), None)
    return (kept[first], kept[first + 1 :]) if first is not None else (None, [])


def _title_and_detail(lead: list[str], clip_title: str | None) -> tuple[str | None, str | None]:
    """The question title (the clip's, else the first question-like line) and its detail."""
    content = [line for line in lead if line and not _is_chrome(line)]
    if clip_title:
        rest = [line for line in content if line != clip_title]
        return TITLE_SUFFIX.sub("", clip_title) or clip_title, "\n".join(rest) or None
    if not content:
        return None, None
    at = next((i for i, line in enumerate(content) if line.endswith(("？", "?"))), 0)
    return content[at], "\n".join(content[at + 1 :]) or None


def _distinct(header: list[str]) -> list[str]:
    """The header without the name's repeat (a copy has it twice: avatar link, name link)."""
    return [line for index, line in enumerate(header) if index == 0 or line != header[index - 1]]


def _is_chrome(line: str) -> bool:
    return bool(line) and bool(CHROME.match(line))


def _read_lines(text: str) -> tuple[list[str], list[str]]:
    """The cleaned lines, and the same lines with zero-width spaces read as spaces (to tell
    chrome: a copy runs a bar's buttons together, separated only by U+200B)."""
    raw = text.split("\n")
    return [clean_line(line) for line in raw], [clean_line(line.replace("\u200b", " ")) for line in raw]


def _votes(match: re.Match[str] | None) -> int | None:
    if match is None:
        return None
    try:
        number = float(match.group("n").replace(",", ""))
    except ValueError:
        return None
    return int(number * 10000) if match.group("wan") else int(number)
