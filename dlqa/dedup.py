"""Repost keys and sortable dates, computed at index time so search can merge and filter cheaply.

The same answer is saved from many pages (a Zhihu answer reposted by WeChat accounts and blogs,
as a text dump and as HTML). Two keys identify it: its own link (`url_key`), and a hash of its
text with everything that differs between dumps folded away (`text_key`). Search merges hits
that share either key; the index keeps both as one fixed-width column of short digests
(`repost_column_value`), which search reads a segment at a time. Pure Python, no jieba: the
query path imports it too.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import urlsplit

from dlqa.textutil import fold

#: Characters of normalised body hashed: reposts often differ only in their tails (editor notes).
TEXT_KEY_CHARS = 2000
#: Bodies shorter than this (normalised) are never merged by text: "+1", "同意" are not reposts.
MIN_TEXT_KEY_CHARS = 40

#: Bytes of each key's digest in the `reposts` column; an all-zero digest means "no key".
#: 64 bits: two different answers share a digest with odds of ~1e-9 in a million answers.
DIGEST_BYTES = 8
NO_KEY = bytes(DIGEST_BYTES)
#: Width of a `reposts` column value: the link key's digest, then the text key's.
REPOSTS_WIDTH = 2 * DIGEST_BYTES

_NOT_ALNUM = re.compile(r"[\W_]+")
_DATE = re.compile(
    r"(?P<y>(?:19|20)\d\d)\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})日?"
    r"(?:[\sT]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
)


def url_key(url: str | None, page_url: str | None = None, question_url: str | None = None) -> str | None:
    """The answer's own link, normalised (scheme, www., query and trailing slash dropped).

    None when the answer has no link of its own: a page or question link is shared by every
    answer on that page, so it cannot tell answers apart.
    """
    if not url or url in (page_url, question_url):
        return None
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    path = parts.path.rstrip("/")
    key = f"{host}{path}"
    if parts.fragment:  # a forum reply anchor (#reply12) tells replies of one thread apart
        key += f"#{parts.fragment}"
    return key


def normalise_text(body: str) -> str:
    """NFKC-folded, lowercased body with every space and punctuation mark removed."""
    return _NOT_ALNUM.sub("", fold(body))


def text_key(body: str) -> str | None:
    """A hash of the normalised body's first `TEXT_KEY_CHARS` characters; None when too short."""
    text = normalise_text(body)
    if len(text) < MIN_TEXT_KEY_CHARS:
        return None
    return hashlib.sha1(text[:TEXT_KEY_CHARS].encode("utf-8")).hexdigest()[:20]


def repost_column_value(url: str | None, text: str | None) -> bytes | None:
    """The `reposts` column value of an answer with these keys; None when it has neither."""
    if url is None and text is None:
        return None
    return _digest(url) + _digest(text)


def _digest(key: str | None) -> bytes:
    if key is None:
        return NO_KEY
    digest = hashlib.blake2b(key.encode("utf-8"), digest_size=DIGEST_BYTES).digest()
    return digest if digest != NO_KEY else NO_KEY[:-1] + b"\x01"


def normalise_date(posted_at: str | None) -> str | None:
    """`YYYY-MM-DD` or `YYYY-MM-DDTHH:MM[:SS]` from an absolute date, else None.

    Handles V2EX ("2018-12-20 21:13:43 +08:00"), Zhihu ("发布于 2020-05-03 12:00",
    "编辑于 2019年3月2日") and slashed dates; relative ones ("3 天前", "昨天") are unknown.
    The time is kept as written (the sites show their local time), so strings sort by date.
    """
    if not posted_at:
        return None
    match = _DATE.search(unicodedata.normalize("NFKC", posted_at))
    if not match:
        return None
    month, day = int(match["m"]), int(match["d"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    date = f"{match['y']}-{month:02d}-{day:02d}"
    if match["H"] is None:
        return date
    date += f"T{int(match['H']):02d}:{match['M']}"
    return date + (f":{match['S']}" if match["S"] else "")


def parse_date_option(text: str) -> str:
    """Check a `--since/--until` value (YYYY-MM-DD) and return it; raise ValueError if not one."""
    value = normalise_date(text)
    if value is None or not re.fullmatch(r"\s*\d{4}-\d{1,2}-\d{1,2}\s*", text):
        raise ValueError(f"{text!r} is not a date written YYYY-MM-DD")
    return value
