"""Stage 4: split a chrome-free compilation of Zhihu answers into attributed answers.

Compilations of Zhihu answers travel across sites (WeChat accounts, their mirrors, blogs), so
their layouts are recognised here once, for every site:

- numbered sections, "01" then "作者:X", the links listed at the end as 【1】…【n】;
- "作者:X" with the answer link on the same line, the next line, or as "来源链接:URL";
- headings "# 回答一" / "回答一:<headline>", the author line before or AFTER the body;
- Zhihu's copy trailer "作者:X / 链接:URL / 来源:知乎" after each body: wherever a copied
  answer is quoted (blogs, CSDN, notes, WeChat) the body comes BEFORE its attribution, and
  several trailers stacked after one body attribute it to the first (it cannot be split);
- link labels naming an answer before its body: "知乎|Name <answer URL>" (a bio line may
  follow), "Question - Name的回答 - 知乎 <answer URL>" (a link's title).

Editor's bridging paragraphs between answers ("下面这位答主…") belong to no answer; what
precedes the first answer is the page's lead-in (its description).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dlqa.chrome import LEAD_IN_LABELS
from dlqa.model import Answer
from dlqa.textutil import URL, ZHIHU_QUESTION_URL, clean_line

_AUTHOR_KEYS = r"(?:作者|答主|回答者|答者|知乎用户|知乎作者)"
#: "作者:X", "作者: X,bio", "作者:X https://…", "#### 作者:X"
_LEADER = r"(?:[#▌▍■●◆▎|*>【\[\s]*)(?:\d{1,2}\s*[.、)）]\s*)?(?:[-*•]\s*)?"
AUTHOR_LINE = re.compile(
    r"^" + _LEADER + _AUTHOR_KEYS + r"\s*[】\]]?\s*[:：]\s*(?P<rest>\S.*)$"
    r"|^@(?P<handle>[^\s@:：，,]{1,30})\s*(?:的回答|回答|说)?\s*[:：]$"
)
#: "来源链接:URL", "原文链接:URL", "链接:URL", or a bare URL, right after an author line.
LINK_LINE = re.compile(
    r"^(?:(?:来源链接|原文链接|回答链接|答案链接|原文地址|链接|地址|来源|原文)\s*[:：]?\s*)?(?P<url>" + URL + r")\s*$"
)
#: "知乎|Name https://…/answer/…" (a link label) and "… - Name的回答 - 知乎 https://…" (a
#: link's title), read as an author line: the name, then the answer link.
ANSWER_LABEL = re.compile(
    # (not a reference list's entry: "参考：… - X的回答 - 知乎", "[1] …" cite, they do not attribute)
    r"^(?!\s*(?:参考|延伸阅读|相关阅读|推荐阅读|[Rr]eferences?\b|[\[【(（]?\d{1,3}[\]】)）.、]))(?:知乎\s*[|｜丨]\s*(?P<name>[^|｜丨\s][^|｜丨]{0,40}?)|(?:.*?\s+-\s+)?(?P<titled>[^-\s][^-]{0,40}?)的回答\s+-\s+知乎)"
    r"\s*(?P<url>https?://(?:www\.)?zhihu\.com/question/\d+/answer/\d+)\S*\s*$"
)
#: The link line of Zhihu's own copy trailer ("链接：https://www.zhihu.com/question/…").
COPY_LINK = re.compile(r"^链接\s*[:：]\s*https?://(?:www\.|zhuanlan\.)?zhihu\.com/")
#: The same link anywhere in a page (a trailer may be run onto its author line).
COPY_LINK_ANYWHERE = re.compile(r"(?:^|\s)链接\s*[:：]\s*https?://(?:www\.|zhuanlan\.)?zhihu\.com/", re.M)
#: Where a one-line copy trailer's link or source begins, after the name.
INLINE_TRAILER = re.compile(r"\s*(?:链接|来源)\s*[:：]")
#: "@知乎" after a name ("作者丨X@知乎"): where the name is from, not part of it.
AT_ZHIHU = re.compile(r"\s*[@＠]\s*知乎.*$")
#: The quoter speaking about what follows ("在知乎上翻到几个回答，摘录在这里"): a lead-in.
QUOTER_LEAD_IN = re.compile(
    r"(知乎|回答|答案|高赞).{0,30}(摘录|整理|汇总|收集|收藏|转载|备查|记录|搬运)"
    r"|(摘录|整理|汇总|收集|收藏|转载|记录|搬运).{0,30}(知乎|回答|答案|高赞)"
)
#: A line short enough, and unpunctuated, to be the bio under an answer label.
_BIO_LINE = re.compile(r"^[^。！？!?；;：:，,]{1,30}$")
#: Zhihu's copy trailer lines that may follow an author line.
TRAILER_LINE = re.compile(r"^(来源\s*[:：]\s*知乎|著作权归作者所有|商业转载|非商业转载)")
#: "# 回答一", "回答一:<headline>", "【回答3】 headline"
HEADING_LINE = re.compile(
    r"^[#▌▍■●◆▎*\s]*[【\[]?\s*(?:回答|答案|观点)\s*(?P<n>[一二三四五六七八九十百零〇\d]{1,4})\s*[】\]]?\s*(?:[:：.、]\s*)?(?P<headline>.*)$"
)
#: A section number alone on its line: "01", "2", "No.3", "三、".
NUMBER_LINE = re.compile(r"^(?:No\.?\s*)?(?:0?\d{1,2}|[一二三四五六七八九十]{1,3})\s*[、.．]?$", re.IGNORECASE)
#: One entry of the reference list at the end: "【1】https://…", "[2] https://…".
REFERENCE_LINE = re.compile(r"^[【\[]\s*(?P<n>\d{1,3})\s*[】\]]\s*[:：]?\s*(?P<url>" + URL + r")\s*$")
REFERENCE_HEADING = re.compile(r"^(原文链接|参考链接|回答链接|答案链接|原文地址|参考|链接)\s*[:：]?\s*$")
#: A heading that starts a tail of unattributed opinions after the last answer.
OTHER_VIEWS = re.compile(r"^(其他观点|其他回答|其它观点|其它回答|更多观点|更多回答|网友评论|评论区)\s*[:：]?\s*$")
#: The editor speaking between answers: "下面这位答主…", "下文中，答主X讲述到…".
EDITORIAL = re.compile(
    r"((下面|下文|以下|接下来|后面|下一位)[^。!?！？]{0,20}(答主|回答|作者))|((这|两|几|三|各)位(答主|作者))"
)

#: A person's profile page, which is never an answer's link.
PROFILE_URL = re.compile(r"zhihu\.com/(people|org)/|/(member|user|u|users|people|author|space)/[^/]+/?$")


@dataclass
class Attribution:
    author: str | None
    bio: str | None
    url: str | None
    #: Index of the first line after the attribution block (author line plus link lines).
    end: int
    #: Whether the block is Zhihu's copy trailer ("链接：…"): the body came before it.
    trailer: bool = False


@dataclass
class Layout:
    """The answers of a compilation, and what surrounded them."""

    lead_in: list[str]
    answers: list[Answer]
    editorial: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


def split_answers(lines: list[str]) -> Layout | None:
    """Find the compilation layout of `lines`; None when the page has no attributed answers."""
    lines = _labels_as_author_lines([clean_line(line) for line in lines])
    lines, references = _take_references(lines)
    starts = _section_starts(lines)
    if starts is not None:
        layout = _split_sections(lines, starts)
    else:
        authors = [i for i, line in enumerate(lines) if AUTHOR_LINE.match(line)]
        if not authors:
            return None
        layout = _split_by_authors(lines, authors)
    layout.references = references
    _assign_references(layout.answers, references)
    return layout


def parse_attribution(lines: list[str], index: int) -> Attribution:
    """Read the author line at `index` and the link/trailer lines that follow it."""
    match = AUTHOR_LINE.match(lines[index])
    rest = (match.group("rest") or match.group("handle") or "") if match else ""
    rest = rest.strip().strip("*").strip()
    url = None
    # Zhihu's trailer run onto one line ("作者：X 链接：https://… 来源：知乎 著作权归作者所有…").
    inline = INLINE_TRAILER.search(rest)
    trailer = bool(inline) and ("知乎" in rest[inline.start():] or "zhihu.com" in rest[inline.start():])
    if inline:
        links = [m.group() for m in re.finditer(URL, rest[inline.start():]) if not PROFILE_URL.search(m.group())]
        url = links[0] if links else None
        rest = rest[: inline.start()]
    for url_match in reversed(list(re.finditer(URL, rest))):
        if not PROFILE_URL.search(url_match.group()):
            url = url_match.group()
        rest = (rest[: url_match.start()] + rest[url_match.end() :]).strip()
    rest = re.sub(r"[(（]\s*(已授权|授权转载|经授权)\s*[)）]", "", rest).strip()
    separator = re.search(r"[,，|丨]", rest)
    name, bio = (rest[: separator.start()], rest[separator.end() :]) if separator else (rest, "")
    name = AT_ZHIHU.sub("", name.strip().lstrip("@")).strip() or None
    bio = bio.strip() or None
    end = index + 1
    probe = end
    while probe < len(lines) and probe <= index + 4:
        line = lines[probe]
        if not line:
            probe += 1
            continue
        link = LINK_LINE.match(line)
        if link and url is None and not PROFILE_URL.search(link.group("url")):
            url = link.group("url")
            trailer = trailer or bool(COPY_LINK.match(line))
        elif TRAILER_LINE.match(line):
            trailer = trailer or line.startswith("来源")
        else:
            break
        probe += 1
        end = probe
    return Attribution(name, bio, url, end, trailer)


def question_url_of(urls: list[str | None]) -> str | None:
    """The Zhihu question the given answer or question links belong to, when they agree."""
    questions = {m.group("q") for url in urls if url and (m := ZHIHU_QUESTION_URL.match(url))}
    return f"https://www.zhihu.com/question/{questions.pop()}" if len(questions) == 1 else None


def find_question_url(text: str) -> str | None:
    """The first Zhihu question mentioned in `text` (an answer link names its question)."""
    match = ZHIHU_QUESTION_URL.search(text)
    return f"https://www.zhihu.com/question/{match.group('q')}" if match else None


def lead_in_text(lines: list[str]) -> str | None:
    """The lead-in as a description: labels and summary duplicates dropped."""
    kept = [line for line in lines if line and not LEAD_IN_LABELS.match(line)]
    kept = _drop_summary_duplicates(kept)
    text = "\n".join(kept).strip()
    return text or None


# --- sections -------------------------------------------------------------------------------


def _section_starts(lines: list[str]) -> list[tuple[int, str | None]] | None:
    """Explicit section markers (headings, or numbers followed by an author), if the page has them."""
    headings = [(i, m.group("headline").strip() or None) for i, line in enumerate(lines) if (m := HEADING_LINE.match(line))]
    if len(headings) >= 1 and any(AUTHOR_LINE.match(line) for line in lines):
        return headings
    numbers = [(i, None) for i, line in enumerate(lines) if NUMBER_LINE.match(line) and _author_follows(lines, i)]
    return numbers if len(numbers) >= 2 else None


def _author_follows(lines: list[str], index: int) -> bool:
    following = [line for line in lines[index + 1 : index + 8] if line][:2]
    return any(AUTHOR_LINE.match(line) for line in following)


def _split_sections(lines: list[str], starts: list[tuple[int, str | None]]) -> Layout:
    answers: list[Answer] = []
    editorial: list[str] = []
    bounds = [index for index, _ in starts] + [len(lines)]
    for number, (start, headline) in enumerate(starts):
        section = lines[start + 1 : bounds[number + 1]]
        is_last = number == len(starts) - 1
        answers.extend(_section_answers(section, headline, is_last, editorial))
    return Layout(lines[: starts[0][0]], answers, editorial)


def _section_answers(section: list[str], headline: str | None, is_last: bool, editorial: list[str]) -> list[Answer]:
    """One marked section: its attribution may stand before the body or after it."""
    author_at = next((i for i, line in enumerate(section) if AUTHOR_LINE.match(line)), None)
    if author_at is None:
        body = _without_editorial(section, editorial) if not is_last else section
        return [_answer(body, None, headline)]
    attribution = parse_attribution(section, author_at)
    content_before = [line for line in section[:author_at] if line]
    header_style = len(content_before) <= 1 and (not content_before or len(content_before[0]) < 40)
    if header_style and not (attribution.trailer and content_before):  # Zhihu's trailer follows its body
        # Header: "作者:X" opens the section; a short line before it is a headline.
        headline = headline or (content_before[0] if content_before else None)
        body = section[attribution.end :]
        if not is_last:
            body = _without_editorial(body, editorial)
        return [_answer(body, attribution, headline)]
    # Footer: the body came first; what follows the attribution is a tail of its own.
    answers = [_answer(section[:author_at], attribution, headline)]
    rest = section[attribution.end :]
    if not is_last:
        rest = _without_editorial(rest, editorial)
    answers.extend(_unattributed_tail(rest))
    return answers


def _split_by_authors(lines: list[str], authors: list[int]) -> Layout:
    """No section markers: the author lines themselves delimit the answers."""
    attributions = [parse_attribution(lines, i) for i in authors]
    # Author lines are a footer when a body precedes the first one and nothing follows the last.
    tail = [line for line in lines[attributions[-1].end :] if line]
    lead = [line for line in lines[: authors[0]] if line and not LEAD_IN_LABELS.match(line)]
    footer = sum(map(len, tail)) < 40 and sum(map(len, lead)) >= 40
    editorial: list[str] = []
    answers: list[Answer] = []
    if any(attribution.trailer for attribution in attributions):
        lead_in, quoted = _quoted_answers(lines, attributions, authors)
        return Layout(lead_in, quoted, editorial)
    if footer:
        start = 0
        for attribution, at in zip(attributions, authors, strict=True):
            answers.append(_answer(lines[start:at], attribution, None))
            start = attribution.end
        return Layout([], answers, editorial)
    for number, attribution in enumerate(attributions):
        end = authors[number + 1] if number + 1 < len(authors) else len(lines)
        body = lines[attribution.end : end]
        if number + 1 < len(authors):
            body = _without_editorial(body, editorial)
        answers.append(_answer(body, attribution, None))
    return Layout(lines[: authors[0]], answers, editorial)


def _quoted_answers(lines: list[str], attributions: list[Attribution], authors: list[int]) -> tuple[list[str], list[Answer]]:
    """Copied answers, each followed by Zhihu's trailer: the text before a trailer is its body.

    Trailers stacked with no text between them follow one merged body, which goes to the
    first of them (the text cannot be split). What follows the last trailer is the
    quoter's own (a closing remark, the blog's tail), not an answer. A page whose first
    trailer has no text before it put its trailers on top: there each one's body follows it.
    """
    start = _after_quoter_lead_in(lines, authors[0])
    lead_in = lines[:start]
    nothing_before = not any(line.strip() for line in lines[start : authors[0]])
    if nothing_before and any(line.strip() for line in lines[attributions[-1].end :]):
        return lead_in, _trailers_on_top(lines, attributions, authors)
    answers: list[Answer] = []
    for attribution, at in zip(attributions, authors, strict=True):
        body = lines[start:at]
        start = attribution.end
        if any(line.strip() for line in body):
            answers.append(_answer(body, attribution, None))
    return lead_in, answers


def _trailers_on_top(lines: list[str], attributions: list[Attribution], authors: list[int]) -> list[Answer]:
    """Trailers above their bodies; a stack of them goes with the body after it, to the first."""
    answers: list[Answer] = []
    pending: Attribution | None = None
    for number, attribution in enumerate(attributions):
        end = authors[number + 1] if number + 1 < len(authors) else len(lines)
        body = lines[attribution.end : end]
        pending = pending or attribution
        if any(line.strip() for line in body):
            answers.append(_answer(body, pending, None))
            pending = None
    return answers


def _after_quoter_lead_in(lines: list[str], first_author: int) -> int:
    """Where the first quoted body starts: after the quoter's own opening paragraphs
    ("在知乎上翻到几个不错的回答，摘录在这里"), which are the page's lead-in."""
    start = 0
    for index in range(first_author):
        line = lines[index]
        if not line:
            continue
        if not QUOTER_LEAD_IN.search(line):
            break
        start = index + 1
    return start


