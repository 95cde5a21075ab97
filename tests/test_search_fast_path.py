"""The fast query path: `dlqa.evaluate` must find exactly the answers, with exactly the
scores, that Whoosh's own `searcher.search(limit=None)` finds; searchers kept between
searches must never show a stale or damaged index; paging and repost merging stay exact."""

from __future__ import annotations

import json
import os
import shutil
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import query as wq

from dlqa import query as query_mod
from dlqa import reposts, snippets
from dlqa import search as search_mod
from dlqa.engine import evaluate
from dlqa.errors import IndexDamagedError
from dlqa.search import Filters, search
from dlqa.store.ingest import ingest
from dlqa.store.opening import open_index

QUERIES = [
    "过拟合", "拟合", "学", "深度学习 过拟合", "过拟合 OR 欠拟合", "神经网络 -楼主", "神经网络 NOT 模型",
    "author:二哈", "title:信心", "site:v2ex 模型", '"early stop"', "feather", "transfer learning",
    "overfitting", "(过拟合 OR 调参) -欠拟合", "body:炼丹", "-模型", "哈哈哈", "bert OR gan",
    "site:(zhihu OR v2ex) 学习", "深度 学习 模型 数据",
]
FILTERS = [None, Filters(site="v2ex"), Filters(author="二"), Filters(since="2018-01-01"),
           Filters(since="2010-01-01", until="2020-01-01")]


def _final_queries(searcher, filters_list: list) -> list:
    def word_freq(word: str) -> int:
        word = word.lower()
        return searcher.doc_frequency("body", word) + searcher.doc_frequency("title", word)

    out = []
    for text in QUERIES:
        for expand in (False, True):
            built = query_mod.build(query_mod.parse(text), word_freq, expand=expand)
            for filters in filters_list:
                extra = (filters or Filters()).queries()
                out.append(wq.And([built.query, *extra]) if extra else built.query)
    return out


def _assert_same_as_whoosh(index_dir: Path, filters_list: list = FILTERS) -> int:
    """Every query's docs and scores, bit for bit; returns how many queries matched something."""
    ix = open_index(index_dir)
    nonempty = 0
    with ix.searcher() as searcher:
        for final in _final_queries(searcher, filters_list):
            expected = {hit.docnum: hit.score for hit in searcher.search(final, limit=None)}
            assert evaluate.scored_docs(searcher, final) == expected, final
            assert evaluate.matching_docs(searcher, final) == set(searcher.docs_for_query(final)), final
            nonempty += bool(expected)
    return nonempty


def test_fast_evaluation_equals_whoosh_search(corpus_index):
    assert _assert_same_as_whoosh(corpus_index) > len(QUERIES)


def test_fast_evaluation_reads_terms_spanning_many_blocks(corpus_copy, tmp_path, monkeypatch):
    """Blocks of 4 postings: every common term's postings are read across block boundaries."""
    from dlqa.engine import postings

    monkeypatch.setattr(postings, "BLOCK_POSTINGS", 4)
    ingest([corpus_copy], tmp_path / "ix", jobs=1)
    assert _assert_same_as_whoosh(tmp_path / "ix", FILTERS[:2]) > len(QUERIES)


def test_the_typed_pass_reusing_the_expanded_pass_finds_what_whoosh_finds(corpus_index, monkeypatch):
    """`matching_docs` of the typed query, fed the matches the expanded query's scored pass
    kept, equals Whoosh's own answer for the typed query, reading no postings again."""
    reads: list[bytes] = []
    postings = evaluate._postings
    monkeypatch.setattr(evaluate, "_postings", lambda seg, name, btext, **kw: reads.append(btext) or postings(seg, name, btext, **kw))
    ix = open_index(corpus_index)
    with ix.searcher() as searcher:
        def word_freq(word: str) -> int:
            return searcher.doc_frequency("body", word.lower()) + searcher.doc_frequency("title", word.lower())

        for text in QUERIES:
            tree = query_mod.parse(text)
            expanded = query_mod.build(tree, word_freq, expand=True).query
            typed = query_mod.build(tree, word_freq, expand=False).query
            found: dict = {}
            evaluate.scored_docs(searcher, expanded, None, found)
            reads.clear()
            assert evaluate.matching_docs(searcher, typed, found) == set(searcher.docs_for_query(typed)), text
            if "过拟合" in text:  # a glossary name: the typed query is inside the expanded one
                assert expanded != typed and reads == [], text


