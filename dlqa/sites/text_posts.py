"""Forum threads saved as text: select-all copies and web-clipper markdown of any forum.

Copied or clipped, a thread loses its markup but keeps its rhythm: every post carries a
*signature* of the same shape, repeated down the page. Four shapes are read:

- a header of two lines, the author's name then the post's date (Discourse: `lihuan` /
  `3 月 12 日`; a clipped Discourse: the date line carries the post's link);
- a header of one line, the name then the date, with badges, a location or a score around
  them (Douban: `七月流火 2024-04-02 22:31:08 上海`, `来自: 夜航船 …`; Obsidian Web Clipper's
  `name · [date](permalink) · 41 points`);
- a footer: a labelled date, then the name (Stack Exchange: `answered Jul 3, 2022 at 15:02` /
  `Ivan`, with reputation numbers after it; `asked` marks the question, `edited` the editor);
- a floor line closing the post, its author the first line of the post (Tieba: `炼丹学徒小周` /
  a level badge / the text / `来自Android客户端1楼2024-05-06 21:14`); a reply inside a floor
  (`name: text` over `2024-5-7 09:03回复`) follows its floor as a post of its own.

A post's body is what lies between its signature and the page's buttons ("回复", "Reply",
"Share", "赞", "回应", like counts, vote counts), which are data below, never body text. The
thread is read only when one shape repeats at least `MIN_POSTS` times; otherwise the page
stays what it was (one unit), so an article that happens to hold one name over a date is not
cut. Nothing here knows a forum by name: the buttons and labels are the vocabulary several
forums share.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from dlqa.model import Answer, Page
from dlqa.sites import Site, Source
from dlqa.textutil import URL, clean_line

NAME = "forum"
#: A thread needs this many signatures of one shape.
MIN_POSTS = 2
#: The share of the page's text the posts must hold (else the page stays one unit).
MIN_POST_SHARE = 0.5
#: How many posts back a reply's quote is looked for.
QUOTE_REACH = 50
#: Signature lines are short; longer lines are never matched (and never scanned by a regex).
MAX_SIGNATURE_CHARS = 160
MAX_NAME_CHARS = 32

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]{0,6}\.?"
#: A date or time as forums print them: absolute, Chinese, English, relative.
DATE = (
    r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?"
    r"|(?:\d{2,4}\s*年\s*)?\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?(?:\s*\d{1,2}:\d{2})?"
    r"|\d{1,2}[-/]\d{1,2}\s+\d{1,2}:\d{2}"
    r"|(?:昨天|今天|前天)\s*\d{1,2}:\d{2}"
    r"|\d{1,3}\s*(?:秒|分钟|小时|天|周|个月|年)前?|刚刚"
    rf"|{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?(?:\s+at\s+\d{{1,2}}:\d{{2}})?"
    rf"|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|{_MONTH}\s+'\d{{2}}"
    r"|\d{1,3}\s+(?:seconds?|minutes?|hours?|days?|weeks?|months?|years?)\s+ago|just now|\d{1,3}\s*[smhdwy])"
)
#: A place after the date (Douban's and Zhihu's "IP 属地"): two to four CJK characters.
_PLACE = r"(?:\s+(?:IP\s*属地\s*)?[\u4e00-\u9fff]{2,4})?"
_SEP = r"\s*(?:[·•・|]\s*)?"
#: A link kept after a date by the clip reader (the post's permalink).
_LINK = rf"(?:\s+(?P<url>{URL}))?"
#: The score a clipper writes after the date: "41 points", "3 赞".
_SCORE = r"(?:\s*[·•]\s*-?[\d,.]+\s*[kK万]?\s*(?:points?|votes?|likes?|赞|分)?)?"
DATE_LINE = re.compile(rf"^(?P<date>{DATE}){_PLACE}{_LINK}{_SCORE}$", re.IGNORECASE)
#: Labels before a name ("来自: 夜航船", "by alice") and badges after it ("楼主", "OP").
_LABEL = r"(?:(?:来自|楼主|作者|发帖人|by)\s*[:：]?\s*)?"
_BADGES = r"(?:\s+(?:楼主|作者|OP|MOD|Admin|版主|管理员))*"
SAME_LINE = re.compile(
    rf"^{_LABEL}(?P<name>[^\s·•|:：][^·•|]{{0,{MAX_NAME_CHARS}}}?){_BADGES}{_SEP}"
    rf"(?P<date>{DATE}){_PLACE}{_LINK}{_SCORE}$",
    re.IGNORECASE,
)
#: A footer's labelled date: who asked or answered (the owner), who edited (not the author).
FOOTER = re.compile(rf"^(?P<label>asked|answered|edited|提问于|回答于|编辑于)\s+(?P<date>{DATE})$", re.IGNORECASE)
#: A floor line: the client, the floor number, the date ("来自Android客户端1楼2024-05-06 21:14", "#3 2 天前").
FLOOR_LINE = re.compile(
    rf"^(?:来自\S{{0,20}}?客户端\s*)?(?:(?P<floor>\d{{1,5}})\s*楼|#(?P<hash>\d{{1,5}}))\s*(?:[·•]\s*)?(?P<date>{DATE})$",
    re.IGNORECASE,
)
#: A reply inside a floor: its time, then the reply button ("2024-5-7 09:03回复").
INNER_REPLY_TIME = re.compile(rf"^(?P<date>{DATE})\s*回复$")
#: The reply's text line: "name: text", "name: 回复 other :text".
INNER_REPLY = re.compile(rf"^(?P<name>[^:：\s][^:：]{{0,{MAX_NAME_CHARS}}}?)\s*[:：]\s*(?:回复\s*\S{{1,{MAX_NAME_CHARS}}}\s*[:：]\s*)?(?P<text>.+)$")
#: Labels of a footer that names the question's owner (the page's question, not an answer).
QUESTION_LABELS = ("asked", "提问于")

#: Buttons, counts and thread furniture: a line made of one of these is never body text.
BUTTONS = re.compile(
    r"^(?:回复|Reply|引用|Quote|赞|赞\s*[(（]\d+[)）]|\d+\s*赞|回应|收藏|转发|分享|举报|删除|编辑|收起回复|展开回复"
    r"|\d+\s*个赞|\d+\s*Likes?|Like|Share|Improve this (?:answer|question)|Follow|Flag|Add a comment"
    r"|Show \d+ more comments?|\d+\s*个回复|\d+\s*Repl(?:y|ies)|创建|最后回复|浏览量|用户|链接|created|last reply"
    r"|replies|views|users|likes|links|只看楼主|我也说一句|广告|Sorted by:|Highest score \(default\)|Trending \(recent votes count more\)"
    r"|Date modified \(newest first\)|Date created \(oldest first\)|(?:Asked|Modified) (?:.* ago|today|yesterday)|Viewed .* times"
    r"|\d+\s*Answers?(?:\s*\d+)?|Ask Question|\d+\s*points?|community wiki|>?\s*我来回应|我也说一句|Report|Permalink|Save|Edit)\s*\|?$",
    re.IGNORECASE,
)
#: A post's permalink button, kept with its link by the clip reader ("Share https://…/a/118240").
PERMALINK = re.compile(rf"^(?:Share|Permalink|永久链接|分享|链接)\s+(?P<url>{URL})$", re.IGNORECASE)
#: Numbers alone: votes, reputation, badge counts, view counts ("34.5k", "1.2 万"); a line of
#: labelled counts ("关注:52,118贴子:803,442", "Views: 1,024"); reputation with its badges.
NUMBER = re.compile(
    r"^[+\-−]?[\d,.]+\s*[kKmM万]?$|^(?:[^\s\d:：]{1,6}\s*[:：]\s*[\d,.]+\s*[kK万]?\s*)+$"
    # Stack Exchange's reputation and badges, copied with their hidden labels:
    # "34.5k88 gold badges5555 silver badges7676 bronze badges".
    r"|^[\d,.]+[kKm]?(?:\s*\d+\s*(?:gold|silver|bronze)\s+badges?)+$",
    re.IGNORECASE,
)
#: Where a thread ends: the page's lists and forms after the last post.
THREAD_END = re.compile(
    r"^(?:建议的话题|Suggested Topics|相关话题|Related Topics|想阅读更多|Want to read more|Your Answer"
    r"|推荐到广播|最新讨论|Not the answer you're looking for\?.*|Hot Network Questions|Related questions"
    r"|发表回复|Reply to this topic|相关帖子|热门话题|\d+回复贴)",
    re.IGNORECASE,
)
#: What every line holding a date has: a digit (fullwidth too), or a date without one.
_MAY_BE_DATED = re.compile(r"\d|刚刚|just now", re.IGNORECASE)
#: Words that are a button or a label, never a name.
_NOT_A_NAME = re.compile(r"[。，！？；,.!?;:：]\s|[。！？；]$|https?://|^\d+$|^[#＃]|^[vV]?\d+(?:\.\d+)+")
#: A name holds a letter or a CJK character (not "1.2.0" over a release date).
_HAS_LETTER = re.compile(r"[^\W\d_]")
#: A one-line signature's date is a calendar date or a clock time: "训练了 3 天" is a sentence.
_ABSOLUTE_DATE = re.compile(rf"\d{{1,2}}:\d{{2}}|\d{{4}}[-/.]\d|(?<!个)\s*月|\d{{4}}\s*年|\b{_MONTH}", re.IGNORECASE)


@dataclass
class _Signature:
    """One post's signature: where it sits, whose and when."""

    start: int  # first line of the signature
    end: int  # last line of the signature (exclusive bound of what follows)
    author: str
    date: str
    url: str | None = None
    question: bool = False
    editor: bool = False
    floor: int | None = None


