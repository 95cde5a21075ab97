"""Generate a deterministic synthetic corpus of N answers in the five sample pages' layouts.

    python3 benchmarks/generate.py --answers 10000 --out /tmp/dlqa-bench-10k [--seed 1]

Why synthetic: the benchmark targets are stated at 10k and 100k answers, and we only have five
real pages. The generator reproduces what makes real pages hard (site chrome around the answers,
three python88 answer layouts, the blog's 回答一 headlines, V2EX's name / floor / name / OP / time
rhythm) and what makes them big (answer lengths with a long tail), from text cut out of the real
pages (`seed_text.py`), so indexing and extraction costs resemble the real thing.

Output, all derived from one seeded `random.Random` (no network, no hash-order dependence):

* `OUT/pages/NNNNNN_<hex>.txt` — the pages, UTF-8, LF;
* `OUT/answers.jsonl` — every answer as generated (file, position, author, url, floor, body), so
  a baseline can index answers even while dlqa's extraction is incomplete;
* `OUT/truth.json` — per query term, the number of answers whose body contains it
  (NFKC + case-insensitive substring), computed from the bodies above, never from the files;
  plus sizes and per-file answer counts.
"""

from __future__ import annotations

import argparse
import calendar
import json
import math
import random
import re
import sys
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import seed_text  # noqa: E402
from terms import CONFUSER_RATE, CONFUSERS, TERMS  # noqa: E402

#: Bump when the output for a given seed changes, so cached corpora are not reused by mistake.
GENERATOR_VERSION = 3

#: Page families and layouts with their share of pages. V2EX threads carry 20–60 short replies,
#: so at 8% of pages they hold about a quarter of the answers but little of the text.
LAYOUTS: tuple[tuple[str, float], ...] = (
    ("py88_numbered", 0.25),  # 000: "01 / 作者:X" … 【n】 link list
    ("py88_zhihu_url", 0.25),  # 002: "作者:X\nhttps://www.zhihu.com/question/Q/answer/A"
    ("py88_jishi", 0.22),  # 004: 作者丨/来源丨/编辑丨 header, "# 回答一 / 作者:X / 来源链接:URL"
    ("blog", 0.20),  # 001: "回答一:<headline>" … "作者:Name,bio"
    ("v2ex", 0.08),  # 003: thread
)

#: Long answers: lognormal character length. Tuned so that 10k answers ≈ 18 MB (UTF-8) of
#: answer text overall (see README: "18 MB" is bytes; the mean long answer is ~800 characters).
LONG_MEDIAN_CHARS = 545
LONG_SIGMA = 0.75
LONG_MAX_CHARS = 20_000
#: V2EX replies: short, median ~35 characters, a few long ones.
REPLY_MEDIAN_CHARS = 35
REPLY_SIGMA = 0.9

TITLES: tuple[str, ...] = (
    "国内 Top2 高校研一在读,为什么感觉深度学习越学越懵?",
    "深度学习难在哪里?",
    "深度学习领域目前仍有哪些值得追踪的前沿研究?",
    "用高中数学理解 AI “深度学习”的基本原理",
    "你是什么时候对深度学习失去信心的?",
    "深度学习的专家如此急缺,它难在何处?",
    "研究生第一年应该怎样入门深度学习?",
    "为什么很多论文的结果自己复现不出来?",
    "做算法工程师三年后,你最大的感悟是什么?",
    "如何看待深度学习只是曲线拟合的说法?",
    "没有显卡的学生怎么做深度学习研究?",
    "深度学习有哪些反直觉的现象?",
    "工业界和学术界做深度学习有什么区别?",
    "有哪些让你相见恨晚的深度学习入门资料?",
    "一个模型在训练集上很好在测试集上很差,该怎么排查?",
    "为什么神经网络的训练这么依赖经验?",
    "深度学习的下一个突破会在哪里?",
    "本科生发顶会论文难吗?",
    "如何系统地阅读机器学习论文?",
    "数学不好还能做深度学习吗?",
    "为什么说深度学习是一门实验科学?",
    "你在训练模型时踩过哪些坑?",
    "计算机视觉还有哪些值得做的问题?",
    "自然语言处理这几年的变化有多大?",
    "深度学习框架应该选哪一个?",
    "如何评价这几年的人工智能热潮?",
    "跨专业转行做算法还来得及吗?",
    "读博做深度学习方向是什么体验?",
)

