"""Glossary expansion, merged reposts, filters and date order, short words, did-you-mean,
key terms and `dlqa similar`, end to end through the CLI."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.dedup import (
    DIGEST_BYTES,
    REPOSTS_WIDTH,
    normalise_date,
    repost_column_value,
    text_key,
    url_key,
)
from dlqa.expand import variants
from dlqa.extract import parse_file
from tests.helpers import SEEDS
from tests.helpers import result_ids as ids

runner = CliRunner()


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def run(*args: str, index: Path):
    return runner.invoke(app, [*args, "--index", str(index)])


def search_json(index: Path, *args: str) -> dict:
    result = run("search", *args, "--json", "--limit", "200", index=index)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def answers() -> list[tuple[str, object, str]]:
    """(title, answer, site) of every sample answer, by extraction."""
    out = []
    for path in SEEDS:
        page = parse_file(path)
        out.extend((page.title or "", answer, page.site) for answer in page.answers)
    return out


def ids_with_any(*needles: str) -> set[str]:
    found = set()
    for title, answer, _ in answers():
        haystack = fold(" ".join([title, answer.author or "", answer.body]))
        if any(fold(needle) in haystack for needle in needles):
            found.add(answer.id)
    return found


# --- glossary expansion ----------------------------------------------------------------------


def test_english_name_finds_the_chinese_answers_and_says_so(corpus_index):
    data = search_json(corpus_index, "overfitting")
    full = [result for result in data["results"] if not result["missing"]]
    assert data["total"] == 4 and {result["id"] for result in full} == ids_with_any("过拟合")
    assert "过拟合" in data["expansions"]["overfitting"]
    assert all(result["matched"][0] == "过拟合" for result in full)
    # answers naming only a related concept (泛化, 正则化) follow, each missing the term
    partial = data["results"][len(full):]
    assert data["partial"] == len(partial) and all(r["missing"] == ["overfitting"] for r in partial)
    plain = run("search", "overfitting", "--no-expand", "--json", index=corpus_index)
    assert plain.exit_code == 1 and json.loads(plain.stdout)["expansions"] == {}
    human = run("search", "overfitting", index=corpus_index).stdout
    assert human.splitlines()[0].startswith("also searched: overfitting → 过拟合")
    # the terminal names the first six (JSON has all of them)
    shown = human.splitlines()[0].split("→", 1)[1].split("(--no-expand")[0]
    assert len(data["expansions"]["overfitting"]) > 6 and shown.count(",") == 6 and "…" in shown
    assert data["expansions"]["overfitting"][6] not in shown


def test_chinese_name_finds_english_only_answers_after_exact_ones(corpus_index):
    data = search_json(corpus_index, "迁移学习")
    exact = ids_with_any("迁移学习")
    english_only = ids_with_any("transfer learning") - exact
    assert exact and english_only, "the sample corpus has both kinds"
    assert ids(data) == exact | english_only
    order = [result["id"] for result in data["results"]]
    assert set(order[: len(exact)]) == exact  # what was typed ranks first
    # its other names first, then related concepts (domain adaptation, fine-tuning)
    assert data["expansions"]["迁移学习"][: len(variants("迁移学习"))] == variants("迁移学习")
    # unquoted words spelling a multi-word name are expanded too
    assert ids(search_json(corpus_index, "transfer", "learning")) == exact | english_only


def test_short_latin_names_match_whole_tokens_only(tmp_path):
    (tmp_path / "a.txt").write_text("对抗生成的例子\n\n我们用 GAN 生成图片,效果不错,判别器和生成器交替训练。\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("组织架构的例子\n\nThe organization of the organ gang is complex, 与生成无关。\n",
                                    encoding="utf-8")
    (tmp_path / "c.txt").write_text("网络的例子\n\n生成对抗网络的训练很不稳定。\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(tmp_path), index=index).exit_code == 0
    found = search_json(index, "GAN")
    assert {Path(r["source_file"]).name for r in found["results"]} == {"a.txt", "c.txt"}
    assert [Path(r["source_file"]).name for r in found["results"]][0] == "a.txt"


# --- reposts ---------------------------------------------------------------------------------

REPOST = ("训练刚开始时参数是随机的{c}梯度方向很不稳定{c}这时如果直接用大学习率{c}模型很容易走偏。"
          "预热让学习率从很小的值慢慢升上去{c}等到梯度的统计量稳定以后再用正常的学习率{c}这就是 {w} 的作用。")


def test_the_same_answer_in_a_text_dump_and_an_html_page_is_one_result(tmp_path):
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "dump.txt").write_text("学习率预热为什么有用\n\n" + REPOST.format(c="，", w="warmup") + "\n",
                                    encoding="utf-8")
    body = REPOST.format(c=",", w="Warmup").replace("。预热", "。</p><p>预热")
    (pages / "page.html").write_text(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>学习率预热为什么有用</title></head>'
        f"<body><article><h1>学习率预热为什么有用</h1><p>{body}</p></article></body></html>",
        encoding="utf-8")
    (pages / "other.txt").write_text("另一个回答\n\n预热只是一个经验技巧,学习率调度还有很多别的做法,比如余弦退火和阶梯衰减。\n",
                                     encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(pages), index=index).exit_code == 0
    assert json.loads(run("stats", "--json", index=index).stdout)["answers"] == 3
    data = search_json(index, "预热")
    assert data["total"] == len(data["results"]) == 2
    assert data["with_reposts"] == 3  # every copy counted: what "answers containing 预热" means
    merged = [r for r in data["results"] if len(r["seen_in"]) > 1]
    assert len(merged) == 1
    assert {Path(page["source_file"]).name for page in merged[0]["seen_in"]} == {"dump.txt", "page.html"}
    assert merged[0]["seen_in"][0]["id"] == merged[0]["id"]
    human = run("search", "预热", index=index).stdout
    assert "also seen on 1 more page" in human and "1–2 of 2 answers" in human


def test_reposted_compilation_merges_by_link_or_text(tmp_path):
    fixtures = Path(__file__).parent / "fixtures"
    index = tmp_path / "ix"
    paths = [str(fixtures / "python88_topic.txt"), str(fixtures / "html" / "python88_topic.html")]
    assert run("ingest", *paths, index=index).exit_code == 0
    data = search_json(index, "site:python88")
    assert data["total"] == 3 and data["with_reposts"] == 6
    assert all(len(result["seen_in"]) == 2 for result in data["results"])


def test_repost_keys():
    assert url_key("https://www.zhihu.com/question/1/answer/2/?utm=x") == "zhihu.com/question/1/answer/2"
    assert url_key("http://zhihu.com/question/1/answer/2") == url_key("https://www.zhihu.com/question/1/answer/2")
    assert url_key("https://a.com/t/1", page_url="https://a.com/t/1") is None
    assert url_key("https://v2ex.com/t/1#reply3") != url_key("https://v2ex.com/t/1#reply4")
    assert text_key("同意") is None  # short replies are not reposts of each other
    long = "深度学习的泛化之谜至今没有完整的理论解释,过参数化的网络为什么不过拟合" * 2
    assert text_key(long) == text_key(long.replace(",", "，").replace("理论", "理 论") + "  ")
    assert text_key(long) != text_key(long.replace("泛化", "优化"))


def test_repost_column_value_keeps_each_key_in_its_own_half():
    long = "深度学习的泛化之谜至今没有完整的理论解释,过参数化的网络为什么不过拟合" * 2
    link = url_key("https://www.zhihu.com/question/1/answer/2")
    both = repost_column_value(link, text_key(long))
    assert both is not None and len(both) == REPOSTS_WIDTH
    assert both[:DIGEST_BYTES] == repost_column_value(link, None)[:DIGEST_BYTES]
    assert both[DIGEST_BYTES:] == repost_column_value(None, text_key(long))[DIGEST_BYTES:]
    assert repost_column_value(link, None)[DIGEST_BYTES:] == bytes(DIGEST_BYTES)  # zeros: no key
    assert repost_column_value(None, None) is None


def test_reposts_merge_across_segments_whose_last_answers_have_no_keys(tmp_path):
    """A segment's repost column ends at its last answer with a key (the answers after it
    have none), and copies of one answer in two segments still merge."""
    from dlqa.search import search
    from dlqa.store.ingest import ingest

    first = tmp_path / "first.txt"
    first.write_text("学习率预热\n\n" + REPOST.format(c="，", w="warmup") + "\n", encoding="utf-8")
    short = tmp_path / "short.txt"
    short.write_text("短回复\n\n预热？\n", encoding="utf-8")
    second = tmp_path / "second.txt"
    second.write_text("转载：学习率预热\n\n" + REPOST.format(c=",", w="Warmup") + "\n", encoding="utf-8")
    index = tmp_path / "ix"
    ingest([first, short], index, jobs=1)  # its last answer has no key
    ingest([second], index)
    result = search(index, "预热", limit=10)
    assert (result.total, result.with_reposts) == (2, 3)
    merged = [hit for hit in result.results if len(hit.seen_in) == 2]
    assert len(merged) == 1
    assert {Path(page["source_file"]).name for page in merged[0].seen_in} == {"first.txt", "second.txt"}


# --- filters and order -----------------------------------------------------------------------


def test_site_and_author_filters(corpus_index):
    v2ex = search_json(corpus_index, "深度学习", "--site", "V2EX")
    assert v2ex["total"] > 0 and {r["site"] for r in v2ex["results"]} == {"v2ex"}
    everywhere = search_json(corpus_index, "深度学习")
    assert v2ex["total"] < everywhere["total"]
    by = search_json(corpus_index, "深度学习", "--author", "二哈")
    assert by["total"] >= 1 and all("二哈" in r["author"] for r in by["results"])


def test_date_filters_and_date_order(corpus_index):
    dated = {answer.id: normalise_date(answer.posted_at) for _, answer, _ in answers() if answer.posted_at}
    assert dated and all(dated.values())
    day = search_json(corpus_index, "site:v2ex", "--since", "2018-12-21", "--until", "2018-12-21")
    expected = {i for i, date in dated.items() if date.startswith("2018-12-21")}
    assert expected and ids(day) == expected
    since = search_json(corpus_index, "site:v2ex", "--since", "2018-12-21")
    assert ids(since) == {i for i, date in dated.items() if date >= "2018-12-21"}
    newest = search_json(corpus_index, "深度学习", "--sort", "date")
    dates = [r["posted_date"] for r in newest["results"]]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True) and known
    assert dates == known + [None] * (len(dates) - len(known))  # undated last
    assert newest["total"] == search_json(corpus_index, "深度学习")["total"]
    bad = run("search", "深度学习", "--since", "yesterday", index=corpus_index)
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.stderr
    assert run("search", "深度学习", "--sort", "votes", index=corpus_index).exit_code == 2


def test_normalise_date():
    assert normalise_date("2018-12-20 21:13:43 +08:00") == "2018-12-20T21:13:43"
    assert normalise_date("发布于 2020-05-03 12:00") == "2020-05-03T12:00"
    assert normalise_date("编辑于 2019年3月2日") == "2019-03-02"
    assert normalise_date("3 天前") is None and normalise_date(None) is None


# --- short and unknown words -----------------------------------------------------------------


@pytest.mark.parametrize("word", ["炼", "调", "花书", "NTK", "feather"])
def test_short_and_unknown_words_find_every_answer_holding_them(corpus_index, word):
    expected = ids_with_any(word)
    assert expected
    assert ids(search_json(corpus_index, word, "--no-expand")) == expected


# --- did you mean ----------------------------------------------------------------------------


def test_a_query_that_finds_nothing_suggests_the_closest_word(corpus_index):
    result = run("search", "过泥合", index=corpus_index)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.strip() == "dlqa: no answer matches 过泥合; did you mean 过拟合?" or \
        result.stderr.strip() == "no answer matches 过泥合; did you mean 过拟合?"
    data = json.loads(run("search", "过泥合", "--json", index=corpus_index).stdout)
    assert data["total"] == 0 and data["suggestion"] == "过拟合"
    latin = json.loads(run("search", "overfiting", "--json", index=corpus_index).stdout)
    assert latin["suggestion"] == "overfitting"
    found = json.loads(run("search", "过拟合", "--json", index=corpus_index).stdout)
    assert found["suggestion"] is None


# --- key terms and similar answers -----------------------------------------------------------


def test_show_lists_key_terms_that_occur_in_the_answer(corpus_index):
    hit = search_json(corpus_index, "花书")["results"][0]
    shown = json.loads(run("show", hit["id"], "--json", index=corpus_index).stdout)
    terms = shown["key_terms"]
    assert 3 <= len(terms) <= 10 and "花书" in terms
    assert all(fold(term) in fold(shown["body"]) for term in terms)
    assert "key terms: " in run("show", hit["id"], index=corpus_index).stdout


def test_similar_lists_other_answers_sharing_key_terms(corpus_index):
    anchor = search_json(corpus_index, "迁移学习")["results"][0]
    result = run("similar", anchor["id"][:8], "--json", "--limit", "5", index=corpus_index)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["id"] == anchor["id"] and data["key_terms"]
    assert 1 <= len(data["results"]) <= 5 and anchor["id"] not in ids(data)
    for related in data["results"]:
        assert related["shared_terms"]
        assert all(fold(term) in fold(related["body"]) for term in related["shared_terms"])
    scores = [related["score"] for related in data["results"]]
    assert scores == sorted(scores, reverse=True)
    human = run("similar", anchor["id"], index=corpus_index)
    assert "key terms: " in human.stdout and "shares: " in human.stdout
    assert run("similar", "ffffffffffffffff", index=corpus_index).exit_code == 1


def test_search_works_on_an_index_whose_segments_lack_a_column(tmp_path):
    """A batch where no answer has a link makes a segment without the `dup_url` column."""
    from dlqa.search import search
    from dlqa.store.ingest import ingest

    linked = tmp_path / "a.txt"
    linked.write_text("标题\n作者：甲\nhttps://www.zhihu.com/question/1/answer/2\n模型训练要调参。\n", encoding="utf-8")
    plain = tmp_path / "b.txt"
    plain.write_text("另一篇\n\n模型的泛化能力很重要。\n", encoding="utf-8")
    index_dir = tmp_path / "ix"
    ingest([linked], index_dir)
    ingest([plain], index_dir)
    assert search(index_dir, "模型").total == 2