@dataclass
class _Reading:
    """The signatures of one shape, and whether they head or close their posts."""

    shape: str
    signatures: list[_Signature] = field(default_factory=list)


def recognise(source: Source) -> bool:
    return not source.is_html and _read_once(source) is not None


def extract(source: Source) -> Page:
    return _read_once(source) or Page(source_file=source.path, site=NAME, page_url=source.url)


def _read_once(source: Source) -> Page | None:
    """The thread of `source`, read once: `extract` follows `recognise` on the same source,
    and reading a large page twice would double the cost. The reading is kept on the source
    (`Source.worked_out`, under this module's name) and handed out once (the caller changes the page)."""
    if __name__ in source.worked_out:
        return source.worked_out.pop(__name__)
    page = read_thread(source) if _MAY_BE_DATED.search(source.text) else None
    source.worked_out[__name__] = page
    return page


def read_thread(source: Source) -> Page | None:
    """The thread a text page holds, or None when no signature shape repeats or the posts
    hold less than `MIN_POST_SHARE` of the text (an article with two comments under it)."""
    lines = _lines(source)
    reading = _reading(lines.keys)
    if reading is None:
        return None
    if reading.shape == "footer":
        lead, posts = _footer_posts(lines, reading.signatures)
    elif reading.shape == "floor":
        lead, posts = _floor_posts(lines, reading.signatures)
    else:
        lead, posts = _header_posts(lines, reading.signatures)
    page = Page(source_file=source.path, site=NAME, page_url=source.url)
    page.title = _title(source, [lines.texts[at] for at in lead if not _is_furniture(lines.keys[at])])
    answers: list[Answer] = []
    if source.clip is not None and reading.shape in ("two-line", "one-line"):
        # A clip's text before the first signature is the opening post (the clipper puts the
        # post first and writes its author in the front matter).
        body = _body(lines, lead)
        if body:
            answers.append(Answer(position=0, body=body, author=source.clip.author, url=source.url))
    for signature, body in posts:
        if signature.question:
            page.description = body or None
            continue
        body = _without_quote(body, answers)
        answers.append(Answer(position=len(answers), body=body, author=signature.author or None,
                              url=signature.url or source.url, posted_at=signature.date, floor=signature.floor))
    kept = sum(len(answer.body) for answer in answers) + len(page.description or "")
    if not answers or kept < MIN_POST_SHARE * _text_chars(lines, reading.signatures):
        return None
    page.answers = answers
    return page


