"""The Whoosh schema of a dlqa index, made from the answer record's field list.

Each record field's `kind` (see `dlqa.model.RecordField`) becomes Whoosh fields:

| kind | Whoosh fields |
| --- | --- |
| key | `name`: ID, stored |
| stored | `name`: STORED |
| text | `name`: jieba words (stored), `name_grams`: substring grams with positions |
| grams | `name`: substring grams with positions, stored |
| body | `name`: jieba words, `name_grams`: grams, `name_text`: the text, a compressed column |

Text fields keep their postings in `dlqa.engine.formats` (compact, Token-free values).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whoosh import columns, fields

from dlqa.engine.analyzers import GramAnalyzer, WordAnalyzer
from dlqa.engine.formats import CompactPositions, CountedFrequency

#: zlib level of a body's text column (its values are compressed one answer at a time).
BODY_COMPRESSION = 6
GRAMS_SUFFIX = "_grams"
TEXT_SUFFIX = "_text"


def make_schema(record: Iterable[Any], *, stored: Iterable[str] = (), sortable: Iterable[str] = (),
                fixed_columns: dict[str, int] | None = None) -> fields.Schema:
    """The schema for these record fields (`RecordField`s), plus fields only the index uses:
    `stored` ones, `sortable` exact terms (dates), and fixed-width byte columns."""
    spec: dict[str, Any] = {}
    for field in record:
        name, boost = field.name, field.boost
        if field.kind == "key":
            spec[name] = fields.ID(stored=True)
        elif field.kind == "stored":
            spec[name] = fields.STORED()
        elif field.kind == "text":
            spec[name] = _text(WordAnalyzer(), stored=True, phrase=False, field_boost=boost)
            spec[name + GRAMS_SUFFIX] = _text(GramAnalyzer(), phrase=True, field_boost=boost)
        elif field.kind == "grams":
            spec[name] = _text(GramAnalyzer(), stored=True, phrase=True, field_boost=boost)
        elif field.kind == "body":
            spec[name] = _text(WordAnalyzer(), phrase=False, field_boost=boost)
            spec[name + GRAMS_SUFFIX] = _text(GramAnalyzer(), phrase=True, field_boost=boost)
            spec[name + TEXT_SUFFIX] = fields.COLUMN(columns.CompressedBytesColumn(level=BODY_COMPRESSION))
        else:
            raise ValueError(f"record field {name!r}: unknown kind {field.kind!r}")
    for name in stored:
        spec[name] = fields.STORED()
    for name in sortable:
        spec[name] = fields.ID(stored=True, sortable=True)
    for name, width in (fixed_columns or {}).items():
        spec[name] = fields.COLUMN(columns.FixedBytesColumn(width))
    return fields.Schema(**spec)


def word_field_of(gram_field: str) -> str | None:
    """The word field analysing the same text as this gram field (`title_grams` → `title`):
    a word found there is a substring here, so a phrase spelling it matches without a
    position check. None for gram-only fields (`author`)."""
    return gram_field[: -len(GRAMS_SUFFIX)] if gram_field.endswith(GRAMS_SUFFIX) else None


def _text(analyzer: Any, **options: Any) -> fields.TEXT:
    """A Whoosh TEXT field whose postings use `dlqa.engine.formats` values."""
    field = fields.TEXT(analyzer=analyzer, **options)
    boost = field.format.field_boost
    field.format = CompactPositions(field_boost=boost) if options.get("phrase") else CountedFrequency(field_boost=boost)
    return field
