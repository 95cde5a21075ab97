"""How people save pages: MHTML archives, web-clipper markdown, "Webpage, complete" folders,
`.text` files and UTF-16 without a BOM all reach the same extraction as a plain HTML save."""

from __future__ import annotations

import base64
import os
import quopri
import subprocess
import sys
from pathlib import Path

import pytest

from dlqa import Library, reader
from dlqa.discover import OTHER_TYPE, RESOURCES, discover
from dlqa.errors import InputError
from dlqa.extract import parse_file, parse_text
from tests.helpers import FIXTURES, ROOT

ZHIHU_HTML = FIXTURES / "html" / "zhihu_question.html"
QUESTION = "https://www.zhihu.com/question/61007788"


def _mhtml(html: bytes, *, encoding: str = "quoted-printable", charset: str | None = None,
           location: str | None = "https://www.zhihu.com/question/61007788", snapshot: bool = True) -> bytes:
    """An archive as Chrome (quoted-printable) or IE (base64, charset) writes it."""
    body = quopri.encodestring(html).decode("ascii") if encoding == "quoted-printable" \
        else base64.encodebytes(html).decode("ascii")
    boundary = "----MultipartBoundary--abc123----"
    content_type = "text/html" + (f';\r\n\tcharset="{charset}"' if charset else "")
    headers = [
        "From: <Saved by Blink>",
        *([f"Snapshot-Content-Location: {location}"] if snapshot and location else []),
        "Subject: =?utf-8?Q?test?=",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/related;\r\n\ttype="text/html";\r\n\tboundary="{boundary}"',
    ]
    part = [f"--{boundary}", f"Content-Type: {content_type}", f"Content-Transfer-Encoding: {encoding}"]
    if location:
        part.append(f"Content-Location: {location}")
    frame = ["", f"--{boundary}", "Content-Type: text/html", "Content-Transfer-Encoding: quoted-printable",
             "Content-Location: https://www.zhihu.com/signin", "",
             quopri.encodestring("<html><body><p>扫码登录</p></body></html>".encode()).decode("ascii"),
             f"--{boundary}--", ""]
    return ("\r\n".join(headers) + "\r\n\r\n" + "\r\n".join(part) + "\r\n\r\n" + body + "\r\n".join(frame)).encode("ascii")


def _answers(page):
    return [(a.author, a.url, a.body) for a in page.answers]


@pytest.mark.parametrize("suffix", [".mhtml", ".mht"])
def test_mhtml_parses_like_the_html_it_holds(tmp_path: Path, suffix: str):
    path = tmp_path / f"page{suffix}"
    path.write_bytes(_mhtml(ZHIHU_HTML.read_bytes()))
    expected, got = parse_file(ZHIHU_HTML), parse_file(path)
    assert got.site == "zhihu" and got.title == expected.title
    assert _answers(got) == _answers(expected)
    assert not any("=E6" in a.body or "扫码登录" in a.body for a in got.answers)


def test_mhtml_base64_part_with_its_charset(tmp_path: Path):
    html = ZHIHU_HTML.read_text(encoding="utf-8").replace('<meta charSet="utf-8"/>', "")
    path = tmp_path / "ie.mht"
    path.write_bytes(_mhtml(html.encode("gb18030"), encoding="base64", charset="gb2312"))
    assert _answers(parse_file(path)) == _answers(parse_file(ZHIHU_HTML))


def test_mhtml_location_is_the_page_url_only_when_the_page_names_none(tmp_path: Path):
    html = (
        "<html><head><title>t</title></head><body><h1>BN 笔记</h1>"
        "<p>批归一化让每层输入的分布更稳定，可以用更大的学习率。</p></body></html>"
    )
    path = tmp_path / "a.mhtml"
    path.write_bytes(_mhtml(html.encode(), location="https://example.org/notes/bn", snapshot=False))
    assert parse_file(path).page_url == "https://example.org/notes/bn"
    canonical = html.replace("<title>", '<link rel="canonical" href="https://example.org/canonical"><title>')
    path.write_bytes(_mhtml(canonical.encode(), location="https://example.org/notes/bn"))
    assert parse_file(path).page_url == "https://example.org/canonical"