def _text_chars(lines: _Lines, signatures: list[_Signature]) -> int:
    """The characters of the page's text up to the thread's end: no furniture, no signatures."""
    signed = {at for signature in signatures for at in range(signature.start, signature.end)}
    end = _thread_end(lines.keys)
    return sum(len(lines.texts[at]) for at in range(end) if at not in signed and not _is_furniture(lines.keys[at]))


@dataclass
class _Lines:
    """The page's lines as kept for bodies, and as read to match (NFKC: fullwidth digits,
    colons and brackets folded)."""

    texts: list[str]
    keys: list[str]


def _lines(source: Source) -> _Lines:
    texts = [clean_line(line) for line in source.lines]
    # Only a line that may hold a date is folded: the rest are matched as buttons as they are.
    keys = [clean_line(unicodedata.normalize("NFKC", line))
            if len(line) <= MAX_SIGNATURE_CHARS and not line.isascii() and _MAY_BE_DATED.search(line) else line
            for line in texts]
    return _Lines(texts, keys)


def _reading(lines: list[str]) -> _Reading | None:
    """The signature shape that repeats most (at least `MIN_POSTS` times), else None."""
    readings = [_Reading("two-line"), _Reading("one-line"), _Reading("footer"), _Reading("floor")]
    end = _thread_end(lines)
    for index in range(end):
        line = lines[index]
        if not line or len(line) > MAX_SIGNATURE_CHARS or not _MAY_BE_DATED.search(line):
            continue  # (every signature holds a date; most lines of a page hold no digit)
        floor = FLOOR_LINE.match(line)
        if floor:
            readings[3].signatures.append(_Signature(index, index + 1, "", floor.group("date"),
                                                     floor=int(floor.group("floor") or floor.group("hash"))))
            continue
        footer = FOOTER.match(line)
        if footer:
            name_at = _next_text(lines, index + 1, end)
            if name_at is not None and _is_name(lines[name_at]):
                label = footer.group("label").lower()
                readings[2].signatures.append(_Signature(
                    index, name_at + 1, lines[name_at], footer.group("date"),
                    question=label in QUESTION_LABELS, editor=label in ("edited", "编辑于")))
            continue
        date = DATE_LINE.match(line)
        name_at = _previous_text(lines, index)
        if date and name_at is not None and _is_name(lines[name_at]):
            readings[0].signatures.append(_Signature(name_at, index + 1, lines[name_at],
                                                     date.group("date"), date.group("url")))
            continue
        same = SAME_LINE.match(line)
        if same and _is_name(same.group("name")) and _ABSOLUTE_DATE.search(same.group("date")):
            readings[1].signatures.append(_Signature(index, index + 1, same.group("name").strip(),
                                                     same.group("date"), same.group("url")))
    for reading in readings:
        if reading.shape == "footer":
            owners = [s for s in reading.signatures if not s.editor]
            if sum(1 for s in owners if not s.question) < 1 or len(owners) < MIN_POSTS:
                reading.signatures = []
    best = max(readings, key=lambda reading: len([s for s in reading.signatures if not s.editor]))
    return best if len([s for s in best.signatures if not s.editor]) >= MIN_POSTS else None


