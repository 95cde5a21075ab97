"""Whatever users scraped: every bad file gives a sensible page or one clear line, never a crash.

The bad corpus is generated here (no committed blobs): empty, binary, damaged UTF-8, GB18030
without declaration, truncated and 10,000-deep HTML, a 10 MB single line, a 50 MB page, site
chrome only, an unreadable file, a FIFO, symlink loops, awkward file names, and two good seeds.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa import blocks
from dlqa.cli import app
from dlqa.errors import InputError
from dlqa.extract import MAX_BODY_CHARS, parse_file
from tests.helpers import CHROME_MARKERS, CORPUS, ROOT

MB = 1024 * 1024
#: Two good pages, copied under awkward names: they must be ingested whatever else fails.
GOOD = {"good seed 过拟合.txt": "000_51283b9247c6f6b8.txt", "new\nline 中文.txt": "004_6ac2522374faf313.txt"}
#: Cases refused with a reason, and a word of the reason.
REFUSED = {
    "image.html": "binary",
    "random.txt": "binary",
    "nul-bytes.txt": "binary",
    "fifo.txt": "not a regular file",
    "self-loop.txt": "symbolic links",
}
#: Peak RSS allowed for `dlqa parse` of the 50 MB page. Measured: ~420 MB for this page,
#: ~250 MB for one of bare paragraphs, ~660 MB for one of a million tiny elements (libxml2's
#: tree alone is then ~370 MB); the bound leaves room for allocator differences.
PEAK_RSS_LIMIT = 1024 * MB
#: Subprocesses run this checkout, whatever `pip install -e` last pointed at.
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def _big_page(size: int) -> bytes:
    """A 50 MB saved page: a long thread of paragraphs plus a big inline script, as saved
    pages are. Text-heavy on purpose: text, not markup, is what costs memory downstream."""
    head = "<html><head><title>超长的讨论帖</title><script>var state = {};</script></head><body>\n"
    reply = (
        '<div class="reply"><span class="author">用户{n}</span>'
        "<p>过拟合是深度学习中常见的问题，正则化、数据增强和早停都可以缓解它。"
        "训练集上的误差很低而验证集上的误差很高，就说明模型记住了噪声而不是规律。"
        "可以先减小模型，再加 dropout 和权重衰减，最后看看数据是不是太少。</p>"
        "<p>Batch normalization 让训练更稳定，学习率可以设大一些，"
        "它对每一层的输入做归一化，缓解了内部协变量偏移，也带来一点正则化的效果。</p></div>\n"
    )
    chunks = [head]
    total = len(head.encode())
    number = 0
    while total < size - 100:
        piece = reply.format(n=number)
        chunks.append(piece)
        total += len(piece.encode())
        number += 1
    chunks.append("</body></html>\n")
    return "".join(chunks).encode()


def _make_corpus(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True)
    rng = random.Random(20240607)
    files: dict[str, Path] = {}

    def write(name: str, data: bytes) -> None:
        files[name] = folder / name
        files[name].write_bytes(data)

    for name, seed in GOOD.items():
        write(name, (CORPUS / seed).read_bytes())
    write("empty.txt", b"")
    write("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(8000))
    write("random.txt", rng.randbytes(8000))
    write("nul-bytes.txt", "过拟合与欠拟合\n".encode() * 50 + b"\x00" * 300 + "正则化\n".encode() * 50)
    write("bad-utf8.txt", "深度学习中的过拟合\n\n".encode() * 300 + b"\xff\xfe\xc3\x28" + "正则化与泛化\n".encode() * 300)
    gb_page = (
        "<html><head><title>过拟合问题</title></head><body><h1>过拟合问题</h1>"
        + "<p>过拟合是深度学习中常见的问题，正则化和数据增强可以缓解它。</p>" * 40
        + "</body></html>"
    )
    write("gb18030 页面.html", gb_page.encode("gb18030"))
    write("truncated.html", "<html><head><title>截断的页面</title></head><body><p>残差连接缓解了梯度消失</p><div class=\"ans".encode())
    deep = "<html><body>" + "<div><span>" * 5000 + "最深处的梯度消失" + "</span></div>" * 5000 + "</body></html>"
    write("deep.html", deep.encode())
    line = "深度学习 过拟合 正则化 dropout #### [ ] <a href=\"x\"> 1234567890 ·  "
    write("one-line.txt", (line * (10 * MB // len(line.encode()) + 1)).encode()[: 10 * MB].decode(errors="ignore").encode())
    write("big.html", _big_page(50 * MB))
    write("chrome-only.txt", "社区所有版块导航\nPy学习 » 机器学习算法\n\n点击上方“小白学视觉”，选择加\"星标\"\n重磅干货，第一时间送达\n本文地址：http://www.python88.com/topic/1\n".encode())
    write("no-permission.txt", "作者：甲\n权限不足也要有一行清楚的理由\n".encode())
    files["no-permission.txt"].chmod(0)
    files["fifo.txt"] = folder / "fifo.txt"
    os.mkfifo(files["fifo.txt"])
    files["self-loop.txt"] = folder / "self-loop.txt"
    files["self-loop.txt"].symlink_to("self-loop.txt")
    (folder / "loop").symlink_to(".")
    return files


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The bad corpus, built once for the module."""
    return _make_corpus(tmp_path_factory.mktemp("bad") / "scraped")