def _labels_as_author_lines(lines: list[str]) -> list[str]:
    """Answer labels ("知乎|Name <url>", "… - Name的回答 - 知乎 <url>") as "作者:Name <url>";
    a short bio line right under a "知乎|Name" label joins it ("作者:Name,bio <url>")."""
    out: list[str] = []
    skip_to = -1
    for index, line in enumerate(lines):
        if index <= skip_to:
            continue
        match = ANSWER_LABEL.match(line) if "知乎" in line else None
        if not match:
            out.append(line)
            continue
        name = AT_ZHIHU.sub("", (match.group("name") or match.group("titled")).strip())
        bio_at = next((i for i in range(index + 1, min(index + 3, len(lines))) if lines[i]), None)
        more = bio_at is not None and any(lines[bio_at + 1 : bio_at + 6])
        if match.group("name") and more and _BIO_LINE.match(lines[bio_at]) and not ANSWER_LABEL.match(lines[bio_at]):
            out.append(f"作者:{name},{lines[bio_at]} {match.group('url')}")
            skip_to = bio_at
        else:
            out.append(f"作者:{name} {match.group('url')}")
    return out


def _unattributed_tail(lines: list[str]) -> list[Answer]:
    """Opinions after the last attributed answer ("其他观点"): one answer with no author."""
    content = [line for line in lines if line]
    if not content:
        return []
    headline = None
    if OTHER_VIEWS.match(content[0]):
        headline = content[0].rstrip(":：")
        lines = lines[lines.index(content[0]) + 1 :]
    if sum(len(line) for line in lines) < 20:
        return []
    return [_answer(lines, None, headline)]


