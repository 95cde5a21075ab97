"""`dlqa ingest / search / show / stats` end to end, through typer's CliRunner and a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.extract import parse_file
from tests.helpers import ROOT, SEEDS
from tests.helpers import result_ids as ids

runner = CliRunner()
ANSI = re.compile("\x1b\\[")
ZHIHU_ANSWER = re.compile(r"^https://www\.zhihu\.com/question/\d+/answer/\d+$")


def fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).lower()


def run(*args: str, index: Path | None = None, env: dict[str, str] | None = None):
    argv = [*args, "--index", str(index)] if index is not None else list(args)
    return runner.invoke(app, argv, env=env)


def search_json(index: Path, *query: str, limit: int = 200) -> dict:
    result = run("search", *query, "--json", "--limit", str(limit), index=index)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def all_answers() -> list[tuple[str, object]]:
    """(page title, answer) for every answer of the sample corpus, by extraction."""
    out = []
    for path in SEEDS:
        page = parse_file(path)
        out.extend((page.title or "", answer) for answer in page.answers)
    return out


def ids_containing(*needles: str) -> set[str]:
    """Ids of answers whose title, author or body contains every needle (the AND oracle).

    A forum reply (one with a floor number) is not matched by its thread's title (#14)."""
    found = set()
    for title, answer in all_answers():
        title = title if answer.floor is None else ""
        haystack = fold(" ".join([title, answer.author or "", answer.body]))
        if all(fold(needle) in haystack for needle in needles):
            found.add(answer.id)
    return found


# --- ingest -----------------------------------------------------------------------------------


def test_ingest_twice_never_duplicates_and_a_change_replaces(corpus_copy, tmp_path):
    index = tmp_path / "ix"
    first = run("ingest", str(corpus_copy), index=index)
    assert first.exit_code == 0, first.output
    total = sum(len(parse_file(p).answers) for p in SEEDS)
    assert f"{total} added" in first.stdout

    second = run("ingest", str(corpus_copy), index=index)
    assert second.exit_code == 0
    assert "0 added" in second.stdout and f"{total} unchanged" in second.stdout
    stats = json.loads(run("stats", "--json", index=index).stdout)
    assert stats["answers"] == total

    target = corpus_copy / SEEDS[0].name
    body_line = parse_file(target).answers[0].body.split("\n")[0]
    target.write_text(target.read_text(encoding="utf-8").replace(body_line, body_line + " 新加的句子QXZ", 1),
                      encoding="utf-8")
    third = run("ingest", str(corpus_copy), index=index)
    replaced = len(parse_file(target).answers)
    assert f"{replaced} replaced" in third.stdout
    assert json.loads(run("stats", "--json", index=index).stdout)["answers"] == total
    hit = search_json(index, "qxz")
    assert hit["total"] == 1 and Path(hit["results"][0]["source_file"]) == target.resolve()


def test_ingest_reports_bad_files_on_stderr_and_exits_1(corpus_copy, tmp_path):
    (corpus_copy / "bad.html").write_bytes(b"\x7fELF" + b"\x00" * 100)
    result = run("ingest", str(corpus_copy), index=tmp_path / "ix")
    assert result.exit_code == 1
    lines = [line for line in result.stderr.splitlines() if line]
    assert len(lines) == 1 and lines[0].startswith("dlqa: ") and "bad.html" in lines[0]
    assert "; 1 file failed" in result.stdout


def test_ingest_accepts_globs_and_the_environment_variable(corpus_copy, tmp_path):
    index = tmp_path / "from-env"
    result = runner.invoke(app, ["ingest", str(corpus_copy / "00[01]_*.txt")], env={"DLQA_INDEX": str(index)})
    assert result.exit_code == 0, result.output
    assert "2 files read" in result.stdout
    assert (index / "dlqa-index.json").exists()


def test_ingest_without_paths_is_a_usage_error(tmp_path):
    result = run("ingest", index=tmp_path / "ix")
    assert result.exit_code == 2 and "dlqa:" in result.stderr


