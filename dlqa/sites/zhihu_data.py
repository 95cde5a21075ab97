"""Zhihu's own embedded JSON: `<script id="js-initialData">`, the state the page was drawn from.

Since 2017 every Zhihu page carries `{"initialState": {"entities": {"answers": {id: …},
"articles": {id: …}, "questions": …, "users": …}}}`: each loaded answer's full content HTML,
its author (name, headline, urlToken), created and updated times and vote count. A saved page
often holds the markup of only the first answers, or bodies cut at "阅读全文"; the JSON is
complete, so it fills in what the markup lacks. It is data, never run.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dlqa import blocks
from dlqa.sites.zhihu_markup import ANONYMOUS, iso_time, rich_text

#: Larger JSON is not parsed (a saved page's state is a few MB at most).
MAX_JSON_CHARS = 20_000_000


@dataclass
class Entry:
    """One answer or article of the page's state."""

    kind: str  # "answer" or "article"
    id: str
    body: str
    author: str | None
    author_bio: str | None
    author_url: str | None
    url: str | None
    posted_at: str | None
    modified_at: str | None
    upvotes: int | None
    title: str | None
    question_id: str | None


def initial_state(tree: Any) -> dict[str, Any]:
    """The page's `initialState`, or {} when absent or damaged."""
    for script in tree.xpath("//script[@id='js-initialData']"):
        text = script.text or ""
        if not text.strip() or len(text) > MAX_JSON_CHARS:
            continue
        try:
            data = json.loads(text)
        except ValueError:
            continue
        state = data.get("initialState") if isinstance(data, dict) else None
        if isinstance(state, dict):
            return state
    return {}


def entries(state: dict[str, Any], kind: str) -> list[Entry]:
    """The answers (`kind="answer"`) or articles of the state, in the JSON's order."""
    entities = state.get("entities")
    table = entities.get(f"{kind}s") if isinstance(entities, dict) else None
    if not isinstance(table, dict):
        return []
    found = []
    for key, item in table.items():
        if isinstance(item, dict):
            entry = _entry(kind, str(item.get("id") or key), item)
            if entry is not None:
                found.append(entry)
    return found


def question_title(state: dict[str, Any]) -> str | None:
    """The title of the (single) question in the state."""
    entities = state.get("entities")
    questions = entities.get("questions") if isinstance(entities, dict) else None
    if isinstance(questions, dict):
        for item in questions.values():
            if isinstance(item, dict) and isinstance(item.get("title"), str) and item["title"].strip():
                return item["title"].strip()
    return None


def _entry(kind: str, entry_id: str, item: dict[str, Any]) -> Entry | None:
    content = item.get("content")
    if not isinstance(content, str) or not content.strip():
        return None  # only an excerpt: nothing the markup does not have
    body = rich_text(blocks.parse_html(f"<html><body>{content}</body></html>").xpath("//body")[0])
    author = item.get("author") if isinstance(item.get("author"), dict) else {}
    name = _text(author.get("name"))
    token = _text(author.get("urlToken") or author.get("url_token"))
    question = item.get("question") if isinstance(item.get("question"), dict) else {}
    question_id = str(question.get("id")) if str(question.get("id") or "").isdigit() else None
    if kind == "answer":
        url = f"https://www.zhihu.com/question/{question_id}/answer/{entry_id}" if question_id and entry_id.isdigit() else None
    else:
        url = _text(item.get("url"))
        if entry_id.isdigit() and (url is None or "api.zhihu.com" in url):
            url = f"https://zhuanlan.zhihu.com/p/{entry_id}"
    votes = item.get("voteupCount", item.get("voteup_count"))
    created = iso_time(item.get("createdTime", item.get("created_time", item.get("created"))))
    updated = iso_time(item.get("updatedTime", item.get("updated_time", item.get("updated"))))
    return Entry(
        kind=kind, id=entry_id, body=body,
        author=name, author_bio=_text(author.get("headline")) if name != ANONYMOUS else None,
        author_url=f"https://www.zhihu.com/people/{token}" if token and name != ANONYMOUS else None,
        url=url, posted_at=created, modified_at=updated if updated != created else None,
        upvotes=votes if isinstance(votes, int) and not isinstance(votes, bool) else None,
        title=_text(item.get("title")) or _text(question.get("title")), question_id=question_id,
    )


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None
