"""What every Zhihu HTML shape shares: class tests, visible text, answer bodies without ads.

Zhihu's markup changed over the years (the 2014–2016 `zm-*` pages, the React pages since
2017, column articles), but some things hold across all of them: a name element may carry
a `<style>` (emotion's CSS-in-JS puts `.css-1cd9gw4{margin-left:.3em}` inside the author
link), answer bodies embed shopping cards ("去购买") and ad cards that are not the answer's
text, and links to answers take a few spellings. Those rules live here once.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from dlqa import blocks
from dlqa.textutil import ZHIHU_ANSWER_PATH, ZHIHU_QUESTION_URL, clean_line

ANONYMOUS = "匿名用户"
#: Cards embedded in an answer that sell or advertise (class fragments, as data): Zhihu's
#: "好物推荐" goods cards (MCN link cards), e-commerce and ad cards, 知学堂 course cards.
CARD_CLASSES = ("MCNLinkCard", "EcomLinkCard", "GoodsCard", "ADLinkCard", "EcommerceCard", "RichText-AdCard",
                "KfeCollection")
#: The same cards in the raw content HTML of the page's JSON (`data-draft-type`).
CARD_DRAFT_TYPES = ("mcn-link-card", "ecommerce-card", "goods-card", "ad-link-card")
#: A button that marks a card as a shop window, whatever its class.
SHOP_BUTTON = re.compile(r"^\s*(去购买|立即购买|查看详情|去看看|领券购买|立即报名|免费报名|立即领取|免费领取)\s*$")

TIME_LABEL = re.compile(r"^(?:发布于|编辑于|发表于)\s*")
#: "・IP 属地上海" after a shown time (since 2022): where the author was, not when.
IP_LOCATION = re.compile(r"\s*[·・]?\s*IP\s*属地\s*\S*\s*$")
#: What a Zhihu <title> adds to the question: " - 知乎", an answer page's " - 某人的回答 - 知乎".
TITLE_SUFFIX = re.compile(r"(?:\s+-\s+[^-]{1,60}?的回答)?\s*-\s*知乎(?:专栏)?\s*$")


def cls(name: str) -> str:
    """An XPath test for one class token (not a substring of another class)."""
    return f"contains(concat(' ',normalize-space(@class),' '),' {name} ')"


def visible_text(element: Any) -> str:
    """An element's text as one line, without the text of <style> and <script> inside it."""
    texts = element.xpath(".//text()[not(ancestor::style or ancestor::script or ancestor::noscript)]")
    return clean_line(" ".join("".join(map(str, texts)).split()))


def first_text(elements: list[Any]) -> str | None:
    for element in elements:
        text = visible_text(element)
        if text:
            return text
    return None


def first_attr(element: Any, xpath: str) -> str | None:
    for value in element.xpath(xpath):
        text = clean_line(str(value))
        if text:
            return text
    return None


def rich_text(element: Any) -> str:
    """An answer body's block text, with shopping and ad cards left out."""
    drop_cards(element)
    return blocks.element_text(element)


def drop_cards(element: Any) -> None:
    """Remove the cards that sell or advertise from an answer body (in place)."""
    tests = " or ".join(f"contains(@class,'{name}')" for name in CARD_CLASSES)
    drafts = " or ".join(f"@data-draft-type='{name}'" for name in CARD_DRAFT_TYPES)
    doomed = element.xpath(f".//*[{tests} or {drafts}]")
    # A card of another class: the smallest block around a "去购买" button.
    for button in element.xpath(".//button|.//a"):
        if SHOP_BUTTON.match(button.text_content() or ""):
            card = _card_around(button, element)
            if card is not None:
                doomed.append(card)
    for node in doomed:
        if node.getparent() is not None:
            node.drop_tree()  # (keeps the text that follows the card)


def _card_around(button: Any, body: Any) -> Any:
    """The block holding a shop button and little else (a card), or None."""
    node = button
    while node is not None and node is not body:
        parent = node.getparent()
        if parent is None or parent is body:
            return node
        if len(" ".join(parent.text_content().split())) > 160:
            return node
        node = parent
    return None


def shown_time(text: str) -> str | None:
    """"编辑于 2023-04-18 21:07・IP 属地上海" → "2023-04-18 21:07"."""
    return IP_LOCATION.sub("", TIME_LABEL.sub("", clean_line(text))).strip() or None


def answer_url(href: str | None) -> str | None:
    """`https://www.zhihu.com/question/Q/answer/A` from any spelling of an answer link."""
    match = ZHIHU_ANSWER_PATH.search(href or "")
    return f"https://www.zhihu.com/question/{match.group(1)}/answer/{match.group(2)}" if match else None


def question_url(*candidates: str | None) -> str | None:
    for candidate in candidates:
        match = ZHIHU_QUESTION_URL.search(candidate or "")
        if match:
            return f"https://www.zhihu.com/question/{match.group(1)}"
    return None


def iso_time(seconds: Any) -> str | None:
    """A Unix time (Zhihu's `createdTime`) as the ISO form its schema.org metas use."""
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds <= 0:
        return None
    try:
        moment = datetime.fromtimestamp(float(seconds), tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")