# --- search semantics -------------------------------------------------------------------------


def test_overfitting_finds_exactly_the_four_answers_that_say_it(corpus_index):
    data = search_json(corpus_index, "过拟合")
    assert data["query"] == "过拟合"
    data["results"] = data["results"][: data["total"]]  # (answers naming a related concept follow)
    assert data["total"] == len(ids(data)) == 4
    assert ids(data) == ids_containing("过拟合")
    authors = {result["author"] for result in data["results"]}
    assert {"棒棒糖", "机智的叉烧", "信息门上飞二哈"} <= authors
    anonymous = authors - {"棒棒糖", "机智的叉烧", "信息门上飞二哈"}
    assert len(anonymous) == 1
    assert [r for r in data["results"] if r["author"] in anonymous][0]["title"].endswith("越学越懵?")
    for result in data["results"]:
        assert "过拟合" in result["body"]
        assert ZHIHU_ANSWER.match(result["link"]) and result["link"] == result["url"]
        assert result["matched"][0] == "过拟合"  # (then related concepts it names, as 欠拟合)
        assert "过拟合" in result["snippet"]


def test_a_part_of_a_compound_finds_the_compound(corpus_index):
    whole = ids(search_json(corpus_index, "过拟合"))
    part = ids(search_json(corpus_index, "拟合"))
    assert whole < part or whole == part
    assert part == ids_containing("拟合")
    underfit_only = ids_containing("欠拟合") - ids_containing("过拟合")
    assert not (underfit_only & whole)


@pytest.mark.parametrize("word", ["深度学习", "调参", "神经网络", "梯度", "泛化", "论文"])
def test_every_answer_holding_a_word_is_found_and_no_other(corpus_index, word):
    assert ids(search_json(corpus_index, word, "--no-expand")) == ids_containing(word)


def test_terms_are_anded(corpus_index):
    assert ids(search_json(corpus_index, "深度学习", "论文", "--no-expand")) == ids_containing("深度学习", "论文")


def test_latin_words_match_in_any_case(corpus_index):
    upper, lower = search_json(corpus_index, "BERT"), search_json(corpus_index, "bert")
    assert ids(upper) == ids(lower) and upper["total"] > 0
    assert all("bert" in fold(r["title"] + r["body"] + (r["author"] or "")) for r in upper["results"])


def test_quoted_phrase_is_one_substring(corpus_index):
    phrase = search_json(corpus_index, '"early stop"')
    assert phrase["total"] >= 1
    assert all(re.search(r"early\s+stop", fold(r["body"])) for r in phrase["results"])
    apart = search_json(corpus_index, "early", "stop")
    assert ids(phrase) <= ids(apart)


def test_or_is_a_union_and_not_a_difference(corpus_index):
    a, b = ids(search_json(corpus_index, "过拟合")), ids(search_json(corpus_index, "泛化"))
    assert ids(search_json(corpus_index, "过拟合 OR 泛化")) == a | b
    assert ids(search_json(corpus_index, "过拟合 | 泛化")) == a | b
    assert ids(search_json(corpus_index, "泛化 NOT 过拟合")) == b - a
    assert ids(search_json(corpus_index, "泛化 -过拟合")) == b - a
    assert ids(search_json(corpus_index, "(过拟合 OR 泛化) -深度学习")) == (a | b) - ids_containing("深度学习")


def test_field_filters(corpus_index):
    by_author = search_json(corpus_index, "author:二哈")
    assert by_author["total"] >= 1 and all("二哈" in r["author"] for r in by_author["results"])

    for _, answer in all_answers():
        if answer.author and "二哈" in answer.author:
            assert answer.id in ids(by_author)

    site = parse_file(SEEDS[3]).site
    by_site = search_json(corpus_index, f"site:{site.upper()}")
    assert by_site["total"] == sum(1 for p in SEEDS if parse_file(p).site == site for _ in parse_file(p).answers)
    assert {r["site"] for r in by_site["results"]} == {site}

    title = parse_file(SEEDS[0]).title
    by_title = search_json(corpus_index, "title:越学越懵")
    assert {r["title"] for r in by_title["results"]} == {title}
    assert by_title["total"] == len(parse_file(SEEDS[0]).answers)

    body_only = search_json(corpus_index, "body:越学越懵")
    assert all("越学越懵" in r["body"] for r in body_only["results"])