def _header_posts(lines: _Lines, signatures: list[_Signature]) -> tuple[list[int], list[tuple[_Signature, str]]]:
    """(the lines before the first post, each post with its body) for signatures on top."""
    end = _thread_end(lines.keys)
    posts = []
    for number, signature in enumerate(signatures):
        stop = signatures[number + 1].start if number + 1 < len(signatures) else end
        region = list(range(signature.end, stop))
        cut = next((i for i, at in enumerate(region) if BUTTONS.match(lines.keys[at])), len(region))
        posts.append((signature, _body(lines, region[:cut])))
    return list(range(signatures[0].start)), posts


def _footer_posts(lines: _Lines, signatures: list[_Signature]) -> tuple[list[int], list[tuple[_Signature, str]]]:
    """Posts whose signature closes them: each body is the text after the last button before
    its signature (comments and "Add a comment" belong to the post above)."""
    posts = []
    after = 0
    lead: list[int] = []
    first_unread = 0  # the first signature at or after `after`
    for signature in signatures:
        if signature.editor:
            continue
        while signatures[first_unread].start < after:
            first_unread += 1
        region = list(range(after, signatures[first_unread].start))
        while region and _is_furniture(lines.keys[region[-1]]):
            permalink = PERMALINK.match(lines.keys[region.pop()])
            signature.url = signature.url or (permalink.group("url") if permalink else None)
        start = max((i + 1 for i, at in enumerate(region) if BUTTONS.match(lines.keys[at])), default=0)
        if not posts:
            lead = region[:start]
        posts.append((signature, _body(lines, region[start:])))
        after = _after_numbers(lines.keys, signature.end)
    return lead, posts


