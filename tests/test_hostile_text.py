"""Page text is data: markup, escapes, bidi overrides and surrogates never drive the terminal.

Pages (text and HTML) carry rich markup, ANSI/OSC 8 escapes, U+202E, U+200B, lone surrogates
and <script> in their titles, authors and bodies. The JSON stays valid UTF-8 JSON, and the
human output shows markup literally and no escape sequence from the page.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.console import Console

from dlqa.extract import parse_file, parse_text
from dlqa.model import Answer, Page
from dlqa.render_human import print_page
from dlqa.render_json import dumps
from tests.helpers import ROOT, strings_in

MARKUP = "[bold red]x[/]"
LINK_MARKUP = "[link=https://evil]y[/link]"
CLEAR = "\x1b[2J"
OSC8 = "\x1b]8;;https://evil\x1b\\click\x1b]8;;\x1b\\"
PAYLOAD = f"{MARKUP} {LINK_MARKUP} {CLEAR} {OSC8} a\u202eb c\u200bd"
#: What must never reach a terminal from page text.
FORBIDDEN = ("\x1b[2J", "\x1b]8;;https://evil", "\u202e", "alert(1)")
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100", "FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"}

TEXT_PAGE = f"""标题 {PAYLOAD}

导读：关于过拟合的回答 {PAYLOAD}

回答一
作者：甲{CLEAR}{MARKUP}
https://www.zhihu.com/question/1/answer/1
过拟合的回答一 {PAYLOAD}

回答二
作者：乙{OSC8}
https://www.zhihu.com/question/1/answer/2
过拟合的回答二 {PAYLOAD} 来自知乎
"""

HTML_PAGE = f"""<html><head><title>标题 {MARKUP} &#x1b;[2J &#xD800;</title>
<script>alert(1)</script></head><body>
<h1>标题 {MARKUP} &#x1b;[2J &#xD800;</h1>
<p>回答一</p><p>作者：甲&#x1b;[2J{MARKUP}</p>
<p>https://www.zhihu.com/question/1/answer/1</p>
<p>过拟合的回答一 {MARKUP} {LINK_MARKUP} &#x1b;[2J &#x1b;]8;;https://evil&#x1b;\\click&#x1b;]8;;&#x1b;\\
a&#x202e;b c&#x200b;d lone &#xD800; &#55296; <script>alert(1)</script> 知乎</p>
<p>回答二</p><p>作者：乙</p><p>https://www.zhihu.com/question/1/answer/2</p>
<p>过拟合的回答二 <script type="text/javascript">alert(1)</script>{PAYLOAD}</p>
</body></html>"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.txt").write_text(TEXT_PAGE, encoding="utf-8")
    (folder / "hostile.html").write_text(HTML_PAGE, encoding="utf-8")
    return folder


def _run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "dlqa", *args], capture_output=True, env=ENV,
                          timeout=120, check=False)


@pytest.mark.parametrize("name", ["hostile.txt", "hostile.html"])
def test_extracted_fields_keep_page_text_as_data(pages, name):
    # Escapes and markup stay data (JSON escapes them, the terminal view neutralises them);
    # script content, zero-width characters and lone surrogates do not survive extraction.
    page = parse_file(pages / name)
    assert len(page.answers) == 2
    assert page.answers[0].author == f"甲{CLEAR}{MARKUP}" and page.answers[1].author.startswith("乙")
    assert all(MARKUP in answer.body and "\x1b[2J" in answer.body for answer in page.answers)
    for text in strings_in(page.to_dict()):
        assert "alert(1)" not in text and "\u200b" not in text
        text.encode("utf-8")  # no lone surrogate survives


def test_a_lone_surrogate_given_as_text_becomes_a_replacement_character():
    # Decoding never yields surrogates (and lxml turns &#xD800; into U+FFFD), but a library
    # caller can hand one over.
    page = parse_text("标题\ud800\n\n正文\udc80的内容\n")
    assert page.answers[0].body == "正文\ufffd的内容" and page.title == "标题\ufffd"
    assert json.loads(dumps(page.to_dict()))["answers"][0]["body"] == "正文\ufffd的内容"


@pytest.mark.parametrize("name", ["hostile.txt", "hostile.html"])
def test_parse_json_is_valid_utf8_json(pages, name):
    result = _run("parse", "--json", str(pages / name))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.decode("utf-8").splitlines()
    assert len(lines) == 1
    page = json.loads(lines[0])
    assert "\x1b" not in result.stdout.decode("utf-8")
    assert all(MARKUP in answer["body"] and "alert(1)" not in answer["body"] for answer in page["answers"])


def _rendered(page: Page) -> str:
    buffer = io.StringIO()
    print_page(page, Console(file=buffer, force_terminal=True, width=100, color_system="truecolor"))
    return buffer.getvalue()


def test_human_view_of_raw_hostile_fields_neutralises_escapes():
    # Straight to the renderer, skipping extraction's own cleaning: its defence must hold alone.
    answer = Answer(position=0, body=f"正文 {PAYLOAD} \ud800", author=f"甲{CLEAR}{MARKUP}",
                    author_bio=OSC8, url="https://a.com/\x1b[2J", posted_at=CLEAR)
    page = Page(source_file=f"x{CLEAR}.txt", site="web", title=f"标题 {PAYLOAD}", description=PAYLOAD,
                answers=[answer])
    out = _rendered(page)
    assert "\x1b[" in out  # rich did style the output: the test would catch a raw ESC
    assert not any(forbidden in out for forbidden in FORBIDDEN), repr(out)
    assert MARKUP in out and LINK_MARKUP in out


@pytest.mark.parametrize("name", ["hostile.txt", "hostile.html"])
def test_human_parse_output_shows_markup_literally(pages, name):
    result = _run("parse", str(pages / name))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert not any(forbidden in out for forbidden in FORBIDDEN), repr(out)
    assert MARKUP in out and LINK_MARKUP in out


@pytest.fixture(scope="module")
def hostile_index(pages: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    index = tmp_path_factory.mktemp("hostile-index") / "idx"
    result = _run("ingest", str(pages), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return index


@pytest.mark.parametrize("flag", ["--json", "--jsonl"])
def test_search_json_is_valid_for_hostile_answers(hostile_index, flag):
    result = _run("search", "过拟合", flag, "--index", str(hostile_index))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode("utf-8")
    hits = [json.loads(line) for line in text.splitlines()]
    results = hits[0]["results"] if flag == "--json" else hits
    # The same answer (same link) on both pages is one hit; both pages are found.
    assert {Path(hit["source_file"]).name for hit in results} == {"hostile.txt", "hostile.html"}
    assert "\x1b" not in text and not any("alert(1)" in hit["body"] for hit in results)


def test_human_search_output_shows_markup_literally(hostile_index):
    result = _run("search", "过拟合", "--index", str(hostile_index))
    assert result.returncode == 0, result.stderr
    out = result.stdout.decode("utf-8")
    assert not any(forbidden in out for forbidden in FORBIDDEN), repr(out)
    assert MARKUP in out