def test_paging_walks_the_same_ranking(corpus_index):
    full = search_json(corpus_index, "深度学习", limit=6)["results"]
    second = json.loads(run("search", "深度学习", "--json", "--limit", "3", "--page", "2", index=corpus_index).stdout)
    assert [r["id"] for r in second["results"]] == [r["id"] for r in full[3:6]]
    scores = [r["score"] for r in full]
    assert scores == sorted(scores, reverse=True)
    past = run("search", "过拟合", "--json", "--page", "99", index=corpus_index)
    assert past.exit_code == 0 and json.loads(past.stdout)["results"] == []


# --- output formats ----------------------------------------------------------------------------

RESULT_FIELDS = {"id", "author", "url", "title", "site", "page_url", "question_url", "source_file", "position",
                 "floor", "body", "score", "snippet", "matched", "missing", "link", "author_bio", "posted_at",
                 "posted_date", "seen_in"}


def test_json_and_jsonl_carry_every_field(corpus_index):
    whole = run("search", "过拟合", "--json", index=corpus_index)
    assert whole.exit_code == 0
    data = json.loads(whole.stdout)
    assert set(data) == {"query", "total", "partial", "with_reposts", "expansions", "suggestion",
                         "unmatched", "results"}
    lines = run("search", "过拟合", "--jsonl", index=corpus_index).stdout.splitlines()
    assert len(lines) == len(data["results"]) == data["total"] + data["partial"]
    for line, result in zip(lines, data["results"], strict=True):
        one = json.loads(line)
        assert set(one) == RESULT_FIELDS
        assert one == result
        assert Path(one["source_file"]).is_absolute()


def test_terminal_output_has_rank_title_author_link_and_no_colour_when_piped(corpus_index):
    result = run("search", "过拟合", index=corpus_index)
    assert result.exit_code == 0
    out = result.stdout
    assert not ANSI.search(out)
    data = search_json(corpus_index, "过拟合")
    for rank, hit in enumerate(data["results"], start=1):
        assert f"{rank:>2}. {hit['title']}" in out
        assert hit["author"] in out and hit["link"] in out
    assert out.count("过拟合") >= data["total"]


def test_colour_highlights_matches_on_a_terminal_unless_no_color(corpus_index):
    from rich.console import Console

    from dlqa.render_human import print_results
    from dlqa.search import search

    results = search(corpus_index, "过拟合")
    console = Console(force_terminal=True, color_system="standard", width=200, record=True)
    with console.capture() as captured:
        print_results(results, console)
    assert re.search("\x1b\\[[0-9;]*m过拟合", captured.get())

    plain = Console(force_terminal=True, no_color=True, width=200)
    with plain.capture() as captured:
        print_results(results, plain)
    assert not re.search("\x1b\\[[0-9;]*3[0-7]m", captured.get())


def test_json_stays_valid_utf8_whatever_the_page_holds(tmp_path):
    page = tmp_path / "weird.txt"
    page.write_text("怪异页面\n控制字符\x1b[31m红色\x1b[0m 与 \u202e反向\u202c 还有 \"引号\" 和 \\ 反斜杠 奇异词XQJZ\n",
                    encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(page), index=index).exit_code == 0
    raw = subprocess_free_bytes(run("search", "奇异词XQJZ", "--json", index=index).stdout)
    data = json.loads(raw.decode("utf-8"))
    assert data["total"] == 1 and "\x1b" in data["results"][0]["body"]
    human = run("search", "奇异词xqjz", index=index).stdout
    assert "\x1b[31m" not in human and "\u202e" not in human


