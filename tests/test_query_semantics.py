"""Search as people type it (#14): question words, partial matches with `missing`, strict
operators, forum replies and the thread title, near-empty replies, English inflections,
proximity and a verified "did you mean" — through the Library and the CLI on small pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa import Library
from dlqa.cli import app
from dlqa.inflect import inflections
from dlqa.matching import content_terms
from dlqa.substance import is_near_empty

runner = CliRunner()
FILLER = "这一段只是为了把长度拉开，和问题本身没有任何关系。" * 6

PAGES = {
    "overfit.txt": "训练集很好验证集很差\n\n这就是过拟合：模型记住了训练集。常用的办法是加正则化，再配合早停。\n",
    "regular.txt": "权重衰减笔记\n\nL2 正则化会让权重变小，和 dropout 一样是常见做法。\n",
    "near.txt": "两个词挨着\n\n" + "先说结论：过拟合的正则化办法很多。" + FILLER + "\n",
    "far.txt": "两个词离得远\n\n" + "先说结论：过拟合很常见。" + FILLER + "所以正则化很有用。\n",
    "english.txt": "Notes on training\n\nA deep network overfits quickly when the data is small.\n",
    "networks.txt": "More notes\n\nWe trained two networks and compared them on the same data.\n",
    "network.txt": "One more note\n\nThe network was trained for ten epochs on the data.\n",
    "weather.txt": "无关的页面\n\n今天天气不错，适合出去走走，晚上吃火锅。\n",
    "career.txt": "转行的问题\n\n做算法的工程师现在很多，前途不好说。\n",
}


def v2ex_dump(title: str, opening: str, replies: list[tuple[str, str, str]]) -> str:
    """A V2EX topic saved as text (select all / copy), in the shape `dlqa.sites.v2ex` reads:
    `replies` are (author, date, body); floors count from 1."""
    lines = ["V2EX = way to explore", "V2EX 是一个关于分享和探索的地方", "现在注册", "已注册用户请  登录",
             "V2EX  ›  机器学习", "", title, "",
             "  •  alice · 2021-03-01 10:00:00 +08:00 · 321 次点击",
             "    这是一个创建于 1000 天前的主题，其中的信息可能已经有所发展或是发生改变。", "",
             f"    {opening}", "",
             f"    {len(replies)} 条回复  •  2021-03-09 08:00:00 +08:00"]
    for floor, (author, date, body) in enumerate(replies, start=1):
        lines += [f"    {author}", f"       {floor}", f"    {author}  ", f"      {date} +08:00"]
        lines += [f"    {body}"] if body else []
    lines += ["    关于  ·  帮助文档  ·  FAQ  ·  1234 人在线", "    VERSION: 3.9.8.5 · 30ms"]
    return "\n".join(lines) + "\n"


THREAD = v2ex_dump(
    "训练集过拟合怎么办？",
    "训练集准确率 99%，验证集只有 60%，明显过拟合了。",
    [("bob", "2021-03-01 10:30:00", "先加数据增强，随机裁剪和翻转都试试，效果很明显。"),
     ("carol", "2021-03-01 11:00:00", "mark"),
     ("dave", "2021-03-02 09:00:00", "+1"),
     ("erin", "2021-03-02 10:00:00", "我也遇到过拟合，换小模型以后好多了。"),
     ("frank", "2021-03-08 23:00:00", "同问"),
     ("gina", "2021-03-09 08:00:00", "")],
)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Library:
    root = tmp_path_factory.mktemp("semantics")
    pages = root / "pages"
    pages.mkdir()
    for name, text in PAGES.items():
        (pages / name).write_text(text, encoding="utf-8")
    (pages / "thread.txt").write_text(THREAD, encoding="utf-8")
    lib = Library(root / "index")
    report = lib.ingest([str(pages)], jobs=1)
    assert not report.failures
    return lib


def names(results) -> list[str]:
    return [Path(hit.source_file).name for hit in results.hits]


def authors(results) -> list[str]:
    return [hit.author for hit in results.hits]


# --- 1. question and function words -----------------------------------------------------------


def test_question_words_never_decide_matching(library):
    plain = library.search("过拟合", expand=False)
    for question in ("什么是过拟合", "为什么会过拟合", "过拟合是什么呢"):
        asked = library.search(question, expand=False)
        assert asked.total == plain.total > 0, question
        assert {hit.id for hit in asked.hits[: asked.total]} == {hit.id for hit in plain.hits[: plain.total]}
    english = library.search("what is the network", expand=False)
    assert english.total and all("network" in hit.body.lower() for hit in english.hits[: english.total])


def test_a_query_of_only_question_words_still_searches(library):
    library.search("什么是")  # no error: searched as typed
    found = library.search("怎么办")  # the thread's title says it; no reply is found through it
    assert all(hit.floor is None for hit in found.hits[: found.total])


def test_content_terms_drop_function_words_and_keep_concepts_of_an_unspaced_question():
    def no_index(word: str) -> int:
        return 0

    content, lone = content_terms(["怎么解决过拟合"], no_index)
    assert "过拟合" in content and "怎么" not in content
    content, scored = content_terms(["how", "to", "avoid", "overfitting"], no_index)
    assert content == ["overfitting"] and scored == ["avoid"]  # a question frame: scored only
    assert content_terms(["什么", "是"], no_index)[0]  # nothing but function words: kept


# --- 2. partial matches ---------------------------------------------------------------------------


def test_partial_matches_follow_full_ones_and_say_what_they_miss(library):
    found = library.search("过拟合 正则化 早停", expand=False)
    assert found.total == 1 and names(found)[0] == "overfit.txt"
    assert found.hits[0].missing == []
    partial = found.hits[1:]
    assert partial and found.partial >= len(partial)  # (a page's worth of them is shown)
    assert all(hit.missing for hit in partial)
    near = next(hit for hit in partial if Path(hit.source_file).name == "near.txt")
    assert near.missing == ["早停"] and set(near.matched) == {"过拟合", "正则化"}


def test_json_carries_matched_missing_and_the_partial_count(library):
    result = runner.invoke(app, ["search", "过拟合 正则化 早停", "--no-expand", "--json",
                                 "--index", str(library.path)])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["total"] == 1 and data["partial"] >= len(data["results"]) - 1 > 0
    assert data["results"][0]["missing"] == [] and data["results"][1]["missing"]


def test_terminal_says_missing(library):
    result = runner.invoke(app, ["search", "过拟合 早停", "--no-expand", "--index", str(library.path)])
    assert result.exit_code == 0
    assert "missing: 早停" in result.stdout
    assert "matching every term" in result.stdout


def test_quoted_phrases_plus_and_minus_stay_strict(library):
    quoted = library.search('"早停" 过拟合', expand=False)
    assert quoted.hits and all("早停" in hit.body for hit in quoted.hits)
    required = library.search("+早停 过拟合 正则化", expand=False)
    assert required.hits and all("早停" in hit.body for hit in required.hits)
    excluded = library.search("过拟合 -正则化", expand=False)
    assert excluded.hits and all("正则化" not in hit.body for hit in excluded.hits)
    either = library.search("早停 OR 天气", expand=False)
    assert set(names(either)) == {"overfit.txt", "weather.txt"} and either.partial == 0


def test_total_counts_answers_matching_every_term(library):
    assert library.search("过拟合 正则化", expand=False).total == 3  # overfit, near, far
    assert library.search("过拟合", expand=False).total == 5  # and the opening post and erin


# --- 3. concepts inside questions -----------------------------------------------------------------


def test_a_concept_inside_an_unspaced_question_is_expanded_as_alone(library):
    alone = library.search("overfitting")
    asked = library.search("怎么避免overfitting")
    assert alone.expansions["overfitting"] and asked.expansions.get("overfitting") == alone.expansions["overfitting"]
    assert {hit.id for hit in asked.hits} & {hit.id for hit in alone.hits[: alone.total]}


def test_a_long_compound_finds_answers_naming_its_parts_as_partial_matches(library):
    found = library.search("算法工程师")
    assert found.total == 0 and "career.txt" in names(found)
    assert found.hits[names(found).index("career.txt")].missing == ["算法工程师"]


# --- 4. proximity ---------------------------------------------------------------------------------


def test_terms_standing_together_rank_above_scattered_ones(library):
    found = library.search("过拟合 正则化", expand=False)
    order = names(found)
    assert order.index("near.txt") < order.index("far.txt")


# --- 5. forum replies -----------------------------------------------------------------------------


def test_replies_do_not_match_on_the_thread_title(library):
    found = library.search("过拟合", expand=False, limit=50)
    full = found.hits[: found.total]
    assert {hit.author for hit in full if hit.site == "v2ex"} == {"alice", "erin"}  # opening post, erin
    assert all(hit.missing for hit in found.hits[found.total:])
    augment = library.search("怎么办 数据增强", expand=False)
    assert authors(augment)[0] == "bob"  # bob's own words; the title's 怎么办 is a question word


def test_near_empty_replies_never_head_a_list(library):
    dated = library.search("site:v2ex", sort="date", limit=50)
    assert dated.total == 7
    substantive = [hit for hit in dated.hits if not is_near_empty(hit.body)]
    sunk = [hit for hit in dated.hits if is_near_empty(hit.body)]
    assert {hit.author for hit in sunk} == {"carol", "dave", "frank", "gina"}
    assert dated.hits[: len(substantive)] == substantive  # "同问" is the newest, yet listed last
    dates = [hit.posted_date for hit in substantive if hit.posted_date]
    assert dates == sorted(dates, reverse=True)
    by_relevance = library.search("site:v2ex", limit=50)
    assert not is_near_empty(by_relevance.hits[0].body)


def test_near_empty_text():
    assert all(is_near_empty(text) for text in ("", "mark", "+1", "同问", "@bob 先码", "Mark 一下!"))
    assert not any(is_near_empty(text) for text in ("用 PyTorch 吧", "换小模型以后好多了"))


# --- 6. English inflections -----------------------------------------------------------------------


def test_english_words_match_their_inflections_exact_form_first(library):
    found = library.search("network")
    order = names(found)
    assert {"english.txt", "network.txt", "networks.txt"} <= set(order)
    assert order.index("networks.txt") > max(order.index("english.txt"), order.index("network.txt"))
    assert "networks" in found.expansions["network"]
    assert "english.txt" in names(library.search("overfit"))  # the page says "overfits"


def test_inflections_are_the_index_s_words_sharing_the_stem():
    known = {"overfit", "overfits", "overfitting", "overfitted", "networks", "network", "organ"}.__contains__
    assert inflections("overfitting", known) == ["overfit", "overfits", "overfitted"]
    assert inflections("network", known) == ["networks"]
    assert inflections("gan", known) == [] and inflections("org", known) == []


# --- 7. did you mean ------------------------------------------------------------------------------


def test_did_you_mean_is_checked_and_never_loops(library):
    missed = library.search("过泥合")
    assert not missed.hits and missed.suggestion == "过拟合" and missed.unmatched == "过泥合"
    for typo in ("过泥合", "netwrok", "正则话"):
        first = library.search(typo)
        if first.suggestion is None:
            continue
        followed = library.search(first.suggestion)
        assert followed.hits and followed.suggestion is None, (typo, first.suggestion)


def test_the_cli_names_the_word_that_found_nothing(library):
    result = runner.invoke(app, ["search", "过泥合", "--index", str(library.path)])
    assert result.exit_code == 1
    assert "did you mean 过拟合?" in result.stderr


# --- the engine evaluates the new query trees exactly ----------------------------------------------


def test_clause_queries_score_as_whoosh_scores_them(library):
    from dlqa import query as query_mod
    from dlqa.engine import evaluate
    from dlqa.matching import plan
    from dlqa.store.opening import open_index

    with open_index(library.path).searcher() as searcher:
        def word_freq(word: str) -> int:
            return searcher.doc_frequency("body", word) + searcher.doc_frequency("title", word)

        checked = 0
        for text in ("怎么解决过拟合", "过拟合 正则化", "network overfitting", "训练集过拟合怎么办"):
            planned = plan(query_mod.parse(text), word_freq)
            for clause in planned.clauses:
                for tree in (clause.query, clause.strong, clause.typed, clause.title):
                    if tree is None:
                        continue
                    expected = {hit.docnum: hit.score for hit in searcher.search(tree, limit=None)}
                    assert evaluate.scored_docs(searcher, tree) == pytest.approx(expected), tree
                    checked += bool(expected)
        assert checked > 8


def test_question_frames_rank_but_never_decide_a_match(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "plain.txt").write_text("过拟合笔记\n\n过拟合就是模型记住了训练集的噪声。\n", encoding="utf-8")
    (pages / "solved.txt").write_text("过拟合怎么办\n\n解决过拟合：加数据、加正则化、早停。\n", encoding="utf-8")
    (pages / "solve-only.txt").write_text("别的问题\n\n这个问题我解决了，换了一块显卡。\n", encoding="utf-8")
    library = Library(tmp_path / "index", create=True)
    library.ingest([pages], jobs=1)
    assert content_terms(["怎么解决过拟合"], lambda word: 0)[0] == ["过拟合"]
    found = library.search("怎么解决过拟合")
    by_file = {Path(hit.source_file).name: hit for hit in found.results}
    # Both answers on 过拟合 match fully (neither misses anything); the one that also says
    # 解决 ranks first; an answer that only says 解决 is never listed as matching.
    assert found.total == 2 and not by_file["plain.txt"].missing and not by_file["solved.txt"].missing
    assert [Path(hit.source_file).name for hit in found.results[:2]] == ["solved.txt", "plain.txt"]
    assert "solve-only.txt" not in by_file
    assert library.search("解决").total == 2  # a query of frames alone searches for them


def test_a_lone_character_typed_alone_or_naming_a_concept_is_a_term() -> None:
    def no_index(word: str) -> int:
        return 0

    # 书 typed as its own word decides matching; so does 书 inside a question (a glossary
    # name: books are a concept, 教材 and 书籍 its other names). 层 left over by the split of
    # an unspaced question only adds to the score.
    assert "书" in content_terms(["深度学习", "入门", "书"], no_index)[0]
    content, scored = content_terms(["深度学习入门应该看什么书"], no_index)
    assert "书" in content and "书" not in scored
    content, scored = content_terms(["神经网络为什么要有很多层"], no_index)
    assert "层" not in content and "层" in scored


def test_a_book_question_finds_answers_that_say_textbook(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "textbook.txt").write_text("入门路线\n\n入门建议选一本教材为主，比如《统计学习方法》。\n", encoding="utf-8")
    (pages / "other.txt").write_text("入门路线\n\n入门先跑通一个项目，再回头补数学。\n", encoding="utf-8")
    library = Library(tmp_path / "index", create=True)
    library.ingest([pages], jobs=1)
    found = library.search("入门应该看什么书")
    assert [Path(hit.source_file).name for hit in found.results][0] == "textbook.txt"
    assert found.total == 1 and found.results[1].missing == ["书"]


def test_an_umbrella_term_searches_every_technique_it_covers() -> None:
    from dlqa.matching import concept_alternatives

    searched = {name for name, _, _ in concept_alternatives("正则化")}
    # Every technique 正则化 covers is searched, however many spellings the first ones have.
    assert {"dropout", "权重衰减", "数据增强", "早停", "标签平滑"} <= searched


def test_counts_and_order_do_not_depend_on_the_page_size(library):
    pages = [library.search("过拟合 正则化 早停 dropout", limit=limit) for limit in (2, 10, 30)]
    assert len({(found.total, found.partial) for found in pages}) == 1
    full_order = [hit.id for hit in pages[2].results]
    assert [hit.id for hit in pages[1].results] == full_order[:10]
    second = library.search("过拟合 正则化 早停 dropout", limit=2, page=2)
    assert [hit.id for hit in second.results] == full_order[2:4]


def test_also_searched_names_only_what_was_searched(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    for number in range(12):  # more than a page of answers on the typed term itself
        (pages / f"p{number}.txt").write_text(f"笔记 {number}\n\n过拟合的例子 {number}。\n", encoding="utf-8")
    (pages / "related.txt").write_text("泛化\n\n泛化能力差。\n", encoding="utf-8")
    library = Library(tmp_path / "index", create=True)
    library.ingest([pages], jobs=1)
    found = library.search("过拟合", limit=20)
    assert found.total == 12 and not found.partial  # related concepts not searched ...
    assert "泛化" not in found.expansions.get("过拟合", [])  # ... and not reported as searched
    assert "过度拟合" in found.expansions["过拟合"]  # synonyms always are


def test_a_concept_typed_as_its_own_term_is_not_another_term_s_related_concept(library):
    # 过拟合 and 正则化 are related concepts; typed together, each is its own term, so an
    # answer saying only 过拟合 does not also half-match 正则化 through the relation.
    both = library.search("过拟合 正则化")
    assert not {"正则化", "规则化", "regularization"} & set(both.expansions["过拟合"])
    assert not {"过拟合", "overfitting"} & set(both.expansions["正则化"])
    assert "正则化" in library.search("过拟合").expansions["过拟合"]  # alone, it is searched


def test_a_compound_s_part_found_in_most_answers_is_not_searched_for_it(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    texts = {"transfer.txt": "迁移学习笔记\n\n迁移学习把预训练的模型用到新任务上。\n",
             "move.txt": "迁移\n\n把模型迁移到新的领域，效果不错。\n"}
    for number in range(5):
        texts[f"study{number}.txt"] = f"学习笔记 {number}\n\n今天的学习内容是第 {number} 章。\n"
    for name, text in texts.items():
        (pages / name).write_text(text, encoding="utf-8")
    library = Library(tmp_path / "index", create=True)
    library.ingest([pages], jobs=1)
    found = library.search("迁移学习")
    listed = {Path(hit.source_file).name for hit in found.results}
    # 迁移 is a rare part: an answer saying it is a partial match; 学习 is in most answers.
    assert found.total == 1 and listed == {"transfer.txt", "move.txt"}


@pytest.mark.parametrize("full_pages", [3, 12])
def test_related_concepts_of_several_terms_are_searched_only_for_short_lists(tmp_path: Path, full_pages: int):
    pages = tmp_path / "pages"
    pages.mkdir()
    for number in range(full_pages):
        (pages / f"p{number}.txt").write_text(f"笔记 {number}\n\n过拟合时加正则化，第 {number} 例。\n", encoding="utf-8")
    (pages / "related.txt").write_text("另一篇\n\n泛化差的时候加 dropout。\n", encoding="utf-8")
    library = Library(tmp_path / "index", create=True)
    library.ingest([pages], jobs=1)
    found = library.search("过拟合 正则化", limit=20)
    listed = {Path(hit.source_file).name for hit in found.results}
    assert found.total == full_pages
    if full_pages < 10:  # fewer than a page: the answer naming related concepts follows
        assert "related.txt" in listed and "dropout" in found.expansions["正则化"]
    else:  # a page and more: related concepts are neither searched nor reported
        assert "related.txt" not in listed and not found.partial
        assert "dropout" not in found.expansions["正则化"] and "泛化" not in found.expansions["过拟合"]
