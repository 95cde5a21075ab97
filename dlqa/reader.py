"""Stage 1: read a file's bytes and decode them to text, whatever the encoding.

Saved pages arrive as UTF-8 (with or without BOM), GBK/GB18030, Big5 or UTF-16, with CRLF or LF.
An HTML page's own declaration wins when it decodes cleanly; otherwise strict UTF-8, then
charset-normalizer's detection among the encodings Chinese pages really use. Binary files are
refused with one clear reason instead of being indexed as garbage.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from dlqa import mhtml
from dlqa.errors import InputError

#: Larger files are refused: a saved page is at most a few MB, a 100 MB "page" is not text.
MAX_FILE_BYTES = 64 * 1024 * 1024

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".mhtml", ".mht"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
#: The mark of the web a browser's "Save as… Webpage, complete" writes: where the page lived.
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\(\d+\)\s*(https?://[^\s>]+?)\s*-->", re.IGNORECASE)

_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-:.]+)""", re.IGNORECASE
)
#: Bytes that never occur in text (C0 controls other than tab, newlines, form feed and ESC).
_CONTROL_BYTES = [b for b in range(32) if b not in (9, 10, 12, 13, 27)]
_BINARY_SIGNATURES = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"\x7fELF",
    b"BZh",
    b"\xfd7zXZ",
    b"Rar!",
)
#: GBK is a subset of GB18030 and GB2312 of GBK: always decode with the superset.
_ENCODING_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "cp936": "gb18030",
    "big5-hkscs": "big5hkscs",
    "utf8": "utf-8",
}


@dataclass
class Document:
    """A decoded file: its text, the encoding used and whether it is HTML."""

    path: str
    text: str
    encoding: str
    is_html: bool
    #: Where the file was saved from, when the save says so (MHTML location, "saved from url").
    url: str | None = None


