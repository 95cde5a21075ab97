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

from dlqa.errors import InputError

#: Larger files are refused: a saved page is at most a few MB, a 100 MB "page" is not text.
MAX_FILE_BYTES = 64 * 1024 * 1024

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".mhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}

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
    """The `Document` of bytes already read from `path` (ingest hashes them first)."""
    text, encoding = decode_bytes(data)
    return Document(str(path), text, encoding, looks_like_html(Path(path), text))


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
    even_zeros = head[0::2].count(0)
    odd_zeros = head[1::2].count(0)
    return max(even_zeros, odd_zeros) > len(head) // 4 and min(even_zeros, odd_zeros) < len(head) // 50


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
    if _looks_like_utf16_without_bom(data[:4096]):
        return "utf-16-le" if data[1::2][:2048].count(0) > data[0::2][:2048].count(0) else "utf-16-be"
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
