"""Clickable links (OSC 8) that page text can never turn into an escape sequence.

A page's link reaches the terminal inside an escape sequence, so only a well-formed http(s)
URL is ever used, and it is reduced to printable ASCII first: non-ASCII is percent-encoded,
and a URL holding any control character (ESC, BEL, the C1 string terminator, newline…) or
space is dropped instead of repaired. The caller then shows the text without a link.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

_CONTROL_OR_SPACE = re.compile("[\x00-\x20\x7f-\x9f\u2028\u2029]")
#: Characters kept as they are when percent-encoding the rest (RFC 3986 reserved and unreserved, and %).
_URL_SAFE = "!#$%&'()*+,/:;=?@[]~-._"
MAX_LENGTH = 2048


def safe_link(url: str | None) -> str | None:
    """`url` as printable ASCII when it is a plain http(s) URL, else None."""
    if not url or len(url) > MAX_LENGTH or _CONTROL_OR_SPACE.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    try:
        encoded = quote(url, safe=_URL_SAFE)
    except UnicodeEncodeError:  # a lone surrogate
        return None
    return encoded if encoded.isascii() and encoded.isprintable() else None


def osc8(url: str, text: str) -> str:
    """`text` wrapped in an OSC 8 hyperlink to a URL already checked by `safe_link`."""
    return f"\x1b]8;;{url}\x1b\\{text}\x1b]8;;\x1b\\"
