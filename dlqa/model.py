"""Plain data for what the extraction pipeline produces: a `Page` holding its `Answer`s.

Everything downstream (the index, search results, JSON output) is built from these two
dataclasses, so their JSON form (`to_dict`) is the contract scripts depend on.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, make_dataclass
from typing import Any


@dataclass(frozen=True)
class RecordField:
    """One field of an answer record: what the index keeps of an answer and search returns.

    `of` says where the value comes from (the `Answer` or its `Page`); `kind` how the index
    keeps it: "key" (exact term, stored), "stored" (stored only), "text" (jieba words for
    ranking and grams for substrings, stored), "grams" (grams only, stored), "body" (words
    and grams, the text kept in a compressed column). `boost` weighs a match in this field.
    """

    name: str
    of: str
    kind: str = "stored"
    boost: float = 1.0
    type: Any = "str | None"


#: Every answer record field, in the order of `--json` results and `dlqa show --json`. The
#: index schema (`dlqa.store.documents`), the stored fields, `AnswerRecord`, `to_dict` and
#: JSON output are all made from this list: adding a field is one line here.
RECORD_FIELDS = (
    RecordField("id", "answer", "key", type=str),
    RecordField("position", "answer", type="int | None"),
    RecordField("author", "answer", "grams", boost=2.0),
    RecordField("author_bio", "answer"),
    RecordField("url", "answer"),
    RecordField("floor", "answer", type="int | None"),
    RecordField("posted_at", "answer"),
    RecordField("body", "answer", "body", type=str),
    RecordField("title", "page", "text", boost=3.0),
    RecordField("site", "page", "key", type=str),
    RecordField("page_url", "page"),
    RecordField("question_url", "page"),
    RecordField("source_file", "page", "key", type=str),
)
#: The answer fields of the `dlqa parse --json` contract, in output order.
ANSWER_FIELDS = tuple(spec.name for spec in RECORD_FIELDS if spec.of == "answer")

#: An answer as the index returns it: every `RECORD_FIELDS` field, as an attribute.
AnswerRecord = make_dataclass("AnswerRecord", [(spec.name, spec.type) for spec in RECORD_FIELDS])
AnswerRecord.__doc__ = "An answer as the index keeps it: the fields of `RECORD_FIELDS`, in order."
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