AUTHORS: tuple[str, ...] = (
    "薛天凡",
    "棒棒糖",
    "zibuyu9",
    "日月",
    "匿名用户",
    "Zhanxing Zhu",
    "夕小瑶",
    "王晋东不在家",
    "机智的叉烧",
    "Spaceman",
    "谭励",
    "霍华德",
    "爱睡觉的KKY",
    "信息门上飞二哈",
    "Naiyan Wang",
    "马尔可夫妖",
    "张翔",
    "Angie Zhang",
    "武侯",
    "申尚昆",
)
NAME_HEADS = (
    "小",
    "阿",
    "老",
    "大",
    "爱吃",
    "不会",
    "想睡",
    "会飞的",
    "沉默的",
    "认真的",
    "路过的",
)
NAME_TAILS = (
    "明",
    "白",
    "熊",
    "鱼",
    "猫",
    "石头",
    "星星",
    "木头",
    "橘子",
    "程序员",
    "研究僧",
    "打工人",
)
BIOS: tuple[str, ...] = (
    "CS PhD, 机器学习与计算机视觉",
    "ZJU/UMD/Google/CS PhD@Deep Learning",
    "算法工程师",
    "在读博士",
    "语音识别研究员",
    "互联网公司打工人",
)
V2EX_USERS: tuple[str, ...] = (
    "f278478529",
    "lojoeshawn",
    "Egfly",
    "yushiro",
    "adrianyoung",
    "iannil",
    "qianfeilong",
    "wzblog",
    "bokchoys",
    "theone1030",
    "xiaozizayang",
    "SeaRecluse",
    "marcushbs",
    "lidonghao",
    "CommandZi",
    "qihuandaxia",
    "muffin",
    "watermelon92",
    "leoleoasd",
    "t6attack",
    "sfqtsh",
    "zirconium",
    "feather12315",
    "dyxang",
    "uuspider",
    "luxinxin",
    "shm7",
    "zxq2233",
)
SYLLABLES = (
    "li",
    "wang",
    "zhao",
    "chen",
    "yu",
    "xiao",
    "lin",
    "hao",
    "wei",
    "qi",
    "mo",
    "su",
    "tian",
)
VIA = ("", "", "", " via Android", " via iPhone")
CN_DIGITS = "零一二三四五六七八九"

_SENTENCE_END = re.compile(r"[。！？!?；;…]$")