def read_document(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> Document:
    """Read and decode one file; raise `InputError` with a one-line reason when impossible."""
    return decode_document(path, read_bytes(path, max_bytes))


def read_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, or `InputError` with a one-line reason (directory, pipe, too
    large, missing, unreadable)."""
    file_path = Path(path)
    try:
        status = file_path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise InputError("is a directory")
        if not stat.S_ISREG(status.st_mode):
            # A FIFO or a device would block the read forever or never end.
            raise InputError("not a regular file (a pipe, socket or device)")
        size = status.st_size
        if size > max_bytes:
            raise InputError(f"too large ({size // (1024 * 1024)} MB; the limit is {max_bytes // (1024 * 1024)} MB)")
        return file_path.read_bytes()
    except PermissionError:
        raise InputError("permission denied") from None
    except IsADirectoryError:
        raise InputError("is a directory") from None
    except FileNotFoundError:
        raise InputError("no such file") from None
    except OSError as error:
        raise InputError(error.strerror or str(error)) from None


def decode_document(path: str | os.PathLike[str], data: bytes) -> Document:
    """The `Document` of bytes already read from `path` (ingest hashes them first).

    A single-file save (MHTML) is unpacked first: its HTML part is the page.
    """
    if mhtml.looks_like_mhtml(Path(path).suffix, data[:4096]):
        unpacked = mhtml.unpack(data)
        text, encoding = _decode_declared(unpacked.html, unpacked.charset)
        return Document(str(path), text, encoding, True, unpacked.url or saved_from(text))
    text, encoding = decode_bytes(data)
    is_html = looks_like_html(Path(path), text)
    return Document(str(path), text, encoding, is_html, saved_from(text) if is_html else None)


def _decode_declared(data: bytes, charset: str | None) -> tuple[str, str]:
    """Bytes whose container declares a charset: that one when it decodes, else as any file."""
    name = _ENCODING_ALIASES.get((charset or "").lower(), (charset or "").lower())
    if name:
        try:
            encoding = codecs.lookup(name).name
            return _normalise_newlines(data.decode(encoding)), encoding
        except (LookupError, UnicodeDecodeError):
            pass
    return decode_bytes(data)


def saved_from(text: str) -> str | None:
    """The URL in a saved page's `<!-- saved from url=(0042)https://… -->` comment."""
    match = _SAVED_FROM.search(text[:4096])
    return match.group(1) if match else None


def looks_like_html(path: Path, text: str) -> bool:
    """HTML by suffix, or by content for files saved without one."""
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return True
    if suffix in TEXT_SUFFIXES:
        return False
    head = text[:2048].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode `data` and return `(text, encoding)`, with newlines normalised to LF."""
    if not data or data.isspace():  # not `data.strip()`: that copies a 50 MB page
        return "", "utf-8"
    encoding = _bom_encoding(data)
    if encoding:
        text = data.decode(encoding, errors="replace")
        return _normalise_newlines(text.lstrip("\ufeff")), encoding.replace("-sig", "")
    _refuse_binary(data)
    utf16 = _utf16_byte_order(data[:4096]) if b"\x00" in data[:4096] else None
    if utf16:  # (UTF-16 of ASCII text is valid UTF-8 too, NULs and all)
        return _normalise_newlines(data.decode(utf16, errors="replace")), utf16
    declared = _declared_encoding(data)
    if declared:
        try:
            return _normalise_newlines(data.decode(declared)), declared
        except UnicodeDecodeError:
            pass  # a wrong declaration is common in saved pages: detect instead
    try:
        return _normalise_newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as error:
        utf8_error_at = error.start
    encoding = _detect_encoding(data, utf8_error_at)
    text = data.decode(encoding, errors="replace")
    if _replacement_ratio(text) > 0.2:
        raise InputError("cannot decode: not text in a known encoding (UTF-8, GB18030, Big5, UTF-16)")
    return _normalise_newlines(text), encoding


def _bom_encoding(data: bytes) -> str | None:
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    return None


def _refuse_binary(data: bytes) -> None:
    head = data[:4096]
    if head.startswith(_BINARY_SIGNATURES):
        raise InputError("binary file (an image, archive or executable), not a saved page")
    if head.count(b"\x00") > len(head) // 100:
        if _looks_like_utf16_without_bom(head):
            return
        raise InputError("binary file (contains NUL bytes), not a saved page")
    controls = sum(head.count(bytes([byte])) for byte in _CONTROL_BYTES)
    if controls > len(head) // 50:
        raise InputError("binary file (control bytes), not a saved page")


def _looks_like_utf16_without_bom(head: bytes) -> bool:
    return _utf16_byte_order(head) is not None


def _utf16_byte_order(head: bytes) -> str | None:
    """"utf-16-le"/"utf-16-be" when `head` reads as UTF-16 text without a BOM, else None.

    Latin text in UTF-16 has a NUL in every other byte; Chinese text has few (一 is 0x4E00,
    so NULs even fall on both sides), so the NULs alone do not tell. What does: one byte
    order decoding the sample to text a page holds (ASCII, CJK, their punctuation).
    """
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4 or b"\x00" not in head:
        return None
    best, best_share = None, 0.0
    for encoding, high in (("utf-16-le", 1), ("utf-16-be", 0)):
        # A page's ASCII (newlines, spaces, digits) puts NULs in the high byte of its units,
        # and text almost never has a unit ending in 00 (U+xx00): NULs on the wrong side mean
        # this is not UTF-16 in that byte order, whatever the pairs happen to decode to.
        nul_high, nul_low = head[high::2].count(0), head[1 - high :: 2].count(0)
        if nul_high == 0 or nul_low > nul_high // 10:
            continue
        text = head.decode(encoding, errors="replace")
        share = sum(1 for char in text if _is_page_char(char)) / len(text)
        if share > best_share:
            best, best_share = encoding, share
    return best if best_share >= 0.9 else None


def _is_page_char(char: str) -> bool:
    code = ord(char)
    return (
        32 <= code < 127 or char in "\n\r\t" or 0x4E00 <= code <= 0x9FFF or 0x3000 <= code <= 0x303F
        or 0xFF00 <= code <= 0xFFEF or 0x2000 <= code <= 0x206F or 0xA0 <= code <= 0x17F
    )


def _declared_encoding(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore").lower()
    name = _ENCODING_ALIASES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _detect_encoding(data: bytes, utf8_error_at: int) -> str:
    """Choose among the encodings Chinese pages use, for bytes that are not clean UTF-8."""
    utf16 = _utf16_byte_order(data[:4096])
    if utf16:
        return utf16
    # Mostly-valid UTF-8 with a few bad bytes (a damaged download) stays UTF-8.
    if _mostly_utf8(data):
        return "utf-8"
    from charset_normalizer import from_bytes

    sample = data[: 256 * 1024]
    best = from_bytes(sample, cp_isolation=["gb18030", "big5", "utf_8"]).best()
    if best is not None:
        name = best.encoding.replace("_", "-")
        return "gb18030" if name in ("gb2312", "gbk", "gb18030") else name
    return "gb18030"


def _mostly_utf8(data: bytes) -> bool:
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    return bad <= max(8, len(text) // 2000)


def _replacement_ratio(text: str) -> float:
    return text.count("\ufffd") / max(1, len(text))


def _normalise_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