def _floor_posts(lines: _Lines, signatures: list[_Signature]) -> tuple[list[int], list[tuple[_Signature, str]]]:
    """Posts closed by their floor line: the author is the post's first line (then a level
    badge: a short title over a number), the text runs to the floor line; the replies inside a
    floor, between it and the next post, follow it."""
    posts: list[tuple[_Signature, str]] = []
    lead: list[int] = []
    after = 0
    for signature in signatures:
        region = list(range(after, signature.start))
        posts.extend(_inner_replies(lines, region))
        while region and _is_furniture(lines.keys[region[-1]]):
            region.pop()
        start = max((i + 1 for i, at in enumerate(region) if BUTTONS.match(lines.keys[at])), default=0)
        while start < len(region) and not lines.keys[region[start]]:
            start += 1
        if not posts and not lead:
            lead = region[:start]
        if start < len(region) and _is_name(lines.keys[region[start]]):
            signature.author = lines.texts[region[start]]
            start += 1
            badge = next((i for i in range(start, min(start + 2, len(region))) if NUMBER.match(lines.keys[region[i]])), None)
            start = badge + 1 if badge is not None else start
        body_lines = region[start:]
        cut = next((i for i, at in enumerate(body_lines) if BUTTONS.match(lines.keys[at])), len(body_lines))
        posts.append((signature, _body(lines, body_lines[:cut])))
        after = signature.end
    posts.extend(_inner_replies(lines, list(range(after, _thread_end(lines.keys)))))
    return lead, posts


def _inner_replies(lines: _Lines, region: list[int]) -> list[tuple[_Signature, str]]:
    """The replies inside a floor ("name: text" over "date回复") at the top of `region`."""
    replies = []
    for number, at in enumerate(region[1:], start=1):
        time = INNER_REPLY_TIME.match(lines.keys[at])
        reply = INNER_REPLY.match(lines.texts[region[number - 1]]) if time else None
        if time and reply and _is_name(reply.group("name")):
            signature = _Signature(region[number - 1], at + 1, reply.group("name").strip(), time.group("date"))
            replies.append((signature, reply.group("text").strip()))
    return replies


def _body(lines: _Lines, region: list[int]) -> str:
    """A post's lines without the furniture around them."""
    while region and _is_furniture(lines.keys[region[0]]):
        region = region[1:]
    while region and _is_furniture(lines.keys[region[-1]]):
        region = region[:-1]
    return "\n".join(lines.texts[at] for at in region).strip("\n")


def _without_quote(body: str, earlier: list[Answer]) -> str:
    """A reply's quote of an earlier post ("七月流火: 先别换模型…") is not its text."""
    first, _, rest = body.partition("\n")
    name, colon, quoted = first.partition(":")
    if colon and rest and quoted.strip() and any(
        answer.author == name.strip() and quoted.strip() in answer.body for answer in earlier[-QUOTE_REACH:]
    ):
        return rest.strip("\n")
    return body


def _title(source: Source, lead: list[str]) -> str | None:
    """The clip's title (without its category and site), else the longest line before
    the first post: navigation, categories and tags are short."""
    if source.clip is not None and source.html_title:
        return _without_site_tail(source.html_title)
    candidates = [line for line in lead if line]
    return max(candidates, key=len) if candidates else None


def _without_site_tail(title: str) -> str:
    """"Title - Category - Site" (Discourse), "tag - Title - Site" (Stack Exchange): with three
    parts or more, the title is the longest; with two, which part is the site is unknown."""
    parts = title.split(" - ")
    return max(parts, key=len).strip() if len(parts) >= 3 else title


def _is_name(line: str) -> bool:
    line = line.strip()
    return (
        0 < len(line) <= MAX_NAME_CHARS
        and len(line.split()) <= 4
        and not _NOT_A_NAME.search(line)
        and bool(_HAS_LETTER.search(line))
        and not _is_furniture(line)
        and not DATE_LINE.match(line)
    )


def _is_furniture(line: str) -> bool:
    return not line or bool(BUTTONS.match(line) or NUMBER.match(line) or DATE_LINE.match(line) or PERMALINK.match(line))


def _next_text(lines: list[str], start: int, end: int) -> int | None:
    """The nearest line below with text (a clip leaves blank lines where the avatar was)."""
    return next((i for i in range(start, min(end, start + 5)) if lines[i]), None)


def _previous_text(lines: list[str], index: int) -> int | None:
    """The nearest line above with text (markdown puts a blank line between name and date)."""
    return next((i for i in range(index - 1, max(index - 3, -1), -1) if lines[i]), None)


def _after_numbers(lines: list[str], index: int) -> int:
    """The first line after a footer's reputation and badge numbers."""
    while index < len(lines) and (not lines[index] or NUMBER.match(lines[index])):
        index += 1
    return index


def _thread_end(lines: list[str]) -> int:
    return next((i for i, line in enumerate(lines) if THREAD_END.match(line)), len(lines))


SITE = Site(NAME, recognise, extract)
