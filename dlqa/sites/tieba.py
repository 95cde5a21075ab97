"""Baidu Tieba (百度贴吧) threads.

Every floor is a `div.l_post` whose `data-field` JSON names the author and the post id; the
text is `div.d_post_content`, the floor number and time are `span.tail-info` in the post's tail
(next to "来自Android客户端"). Replies to a floor (楼中楼) are `li.lzl_single_post` items inside
it, each with its own `data-field` (`spid`, `user_name`), text in `span.lzl_content_main` and
time in `span.lzl_time`: each is an answer of its own, after its floor. Ad floors, app
promotions, fold notices ("该楼层疑似违规已被系统折叠") and the "贴吧热议榜" live outside those
elements. A floor's link is `/p/TID?pid=PID#PID`, a reply's `/p/TID?pid=PID&cid=SPID#SPID`.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from dlqa.model import Answer, Page
from dlqa.sites import Site, Source, forum
from dlqa.sites.threads import body_text, first_text, has_class, strip_title

NAME = "tieba"
TITLE_SUFFIX = re.compile(r"\s*[_-]\s*[^_]{0,40}吧\s*[_-]\s*百度贴吧\s*$|\s*[_-]\s*百度贴吧\s*$")
_THREAD_URL = re.compile(r"^https?://tieba\.baidu\.com/p/(?P<tid>\d+)")
_FLOORS = f"//div[{has_class('l_post')}][.//div[{has_class('d_post_content')}]]"
_BODY_CHROME = f".//*[{has_class('post_bubble_top')} or {has_class('save_face_bg')} or {has_class('BDE_Smiley_tip')}]"
_FLOOR_NUMBER = re.compile(r"^(\d+)\s*楼$")


def recognise(source: Source) -> bool:
    host = urlsplit(source.url or "").hostname or ""
    if host == "tieba.baidu.com":
        return True
    return source.is_html and bool(source.tree.xpath(f"{_FLOORS}//div[{has_class('j_d_post_content')}]"))


def _data_field(element: Any) -> dict[str, Any]:
    try:
        data = json.loads(element.get("data-field") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def extract(source: Source) -> Page:
    tree = source.tree
    thread = _THREAD_URL.match(source.url or "")
    base = f"https://tieba.baidu.com/p/{thread.group('tid')}" if thread else None
    page = Page(source_file=source.path, site=NAME, page_url=base or source.url)
    page.title = first_text(tree, f"//*[{has_class('core_title_txt')}]") or strip_title(source.html_title, TITLE_SUFFIX)
    for floor in tree.xpath(_FLOORS):
        page.answers.extend(_floor_answers(floor, base))
    return page


def _floor_answers(floor: Any, base: str | None) -> list[Answer]:
    field = _data_field(floor)
    author_data = field.get("author") if isinstance(field.get("author"), dict) else {}
    content = field.get("content") if isinstance(field.get("content"), dict) else {}
    author = first_text(floor, f".//a[{has_class('p_author_name')}]") or _string(
        author_data.get("user_name") or author_data.get("un"))
    pid = _string(content.get("post_id"))
    body = floor.xpath(f".//div[{has_class('d_post_content')}]")[0]
    tails = [t.strip() for t in floor.xpath(f".//*[{has_class('tail-info')}]//text()") if t.strip()]
    number = next((int(m.group(1)) for t in tails if (m := _FLOOR_NUMBER.match(t))), None)
    when = next((t for t in tails if re.match(r"\d{4}-\d{2}-\d{2}", t)), None)
    answers = [Answer(position=0, body=body_text(body, _BODY_CHROME), author=author,
                      url=f"{base}?pid={pid}#{pid}" if base and pid else base,
                      floor=number if number and number > 1 else None, posted_at=when)]
    for reply in floor.xpath(f".//li[{has_class('lzl_single_post')}]"):
        data = _data_field(reply)
        text = reply.xpath(f".//*[{has_class('lzl_content_main')}]")
        if not text:
            continue
        spid = _string(data.get("spid"))
        answers.append(Answer(
            position=0, body=body_text(text[0]),
            author=first_text(reply, f".//a[{has_class('j_user_card')}][normalize-space()]")
            or _string(data.get("showname") or data.get("user_name")),
            url=f"{base}?pid={pid}&cid={spid}#{spid}" if base and pid and spid else base,
            posted_at=first_text(reply, f".//*[{has_class('lzl_time')}]"),
            meta={"reply_to_floor": number} if number else {},
        ))
    return answers


def _string(value: Any) -> str | None:
    if isinstance(value, (int, str)) and str(value).strip():
        return str(value).strip()
    return None


SITE = Site(NAME, recognise, forum.or_any_page(extract))
