"""`dlqa open ID`: the answer's link in the user's browser, only ever an http(s) URL.

A page could carry `file:`, `javascript:` or a command-like string as its link; none of those
reaches the browser (or, through `$BROWSER`, a program): only what `links.safe_link` accepts.
"""

from __future__ import annotations

from collections.abc import Callable

from dlqa.errors import DlqaError
from dlqa.links import safe_link


def open_link(url: str | None, opener: Callable[[str], bool] | None = None) -> str:
    """Open `url` in the browser; the URL opened. Raises `DlqaError` when it is not http(s)
    or no browser could be started."""
    link = safe_link(url)
    if link is None:
        raise DlqaError("this answer has no http(s) link to open")
    if opener is None:
        import webbrowser

        opener = webbrowser.open
    if not opener(link):
        raise DlqaError(f"no browser could be started (set BROWSER); the link is {link}")
    return link
