"""What one answer becomes in the index, and back: the record's fields (`model.RECORD_FIELDS`)
plus the few the index adds for itself.

Index-only fields: `source_sig` (the file's size, mtime and sha1, on a file's first answer
only: on every answer it was 2% of the index), `posted_date` (a sortable date for --since,
--until and --sort date) and `reposts` (both repost keys as one fixed-width column of
digests, `dlqa.dedup`, which a search reads a segment at a time).
"""

from __future__ import annotations

from typing import Any

from dlqa.dedup import REPOSTS_WIDTH, normalise_date, repost_column_value, text_key, url_key
from dlqa.engine import schema
from dlqa.model import RECORD_FIELDS, Answer, Page

#: Index-only fields (see the module's docstring).
SIGNATURE_FIELD = "source_sig"
DATE_FIELD = "posted_date"
REPOSTS_FIELD = "reposts"
#: The column holding each answer's body text (the record's "body" field kind).
BODY_COLUMN = "body" + schema.TEXT_SUFFIX


def make_schema() -> Any:
    """The engine's schema for the answer record and the index-only fields."""
    return schema.make_schema(RECORD_FIELDS, stored=(SIGNATURE_FIELD,), sortable=(DATE_FIELD,),
                              fixed_columns={REPOSTS_FIELD: REPOSTS_WIDTH})


def encode_body(text: str) -> bytes:
    """An answer body as the body column keeps it: GB18030, a full Unicode encoding that
    takes 2 bytes for a Chinese character where UTF-8 takes 3.

    Why a column: Whoosh pickles stored fields with protocol 2, which writes bytes as
    latin-1 text re-encoded to UTF-8, so a stored GB18030 body would grow, not shrink. At
    10k answers the body column is 2.2 MB smaller than the body among the stored fields.
    """
    return text.encode("gb18030")


def decode_body(value: bytes | None) -> str:
    return value.decode("gb18030") if value else ""


def document(page: Page, answer: Answer, signature: dict[str, Any] | None) -> dict[str, Any]:
    """The engine fields of one answer; None and empty values are left out (Whoosh refuses
    None). `signature` is given for a file's first answer only."""
    values: dict[str, Any] = {}
    for spec in RECORD_FIELDS:
        value = _clean(getattr(answer if spec.of == "answer" else page, spec.name))
        if spec.kind in ("text", "body"):
            value = value or ""
            values[spec.name + schema.GRAMS_SUFFIX] = value
        if spec.kind == "body":
            values[spec.name + schema.TEXT_SUFFIX] = encode_body(value)
        values[spec.name] = value
    values["site"] = (page.site or "web").lower()
    values[SIGNATURE_FIELD] = signature
    values[DATE_FIELD] = normalise_date(answer.posted_at)
    values[REPOSTS_FIELD] = repost_column_value(url_key(answer.url, page.page_url, page.question_url),
                                                text_key(answer.body or ""))
    if answer.floor is not None and values["title"]:
        _title_stored_only(values)
    return {name: value for name, value in values.items() if value is not None and value not in ("", b"")}


def _title_stored_only(values: dict[str, Any]) -> None:
    """A forum reply keeps its thread's title for display but is not indexed under it.

    Every reply of a thread inherits the title: indexed, "mark" and "+1" replies matched any
    query naming the thread's topic. The title belongs to the opening post (floor None).
    """
    values["_stored_title"] = values["title"]
    values["title"] = " "  # present, so Whoosh stores `_stored_title`; no words to index
    values["title" + schema.GRAMS_SUFFIX] = None


def _clean(value: Any) -> Any:
    """Lone surrogates cannot be stored as UTF-8: replace them."""
    if not isinstance(value, str):
        return value
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")
    return value