def fold(text: str) -> str:
    """How truth compares text: NFKC (full width → ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower()


FOLDED_TERMS = tuple(fold(term.query) for term in TERMS)


def contains_any_term(text: str) -> bool:
    """True when `text` would count for some query term; used to keep scaffolding term-free."""
    folded = fold(text)
    return any(term in folded for term in FOLDED_TERMS)


def _is_latin(char: str) -> bool:
    return char.isascii() and char.isalnum()


def join(parts: Iterable[str], separator: str = "") -> str:
    """Concatenate text, with a space where two Latin words would otherwise fuse (BERT + XD)."""
    out = ""
    for part in parts:
        if (
            out
            and part
            and not separator
            and _is_latin(out[-1])
            and _is_latin(fold(part[0])[:1] or " ")
        ):
            out += " "
        out += (separator if out else "") + part
    return out


def chinese_number(number: int) -> str:
    """一 … 九十九, as 回答一 / 回答十二 headings write them."""
    tens, ones = divmod(number, 10)
    if tens == 0:
        return CN_DIGITS[ones]
    head = "" if tens == 1 else CN_DIGITS[tens]
    return head + "十" + (CN_DIGITS[ones] if ones else "")


@dataclass
class Pools:
    """Text pools derived once from the seed sentences."""

    sentences: list[str]
    clauses: list[str]
    short: list[str]
    replies: list[str]
    templates: list[str]


def build_pools() -> Pools:
    """Split the seed sentences into term-free material and term templates.

    Term-free sentences and clauses are the filler; sentences holding exactly one Chinese term
    become templates ("…{t}…") so planted terms sit in real context. Everything is kept in the
    seed order, so the pools (and the corpus) do not depend on set or dict ordering.
    """
    sentences = [s for s in seed_text.SENTENCES if not contains_any_term(s)]
    clauses: list[str] = []
    for sentence in sentences:
        for clause in re.split(r"[,，]", sentence.rstrip("。！？!?；;…")):
            clause = clause.strip()
            if len(clause) >= 5 and clause not in clauses:
                clauses.append(clause)
    short = [s for s in sentences if 6 <= len(s) <= 30 and not s.startswith("•")]
    replies = [r for r in seed_text.V2EX_REPLIES if not contains_any_term(r) and "http" not in r]
    templates: list[str] = []
    for sentence in seed_text.SENTENCES:
        folded = fold(sentence)
        hits = [t for t in TERMS if fold(t.query) in folded]
        if len(hits) != 1 or not re.search("[\u4e00-\u9fff]", hits[0].query):
            continue
        query = hits[0].query
        if sentence.count(query) != 1:
            continue
        template = sentence.replace(query, "{t}")
        if not contains_any_term(template.replace("{t}", "")) and template not in templates:
            templates.append(template)
    templates += [
        "很多人对{t}的理解其实并不到位。",
        "说到{t},我觉得最重要的是先把基础打牢。",
        "{t}这个东西,书上讲得很清楚,真正用起来才发现没那么简单。",
        "我们组里每周都会讨论{t}相关的论文。",
        "面试的时候几乎必问{t}。",
        "如果你连{t}都没有亲手实现过,就很难说真正理解了它。",
        "这几年{t}的论文多得看不过来。",
        "关于{t},知乎上已经有很多高质量的回答了。",
    ]
    return Pools(sentences, clauses, short, replies, templates)


@dataclass
class Answer:
    """One generated answer: its attribution and its body exactly as written to the page."""

    file: str
    position: int
    body: str
    author: str | None = None
    url: str | None = None
    floor: int | None = None
    #: The page's title, for baselines that index it next to the body.
    title: str = ""


@dataclass
class Generator:
    """Writes pages one after another from a single seeded RNG."""

    rng: random.Random
    pools: Pools
    answers: list[Answer] = field(default_factory=list)
    #: Position of the next answer on the page being written, and that page's title.
    position: int = 0
    page_title: str = ""

    # ---- text -------------------------------------------------------------------------------

    def sentence(self) -> str:
        """A real sentence (mostly) or two or three real clauses recombined."""
        if self.rng.random() < 0.75:
            return self.rng.choice(self.pools.sentences)
        parts = [self.rng.choice(self.pools.clauses) for _ in range(self.rng.randint(2, 3))]
        return ",".join(parts) + self.rng.choice(("。", "。", "。", "?", "!"))

    def neutral_paragraph(self, sentences: int) -> str:
        """Term-free scaffolding text (intros, interludes, question descriptions)."""
        return join(self.sentence() for _ in range(sentences))

    def term_sentence(self, form: str) -> str:
        template = self.rng.choice(self.pools.templates)
        before, after = template.split("{t}", 1)
        if before and _is_latin(before[-1]):
            before += " "
        if after and _is_latin(after[0]):
            after = " " + after
        return before + form + after

    def plant(self, chars: int) -> list[str]:
        """Sentences carrying query terms (and near misses) for one long answer."""
        planted: list[str] = []
        boost = math.sqrt(max(chars, 100) / 800)
        for term in TERMS:
            if self.rng.random() < min(0.95, term.rate * boost):
                forms = term.surface_forms()
                weights = [weight for _, weight in forms]
                occurrences = 1
                while occurrences < 6 and self.rng.random() < 0.35:
                    occurrences += 1
                for _ in range(occurrences):
                    form = self.rng.choices([f for f, _ in forms], weights)[0]
                    planted.append(self.term_sentence(form))
        if self.rng.random() < CONFUSER_RATE:
            planted.append(self.rng.choice(CONFUSERS) + "。")
        return planted

    def long_body(self, layout: str) -> str:
        """A long answer: paragraphs of real sentences with planted terms, in the layout's style."""
        target = min(
            LONG_MAX_CHARS, int(self.rng.lognormvariate(math.log(LONG_MEDIAN_CHARS), LONG_SIGMA))
        )
        paragraphs: list[list[str]] = []
        size = 0
        while size < target:
            paragraph = [self.sentence() for _ in range(self.rng.randint(1, 5))]
            size += sum(len(s) for s in paragraph)
            paragraphs.append(paragraph)
        for planted in self.plant(size):
            paragraph = self.rng.choice(paragraphs)
            paragraph.insert(self.rng.randint(0, len(paragraph)), planted)
        lines: list[str] = []
        for index, paragraph in enumerate(paragraphs):
            roll = self.rng.random()
            if layout == "py88_zhihu_url" and roll < 0.08:
                lines.extend(f"  • {s}" for s in paragraph)
            elif layout == "py88_jishi" and roll < 0.06:
                lines.extend(f"  {n}. {s}" for n, s in enumerate(paragraph, 1))
            elif layout in ("py88_jishi", "py88_numbered") and roll < 0.12 and index:
                lines.append(self.rng.choice(self.pools.short).rstrip("。"))
                lines.append(join(paragraph))
            else:
                lines.append(join(paragraph))
        separator = (
            "\n"
            if layout == "blog" or (layout == "py88_jishi" and self.rng.random() < 0.3)
            else "\n\n"
        )
        return separator.join(lines)

    def reply_body(self, users: list[str]) -> str:
        """A V2EX reply: short, sometimes @someone, sometimes carrying a term."""
        target = int(self.rng.lognormvariate(math.log(REPLY_MEDIAN_CHARS), REPLY_SIGMA))
        roll = self.rng.random()
        if roll < 0.3:
            text = self.rng.choice(self.pools.replies)
        elif roll < 0.45:
            text = self.rng.choice(self.pools.clauses)
        else:
            text = ""
            while len(text) < target:
                text = join(
                    (
                        text,
                        self.rng.choice(self.pools.short if target < 60 else self.pools.sentences),
                    )
                )
        if self.rng.random() < 0.12:
            term = self.rng.choice(TERMS)
            forms = term.surface_forms()
            form = self.rng.choices([f for f, _ in forms], [w for _, w in forms])[0]
            text = join((text, self.term_sentence(form)))
        if users and self.rng.random() < 0.25:
            text = f"@{self.rng.choice(users)} {text}"
        if self.rng.random() < 0.08:
            text += "\n" + self.rng.choice(self.pools.short)
        return text

    # ---- names and ids ----------------------------------------------------------------------

    def author(self) -> str:
        while True:
            if self.rng.random() < 0.3:
                name = self.rng.choice(AUTHORS)
            else:
                name = self.rng.choice(NAME_HEADS) + self.rng.choice(NAME_TAILS)
                if self.rng.random() < 0.3:
                    name += str(self.rng.randint(1, 999))
            if not contains_any_term(name):
                return name

    def v2ex_user(self) -> str:
        while True:
            if self.rng.random() < 0.3:
                name = self.rng.choice(V2EX_USERS)
            else:
                name = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(1, 3)))
                name += str(self.rng.randint(0, 9999)) if self.rng.random() < 0.5 else ""
            if not contains_any_term(name):
                return name

    def question_id(self) -> int:
        return self.rng.randint(20_000_000, 599_999_999)

    def answer_url(self, question: int) -> str:
        return f"https://www.zhihu.com/question/{question}/answer/{self.rng.randint(100_000_000, 2_999_999_999)}"

    def title(self) -> str:
        self.page_title = self.rng.choice(TITLES)
        return self.page_title

    # ---- pages ------------------------------------------------------------------------------

    def add(
        self,
        file: str,
        body: str,
        author: str | None,
        url: str | None = None,
        floor: int | None = None,
    ) -> None:
        self.answers.append(Answer(file, self.position, body, author, url, floor, self.page_title))
        self.position += 1

    def py88_top(self, title: str) -> list[str]:
        unit, amount = self.rng.choice(
            (("年", self.rng.randint(1, 5)), ("月", self.rng.randint(1, 11)))
        )
        views = self.rng.randint(80, 3000)
        return [
            *seed_text.PY88_NAV,
            "",
            title,
            "",
            f"小白学视觉 • {amount} {unit}前 • {views} 次点击 \xa0",
            "",
            *seed_text.PY88_PROMO,
        ]

    def py88_bottom(self, views: int) -> list[str]:
        topic = self.rng.randint(100_000, 180_000)
        return [
            *seed_text.PY88_FOOTER,
            f"本文地址:http://www.python88.com/topic/{topic}",
            "\xa0",
            f"{views} 次点击",
        ]

    def page_py88_numbered(self, file: str, count: int) -> list[str]:
        lines = self.py88_top(self.title())
        lines.append("")
        if self.rng.random() < 0.5:
            lines += [*seed_text.PY88_REPOST, ""]
        lines += [*seed_text.PY88_DAODU, "", self.neutral_paragraph(3) + "\xa0", ""]
        lines += ["问题背景:" + self.neutral_paragraph(4), ""]
        question = self.question_id()
        urls: list[str] = []
        for number in range(1, count + 1):
            author = self.author()
            url = self.answer_url(question)
            urls.append(url)
            body = self.long_body("py88_numbered")
            self.add(file, body, author, url)
            lines += [f"{number:02d}", "", f"作者:{author}", "", *body.split("\n"), ""]
            if number < count and self.rng.random() < 0.3:
                lines += ["", self.neutral_paragraph(2), ""]
            lines += ["", ""]
        lines += ["原文链接:", ""]
        for number, url in enumerate(urls, 1):
            lines += [f"【{number}】{url}", ""]
        lines += [*seed_text.PY88_END, "", ""]
        return lines + self.py88_bottom(self.rng.randint(80, 3000))

    def page_py88_zhihu_url(self, file: str, count: int) -> list[str]:
        lines = self.py88_top(self.title())
        lines.append("")
        question = self.question_id()
        for _ in range(count):
            author = self.author()
            url = self.answer_url(question)
            body = self.long_body("py88_zhihu_url")
            self.add(file, body, author, url)
            roll = self.rng.random()
            if roll < 0.2:
                lines.append(f"作者:{author} {url}")
            else:
                lines += [f"作者:{author}", url]
            if self.rng.random() < 0.6:
                lines.append("")
            lines += [*body.split("\n"), "", ""]
        if self.rng.random() < 0.5:
            lines += [*seed_text.PY88_GOODNEWS, "", "", ""]
        lines.append("")
        return lines + self.py88_bottom(self.rng.randint(80, 3000))

    def page_py88_jishi(self, file: str, count: int) -> list[str]:
        lines = self.py88_top(self.title())
        question = self.question_id()
        authors = [self.author() for _ in range(count)]
        lines += [
            f"作者丨{'、'.join(authors[:3])}(已授权)",
            f"来源丨https://www.zhihu.com/question/{question}",
            *seed_text.JISHI_TAIL,
            "",
            *seed_text.JISHI_DAODU,
            "",
            self.neutral_paragraph(2) + "”",
            "",
        ]
        for number, author in enumerate(authors, 1):
            url = self.answer_url(question)
            body = self.long_body("py88_jishi")
            self.add(file, body, author, url)
            lines += [
                f"#\xa0回答{chinese_number(number)}",
                "",
                f"作者:{author}",
                "",
                f"来源链接:{url}",
                "",
            ]
            lines += [*body.split("\n"), "", "", ""]
        return lines + self.py88_bottom(self.rng.randint(80, 3000))

    def page_blog(self, file: str, count: int) -> list[str]:
        title = self.title()
        question = self.question_id()
        summary = self.neutral_paragraph(4)
        topic = title.rstrip("?")
        lines = [
            title,
            f"知乎讨论:“{topic}?”{summary[:180]}[ h",
            f"知乎讨论:“{topic}?”",
            summary,
            f"[ https://www.zhihu.com/question/{question} ]。",
            "问题描述",
            self.neutral_paragraph(3),
            "回答集锦",
        ]
        for number in range(1, count + 1):
            headline = self.rng.choice(self.pools.short)
            gap = " " if self.rng.random() < 0.15 else ""
            author = self.author()
            bio = self.rng.choice(BIOS) if self.rng.random() < 0.4 else None
            body = self.long_body("blog")
            self.add(file, body, author)
            lines += [f"回答{chinese_number(number)}:{gap}{headline}", *body.split("\n")]
            lines.append(f"作者:{author}" + (f",{bio}" if bio else ""))
        if self.rng.random() < 0.5:
            lines += [
                "其他观点",
                *(self.neutral_paragraph(2) for _ in range(self.rng.randint(2, 4))),
            ]
        return lines + list(seed_text.BLOG_FOOTER)

    def page_v2ex(self, file: str, count: int) -> list[str]:
        op = self.v2ex_user()
        start = calendar.timegm(
            (
                self.rng.randint(2016, 2023),
                self.rng.randint(1, 12),
                self.rng.randint(1, 28),
                0,
                0,
                0,
                0,
                0,
                0,
            )
        )
        start += self.rng.randint(0, 86_399)
        stamp = _v2ex_time
        users = [self.v2ex_user() for _ in range(max(3, count // 3))]
        replies: list[tuple[str, str, str]] = []
        moment = start
        for _ in range(count):
            moment += self.rng.randint(30, 4 * 3600)
            user = op if self.rng.random() < 0.15 else self.rng.choice(users)
            replies.append((user, stamp(moment), self.reply_body([u for u in users if u != user])))
        lines = [*seed_text.V2EX_HEADER, op, "V2EX \xa0›\xa0 分享创造", "", self.title(), ""]
        lines += [f"  • \xa0{self.rng.randint(0, 30)}", "    \xa0"]
        lines += [f"  • \xa0 {op} · {stamp(start)} · {self.rng.randint(200, 20_000)} 次点击"]
        lines += [
            f"    这是一个创建于 {self.rng.randint(30, 3000)} 天前的主题,其中的信息可能已经有所发展或是发生改变。",
            "",
        ]
        for _ in range(self.rng.randint(1, 3)):
            lines += ["    " + self.neutral_paragraph(self.rng.randint(1, 3)), ""]
        lines.append(f"    {count} 条回复 \xa0 \xa0{stamp(moment)}")
        for floor, (user, when, body) in enumerate(replies, 1):
            self.add(file, body, user, floor=floor)
            lines += [f"    {user}", f"    \xa0 \xa0 {floor}", f"    {user} \xa0"]
            if user == op:
                lines.append("    OP")
            via = self.rng.choice(VIA)
            likes = (
                f" \xa0 ❤️ {self.rng.randint(1, 5)}" if not via and self.rng.random() < 0.1 else ""
            )
            lines.append(f"    \xa0 \xa0{when}{via}{likes}")
            lines += [f"    {line}" for line in body.split("\n")]
        return lines + list(seed_text.V2EX_FOOTER)

    def page(self, file: str, layout: str, count: int) -> str:
        build = getattr(self, f"page_{layout}")
        self.position = 0
        return "\n".join(build(file, count)) + "\n"


def _v2ex_time(moment: float) -> str:
    """V2EX's timestamp format, in a fixed +08:00 zone (independent of the machine's zone)."""
    return time.strftime("%Y-%m-%d %H:%M:%S +08:00", time.gmtime(moment + 8 * 3600))


def count_truth(bodies: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Answers containing each term: substring truth, and a word-bounded check for Latin terms.

    The second count exists to prove the corpus has no Latin term hidden inside a longer word
    (Roberta, organ …), where "contains" would be ambiguous; the generator asserts both agree.
    """
    substring = {term.query: 0 for term in TERMS}
    bounded = {term.query: 0 for term in TERMS}
    patterns = {
        term.query: re.compile(rf"(?<![a-z]){re.escape(fold(term.query))}(?![a-z])")
        for term in TERMS
        if term.query.isascii()
    }
    for body in bodies:
        folded = fold(body)
        for term in TERMS:
            key = fold(term.query)
            if key in folded:
                substring[term.query] += 1
            pattern = patterns.get(term.query)
            if (pattern.search(folded) is not None) if pattern else key in folded:
                bounded[term.query] += 1
    return substring, bounded


def generate(answers: int, out: Path, seed: int = 1) -> dict[str, object]:
    """Write the corpus for `answers` answers under `out` and return the truth record."""
    rng = random.Random(seed)
    generator = Generator(rng, build_pools())
    pages_dir = out / "pages"
    pages_dir.mkdir(parents=True, exist_ok=True)
    for stale in pages_dir.glob("*.txt"):
        stale.unlink()
    names = [name for name, _ in LAYOUTS]
    weights = [weight for _, weight in LAYOUTS]
    files: dict[str, int] = {}
    layouts: dict[str, int] = dict.fromkeys(names, 0)
    page_bytes = 0
    index = 0
    while len(generator.answers) < answers:
        layout = rng.choices(names, weights)[0]
        planned = rng.randint(20, 60) if layout == "v2ex" else rng.randint(5, 15)
        count = min(planned, answers - len(generator.answers))
        name = f"{index:06d}_{rng.getrandbits(64):016x}.txt"
        before = len(generator.answers)
        data = generator.page(name, layout, count).encode("utf-8")
        (pages_dir / name).write_bytes(data)
        page_bytes += len(data)
        files[name] = len(generator.answers) - before
        layouts[layout] += 1
        index += 1
    with (out / "answers.jsonl").open("w", encoding="utf-8") as handle:
        for answer in generator.answers:
            handle.write(json.dumps(asdict(answer), ensure_ascii=False) + "\n")
    bodies = [answer.body for answer in generator.answers]
    substring, bounded = count_truth(bodies)
    if substring != bounded:
        differing = {k: (substring[k], bounded[k]) for k in substring if substring[k] != bounded[k]}
        raise SystemExit(f"Latin term inside a longer word, truth would be ambiguous: {differing}")
    text_bytes = sum(len(body.encode("utf-8")) for body in bodies)
    text_chars = sum(len(body) for body in bodies)
    long_bodies = [len(a.body) for a in generator.answers if a.floor is None]
    truth: dict[str, object] = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "answers": len(bodies),
        "pages": len(files),
        "pages_by_layout": layouts,
        "answer_text_bytes": text_bytes,
        "answer_text_chars": text_chars,
        "page_bytes": page_bytes,
        "mean_long_answer_chars": round(sum(long_bodies) / max(1, len(long_bodies)), 1),
        "terms": substring,
        "files": files,
    }
    (out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return truth


def load_truth(out: Path) -> dict[str, object] | None:
    """The truth record of an existing corpus, or None when there is none (or it is unreadable)."""
    try:
        return json.loads((out / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description="Generate the dlqa benchmark corpus.")
    parser.add_argument("--answers", type=int, required=True, help="number of answers to generate")
    parser.add_argument("--out", type=Path, required=True, help="output directory (pages/ inside)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    started = time.perf_counter()
    truth = generate(args.answers, args.out, args.seed)
    elapsed = time.perf_counter() - started
    text_mb = float(str(truth["answer_text_bytes"])) / 1e6
    text_mchars = float(str(truth["answer_text_chars"])) / 1e6
    page_mb = float(str(truth["page_bytes"])) / 1e6
    print(
        f"{truth['answers']} answers on {truth['pages']} pages {truth['pages_by_layout']}; "
        f"answer text {text_mb:.1f} MB ({text_mchars:.1f} M chars), pages {page_mb:.1f} MB; "
        f"mean long answer {truth['mean_long_answer_chars']} chars; {elapsed:.1f} s"
    )
    print("answers containing each term:", json.dumps(truth["terms"], ensure_ascii=False))


if __name__ == "__main__":
    main()
