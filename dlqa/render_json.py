"""Stage 11b: JSON rendering, kept apart from the terminal rendering.

Whatever the page text holds (control characters, lone surrogates, markup), the output is
valid UTF-8 JSON: strings are escaped by `json`, and unpaired surrogates, which cannot be
encoded in UTF-8, become U+FFFD.
"""

from __future__ import annotations

import json
import re
from typing import Any

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def dumps(data: Any) -> str:
    """One line of JSON, non-ASCII kept readable, always encodable as UTF-8."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return _LONE_SURROGATE.sub("\ufffd", text)
