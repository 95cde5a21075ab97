"""The everyday CLI (issue #17) through typer's CliRunner and real subprocesses: help and
version, --count/--files, completion, colour, clickable links, messages, reposts grouped,
`dlqa show` wrapped and paged on a terminal only, `dlqa open`, `dlqa parse` folders and -,
and a closed pipe ending quietly."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa import __version__
from dlqa.cli import app
from dlqa.extract import parse_file
from dlqa.wrap import text_width
from tests.helpers import FIXTURES, ROOT

runner = CliRunner()
SGR = re.compile("\x1b\\[[0-9;]*m")
OSC8 = re.compile("\x1b\\]8;[^;]*;([^\x1b\x07]*)\x1b\\\\")
COMMANDS = ["parse", "ingest", "search", "show", "open", "similar", "stats", "config"]


def run(*args: str, index: Path | None = None, env: dict[str, str] | None = None, **kwargs):
    argv = [*args, "--index", str(index)] if index is not None else list(args)
    return runner.invoke(app, argv, env=env, **kwargs)


def first_hit(index: Path, query: str = "过拟合") -> dict:
    return json.loads(run("search", query, "--json", index=index).stdout)["results"][0]


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith(("DLQA_", "PAGER", "NO_COLOR", "FORCE_COLOR", "LESS"))}
    env.update(PYTHONIOENCODING="utf-8", **extra)
    return env


# --- help, version ------------------------------------------------------------------------------


def test_bare_dlqa_prints_help_and_succeeds():
    result = run()
    assert result.exit_code == 0
    assert "Usage:" in result.stdout and "search" in result.stdout


def test_short_help_and_version_options():
    assert run("-V").stdout == f"dlqa {__version__}\n"
    assert run("-h").stdout == run("--help").stdout
    for command in COMMANDS:
        short = run(command, "-h")
        assert short.exit_code == 0 and short.stdout == run(command, "--help").stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_help_texts_have_no_placeholders_and_nothing_cut_off(command):
    text = run(command, "--help").stdout
    usage = text.splitlines()[0]
    assert "{" not in usage and "<" not in text and "..." not in text.replace("PATH...", "").replace("QUERY...", "")
    listing = run("--help").stdout
    line = next(line for line in listing.splitlines() if line.strip().startswith(command + " "))
    assert not line.rstrip().endswith("...")


# --- search: --count, --files, messages ----------------------------------------------------------------


def test_count_prints_only_the_number(corpus_index):
    total = json.loads(run("search", "过拟合", "--json", index=corpus_index).stdout)["total"]
    counted = run("search", "过拟合", "--count", index=corpus_index)
    assert (counted.exit_code, counted.stdout) == (0, f"{total}\n")
    nothing = run("search", "没有这个词QXZ", "-c", index=corpus_index)
    assert (nothing.exit_code, nothing.stdout, nothing.stderr) == (1, "0\n", "")


def test_files_lists_every_matching_page_once_whatever_the_limit(corpus_index):
    data = json.loads(run("search", "深度学习", "--json", "--limit", "1000", index=corpus_index).stdout)
    expected = list(dict.fromkeys(page["source_file"] for hit in data["results"] for page in hit["seen_in"]))
    listed = run("search", "深度学习", "--files", "--limit", "1", index=corpus_index)
    assert listed.exit_code == 0
    assert listed.stdout.splitlines() == expected and len(expected) > 1
    assert run("search", "没有这个词QXZ", "-l", index=corpus_index).exit_code == 1


def test_output_modes_cannot_be_mixed(corpus_index):
    mixed = run("search", "过拟合", "--count", "--files", index=corpus_index)
    assert mixed.exit_code == 2 and mixed.stderr == "dlqa: --count and --files cannot be used together\n"


def test_an_empty_index_says_so_and_how_to_fill_it(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("过拟合怎么办?\n\n多加数据,再加正则化。过拟合是模型记住了训练集。\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(page), index=index).exit_code == 0
    page.unlink()
    assert run("ingest", "--prune", index=index).exit_code == 0
    result = run("search", "过拟合", index=index)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == f"dlqa: the index at {index} is empty: add pages with `dlqa ingest FOLDER`\n"
    as_json = run("search", "过拟合", "--json", index=index)
    assert as_json.exit_code == 1 and json.loads(as_json.stdout)["total"] == 0


def test_an_unknown_site_lists_the_known_ones(corpus_index):
    bogus = run("search", "深度学习", "--site", "bogus", index=corpus_index)
    assert bogus.exit_code == 2 and bogus.stdout == ""
    assert bogus.stderr == ("dlqa: unknown site 'bogus'; known sites: aliyun, blog, csdn, discourse, flarum, forum, "
                             "nowcoder, python88, segmentfault, stackexchange, tencentcloud, tieba, v2ex, web, zhidao, "
                             "zhihu\n")
    # a site dlqa knows but this index has no page of: nothing matched, not a usage error
    assert run("search", "深度学习", "--site", "zhihu", index=corpus_index).exit_code == 1


def test_an_impossible_date_range_is_a_usage_error(corpus_index):
    result = run("search", "深度学习", "--since", "2019-01-01", "--until", "2018-01-01", index=corpus_index)
    assert result.exit_code == 2
    assert result.stderr.startswith("dlqa: --since 2019-01-01 is after --until 2018-01-01")
    assert "expected --since on or before --until" in result.stderr


@pytest.mark.parametrize("command", ["show", "similar", "open"])
def test_short_id_prefixes_are_usage_errors_that_say_what_is_expected(corpus_index, command):
    prefix = first_hit(corpus_index)["id"][:4]
    result = run(command, prefix, index=corpus_index)
    assert result.exit_code == 2
    assert result.stderr == (f"dlqa: the id prefix {prefix} is too short (4 characters): an answer id is 16 hex "
                             "digits (as `dlqa search` shows them), or its first 6 or more\n")


# --- completion ------------------------------------------------------------------------------------------


def complete(words: str, index: Path | None = None):
    env = {"_DLQA_COMPLETE": "complete_bash", "COMP_WORDS": words, "COMP_CWORD": str(len(words.split(" ")) - 1)}
    result = runner.invoke(app, [], env=env, prog_name="dlqa")
    return result.stdout.split()


def test_completion_offers_the_index_sites_and_the_sort_orders(corpus_index):
    assert complete(f"dlqa search 过拟合 --index {corpus_index} --site ") == ["blog", "python88", "v2ex"]
    assert complete(f"dlqa search 过拟合 --index {corpus_index} --site py") == ["python88"]
    assert complete("dlqa search 过拟合 --sort ") == ["relevance", "date"]
    assert complete("dlqa search 过拟合 --color a") == ["auto", "always"]
    assert complete(f"dlqa search 过拟合 --index {corpus_index / 'none'} --site ") == []


# --- colour and links -------------------------------------------------------------------------------------


def test_color_always_never_and_the_environment(corpus_index):
    always = run("search", "过拟合", "--color", "always", env={"NO_COLOR": "1"}, index=corpus_index)
    assert SGR.search(always.stdout)
    assert not SGR.search(run("search", "过拟合", "--color", "never", env={"FORCE_COLOR": "1"},
                              index=corpus_index).stdout)
    assert SGR.search(run("search", "过拟合", env={"FORCE_COLOR": "1", "NO_COLOR": ""}, index=corpus_index).stdout)
    assert not SGR.search(run("search", "过拟合", env={"NO_COLOR": "1"}, index=corpus_index).stdout)
    assert not SGR.search(run("search", "过拟合", index=corpus_index).stdout)  # not a terminal
    bad = run("search", "过拟合", "--color", "sometimes", index=corpus_index)
    assert bad.exit_code == 2 and bad.stderr == "dlqa: --color must be one of: auto, always, never\n"


def test_links_are_clickable_only_with_colour_and_only_for_http(corpus_index):
    hit = first_hit(corpus_index)
    coloured = run("search", "过拟合", "-n", "1", "--color", "always", index=corpus_index).stdout
    assert [url for url in OSC8.findall(coloured) if url] == [hit["link"]]
    assert not OSC8.search(run("search", "过拟合", "-n", "1", "--color", "never", index=corpus_index).stdout)
    shown = run("show", hit["id"], "--color", "always", "--no-pager", index=corpus_index).stdout
    assert hit["link"] in OSC8.findall(shown)


@pytest.mark.parametrize("href", [
    "https://example.com/a\x1b]8;;https://evil.example\x1b\\",  # an OSC 8 of its own
    "https://example.com/a\x07",  # BEL ends an OSC in many terminals
    "https://example.com/a\u009c",  # the C1 string terminator
    "javascript:alert(1)",
    "file:///etc/passwd",
])
def test_a_hostile_link_never_becomes_a_link_or_an_escape_sequence(tmp_path, monkeypatch, href):
    import webbrowser

    page = tmp_path / "hostile.html"
    page.write_text(f'<html><head><title>恶意链接</title><link rel="canonical" href="{href}"></head>'
                    "<body><p>过拟合的链接在这里,正文足够长才算一个回答。</p></body></html>", encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(page), index=index).exit_code == 0
    hit = first_hit(index)
    assert hit["link"] in (href, None)  # kept as the page gave it (it is data), or dropped by extraction
    for argv in (["search", "过拟合"], ["show", hit["id"], "--no-pager"]):
        out = run(*argv, "--color", "always", index=index).stdout
        assert SGR.search(out)  # colour is on, so links would be too
        assert not OSC8.search(out) and "\x1b]" not in out and "\x07" not in out and "\u009c" not in out
    monkeypatch.setattr(webbrowser, "open", lambda url: pytest.fail(f"opened {url!r}"))
    refused = run("open", hit["id"], index=index)
    assert refused.exit_code == 1 and refused.stderr == "dlqa: this answer has no http(s) link to open\n"


# --- reposts ----------------------------------------------------------------------------------------------


def test_many_copies_of_one_answer_are_a_few_lines_and_json_keeps_every_copy(tmp_path):
    source = (FIXTURES / "python88_topic.txt").read_text(encoding="utf-8")
    assert "http://www.python88.com/topic/163052" in source
    folder = tmp_path / "saves"
    folder.mkdir()
    for n in range(12):  # the same page saved twelve times
        (folder / f"same_{n:02}.txt").write_text(source, encoding="utf-8")
    for n in range(6):  # and reposted on six other pages
        (folder / f"other_{n}.txt").write_text(source.replace("topic/163052", f"topic/90000{n}"), encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(folder), index=index).exit_code == 0

    human = run("search", "batch 越大越需要", "-n", "1", index=index)
    assert human.exit_code == 0
    lines = human.stdout.splitlines()
    # seven distinct pages: the result's own, and six more; the twelve copies of one are one line
    assert "    also seen on 6 more pages:" in lines
    assert "      +3 more pages" in lines
    assert sum("python88.com/topic/" in line for line in lines) == 3
    own_page_first = "    saved 11 more times from the same page" in lines
    assert own_page_first != any(line.endswith("python88.com/topic/163052 · 12 copies") for line in lines)
    assert len(lines) <= 11

    data = json.loads(run("search", "batch 越大越需要", "--json", "-n", "1", index=index).stdout)
    assert len(data["results"][0]["seen_in"]) == 18


# --- show: header first, wrapped, paged on a terminal only --------------------------------------------


def long_answer(index: Path) -> dict:
    hits = json.loads(run("search", "深度学习", "--json", "--limit", "1000", index=index).stdout)["results"]
    return max(hits, key=lambda hit: len(hit["body"]))


def test_show_puts_the_header_first_and_wraps_without_cutting_words(corpus_index):
    hit = long_answer(corpus_index)
    out = run("show", hit["id"], env={"COLUMNS": "50"}, index=corpus_index).stdout
    lines = out.splitlines()
    assert lines[0] in hit["title"] or hit["title"].startswith(lines[0])
    header = "\n".join(lines[:6])
    assert f"author: {hit['author']}" in header and f"link: {hit['link']}" in header
    body_start = next(n for n, line in enumerate(lines) if set(line) == {"─"})
    body = lines[body_start + 1:]
    assert all(text_width(line) <= 50 for line in body)
    words = re.findall(r"[A-Za-z]{2,}", hit["body"])
    assert words and re.findall(r"[A-Za-z]{2,}", " ".join(body)) == words
    assert "".join("".join(body).split()) == "".join(hit["body"].split())


def fake_pager(tmp_path: Path) -> tuple[str, Path]:
    """A pager command that saves what it is given, and the file it saves to."""
    script = tmp_path / "pager.py"
    saved = tmp_path / "paged.txt"
    script.write_text(f"import sys\nopen({str(saved)!r}, 'wb').write(sys.stdin.buffer.read())\n", encoding="utf-8")
    return f"{sys.executable} {script}", saved


def run_on_terminal(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    """Run dlqa with its standard output on a pseudo-terminal; (status, what it printed)."""
    pty = pytest.importorskip("pty")  # POSIX only
    leader, follower = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "dlqa", *argv], stdout=follower, stderr=subprocess.PIPE,
                               cwd=ROOT, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal's other side closed: the process is done
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    process.wait(timeout=60)
    return process.returncode, b"".join(chunks).decode("utf-8", "replace")


def test_show_pages_long_answers_on_a_terminal_and_never_when_piped(corpus_index, tmp_path):
    hit = long_answer(corpus_index)
    pager, saved = fake_pager(tmp_path)
    argv = ["show", hit["id"], "--index", str(corpus_index)]
    env = subprocess_env(DLQA_PAGER=pager, PAGER="false", COLUMNS="60", LINES="20", TERM="xterm")

    status, printed = run_on_terminal(argv, env)
    assert status == 0 and saved.is_file()
    paged = saved.read_text(encoding="utf-8")
    assert SGR.search(paged) and hit["author"] in SGR.sub("", paged)
    assert hit["author"] not in printed  # it went to the pager, not straight to the terminal
    saved.unlink()

    status, printed = run_on_terminal([*argv, "--no-pager"], env)
    assert status == 0 and not saved.exists() and hit["author"] in printed

    status, printed = run_on_terminal(argv, {**env, "LINES": "2000"})  # shorter than the screen
    assert status == 0 and not saved.exists() and hit["author"] in printed

    piped = subprocess.run([sys.executable, "-m", "dlqa", *argv], capture_output=True, cwd=ROOT, env=env)
    assert piped.returncode == 0 and not saved.exists()
    assert hit["author"] in piped.stdout.decode("utf-8") and not SGR.search(piped.stdout.decode("utf-8"))


def test_a_pager_that_cannot_start_still_shows_the_answer(corpus_index):
    hit = long_answer(corpus_index)
    env = subprocess_env(DLQA_PAGER="/no/such/pager", LINES="5", TERM="xterm")
    status, printed = run_on_terminal(["show", hit["id"], "--index", str(corpus_index)], env)
    assert status == 0 and hit["author"] in printed


# --- open ---------------------------------------------------------------------------------------------------


def test_open_sends_the_answers_link_to_the_browser(corpus_index, monkeypatch):
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    hit = first_hit(corpus_index)
    result = run("open", hit["id"][:8], index=corpus_index)
    assert result.exit_code == 0 and opened == [hit["link"]]
    assert result.stderr == f"opened {hit['link']}\n"


def test_open_refuses_an_answer_without_a_web_link(tmp_path, monkeypatch):
    import webbrowser

    monkeypatch.setattr(webbrowser, "open", lambda url: pytest.fail(f"opened {url}"))
    page = tmp_path / "note.txt"
    page.write_text("过拟合笔记\n\n多加数据,再加正则化。过拟合是模型记住了训练集。\n", encoding="utf-8")
    index = tmp_path / "ix"
    assert run("ingest", str(page), index=index).exit_code == 0
    hit = first_hit(index)
    assert hit["link"] is None
    result = run("open", hit["id"], index=index)
    assert result.exit_code == 1 and result.stderr == "dlqa: this answer has no http(s) link to open\n"


# --- parse: folders and standard input ---------------------------------------------------------------------


def test_parse_reads_folders_recursively():
    result = run("parse", str(FIXTURES), "--json")
    assert result.exit_code == 0, result.stderr
    files = sorted(str(path.resolve()) for path in FIXTURES.rglob("*") if path.suffix in (".txt", ".html"))
    assert sorted(json.loads(line)["source_file"] for line in result.stdout.splitlines()) == files
    assert any("/html/" in name for name in files)


def test_parse_reads_standard_input():
    path = FIXTURES / "python88_topic.txt"
    result = run("parse", "-", "--json", input=path.read_bytes())
    assert result.exit_code == 0, result.stderr
    page = json.loads(result.stdout)
    assert page["source_file"] == "<stdin>"
    assert [a["body"] for a in page["answers"]] == [a.body for a in parse_file(path).answers]
    html = FIXTURES / "html" / "v2ex_thread.html"
    from_stdin = json.loads(run("parse", "-", "--json", input=html.read_bytes()).stdout)
    assert from_stdin["site"] == parse_file(html).site == "v2ex"


def test_parse_names_a_missing_path_and_goes_on(tmp_path):
    result = run("parse", str(tmp_path / "missing.txt"), str(FIXTURES / "python88_topic.txt"), "--json")
    assert result.exit_code == 1 and len(result.stdout.splitlines()) == 1
    assert result.stderr == f"dlqa: {tmp_path / 'missing.txt'}: no such file or directory\n"


# --- a closed pipe ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "status"), [
    (["search", "深度学习"], 0),
    (["search", "深度学习", "--jsonl", "--limit", "100"], 0),
    (["search", "深度学习", "--files"], 0),
    (["search", "没有这个词QXZ", "--count"], 1),
    (["stats"], 0),
    (["parse", str(FIXTURES)], 0),
])
def test_a_closed_pipe_ends_quietly_with_the_status_the_command_would_have_had(corpus_index, argv, status):
    reader, writer = os.pipe()
    os.close(reader)  # like `| head` that has already exited
    index = [] if argv[0] == "parse" else ["--index", str(corpus_index)]
    done = subprocess.run([sys.executable, "-m", "dlqa", *argv, *index],
                          stdout=writer, stderr=subprocess.PIPE, cwd=ROOT, env=subprocess_env())
    os.close(writer)
    assert done.returncode == status
    assert done.stderr.decode("utf-8") == ""


def test_search_piped_into_head_exits_zero(corpus_index):
    search = subprocess.Popen([sys.executable, "-m", "dlqa", "search", "的", "--limit", "200",
                               "--index", str(corpus_index)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              cwd=ROOT, env=subprocess_env())
    head = subprocess.run(["head", "-n", "3"], stdin=search.stdout, capture_output=True)
    assert search.stdout is not None
    search.stdout.close()
    assert search.wait(timeout=60) == 0 and len(head.stdout.splitlines()) == 3
    assert search.stderr is not None and search.stderr.read() == b""


def test_a_dash_before_a_chinese_word_excludes_it_unquoted(corpus_index):
    from dlqa.cli import exclusions_as_words

    assert exclusions_as_words(["search", "神经网络", "-楼主", "-n", "3"]) == ["search", "神经网络", "NOT", "楼主", "-n", "3"]
    assert exclusions_as_words(["search", "a", "--", "-楼主"]) == ["search", "a", "--", "-楼主"]
    assert exclusions_as_words(["show", "-楼主"]) == ["show", "-楼主"]
    quoted = run("search", "神经网络 -楼主", "--count", index=corpus_index)
    plain = run("search", "神经网络", "--count", index=corpus_index)
    unquoted = subprocess.run([sys.executable, "-m", "dlqa", "search", "神经网络", "-楼主", "--count",
                               "--index", str(corpus_index)], capture_output=True, text=True, cwd=ROOT,
                              env=subprocess_env())
    assert unquoted.returncode == 0, unquoted.stderr
    assert unquoted.stdout == quoted.stdout and int(quoted.stdout) < int(plain.stdout)