def test_fast_evaluation_equals_whoosh_with_union_trees(corpus_index, monkeypatch):
    """Segments over 5,000 documents make Whoosh sum an Or as a weighted tree, not in order."""
    from whoosh.searching import Searcher

    doc_count_all = Searcher.doc_count_all
    monkeypatch.setattr(Searcher, "doc_count_all", lambda self: doc_count_all(self) + 6000)
    assert _assert_same_as_whoosh(corpus_index, FILTERS[::2]) > len(QUERIES)


def test_fast_evaluation_skips_deleted_answers_in_many_segments(tmp_path, corpus_copy, monkeypatch):
    """Re-ingesting a changed file deletes its old answers from an earlier segment."""
    monkeypatch.setenv("DLQA_COMMIT_EVERY", "1")
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    changed = sorted(corpus_copy.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("模型", "模型变了", 3), encoding="utf-8")
    ingest([corpus_copy], index_dir)
    with open_index(index_dir).searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) > 1
        assert searcher.reader().has_deletions()
    assert _assert_same_as_whoosh(index_dir, FILTERS[:1]) > len(QUERIES) // 2


def test_a_phrase_found_as_one_word_or_by_positions_equals_whoosh(tmp_path, monkeypatch):
    """Where jieba kept 大模型 as a word, the phrase needs no position check; where it did not
    (扩大/模型), or the grams are apart (模型…大模), the positions decide, as Whoosh's do."""
    texts = ["大模型很强,大模型也贵。", "我们要扩大模型规模。", "模型大模,不相连。", "卷积神经网络的层",
             "循环卷积神经网络", "卷积。神经网络", "大模型和扩大模型都在这里"]
    pages = tmp_path / "pages"
    pages.mkdir()
    for number, text in enumerate(texts):
        (pages / f"{number}.txt").write_text(f"第{number}页\n\n{text}\n", encoding="utf-8")
    ingest([pages], tmp_path / "ix", jobs=1)
    checked, spelled = [], []
    consecutive, spelled_as_one_word = evaluate._consecutive, evaluate._spelled_as_one_word
    monkeypatch.setattr(evaluate, "_consecutive", lambda lists, docs, decode: checked.append(len(docs)) or consecutive(lists, docs, decode))
    monkeypatch.setattr(evaluate, "_spelled_as_one_word",
                        lambda *args: spelled.append(len(found := spelled_as_one_word(*args))) or found)
    ix = open_index(tmp_path / "ix")
    with ix.searcher() as searcher:
        for text, expected_pages in (("大模型", {0, 1, 6}), ("卷积神经网络", {3, 4})):
            built = query_mod.build(query_mod.parse(text), lambda word: 0, expand=False)
            whoosh = {hit.docnum: hit.score for hit in searcher.search(built.query, limit=None)}
            assert evaluate.scored_docs(searcher, built.query) == whoosh
            assert {int(searcher.stored_fields(doc)["title"][1:-1]) for doc in whoosh} == expected_pages
    assert any(checked) and any(spelled)  # both ways of matching were taken


def test_pages_are_slices_of_the_whole_ranking(corpus_index):
    whole = search(corpus_index, "学习", limit=500)
    # every answer saying 学习, then (fewer than a page do) replies in threads titled with it
    assert len(whole.results) == whole.total + whole.partial and whole.total > 20
    pages = [search(corpus_index, "学习", limit=5, page=page) for page in range(1, 5)]
    assert all(page.total == whole.total for page in pages)
    assert [hit.id for page in pages for hit in page.results] == [hit.id for hit in whole.results[:20]]
    dated = search(corpus_index, "学习", limit=500, sort="date")
    second = search(corpus_index, "学习", limit=3, page=2, sort="date")
    assert [hit.id for hit in second.results] == [hit.id for hit in dated.results[3:6]]


