"""`dlqa export`: every format parsed back, ids stable, the mapping's documented shape, and the
hostile page neutralised in each format (CSV formulas, markdown/HTML, terminal escapes)."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dlqa import Library
from dlqa.export.writers import FORMULA_STARTS, csv_cell
from dlqa.render_human import safe
from tests.helpers import ROOT
from tests.hostile_index import HOSTILE_QUERY, HOSTILE_WORD, hostile_index

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
CONTRACT = ("id", "position", "author", "author_bio", "url", "floor", "posted_at", "body", "title", "site",
            "page_url", "question_url", "source_file", "link", "posted_date")
FORBIDDEN_IN_TEXT = ("\x1b", "\u202e")


def dlqa(*args: str, index: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "dlqa", *args]
    if index is not None:
        command += ["--index", str(index)]
    return subprocess.run(command, capture_output=True, text=True, encoding="utf-8", env=ENV, timeout=120)


@pytest.fixture(scope="module")
def index() -> Path:
    return hostile_index()


@pytest.fixture(scope="module")
def library(index: Path) -> list[dict]:
    """Every stored answer, from the jsonl export."""
    done = dlqa("export", "--format", "jsonl", index=index)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_jsonl_holds_every_stored_answer_with_every_contract_field(index: Path, library: list[dict]) -> None:
    stats = json.loads(dlqa("stats", "--json", index=index).stdout)
    assert len(library) == stats["answers"] == 81
    for record in library:
        assert set(CONTRACT) <= set(record), record.keys()
    assert len({record["source_file"] for record in library}) == 6
    for record in library[::30]:  # the same answer `dlqa show --json` prints
        shown = json.loads(dlqa("show", record["id"], "--json", index=index).stdout)
        shown.pop("key_terms")
        assert shown == record
    hostile = [record for record in library if HOSTILE_WORD in record["body"]]
    assert len(hostile) == 2 and all(record["site"] == "zhihu" for record in hostile)


def test_jsonl_of_a_query_is_the_search_json_results(index: Path) -> None:
    exported = dlqa("export", "过拟合", index=index)
    searched = json.loads(dlqa("search", "过拟合", "--json", "--limit", "100", index=index).stdout)
    full = [hit for hit in searched["results"] if not hit["missing"]]  # not the partial matches
    assert [json.loads(line) for line in exported.stdout.splitlines()] == full
    assert len(full) == searched["total"] == 4


def test_a_query_export_pages_through_every_result(index: Path) -> None:
    from dlqa.web import backend

    total, results = backend.iter_search(Library(index), "深度学习", page_size=7)
    ids = [result["id"] for result in results]
    searched = json.loads(dlqa("search", "深度学习", "--json", "--limit", "500", index=index).stdout)
    assert total == searched["total"] > 14
    assert ids == [result["id"] for result in searched["results"] if not result["missing"]]
    assert len(ids) == total


def test_es_bulk_is_action_and_document_pairs_with_stable_ids(index: Path, library: list[dict]) -> None:
    first = dlqa("export", "--format", "es-bulk", "--es-index", "dl-answers", index=index)
    again = dlqa("export", "--format", "es-bulk", "--es-index", "dl-answers", index=index)
    assert first.returncode == 0 and first.stdout == again.stdout
    assert first.stdout.endswith("\n")  # the bulk API needs the last line ended too
    lines = first.stdout.split("\n")[:-1]
    assert len(lines) == 2 * len(library)
    properties = _mapping("ik")["mappings"]["properties"]
    for action_line, document_line in zip(lines[::2], lines[1::2], strict=True):
        action, document = json.loads(action_line), json.loads(document_line)
        assert list(action) == ["index"]
        assert action["index"] == {"_index": "dl-answers", "_id": document["id"]}
        assert len(document["id"]) == 16 and int(document["id"], 16) >= 0
        assert set(document) <= set(properties), set(document) - set(properties)
    assert [json.loads(line) for line in lines[1::2]] == library


def test_es_bulk_of_a_query_carries_the_search_fields_the_mapping_knows(index: Path) -> None:
    done = dlqa("export", "过拟合", "--format", "es-bulk", index=index)
    documents = [json.loads(line) for line in done.stdout.splitlines()[1::2]]
    assert len(documents) == 4
    properties = _mapping("ik")["mappings"]["properties"]
    for document in documents:
        assert {"score", "snippet", "matched", "seen_in"} <= set(document) <= set(properties)


def _mapping(analyzer: str) -> dict:
    done = dlqa("export", "--mapping", "--analyzer", analyzer)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.parametrize(("analyzer", "index_tokenizer", "search_tokenizer"),
                         [("ik", "ik_max_word", "ik_smart"), ("smartcn", "smartcn_tokenizer", "smartcn_tokenizer")])
def test_mapping_has_the_documented_shape(analyzer: str, index_tokenizer: str, search_tokenizer: str) -> None:
    mapping = _mapping(analyzer)
    assert set(mapping) == {"settings", "mappings"}
    analysis = mapping["settings"]["analysis"]
    analyzers, filters = analysis["analyzer"], analysis["filter"]
    assert analyzers["dlqa_index"] == {"type": "custom", "tokenizer": index_tokenizer, "filter": ["lowercase"]}
    assert analyzers["dlqa_search"]["tokenizer"] == search_tokenizer
    # Every filter an analyzer names is built in or defined here.
    for spec in analyzers.values():
        assert all(name == "lowercase" or name in filters for name in spec["filter"])
    synonyms = filters["dlqa_glossary"]
    assert synonyms["type"] == "synonym_graph" and "dlqa_glossary" in analyzers["dlqa_search"]["filter"]
    rules = synonyms["synonyms"]
    assert any({"过拟合", "overfitting"} <= set(rule.split(", ")) for rule in rules)
    assert len(rules) > 500 and all("=>" not in rule and rule.count(",") >= 1 for rule in rules)
    properties = mapping["mappings"]["properties"]
    for name in ("site", "author", "url", "page_url", "question_url", "link", "id"):
        assert properties[name]["type"] == "keyword", name
    assert properties["posted_date"]["type"] == "date"
    for name in ("title", "body"):
        assert properties[name] == {**properties[name], "type": "text", "analyzer": "dlqa_index",
                                    "search_analyzer": "dlqa_search"}
    assert properties["author"]["fields"]["text"]["analyzer"] == "dlqa_index"
    # Nothing in the mapping names an analyzer it does not define.
    named = {value for value in _walk(properties) if isinstance(value, str) and value.startswith("dlqa_")}
    assert named <= set(analyzers)


def _walk(node: object):
    if isinstance(node, dict):
        for value in node.values():
            yield value
            yield from _walk(value)


def test_dates_in_documents_fit_the_mapping_date_format(library: list[dict]) -> None:
    import re

    dated = [record["posted_date"] for record in library if record["posted_date"]]
    assert dated
    for value in dated:  # strict_date_optional_time: yyyy-MM-dd with an optional THH:mm[:ss]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?)?", value), value


def test_csv_parses_back_to_the_data_with_formulas_defused(index: Path, library: list[dict]) -> None:
    done = dlqa("export", "--format", "csv", index=index)
    assert done.returncode == 0 and done.stderr == ""
    rows = list(csv.reader(io.StringIO(done.stdout, newline="")))
    header, body = rows[0], rows[1:]
    assert header == list(library[0])
    assert len(body) == len(library)
    for row, record in zip(body, library, strict=True):
        assert row == [csv_cell(record[name]) for name in header]
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), cell
            assert not any(mark in cell for mark in FORBIDDEN_IN_TEXT)
    # The exact cells a spreadsheet would have run: shown as text, with everything after the mark kept.
    authors = {row[header.index("author")] for row in body}
    assert "'=HYPERLINK(\"https://evil.example\",\"x\")" in authors
    bodies = [row[header.index("body")] for row in body]
    assert any(cell.startswith("'=cmd|' /C calc'!A0 ") for cell in bodies)
    assert any(cell.startswith("'@SUM(1+1)") for cell in bodies)


def test_csv_cell_rules() -> None:
    for payload in ("=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"):
        cell = csv_cell(payload)
        assert cell.startswith("'") and not cell[1:].startswith(("\r",)), cell
    assert csv_cell("过拟合 = overfitting") == "过拟合 = overfitting"
    assert csv_cell(None) == "" and csv_cell(3) == "3" and csv_cell(0.5) == "0.5"
    assert csv_cell(["a", "b"]) == '["a","b"]'
    assert csv_cell("a\x1b[2Jb") == safe("a\x1b[2Jb") == "a␛[2Jb"


def test_markdown_is_one_document_where_page_text_stays_text(index: Path, library: list[dict]) -> None:
    from markdown_it import MarkdownIt

    done = dlqa("export", "--format", "markdown", index=index)
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("# dlqa: every answer in the library\n")
    assert sum(line.startswith("## ") for line in text.splitlines()) == len(library)
    assert not any(mark in text for mark in FORBIDDEN_IN_TEXT)
    html = MarkdownIt("commonmark").render(text)  # CommonMark passes raw HTML through: none may be left
    assert "<script" not in html and "<img" not in html and "<svg" not in html
    assert "javascript:" not in "".join(_hrefs(html))
    assert "&lt;script&gt;window.__pwned=4" in html  # shown as written
    headings = [line for line in html.splitlines() if line.startswith("<h1>")]
    assert len(headings) == 1, headings  # "# 不是标题" in a body stays a paragraph


def _hrefs(html: str) -> list[str]:
    from html.parser import HTMLParser

    found: list[str] = []

    class Links(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.extend(value or "" for name, value in attrs if name in ("href", "src"))

    Links().feed(html)
    return found


def test_markdown_of_a_query_links_only_http(index: Path) -> None:
    from markdown_it import MarkdownIt

    done = dlqa("export", HOSTILE_QUERY, "--format", "markdown", index=index)
    html = MarkdownIt("commonmark").render(done.stdout)
    hrefs = _hrefs(html)
    assert hrefs and all(href.startswith(("https://", "http://")) for href in hrefs)
    assert sum(line.startswith("## ") for line in done.stdout.splitlines()) == 2


def test_output_file_is_written_whole_and_stdout_stays_empty(index: Path, tmp_path: Path) -> None:
    target = tmp_path / "all.ndjson"
    done = dlqa("export", "--format", "es-bulk", "--output", str(target), index=index)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    assert target.read_text(encoding="utf-8") == dlqa("export", "--format", "es-bulk", index=index).stdout
    assert [path.name for path in tmp_path.iterdir()] == ["all.ndjson"]  # no temporary left


@pytest.mark.parametrize(("args", "status", "message"), [
    (["--format", "xml"], 2, "--format must be one of: jsonl, csv, markdown, es-bulk"),
    (["--es-index", "Bad Name"], 2, "--es-index must be"),
    (["--mapping", "--analyzer", "jieba"], 2, "--analyzer must be one of"),
    (["--output", "/nonexistent-dir/x.csv"], 1, "cannot write /nonexistent-dir/x.csv"),
    (['"unclosed'], 2, "unbalanced quote"),
    (["--site", "v2ex"], 2, "--site and --author filter a search: give a QUERY too"),
])
def test_user_errors_are_one_line(index: Path, args: list[str], status: int, message: str) -> None:
    done = dlqa("export", *args, index=index)
    assert done.returncode == status, done.stderr
    assert done.stderr.count("\n") == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert done.stdout == ""


@pytest.mark.parametrize("output_format", ["jsonl", "csv", "markdown", "es-bulk"])
def test_no_index_is_one_line_before_any_output(tmp_path: Path, output_format: str) -> None:
    """The whole-library export checks the index first: no CSV header or markdown title, no file."""
    done = dlqa("export", "--format", output_format, index=tmp_path / "none")
    assert done.returncode == 2 and done.stderr.startswith("dlqa: no index at")
    assert done.stderr.count("\n") == 1 and done.stdout == ""
    written = dlqa("export", "--format", output_format, "-o", str(tmp_path / "out"), index=tmp_path / "none")
    assert written.returncode == 2 and not list(tmp_path.iterdir())


def test_a_reader_that_stops_early_is_no_error(index: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "dlqa", "export", "--index", str(index)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    assert process.stdout is not None and process.stderr is not None
    first = process.stdout.readline()
    process.stdout.close()
    error = process.stderr.read().decode()
    assert process.wait(timeout=60) == 0, error
    assert json.loads(first)["id"] and error == ""


def test_export_streams_one_answer_at_a_time(index: Path) -> None:
    """The library export is a generator over the index, not a list built first."""
    from dlqa.web import backend

    answers = backend.iter_answers(Library(index))
    assert iter(answers) is answers
    first = next(answers)
    assert set(CONTRACT) <= set(first)
    answers.close()


def test_progress_goes_to_a_terminal_stderr_never_stdout(index: Path, library: list[dict]) -> None:
    import pty

    leader, follower = pty.openpty()
    try:
        process = subprocess.Popen([sys.executable, "-m", "dlqa", "export", "--index", str(index)],
                                   stdout=subprocess.PIPE, stderr=follower, env={**ENV, "COLUMNS": "80"})
        os.close(follower)
        out, _ = process.communicate(timeout=120)
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(leader)
    assert process.returncode == 0
    assert [json.loads(line) for line in out.decode().splitlines()] == library  # stdout untouched
    assert b"export" in shown and b"81/81" in shown
