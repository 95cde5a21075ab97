"""Checks of command-line values whose failure is a usage error (exit status 2), said plainly."""

from __future__ import annotations

import re
from collections.abc import Iterable

from dlqa.errors import DlqaError

#: Shortest id prefix accepted, and the length of a whole id (hex digits).
MIN_ID_PREFIX = 6
ID_LENGTH = 16
_HEX = re.compile(r"[0-9a-f]+")


class UsageError(DlqaError):
    """A value the user typed cannot be what they meant; exit status 2 like grep's."""

    exit_code = 2


def check_answer_id(text: str) -> str:
    """An answer id or id prefix, lower-cased; too short, too long or not hex is a `UsageError`."""
    answer_id = text.strip().lower()
    expected = f"an answer id is {ID_LENGTH} hex digits (as `dlqa search` shows them), or its first {MIN_ID_PREFIX} or more"
    if not _HEX.fullmatch(answer_id) or len(answer_id) > ID_LENGTH:
        raise UsageError(f"{_shown(text)} is not an answer id: {expected}")
    if len(answer_id) < MIN_ID_PREFIX:
        raise UsageError(f"the id prefix {answer_id} is too short ({len(answer_id)} characters): {expected}")
    return answer_id


def check_date_range(since: str | None, until: str | None) -> None:
    """A `UsageError` when `--since` falls after `--until` (dates as YYYY-MM-DD)."""
    if since and until and since > until:
        raise UsageError(f"--since {since} is after --until {until}: no date can be in that range; "
                         "expected --since on or before --until")


def check_site(site: str | None, known: Iterable[str]) -> None:
    """A `UsageError` listing the known sites when `site` is none of them."""
    if site is None or not site.strip():
        return
    names = sorted(set(known))
    if site.strip().lower() not in names:
        raise UsageError(f"unknown site {_shown(site)}; known sites: {', '.join(names)}")


def _shown(text: str) -> str:
    """User text quoted for a message, control characters escaped."""
    return repr(text) if not text.isprintable() else f"'{text}'"