def _without_editorial(body: list[str], editorial: list[str]) -> list[str]:
    """Remove the editor's bridging lines at the end of an answer that is followed by another."""
    end = len(body)
    found: list[str] = []
    while end > 0:
        line = body[end - 1]
        if line and not EDITORIAL.search(line):
            break
        if line:
            found.insert(0, line)
        end -= 1
    editorial.extend(found)
    return body[:end]


def _answer(body: list[str], attribution: Attribution | None, headline: str | None) -> Answer:
    answer = Answer(position=0, body="\n".join(body).strip("\n"))
    if attribution:
        answer.author, answer.author_bio, answer.url = attribution.author, attribution.bio, attribution.url
    if headline:
        answer.meta["headline"] = headline
    return answer


# --- the reference list (【1】…【n】) ---------------------------------------------------------


def _take_references(lines: list[str]) -> tuple[list[str], list[str]]:
    """Pull the numbered link list (and its heading) out of the text, keeping their order."""
    references: list[tuple[int, str]] = []
    kept: list[str] = []
    for line in lines:
        match = REFERENCE_LINE.match(line)
        if match:
            references.append((int(match.group("n")), match.group("url")))
        else:
            kept.append(line)
    if references:
        # The heading just before the list ("原文链接:") goes with it.
        for index in range(len(kept) - 1, -1, -1):
            if REFERENCE_HEADING.match(kept[index]):
                del kept[index]
                break
    references.sort(key=lambda item: item[0])
    return kept, [url for _, url in references]


def _assign_references(answers: list[Answer], references: list[str]) -> None:
    """Give answers without a link the listed links, by order, when the counts agree."""
    missing = [answer for answer in answers if not answer.url]
    if references and len(missing) == len(references):
        for answer, url in zip(missing, references, strict=True):
            answer.url = url


def _drop_summary_duplicates(lines: list[str]) -> list[str]:
    """Drop a lead-in line that is an earlier copy of a later one (a page summary, often cut)."""
    keys = [re.sub(r"\s", "", line)[:20] for line in lines]
    kept = []
    for index, line in enumerate(lines):
        key = keys[index]
        if len(key) >= 20 and len(line) >= 60 and key in keys[index + 1 :]:
            continue
        kept.append(line)
    return kept