def _run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "dlqa", *args], capture_output=True, text=True,
                          timeout=300, check=False, env=ENV, **kwargs)  # type: ignore[call-overload]


# --- the library: parse_file ------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_refused_files_raise_one_line_input_errors(corpus, name):
    with pytest.raises(InputError) as error:
        parse_file(corpus[name])
    message = str(error.value)
    assert REFUSED[name] in message.lower() and "\n" not in message and message.strip() == message


def test_unreadable_file_is_one_clear_reason(corpus, monkeypatch):
    # Root reads anything, so the permission error is simulated where the reader meets it.
    def denied(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    with pytest.raises(InputError, match="^permission denied$"):
        parse_file(corpus["no-permission.txt"])


def test_empty_file_is_an_empty_page(corpus):
    page = parse_file(corpus["empty.txt"])
    assert page.answers == [] and page.title is None


def test_invalid_utf8_in_the_middle_keeps_both_halves(corpus):
    body = "\n".join(answer.body for answer in parse_file(corpus["bad-utf8.txt"]).answers)
    assert "深度学习中的过拟合" in body and "正则化与泛化" in body and "\ufffd" in body


def test_gb18030_without_declaration_is_decoded(corpus):
    page = parse_file(corpus["gb18030 页面.html"])
    assert page.title == "过拟合问题"
    assert page.answers and "正则化和数据增强" in page.answers[0].body


def test_truncated_html_keeps_what_was_there(corpus):
    page = parse_file(corpus["truncated.html"])
    assert page.title == "截断的页面"
    assert [answer.body for answer in page.answers] == ["残差连接缓解了梯度消失"]


def test_deep_html_keeps_its_deepest_text_quickly(corpus):
    started = time.perf_counter()
    page = parse_file(corpus["deep.html"])
    assert time.perf_counter() - started < 5
    assert [answer.body for answer in page.answers] == ["最深处的梯度消失"]


def test_ten_megabyte_single_line_is_one_bounded_answer_quickly(corpus):
    started = time.perf_counter()
    page = parse_file(corpus["one-line.txt"])
    assert time.perf_counter() - started < 8
    assert len(page.answers) == 1
    answer = page.answers[0]
    assert 0 < len(answer.body) <= MAX_BODY_CHARS and answer.body.startswith("深度学习 过拟合")
    assert answer.meta["truncated_from_chars"] > MAX_BODY_CHARS
    assert page.title is not None and len(page.title) <= 300


def test_chrome_only_page_has_no_chrome_answers(corpus):
    page = parse_file(corpus["chrome-only.txt"])
    assert all(marker not in answer.body for answer in page.answers for marker in CHROME_MARKERS)


@pytest.mark.parametrize(
    "html",
    [
        # A tag never closed after a deep page: flattening must stay linear, not rescan per "<".
        "<div>" * 3000 + "深处" + "<meta http://" * 100_000,
        "<div>" * 3000 + "深处" + '<a title="' + "<b " * 100_000,
        "<div>" * 3000 + "深处" + "<a " * 200_000 + ">",
    ],
    ids=["unclosed-tags", "unclosed-quote", "one-giant-tag"],
)
def test_depth_flattening_is_linear_on_hostile_tags(html):
    started = time.perf_counter()
    text = blocks.html_to_text(blocks.parse_html(html))
    assert time.perf_counter() - started < 5
    assert "深处" in text


@pytest.mark.parametrize(
    "line",
    [
        "#" + "\u2001" * 200_000 + "回答",  # long runs of exotic spaces (heading rule)
        "作者" + "\u3000 " * 200_000,
        "Python88 · " * 100_000,
        "<" * 1_000_000,
    ],
    ids=["em-spaces", "ideographic-spaces", "separators", "brackets"],
)
def test_hostile_long_lines_parse_quickly(tmp_path, line):
    path = tmp_path / "line.txt"
    path.write_text("标题\n" + line + "\n", encoding="utf-8")
    started = time.perf_counter()
    parse_file(path)
    assert time.perf_counter() - started < 5


# --- the command line: parse -----------------------------------------------------------


def test_cli_parse_reports_each_failure_on_one_line_and_exits_1(corpus):
    names = sorted(name for name in corpus if name not in ("big.html", "new\nline 中文.txt"))
    result = CliRunner().invoke(app, ["parse", "--json", *(str(corpus[name]) for name in names)])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    failures = result.stderr.splitlines()
    assert all(line.startswith("dlqa: ") for line in failures), failures
    failed = {name for name in names if any(line.startswith(f"dlqa: {corpus[name]}: ") for line in failures)}
    assert failed == set(REFUSED)  # root can read the chmod-000 file; see the test below
    pages = [json.loads(line) for line in result.stdout.splitlines()]
    assert [Path(page["source_file"]).name for page in pages] == [name for name in names if name not in REFUSED]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files without read permission")
def test_cli_parse_unreadable_file(corpus):
    result = CliRunner().invoke(app, ["parse", str(corpus["no-permission.txt"])])
    assert result.exit_code == 1
    assert result.stderr == f"dlqa: {corpus['no-permission.txt']}: permission denied\n"


def test_cli_failure_line_stays_one_line_for_a_name_with_a_newline(tmp_path):
    path = tmp_path / "bad\nname.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    result = CliRunner().invoke(app, ["parse", str(path)])
    assert result.exit_code == 1 and len(result.stderr.splitlines()) == 1


def test_fifty_megabyte_page_parses_in_bounded_memory(corpus):
    # A fresh interpreter measures its only child: RUSAGE_CHILDREN is the largest child so far.
    probe = (
        "import resource, subprocess, sys\n"
        "done = subprocess.run([sys.executable, '-m', 'dlqa', 'parse', '--json', sys.argv[1]],"
        " stdout=subprocess.DEVNULL, check=False)\n"
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe, str(corpus["big.html"])], capture_output=True,
                          text=True, timeout=300, check=True, env=ENV)
    code, peak_kb = map(int, done.stdout.split())
    assert code == 0, done.stderr
    print(f"peak RSS of `dlqa parse --json` on the 50 MB page: {peak_kb // 1024} MB")
    assert peak_kb * 1024 < PEAK_RSS_LIMIT


