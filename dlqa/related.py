"""Key terms of an answer (TF-IDF over the corpus) and answers about the same ideas.

An answer's words are its stored body segmented again with the ingest's own jieba segmenter
(the index keeps no term vectors: they cost a third of the ingest time and a quarter of the
disk, for a command run once in a while), weighed against the index's document frequencies,
so loading jieba (~0.7 s) is paid by `show` and `similar`, never by `search`. Key terms are the answer's words weighted by
(1 + log tf) · log(N / df), with function words, numbers and single characters left out, and a
word dropped when a better-ranked key term contains it (拟合 under 过拟合).
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from dlqa.analysis import glossary_terms, segment_for_index
from dlqa.engine import queries as wq
from dlqa.engine.segments import answer_docnum, column_lookup, ranked_by_whoosh
from dlqa.errors import DlqaError
from dlqa.reposts import merge_reposts
from dlqa.results import Hit, answer_fields, make_hit, seen_on
from dlqa.store.documents import BODY_COLUMN
from dlqa.store.opening import DAMAGE_ERRORS, damaged_error, open_index

#: Key terms shown by `dlqa show`, and used to look for similar answers.
KEY_TERMS = 10
SIMILAR_TERMS = 15
#: Glossary words (deep-learning concepts) weigh this much more than other words.
GLOSSARY_WEIGHT = 2.0
#: Frequent words that say nothing about an answer's subject.
_STOP_TEXT = (
    "我们 你们 他们 自己 这个 那个 这些 那些 一个 一些 什么 怎么 为什么 就是 可以 没有 不是 还是 但是 所以 因为 如果 "
    "这样 那样 然后 其实 觉得 知道 现在 已经 可能 时候 问题 东西 非常 比较 感觉 需要 应该 出来 起来 一下 之后 之前 "
    "等等 思考 看到 一书 而且 或者 以及 只是 只要 这么 那么 一样 通过 进行 很多 大家 作者 回答 答主 链接 来源 著作权 商业 转载 非商业 "
    "the and for that this with are you not but have was what can"
)
STOP_WORDS = frozenset(_STOP_TEXT.split())
_HAN = re.compile("[\u3400-\u9fff]")
_DIGITS = re.compile(r"^[\d.%]+$")


@dataclass
class Similar:
    """`dlqa similar`: the anchor answer, its key terms and the answers sharing them."""

    anchor: Hit
    key_terms: list[str]
    total: int
    results: list[tuple[Hit, list[str]]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.anchor.id, "title": self.anchor.title, "key_terms": list(self.key_terms),
                "total": self.total,
                "results": [{**hit.to_dict(), "shared_terms": shared} for hit, shared in self.results]}


def _useful(word: str) -> bool:
    if word in STOP_WORDS or _DIGITS.match(word):
        return False
    return len(word) >= 2 if _HAN.search(word) else len(word) >= 3


def weighted_terms(searcher: Any, docnum: int, count: int) -> list[tuple[str, float]]:
    """The `count` best (word, tf-idf) of one answer's body, best first."""
    glossary = glossary_terms()
    total = max(searcher.doc_count_all(), 1)
    scored = []
    for word, freq in body_words(searcher, docnum).items():
        if not _useful(word):
            continue
        df = max(searcher.doc_frequency("body", word), 1)
        weight = (1 + math.log(freq)) * math.log((total + 1) / df)
        scored.append((word, weight * (GLOSSARY_WEIGHT if word in glossary else 1.0)))
    scored.sort(key=lambda item: (-item[1], item[0]))
    chosen: list[tuple[str, float]] = []
    for word, weight in scored:
        if weight <= 0 or any(word in better for better, _ in chosen):
            continue
        chosen.append((word, weight))
        if len(chosen) >= count:
            break
    return chosen


def body_words(searcher: Any, docnum: int) -> Counter[str]:
    """word → count in one answer's body, as the index's WORD field saw it."""
    return Counter(segment_for_index(answer_fields(searcher, docnum)["body"]))


def key_terms(index_dir: str | os.PathLike[str], answer_id: str, count: int = KEY_TERMS) -> list[str] | None:
    """The answer's key terms, best first; None when no answer has this id (or prefix)."""
    ix = open_index(index_dir)
    with ix.searcher() as searcher:
        docnum = answer_docnum(searcher, answer_id)
        if docnum is None:
            return None
        return [word for word, _ in weighted_terms(searcher, docnum, count)]


def similar(index_dir: str | os.PathLike[str], answer_id: str, limit: int = 10) -> Similar | None:
    """Answers sharing the most (and rarest) key terms with this one; its reposts left out."""
    ix = open_index(index_dir)
    try:
        with ix.searcher() as searcher:
            docnum = answer_docnum(searcher, answer_id)
            if docnum is None:
                return None
            bodies = column_lookup(searcher.reader(), BODY_COLUMN)
            anchor = make_hit(answer_fields(searcher, docnum, bodies), [])
            terms = weighted_terms(searcher, docnum, SIMILAR_TERMS)
            if not terms:
                return Similar(anchor, [], 0)
            query = wq.Or([wq.Term("body", word, boost=weight) for word, weight in terms])
            ranked = ranked_by_whoosh(searcher, query)
            groups = merge_reposts(searcher, [(docnum, float("inf")), *ranked])
            others = [members for members in groups if all(doc != docnum for doc, _ in members)]
            results = []
            for members in others[:limit]:
                best, score = members[0]
                hit = make_hit(answer_fields(searcher, best, bodies), [])
                hit.score = score
                hit.seen_in = [seen_on(searcher.stored_fields(doc)) for doc, _ in members]
                own = body_words(searcher, best)
                results.append((hit, [word for word, _ in terms if word in own]))
            return Similar(anchor, [word for word, _ in terms[:KEY_TERMS]], len(others), results)
    except DlqaError:
        raise
    except DAMAGE_ERRORS as error:
        raise damaged_error(index_dir, " ".join(str(error).split())) from None
