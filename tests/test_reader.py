"""Decoding: UTF-8 with/without BOM, GBK/GB18030, Big5, UTF-16, CRLF; binary refused."""

from __future__ import annotations

import pytest

from dlqa.errors import InputError
from dlqa.extract import parse_file
from dlqa.reader import decode_bytes, read_document
from tests.helpers import CORPUS

SEED = CORPUS / "004_6ac2522374faf313.txt"


def _answers(path):
    return [(a.author, a.url, a.body) for a in parse_file(path).answers]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-16"])
def test_encoded_copy_parses_to_the_same_answers(tmp_path, encoding):
    # GBK has no NO-BREAK SPACE; a GBK page writes a plain space there.
    text = SEED.read_text(encoding="utf-8").replace("\xa0", " ")
    reference = tmp_path / "utf8" / SEED.name
    reference.parent.mkdir()
    reference.write_text(text.encode(encoding, errors="replace").decode(encoding), encoding="utf-8")
    copy = tmp_path / SEED.name
    # Characters outside GBK (the breadcrumb's »), as a GBK page would write them: "?".
    copy.write_bytes(text.encode(encoding, errors="replace"))
    assert _answers(copy) == _answers(reference) == _answers(SEED)


@pytest.mark.parametrize("encoding", ["utf-8", "gbk"])
def test_bytes_read_once_parse_like_the_file(tmp_path, encoding):
    """Ingest reads a file once, hashes the bytes and parses them (`parse_bytes`)."""
    from dlqa.extract import parse_bytes

    text = SEED.read_text(encoding="utf-8").replace("\xa0", " ")
    for name in (SEED.name, "saved.html"):
        copy = tmp_path / name
        copy.write_bytes((text if name.endswith(".txt") else HTML_PAGE.format(encoding)).encode(encoding, errors="replace"))
        from_bytes, from_file = parse_bytes(copy.read_bytes(), copy), parse_file(copy)
        assert from_bytes.to_dict() == from_file.to_dict()
        assert from_bytes.answers and from_bytes.source_file == str(copy)


HTML_PAGE = ("<html><head><meta charset='{}'><title>过拟合怎么办</title></head>"
             "<body><p>多加数据,再加正则化。</p></body></html>")


def test_crlf_parses_like_lf(tmp_path):
    copy = tmp_path / SEED.name
    copy.write_bytes(SEED.read_bytes().replace(b"\n", b"\r\n"))
    assert _answers(copy) == _answers(SEED)


def test_big5_text_is_detected():
    text = "深度學習的過擬合問題，我們應該如何理解正則化與泛化能力之間的關係？" * 20
    decoded, encoding = decode_bytes(text.encode("big5"))
    assert decoded == text and encoding.startswith("big5")


def test_gb18030_without_declaration_is_detected():
    text = "过拟合是深度学习中常见的问题，正则化和数据增强可以缓解它。" * 20
    decoded, encoding = decode_bytes(text.encode("gb18030"))
    assert decoded == text and encoding == "gb18030"


def test_declared_charset_wins_for_html(tmp_path):
    html = '<html><head><meta charset="gbk"><title>过拟合</title></head><body><p>反向传播</p></body></html>'
    page = tmp_path / "p.html"
    page.write_bytes(html.encode("gbk"))
    document = read_document(page)
    assert document.encoding == "gb18030" and "反向传播" in document.text and document.is_html


def test_a_few_bad_bytes_in_utf8_do_not_switch_encoding():
    data = ("深度学习" * 500).encode() + b"\xff\xfe" + ("过拟合" * 500).encode()
    text, encoding = decode_bytes(data)
    assert encoding == "utf-8" and text.startswith("深度学习") and text.endswith("过拟合")


@pytest.mark.parametrize(
    "data",
    [b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10, b"\x00\x01\x02\x03" * 1000, bytes(range(256)) * 40],
    ids=["png", "nul-bytes", "random-bytes"],
)
def test_binary_is_refused_with_a_reason(tmp_path, data):
    path = tmp_path / "x.txt"
    path.write_bytes(data)
    with pytest.raises(InputError) as error:
        read_document(path)
    assert "\n" not in str(error.value)


def test_empty_file_gives_an_empty_page(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    assert parse_file(path).answers == []


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_document(tmp_path / "nope.txt")


def test_nul_bytes_on_both_sides_of_a_unit_are_binary_not_utf16() -> None:
    # ASCII pairs decode to CJK in UTF-16 ('bi' is 楢), so what the units decode to cannot
    # tell; a NUL in the low byte of a unit (U+xx00, never text) can.
    for data in (b"\x00\x01binary", b"ab\x00cd\x00\x00ef" * 20, b"\x00" + "过拟合".encode("utf-16-le") * 30):
        with pytest.raises(InputError, match="binary"):
            decode_bytes(data)
    page = "标题\n过拟合 overfitting 的解决办法：正则化。\n"
    for encoding in ("utf-16-le", "utf-16-be"):
        assert decode_bytes(page.encode(encoding))[0] == page