def subprocess_free_bytes(text: str) -> bytes:
    return text.encode("utf-8")  # raises if the output held lone surrogates


# --- exit status -------------------------------------------------------------------------------


def test_exit_status_follows_grep(corpus_index):
    assert run("search", "过拟合", index=corpus_index).exit_code == 0
    text = "".join(title + (a.author or "") + a.body for title, a in all_answers())
    # (no two characters of it stand together in any answer: partial matches find nothing either)
    absent = next(w for w in ("量子纠缠猫", "火锅底料配方", "潜水艇舵手")
                  if all(w[i : i + 2] not in text for i in range(len(w) - 1)))
    none = run("search", absent, index=corpus_index)
    assert none.exit_code == 1 and none.stdout == ""
    none_json = run("search", absent, "--json", index=corpus_index)
    assert none_json.exit_code == 1 and json.loads(none_json.stdout)["total"] == 0
    for bad in ['"过拟合', "(过拟合", "foo:bar", "OR", "*", "过拟合 NOT"]:
        result = run("search", bad, index=corpus_index)
        assert result.exit_code == 2, bad
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("dlqa: "), (bad, result.stderr)
        assert "Traceback" not in result.output


def test_no_index_gives_a_one_line_hint(tmp_path):
    for argv in (["search", "过拟合"], ["stats"], ["show", "abcdef012345"]):
        result = run(*argv, index=tmp_path / "none")
        assert result.exit_code == 2
        none = tmp_path / "none"
        assert result.stderr.strip() == (f"dlqa: no index at {none} (from --index); "
                                         f"make one with `dlqa ingest FOLDER --index {none}`")


def test_json_and_jsonl_together_is_a_usage_error(corpus_index):
    assert run("search", "过拟合", "--json", "--jsonl", index=corpus_index).exit_code == 2
    assert run("search", "过拟合", "--limit", "0", index=corpus_index).exit_code == 2


# --- show, stats, help, version -----------------------------------------------------------------


def test_show_prints_one_whole_answer(corpus_index):
    hit = search_json(corpus_index, "过拟合")["results"][0]
    result = run("show", hit["id"], index=corpus_index)
    assert result.exit_code == 0
    unwrapped = "".join(result.stdout.split())  # `show` wraps lines to the terminal's width
    for line in hit["body"].splitlines():
        assert "".join(line.split()) in unwrapped
    assert hit["link"] in result.stdout and hit["title"] in result.stdout
    shown = json.loads(run("show", hit["id"], "--json", index=corpus_index).stdout)
    assert shown["body"] == hit["body"] and shown["id"] == hit["id"]
    missing = run("show", "ffffffffffffffff", index=corpus_index)
    assert missing.exit_code == 1 and missing.stderr.startswith("dlqa: no answer with id")


def test_one_of_anything_is_singular(tmp_path):
    page = tmp_path / "one.txt"
    page.write_text("过拟合怎么办?\n\n多加数据,再加正则化。过拟合是模型记住了训练集。\n", encoding="utf-8")
    index = tmp_path / "index"
    ingested = run("ingest", str(page), index=index)
    assert "1 file read" in ingested.stdout and "(1 answer)" in ingested.stdout, ingested.output
    assert "1–1 of 1 answer\n" in run("search", "过拟合", index=index).stdout
    assert "1 answer from 1 page\n" in run("stats", index=index).stdout
    assert "\n1 answer\n" in run("parse", str(page)).stdout


def test_stats_human_and_json_agree(corpus_index):
    data = json.loads(run("stats", "--json", index=corpus_index).stdout)
    human = run("stats", index=corpus_index).stdout
    assert f"{data['answers']} answers from {data['pages']} pages" in human  # (several of each)
    for site in data["sites"]:
        assert site in human
    assert data["top_authors"][0]["author"] in human


@pytest.mark.parametrize("command", ["parse", "ingest", "search", "show", "stats"])
def test_every_command_help_has_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert f"Example: dlqa {command}" in result.stdout


