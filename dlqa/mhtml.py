"""Single-file saves (`.mhtml`, `.mht`): the page inside a MIME archive.

Chrome and Edge ("Save as… Webpage, single file") and old IE write the page as a MIME
`multipart/related` message: the HTML part (quoted-printable or base64, with or without a
charset), then every stylesheet, image and iframe as further parts. The standard library's
`email` package reads that format; dlqa keeps the first `text/html` part (the main frame;
iframes come after it), its charset, and where the page was saved from.
"""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass

from dlqa.errors import InputError

MHTML_SUFFIXES = (".mhtml", ".mht")
#: How a MIME archive starts: Chrome's `From: <Saved by Blink>`, or the MIME headers.
_SIGNATURES = (b"from: <saved by", b"mime-version:", b"content-type: multipart/related")


@dataclass
class Unpacked:
    """The main HTML part of an archive, not yet decoded."""

    html: bytes
    #: The part's declared charset (None: decode by the page's own declaration or detection).
    charset: str | None
    #: Where the page was saved from: `Snapshot-Content-Location`, else the part's location.
    url: str | None
    #: The archive's `Subject` (the page title as the browser saw it).
    subject: str | None


def looks_like_mhtml(suffix: str, head: bytes) -> bool:
    """An archive by its suffix, or by its first header (saved under another name)."""
    if suffix.lower() in MHTML_SUFFIXES:
        return True
    start = head[:512].lstrip().lower()
    return start.startswith(_SIGNATURES) and b"multipart/related" in head[:4096].lower()


def unpack(data: bytes) -> Unpacked:
    """The archive's main HTML part; `InputError` when there is none."""
    message = email.message_from_bytes(data, policy=email.policy.compat32)
    pages = [p for p in message.walk() if p.get_content_type() == "text/html"]
    # The main frame is the part at the snapshot's location; browsers also write it first.
    snapshot = _header(message, "Snapshot-Content-Location")
    part = next((p for p in pages if snapshot and _header(p, "Content-Location") == snapshot), None)
    part = part or (pages[0] if pages else None)
    if part is None:
        # A "single file" of one HTML page without MIME parts: the body itself.
        if message.get_content_type() == "text/plain" and b"<html" in data[:65536].lower():
            return Unpacked(data, None, None, None)
        raise InputError("MHTML archive without an HTML page")
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise InputError("MHTML archive whose HTML part cannot be decoded")
    url = _header(message, "Snapshot-Content-Location") or _header(part, "Content-Location")
    if url and not url.lower().startswith(("http://", "https://")):
        url = None  # `file:///…` or `cid:` locations are not where the page lives
    return Unpacked(payload, part.get_content_charset(), url, _header(message, "Subject"))


def _header(message: email.message.Message, name: str) -> str | None:
    """A header as text (encoded words such as `=?utf-8?Q?…?=` decoded), or None."""
    value = message.get(name)
    if value is None:
        return None
    try:
        decoded = str(email.header.make_header(email.header.decode_header(str(value))))
    except (ValueError, LookupError, UnicodeDecodeError):
        decoded = str(value)
    decoded = " ".join(decoded.split())
    return decoded or None