# --- the command line: ingest and search ------------------------------------------------


@pytest.fixture(scope="module")
def ingested(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """`dlqa ingest` of the whole bad folder, once."""
    index = tmp_path_factory.mktemp("bad-index") / "idx"
    folder = corpus["empty.txt"].parent
    return index, _run("ingest", str(folder), "--index", str(index))


def test_ingest_of_the_bad_folder_terminates_names_failures_and_exits_1(corpus, ingested):
    _, result = ingested
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert all(line.startswith("dlqa: ") for line in lines), lines
    for name in ("image.html", "random.txt", "nul-bytes.txt"):
        assert any(name in line and "binary" in line for line in lines), (name, lines)
    # Symlinks (the loop, the FIFO's neighbour loop) are not followed, and nothing hangs.
    assert not any("loop" in line for line in lines)


def test_good_files_are_searchable_after_a_partly_failed_ingest(corpus, ingested):
    index, _ = ingested
    files = set()
    for word in ("过拟合", "梯度消失", "正则化"):
        result = _run("search", word, "--jsonl", "--limit", "50", "--index", str(index))
        assert result.returncode in (0, 1) and "Traceback" not in result.stderr
        files |= {Path(json.loads(line)["source_file"]).name for line in result.stdout.splitlines()}
    assert set(GOOD) <= files
    assert {"gb18030 页面.html", "deep.html", "bad-utf8.txt", "one-line.txt"} <= files
    assert not files & set(REFUSED)


@pytest.fixture(autouse=True, scope="module")
def _restore_permissions(corpus: dict[str, Path]):
    """Let pytest clean the temporary folder up afterwards."""
    yield
    corpus["no-permission.txt"].chmod(0o644)


def test_ingest_refuses_a_fifo_instead_of_blocking(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = CliRunner().invoke(app, ["ingest", str(fifo), "--index", str(tmp_path / "ix")])
    assert result.exit_code == 1
    assert "not a regular file" in result.stderr


def test_quadratic_line_shapes_stay_fast():
    import time

    from dlqa.extract import parse_text

    for text in ("V2EX\n" + "1" * 200_000 + "\n", "社区所有版块导航\nPy学习 » x\n" + "a · " * 20_000 + "\n"):
        started = time.perf_counter()
        parse_text(text)
        assert time.perf_counter() - started < 5


def test_an_index_whose_first_ingest_found_nothing_still_opens(corpus, tmp_path):
    """A failed or empty first ingest leaves an index with no segments: searchable, not damaged."""
    index = tmp_path / "idx"
    for name in ("image.html", "empty.txt"):
        _run("ingest", str(corpus[name]), "--index", str(index))
    nothing = _run("search", "过拟合", "--index", str(index))
    assert nothing.returncode == 1 and "damaged" not in nothing.stderr, nothing.stderr
    assert _run("ingest", str(corpus["gb18030 页面.html"]), "--index", str(index)).returncode == 0
    found = _run("search", "过拟合", "--jsonl", "--index", str(index))
    assert found.returncode == 0 and found.stdout.strip(), found.stderr
