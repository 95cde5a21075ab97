"""The Elasticsearch/OpenSearch index (settings + mappings) that `--format es-bulk` documents fit.

Chinese text is analysed by the IK plugin (`ik_max_word` when indexing: every word a sentence
could hold; `ik_smart` when searching: the most likely split), or by Elastic's official `analysis-smartcn`
plugin where IK is not installed (`--analyzer smartcn`). At search time the deep-learning glossary
(`dlqa/data/glossary.tsv`) is a `synonym_graph` filter, so 过拟合 also finds overfitting, as
`dlqa search` does. Site, author and links are `keyword` fields (exact filters and
aggregations); `posted_date` is a `date`.
"""

from __future__ import annotations

from typing import Any

#: analyzer choice → (index-time tokenizer, search-time tokenizer)
TOKENIZERS = {"ik": ("ik_max_word", "ik_smart"), "smartcn": ("smartcn_tokenizer", "smartcn_tokenizer")}
DATE_FORMAT = "strict_date_optional_time||yyyy-MM-dd'T'HH:mm"
#: Characters with a meaning in the Solr synonym format; a variant holding one is left out.
_SYNONYM_SYNTAX = (",", "=>", "\\", "#")


def glossary_synonyms() -> list[str]:
    """The glossary as Solr-format synonym rules, one concept a rule ("过拟合, overfitting, …")."""
    from dlqa.analysis import load_glossary

    rules = []
    for concept in load_glossary():
        names = [name.strip() for name in (*concept.zh, *concept.en)
                 if name.strip() and not any(mark in name for mark in _SYNONYM_SYNTAX)]
        unique = list(dict.fromkeys(names))
        if len(unique) > 1:
            rules.append(", ".join(unique))
    return rules


def _text(**extra: Any) -> dict[str, Any]:
    return {"type": "text", "analyzer": "dlqa_index", "search_analyzer": "dlqa_search", **extra}


def index_mapping(analyzer: str = "ik") -> dict[str, Any]:
    """The body of `PUT /<index>`: analysis settings and field mappings."""
    if analyzer not in TOKENIZERS:
        raise ValueError(f"analyzer must be one of: {', '.join(TOKENIZERS)}")
    index_tokenizer, search_tokenizer = TOKENIZERS[analyzer]
    keyword = {"type": "keyword"}
    return {
        "settings": {
            "analysis": {
                "filter": {
                    "dlqa_glossary": {"type": "synonym_graph", "lenient": True, "synonyms": glossary_synonyms()},
                },
                "analyzer": {
                    "dlqa_index": {"type": "custom", "tokenizer": index_tokenizer, "filter": ["lowercase"]},
                    "dlqa_search": {"type": "custom", "tokenizer": search_tokenizer,
                                    "filter": ["lowercase", "dlqa_glossary"]},
                },
            },
        },
        "mappings": {
            "properties": {
                "id": keyword,
                "title": _text(fields={"raw": {"type": "keyword", "ignore_above": 512}}),
                "body": _text(),
                "author": {"type": "keyword", "fields": {"text": _text()}},
                "author_bio": _text(),
                "site": keyword,
                "link": keyword,
                "url": keyword,
                "page_url": keyword,
                "question_url": keyword,
                "source_file": keyword,
                "position": {"type": "integer"},
                "floor": {"type": "integer"},
                "posted_at": keyword,
                "posted_date": {"type": "date", "format": DATE_FORMAT},
                "score": {"type": "float"},
                "snippet": _text(),
                "matched": keyword,
                "missing": keyword,
                "seen_in": {
                    "properties": {name: keyword for name in ("id", "page_url", "url", "source_file", "site")}
                    | {"title": _text()},
                },
            },
        },
    }
