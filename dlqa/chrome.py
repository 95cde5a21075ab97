"""Site chrome as data: lines to drop, and lines where the page's tail of chrome begins.

Rules are regular expressions matched against one cleaned line (see `textutil.clean_line`);
both ASCII and fullwidth punctuation are accepted because browsers and dumps differ. A site
module combines the rule sets it needs; `strip` applies them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

C = "[:：]"  # a colon as pages write it


def _rules(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(pattern, re.IGNORECASE) for pattern in patterns)


@dataclass(frozen=True)
class ChromeRules:
    """Chrome of one kind of page."""

    #: A line matching one of these is dropped wherever it stands.
    drop: tuple[re.Pattern[str], ...] = ()
    #: The first line matching one of these starts the tail: it and everything after it go.
    tail: tuple[re.Pattern[str], ...] = ()

    def __add__(self, other: ChromeRules) -> ChromeRules:
        return ChromeRules(self.drop + other.drop, self.tail + other.tail)


#: WeChat official-account articles, wherever they are reposted: promo header and footer.
WECHAT = ChromeRules(
    drop=_rules(
        r"^点击(上方|下方|蓝字|标题下).{0,30}(星标|置顶|关注|设为)",
        r"^.{0,4}(重磅)?干货.{0,4}第一时间送达",
        r"^(本文)?转(载)?自\s*[|丨:：]",
        r"^二次转载(须|需)经.{0,6}授权",
        r"^(点击|长按|扫描|识别).{0,20}(关注|阅读原文|二维码|小程序|公众号)",
        r"^(↓|▲|△|▼|👇|👆)+.{0,20}$",
        r"^(后台)?回复.{0,20}(即可|获取|下载)",
        r"^(设为星标|星标置顶|置顶公众号)",
        r"^(免责声明|版权声明)" + C,
        r"^(编辑|责编|排版|审核|出品|来源)\s*[丨|]",
        r"^作者\s*[丨|]",
        r"^(推荐关注|欢迎关注)",
        r"^原创\s+.{1,30}\s+\d{4}-\d{1,2}-\d{1,2}(\s+\d{1,2}:\d{2})?(\s*发表于\S{1,8})?$",  # the byline
    ),
    tail=_rules(
        r"^[-—–=·\s]*(end|the end|完|全文完)[-—–=·\s]*$",  # "—— END ——", "—— 完 ——"
        r"^下载\s*\d+\s*" + C,
        r"^(加入)?交流群\s*$",
        r"^好消息\s*[!！]*$",
        r"^(推荐阅读|往期推荐|往期回顾|往期精彩|精彩推荐|猜你喜欢|相关阅读|热门文章|历史文章|近期文章)\s*$",
        r"^.{0,20}知识星球.{0,12}$",
        r"^欢迎加入.{0,30}(群|星球)",
        r"^(觉得|如果).{0,10}(有用|不错|有帮助).{0,10}(点赞|在看|分享|转发)",
        r"^(点个|点亮)?[“\"]?(在看|赞)[”\"]?.{0,10}$",
    ),
)

#: Zhihu's copy trailer, pasted after every answer copied from Zhihu.
ZHIHU_TRAILER = ChromeRules(
    drop=_rules(
        r"^来源" + C + r"\s*知乎.{0,10}(著作权归作者所有)?$",
        r"^著作权归作者所有",
        r"^(商业转载|非商业转载)",
    )
)

#: python88.com community pages: forum navigation, breadcrumb, footer.
PYTHON88 = ChromeRules(
    drop=_rules(
        r"^社区所有版块导航$",
        r"^Py学习\s*(»|>|›|\?|/)",
        r"^\d+\s*次点击$",
    ),
    tail=_rules(
        r"^Python社区是.{0,20}社区",
        r"^本文地址" + C,
    ),
)

#: Blog platforms reposting Zhihu discussions: copyright trailer and recommendation tails.
BLOG = ChromeRules(
    drop=_rules(
        r"^来源" + C + r"\s*知乎.{0,10}著作权归作者所有",
        r"^(文章标签|分类专栏|版权声明|本文链接)" + C + "?",
        r"^(点赞|收藏|分享|评论|举报|关注)\s*\d*$",
        r"(^|\s)(阅读量|阅读数)\s*[\d.,]+\s*[kKwW万]?(\s|$)",  # an article's info bar (CSDN)
        r"^(发表于|发布于|更新于)\s*\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?(\s*[|·•]\s*.{0,40})?$",  # a post's date line
    ),
    tail=_rules(
        r"^更多推荐\s*$",
        r"^所有评论\s*[(（]\d+[)）]\s*$",
        r"^(相关推荐|相关文章|热门推荐|猜你喜欢|评论列表|发表评论|最新评论|文章评论)\s*$",
        r"^(上一篇|下一篇)" + C,
    ),
)

#: Labels that introduce the lead-in but are not part of it.
LEAD_IN_LABELS = re.compile(
    r"^(#+\s*)?(导读|极市导读|编者按|前言|摘要|引言|问题背景|问题描述|问题|回答集锦|精选回答|正文)\s*[:：]?\s*$"
)


@dataclass
class Stripped:
    """The lines that are left, and what the chrome told us on the way."""

    lines: list[str]
    removed: list[str] = field(default_factory=list)
    tail: list[str] = field(default_factory=list)


def strip(lines: Sequence[str], rules: ChromeRules, tail_from: int = 0) -> Stripped:
    """Drop chrome lines and cut the tail (searched for from line `tail_from` on)."""
    cut = len(lines)
    for index in range(tail_from, len(lines)):
        if _matches(lines[index], rules.tail):
            cut = index
            break
    kept: list[str] = []
    removed: list[str] = []
    for line in lines[:cut]:
        (removed if line.strip() and _matches(line, rules.drop) else kept).append(line)
    return Stripped(kept, removed, list(lines[cut:]))


def _matches(line: str, patterns: Iterable[re.Pattern[str]]) -> bool:
    text = line.strip()
    return bool(text) and any(pattern.search(text) for pattern in patterns)


def is_chrome(line: str, rules: ChromeRules) -> bool:
    """Whether a single line is chrome under `rules` (drop or tail rule)."""
    return _matches(line, rules.drop) or _matches(line, rules.tail)
