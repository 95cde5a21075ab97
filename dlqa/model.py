"""Plain data for what the extraction pipeline produces: a `Page` holding its `Answer`s.

Everything downstream (the index, search results, JSON output) is built from these two
dataclasses, so their JSON form (`to_dict`) is the contract scripts depend on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

#: The answer fields of the `dlqa parse --json` contract, in output order.
ANSWER_FIELDS = ("id", "position", "author", "author_bio", "url", "floor", "posted_at", "body")
#: The page fields of the `dlqa parse --json` contract, in output order.
PAGE_FIELDS = ("source_file", "site", "title", "page_url", "question_url", "description")


@dataclass
class Answer:
    """One contributor's answer or forum reply, with its attribution."""

    position: int
    body: str
    author: str | None = None
    author_bio: str | None = None
    url: str | None = None
    floor: int | None = None
    posted_at: str | None = None
    id: str = ""
    #: Site-specific extras that are not body text (V2EX "via Android", the "OP" marker, …).
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in ANSWER_FIELDS}
        data["meta"] = dict(self.meta)
        return data


@dataclass
class Page:
    """One saved web page: its metadata and the answers found on it."""

    source_file: str
    site: str
    title: str | None = None
    page_url: str | None = None
    question_url: str | None = None
    description: str | None = None
    answers: list[Answer] = field(default_factory=list)
    #: Page-level extras: WeChat account, view count, editor, original source, …
    meta: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {name: getattr(self, name) for name in PAGE_FIELDS}
        data["meta"] = dict(self.meta)
        data["answers"] = [answer.to_dict() for answer in self.answers]
        return data


def answer_id(page_key: str, answer_key: str) -> str:
    """A short id that is the same for the same answer on every run and machine.

    `page_key` is the page URL when the page names one, else the file's base name (never an
    absolute path, which differs between machines); `answer_key` is the answer's own link when
    it has one, else its position on the page.
    """
    digest = hashlib.sha1(f"{page_key}\n{answer_key}".encode()).hexdigest()
    return digest[:16]


def assign_ids(page: Page, file_name: str) -> None:
    """Fill in `Answer.id` and `Answer.position` for every answer of `page`, in order."""
    page_key = page.page_url or f"file:{file_name}"
    for position, answer in enumerate(page.answers):
        answer.position = position
        own_link = answer.url if answer.url and answer.url not in (page.page_url, page.question_url) else None
        answer.id = answer_id(page_key, own_link or f"#{position}")