def test_mhtml_without_an_html_part_is_one_clear_error(tmp_path: Path):
    path = tmp_path / "empty.mhtml"
    path.write_bytes(b'MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary="b"\r\n\r\n'
                     b"--b\r\nContent-Type: text/css\r\n\r\nbody{}\r\n--b--\r\n")
    with pytest.raises(InputError, match="without an HTML page"):
        parse_file(path)
    done = subprocess.run([sys.executable, "-m", "dlqa", "parse", str(path)], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 1
    assert done.stderr.strip().count("\n") == 0 and "without an HTML page" in done.stderr
    assert "Traceback" not in done.stderr


def test_clip_front_matter_is_metadata_never_body():
    text = (
        "---\ntitle: \"权重衰减和 L2 正则一样吗\"\nsource: https://example.org/posts/wd\n"
        "author:\n  - \"[[陈二]]\"\npublished: 2022-10-01\ntags: [clippings]\n---\n"
        "![](https://example.org/cover.png)\n\n对 SGD 来说两者等价；对 Adam 不等价，所以才有了 AdamW。\n\n"
        "详见 [Decoupled Weight Decay](https://arxiv.org/abs/1711.05101) 这篇论文。\n"
    )
    page = parse_text(text, "clip.md")
    assert page.title == "权重衰减和 L2 正则一样吗"
    assert page.page_url == "https://example.org/posts/wd"
    [answer] = page.answers
    assert (answer.author, answer.posted_at, answer.url) == ("陈二", "2022-10-01", "https://example.org/posts/wd")
    assert answer.body.startswith("对 SGD 来说两者等价")
    assert "Decoupled Weight Decay 这篇论文" in answer.body  # a link becomes its text
    for leaked in ("title:", "clippings", "cover.png", "arxiv.org", "](", "---"):
        assert leaked not in answer.body


def test_clip_links_to_answers_are_kept_for_attribution():
    text = "# 笔记\n\n[知乎|王五](https://www.zhihu.com/question/1/answer/2)\n\n残差连接让梯度有了捷径，深层网络因此能训练。\n"
    [answer] = parse_text(text, "note.md").answers
    assert (answer.author, answer.url) == ("王五", "https://www.zhihu.com/question/1/answer/2")
    assert answer.body == "残差连接让梯度有了捷径，深层网络因此能训练。"


def test_markdown_without_front_matter_and_a_txt_with_front_matter():
    page = parse_text("# 标题\n\n**粗体**正文，==高亮==也只是正文。\n", "plain.markdown")
    assert page.title == "标题" and page.answers[0].body == "粗体正文，高亮也只是正文。"
    clipped = parse_text("---\nsource: https://example.org/x\ntitle: X\n---\n正文一段，足够长的内容。\n", "x.txt")
    assert clipped.page_url == "https://example.org/x" and "source:" not in clipped.answers[0].body


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_decoded_not_refused(tmp_path: Path, encoding: str):
    source = FIXTURES / "python88_topic.txt"
    path = tmp_path / "dump.txt"
    path.write_bytes(source.read_text(encoding="utf-8").encode(encoding))
    assert reader.read_document(path).encoding == encoding
    assert _answers(parse_file(path)) == _answers(parse_file(source))


def test_binary_with_nul_bytes_is_still_refused():
    with pytest.raises(InputError, match="binary"):
        reader.decode_bytes(bytes(range(256)) * 20)


def test_saved_from_comment_gives_the_page_url():
    html = ("<!DOCTYPE html>\n<!-- saved from url=(0033)https://example.org/thread/42 -->\n"
            "<html><body><p>一个没有 canonical 链接的页面，正文足够长。</p></body></html>")
    assert parse_text(html, "x.html", is_html=True).page_url == "https://example.org/thread/42"
    assert reader.decode_document("x.html", html.encode()).url == "https://example.org/thread/42"
    canonical = html.replace("<html>", '<html><head><link rel="canonical" href="https://example.org/c"></head>')
    assert parse_text(canonical, "x.html", is_html=True).page_url == "https://example.org/c"


def test_folder_walk_takes_every_saving_format_and_reports_what_it_skipped(tmp_path: Path):
    for name in ("a.txt", "b.text", "c.htm", "d.html", "e.md", "f.markdown", "g.mhtml", "h.mht", "i.json", "j.png"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    resources = tmp_path / "d_files"
    resources.mkdir()
    (resources / "login.html").write_text("<p>扫码登录</p>", encoding="utf-8")
    found = discover([tmp_path])
    assert sorted(Path(f).name for f in found.files) == [
        "a.txt", "b.text", "c.htm", "d.html", "e.md", "f.markdown", "g.mhtml", "h.mht"]
    assert sorted((Path(p).name, reason) for p, reason in found.skipped) == [
        ("d_files", RESOURCES), ("i.json", OTHER_TYPE), ("j.png", OTHER_TYPE)]
    files, failures = discover([tmp_path])  # still unpacks as (files, failures)
    assert len(files) == 8 and failures == []
    # A glob must not reach into the resource folder either; naming it explicitly does.
    assert not any("_files" in f for f in discover([str(tmp_path / "**" / "*.html")]).files)
    assert [Path(f).name for f in discover([str(resources / "*.html")]).files] == ["login.html"]


def test_ingest_summary_says_what_was_skipped(tmp_path: Path):
    folder = tmp_path / "saved"
    (folder / "Page_files").mkdir(parents=True)
    (folder / "Page.html").write_bytes(ZHIHU_HTML.read_bytes())
    (folder / "Page_files" / "ad.html").write_text("<p>广告</p>", encoding="utf-8")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "dlqa", "ingest", str(folder), "--index", str(tmp_path / "ix"), "--jobs", "1"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "1 file read" in done.stdout
    assert "skipped 1 resource folder (X_files beside a saved page), 1 file of another type" in done.stdout


def test_library_ingest_report_carries_what_was_skipped(tmp_path: Path):
    """The same skipped list reaches `Library.ingest`'s report and its JSON form, with reasons."""
    folder = tmp_path / "saved"
    (folder / "Page_files").mkdir(parents=True)
    (folder / "Page.html").write_bytes(ZHIHU_HTML.read_bytes())
    (folder / "Page_files" / "login.html").write_text("<p>扫码登录</p>", encoding="utf-8")
    report = Library(tmp_path / "ix").ingest([folder], jobs=1)
    assert report.files_read == 1 and not report.failures
    assert [(Path(path).name, reason) for path, reason in report.skipped] == [("Page_files", RESOURCES)]
    assert report.to_dict()["skipped"] == [{"path": report.skipped[0][0], "reason": RESOURCES}]


def test_hostile_front_matter_is_data():
    """YAML aliases nested nine deep (a billion "x"), markup and escapes: metadata stays small text."""
    levels = ["a: &a [" + ",".join(['"x"'] * 9) + "]"]
    for name, previous in zip("bcdefgh", "abcdefg", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    text = "---\n" + "\n".join(levels) + "\nauthor: [*h, *h]\ntitle: \"<script>alert(1)</script>\\x1b[31m\"\n---\n正文。\n"
    page = parse_text(text, "bomb.md")
    assert page.answers[0].author is None and page.answers[0].body == "正文。"
    assert page.title == "<script>alert(1)</script>\x1b[31m"  # kept as text; renderers escape it


def test_hostile_markdown_lines_are_text():
    """Unclosed links, images and emphasis by the hundred thousand: read as text, never markup."""
    line = "[a](" * 20_000 + "![b" * 10_000 + "**c" * 10_000
    page = parse_text("# t\n\n" + line + "\n\n正文。\n", "hostile.md")
    assert page.answers and page.answers[0].body.endswith("正文。")


def test_clip_without_front_matter_names_its_source_near_the_top():
    text = "# 卷积的平移等变性\n\n[原文链接](https://example.org/cnn-equivariance)\n\n卷积对平移是等变的，池化才带来一点不变性。\n"
    page = parse_text(text, "cubox.md")
    assert page.page_url == "https://example.org/cnn-equivariance"
    assert page.answers[0].body == "卷积对平移是等变的，池化才带来一点不变性。"


def test_clip_link_title_naming_the_answerer_attributes():
    text = ('# 摘抄\n\n[原回答](https://www.zhihu.com/question/7/answer/77 "为什么要归一化？ - 孙八的回答 - 知乎")\n\n'
            "归一化让不同特征的尺度一致，梯度下降走得更直。\n")
    [answer] = parse_text(text, "note.md").answers
    assert (answer.author, answer.url) == ("孙八", "https://www.zhihu.com/question/7/answer/77")
    assert answer.body == "归一化让不同特征的尺度一致，梯度下降走得更直。"


def test_mhtml_main_frame_is_the_part_at_the_snapshot_location(tmp_path: Path):
    main = quopri.encodestring("<html><body><p>主页面：梯度裁剪防止梯度爆炸。</p></body></html>".encode()).decode()
    frame = quopri.encodestring("<html><body><p>扫码登录知乎</p></body></html>".encode()).decode()
    archive = (
        "From: <Saved by Blink>\r\nSnapshot-Content-Location: https://example.org/main\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/related; type="text/html"; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: https://example.org/login-frame\r\n\r\n{frame}\r\n"
        "--b\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n"
        f"Content-Location: https://example.org/main\r\n\r\n{main}\r\n--b--\r\n"
    )
    path = tmp_path / "frames.mhtml"
    path.write_bytes(archive.encode("ascii"))
    page = parse_file(path)
    assert [a.body for a in page.answers] == ["主页面：梯度裁剪防止梯度爆炸。"]
    assert page.page_url == "https://example.org/main"


def test_files_that_give_no_answer_are_named_in_the_summary(tmp_path: Path):
    """An empty file (or a BOM and nothing else) is read without error, but the summary says
    it gave nothing, so a user does not take "3 files read" for three pages indexed."""
    folder = tmp_path / "saved"
    folder.mkdir()
    (folder / "empty.txt").write_bytes(b"")
    (folder / "bom.txt").write_bytes(b"\xef\xbb\xbf \n")
    (folder / "Page.html").write_bytes(ZHIHU_HTML.read_bytes())
    report = Library(tmp_path / "ix").ingest([folder], jobs=1)
    assert sorted(Path(path).name for path in report.no_answers) == ["bom.txt", "empty.txt"]
    assert report.added > 0 and report.to_dict()["no_answers"] == report.no_answers
    done = subprocess.run(
        [sys.executable, "-m", "dlqa", "ingest", str(folder), "--index", str(tmp_path / "ix2"), "--jobs", "1"],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert done.returncode == 0, done.stderr
    assert "no answers in 2 files: " in done.stdout and "empty.txt" in done.stdout