REPOST = ("学习率预热的道理很简单{c}训练刚开始时参数是随机的{c}梯度很大也很乱{c}一上来就用大学习率容易把模型带偏。"
          "预热让学习率从很小的值慢慢升上去{c}等到梯度的统计量稳定以后再用正常的学习率{c}这就是 warmup 的作用。")


def test_reposts_far_apart_in_the_ranking_still_merge(tmp_path):
    """A repost whose title does not hold the term ranks far below the original; many other
    answers rank between them. It is still one hit, and the total counts it once."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.txt").write_text("warmup 学习率预热 warmup\n\n" + REPOST.format(c="，") + "\n", encoding="utf-8")
    for i in range(30):
        (pages / f"m{i:02d}.txt").write_text(
            f"第{i}个问题\n\n回答{i}:warmup 这个技巧在第{i}个实验里也有用,学习率调度还有很多别的做法{'。' * i}\n",
            encoding="utf-8")
    (pages / "z.txt").write_text("转载的一篇旧文\n\n" + REPOST.format(c=",") + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert not ingest([pages], index).failures
    whole = search(index, "warmup", limit=100)
    assert whole.total == 31 == len(whole.results)
    merged = [hit for hit in whole.results if len(hit.seen_in) == 2]
    assert len(merged) == 1
    assert {Path(page["source_file"]).name for page in merged[0].seen_in} == {"a.txt", "z.txt"}
    for page in range(1, 5):
        result = search(index, "warmup", limit=10, page=page)
        assert result.total == 31
        assert [hit.id for hit in result.results] == [hit.id for hit in whole.results[(page - 1) * 10 : page * 10]]
        assert [hit.seen_in for hit in result.results] == [hit.seen_in for hit in whole.results[(page - 1) * 10 : page * 10]]


def test_a_kept_searcher_sees_the_next_commit(tmp_path, corpus_copy):
    index_dir = tmp_path / "ix"
    files = sorted(corpus_copy.glob("*.txt"))
    ingest(files[:1], index_dir)
    before = search(index_dir, "模型", limit=1).total
    key = os.path.abspath(index_dir)
    kept = search_mod._OPENED[key]
    assert search(index_dir, "模型", limit=1).total == before
    assert search_mod._OPENED[key] is kept  # nothing changed: the same searcher served both
    ingest(files, index_dir)
    assert search(index_dir, "模型", limit=1).total > before
    assert search_mod._OPENED[key] is not kept


def test_a_kept_searcher_never_hides_damage(tmp_path, corpus_index):
    index_dir = tmp_path / "ix"
    shutil.copytree(corpus_index, index_dir)
    assert search(index_dir, "模型").total > 0
    toc = next(index_dir.glob("_MAIN_*.toc"))
    toc.write_bytes(b"garbage")
    with pytest.raises(IndexDamagedError):
        search(index_dir, "模型")


def test_json_of_a_search_is_unchanged_by_a_kept_searcher(corpus_index):
    first = json.dumps(search(corpus_index, "过拟合 OR 梯度", limit=50).to_dict(), ensure_ascii=False)
    again = json.dumps(search(corpus_index, "过拟合 OR 梯度", limit=50).to_dict(), ensure_ascii=False)
    assert first == again


def _fold_each(text: str) -> tuple[str, list[int]]:
    """The definition `_fold_with_map` implements: each character folded on its own."""
    pieces: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        folded = unicodedata.normalize("NFKC", char).lower()
        pieces.append(folded)
        origin.extend([index] * len(folded))
    return "".join(pieces), origin


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ过拟合ＢＥＲＴΣσςİßﬁ①ｶ한\u0301\u0308e ，。\n")), max_size=12))
def test_fold_with_map_fast_path_is_the_per_character_fold(text):
    assert snippets._fold_with_map(text) == _fold_each(text)


def _merge_one_by_one(ranked: list[tuple[int, float]], table: bytes) -> list[list[tuple[int, float]]]:
    """The plain grouping `_merge_reposts` must equal: every answer through the bookkeeping."""
    from dlqa.dedup import DIGEST_BYTES, NO_KEY, REPOSTS_WIDTH

    groups: list[list[tuple[int, float]]] = []
    by_url: dict[bytes, int] = {}
    by_text: dict[bytes, int] = {}
    for doc, score in ranked:
        value = table[doc * REPOSTS_WIDTH : (doc + 1) * REPOSTS_WIDTH]
        url, text = value[:DIGEST_BYTES], value[DIGEST_BYTES:]
        group = by_url.get(url) if url != NO_KEY else None
        if group is None and text != NO_KEY:
            group = by_text.get(text)
        if group is None:
            group = len(groups)
            groups.append([])
        groups[group].append((doc, score))
        if url != NO_KEY:
            by_url.setdefault(url, group)
        if text != NO_KEY:
            by_text.setdefault(text, group)
    return groups


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 4), st.integers(0, 4)), min_size=1, max_size=40), st.randoms())
def test_repost_merging_equals_grouping_one_by_one(keys, rng):
    """Keys from tiny pools (0: no key) so links and texts collide in every way."""
    from dlqa.dedup import DIGEST_BYTES

    def key(number: int) -> bytes:
        return bytes(DIGEST_BYTES) if number == 0 else bytes([number]) * DIGEST_BYTES

    table = b"".join(key(url) + key(text) for url, text in keys)
    ranked = [(doc, float(rng.randint(0, 3))) for doc in rng.sample(range(len(keys)), len(keys))]
    assert reposts.merge_reposts(None, ranked, table) == _merge_one_by_one(ranked, table)


@pytest.mark.parametrize("trees", [False, True])
def test_prefixes_and_wildcards_are_evaluated_without_stepping_whoosh_matchers(corpus_index, monkeypatch, trees):
    """A lone character's prefix over the bigrams expands to many terms; it is read as their
    union (both of Whoosh's Or regimes, constant-score or not, boosted or not), not a posting
    at a time through Whoosh's matcher tree."""
    from whoosh.searching import Searcher

    if trees:
        doc_count_all = Searcher.doc_count_all
        monkeypatch.setattr(Searcher, "doc_count_all", lambda self: doc_count_all(self) + 6000)
    queries = [wq.Prefix("body_grams", "学"), wq.Prefix("body_grams", "学", boost=3.0),
               wq.Prefix("body_grams", "学", constantscore=False), wq.Wildcard("body_grams", "*习"),
               wq.Prefix("title_grams", "深", boost=0.5)]
    ix = open_index(corpus_index)
    with ix.searcher() as searcher:
        expected = [({hit.docnum: hit.score for hit in searcher.search(q, limit=None)},
                     set(searcher.docs_for_query(q))) for q in queries]

        def refuse(q, seg):
            raise AssertionError(f"stepped Whoosh's matcher for {q!r}")

        monkeypatch.setattr(evaluate, "_generic", refuse)
        for q, (scores, docs) in zip(queries, expected, strict=True):
            assert len(scores) > 1 and evaluate.scored_docs(searcher, q) == scores, q
            assert evaluate.matching_docs(searcher, q) == docs, q


def test_an_inner_latin_wildcard_finds_the_terms_whoosh_finds(tmp_path):
    """`*token*` skips the CJK grams of the lexicon; every other term is still looked at, so
    tokens that start with accented, Cyrillic or Thai letters are found as Whoosh finds them."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "mixed.txt").write_text(
        "羽毛 feather\n\nfeather12315 说 éfeather、приветfeather 和 สวัสดีfeather，还有 featherweight。"
        "中文里的羽毛不算，한국어feather 也是两段。\n", encoding="utf-8")
    ingest([str(pages)], tmp_path / "index", jobs=1)
    ix = open_index(tmp_path / "index")
    with ix.searcher() as searcher:
        for sub, _ in searcher.leaf_searchers():
            seg = evaluate._Segment(sub, scored=True, found={})
            for fieldname in ("body_grams", "title_grams", "author"):
                q = wq.Wildcard(fieldname, "*feather*")
                expected = [word for word in q._btexts(sub.reader()) if word]
                assert evaluate._expanded(q, seg) == expected
                assert evaluate._estimate_size(q, seg) == q.estimate_size(sub.reader())
        found = {word.decode() for word in evaluate._expanded(wq.Wildcard("body_grams", "*feather*"),
                                                               evaluate._Segment(searcher, scored=False))}
    assert {"feather12315", "éfeather", "приветfeather", "featherweight", "feather"} <= found
