"""Stage 11a: terminal rendering with rich, kept apart from JSON rendering.

Page text is data: it is always passed to rich as `Text` (never parsed as markup), and control
characters (ANSI escapes, bidi overrides) are made visible or removed before printing, so a
page can never style, move or clear the user's terminal.
"""

from __future__ import annotations

import re

from rich.console import Console
from rich.text import Text

from dlqa.model import Page

#: C0/C1 controls except newline and tab, DEL, bidi embeddings/overrides/isolates.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f]")
_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def safe(text: str | None) -> str:
    """`text` with every terminal control sequence neutralised (ESC shown as ␛)."""
    if not text:
        return ""
    text = _LONE_SURROGATE.sub("\ufffd", text)
    return _UNSAFE.sub(lambda m: "␛" if m.group() == "\x1b" else "", text)


def make_console(stderr: bool = False) -> Console:
    """A console that colours only real terminals and honours NO_COLOR (rich does)."""
    return Console(stderr=stderr, highlight=False, emoji=False, soft_wrap=True)


def print_page(page: Page, console: Console | None = None) -> None:
    """A readable view of one parsed page: metadata, then every answer."""
    console = console or make_console()
    console.print(Text(safe(page.title) or "(untitled)", style="bold"))
    for label, value in (
        ("file", page.source_file),
        ("site", page.site),
        ("page", page.page_url),
        ("question", page.question_url),
    ):
        if value:
            console.print(Text.assemble((f"{label:>9}: ", "dim"), safe(str(value))))
    if page.description:
        console.print(Text.assemble(("    about: ", "dim"), safe(_shorten(page.description, 160))))
    console.print(Text(f"{len(page.answers)} answers", style="dim"))
    for answer in page.answers:
        console.rule(style="dim")
        head = Text.assemble((f"#{answer.position} ", "dim"), (safe(answer.author) or "(no author)", "bold cyan"))
        if answer.floor is not None:
            head.append(f"  floor {answer.floor}", style="dim")
        if answer.posted_at:
            head.append(f"  {safe(answer.posted_at)}", style="dim")
        console.print(head)
        if answer.author_bio:
            console.print(Text(safe(answer.author_bio), style="dim"))
        if answer.url:
            console.print(Text(safe(answer.url), style="blue"))
        console.print(Text(safe(answer.body)))


def _shorten(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