def test_version_and_python_dash_m():
    from dlqa import __version__

    assert runner.invoke(app, ["--version"]).stdout.strip() == f"dlqa {__version__}"
    done = subprocess.run([sys.executable, "-m", "dlqa", "--version"], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0 and done.stdout.strip() == f"dlqa {__version__}"


def test_search_path_loads_neither_jieba_nor_rich(corpus_index):
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "dlqa", "search", "过拟合", "--jsonl", "--index", str(corpus_index)],
        capture_output=True, text=True, cwd=ROOT, env=env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert not {name for name in imported if name.split(".")[0] in ("jieba", "rich", "lxml", "bs4")}
    assert len(done.stdout.splitlines()) >= 4  # the four answers saying 过拟合, then related ones


def test_installed_command_prints_everything_then_skips_teardown_with_mains_status(corpus_index):
    """`python -m dlqa` goes through `entry_point`: complete output, the same exit statuses."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    env["PYTHONIOENCODING"] = "utf-8"  # and stdout block-buffered, as a pipe is by default

    def dlqa(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "dlqa", *args], capture_output=True, text=True, cwd=ROOT, env=env)

    many = dlqa("search", "的", "--jsonl", "--limit", "200", "--index", str(corpus_index))
    expected = search_json(corpus_index, "的")
    assert many.returncode == 0, many.stderr[-2000:]
    assert [json.loads(line)["id"] for line in many.stdout.splitlines()] == [hit["id"] for hit in expected["results"]]
    assert len(expected["results"]) > 20
    one = dlqa("search", "过拟合", "--jsonl", "--limit", "1", "--index", str(corpus_index))
    assert one.returncode == 0 and len(one.stdout) < 8192  # all of it in the stdout buffer
    assert [json.loads(line)["id"] for line in one.stdout.splitlines()] == [expected_first(corpus_index)]
    nothing = dlqa("search", "没有这个词QXZ", "--index", str(corpus_index))
    assert (nothing.returncode, nothing.stdout) == (1, "")
    assert nothing.stderr.strip() == "no answer matches 没有这个词QXZ"
    bad = dlqa("search", '"过拟合', "--index", str(corpus_index))
    assert bad.returncode == 2 and bad.stderr.startswith("dlqa: unbalanced quote")


def expected_first(index: Path) -> str:
    return search_json(index, "过拟合")["results"][0]["id"]


def test_entry_point_runs_exit_handlers_then_exits_with_mains_status(monkeypatch, capfd):
    import atexit

    from dlqa import cli

    ran, exited = [], []
    monkeypatch.setattr(sys, "argv", ["dlqa", "search", "--no-such-option"])
    monkeypatch.setattr(atexit, "_run_exitfuncs", lambda: ran.append(True))
    monkeypatch.setattr(os, "_exit", exited.append)
    cli.entry_point()
    assert (ran, exited) == ([True], [2])
    assert "No such option" in capfd.readouterr().err
    monkeypatch.setattr(cli, "main", lambda: sys.exit("a message"))
    cli.entry_point()
    assert exited == [2, 1] and capfd.readouterr().err.strip() == "a message"


def test_shell_completion_is_offered():
    result = runner.invoke(app, ["--help"])
    assert "--install-completion" in result.stdout


def test_ctrl_c_in_any_command_is_one_line_and_status_130(monkeypatch, capfd, corpus_index):
    import sys

    import dlqa.library
    from dlqa.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(dlqa.library, "search", interrupted)
    monkeypatch.setattr(sys, "argv", ["dlqa", "search", "过拟合", "--index", str(corpus_index)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 130
    assert capfd.readouterr().err.strip() == "dlqa: interrupted"


def test_main_keeps_usage_errors_at_status_2(monkeypatch, capfd):
    import sys

    from dlqa.cli import main

    monkeypatch.setattr(sys, "argv", ["dlqa", "search", "--no-such-option"])
    with pytest.raises(SystemExit) as exit_info:
        main()
    assert exit_info.value.code == 2
    assert "No such option" in capfd.readouterr().err
