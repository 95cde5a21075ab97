"""Stage 11a: terminal rendering with rich, kept apart from JSON rendering.

Page text is data: it is always passed to rich as `Text` (never parsed as markup), and control
characters (ANSI escapes, bidi overrides) are made visible or removed before printing, so a
page can never style, move or clear the user's terminal.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.text import Text

from dlqa.model import Page

if TYPE_CHECKING:
    from dlqa.related import Similar
    from dlqa.results import Hit, SearchResults
    from dlqa.store.ingest import IngestReport

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
    console.print(Text(_count(len(page.answers), "answer"), style="dim"))
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


# ---------------------------------------------------------------------------------------------
# Search, show, stats, ingest


def highlighted(text: str, spans: list[tuple[int, int]], style: str = "bold red") -> Text:
    """`text` as rich Text with `spans` styled; each piece is made safe on its own so control
    characters removed by `safe` cannot shift the highlighted ranges."""
    result = Text()
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:
            continue
        result.append(safe(text[cursor:start]))
        result.append(safe(text[start:end]), style=style)
        cursor = end
    result.append(safe(text[cursor:]))
    return result


def print_results(results: SearchResults, console: Console | None = None) -> None:
    """Ranked hits: rank and title, then author · site · link, then the highlighted snippet."""
    console = console or make_console()
    first = (results.page - 1) * results.limit
    if results.results and results.expansions:
        expanded = "; ".join(f"{term} → {', '.join(names)}" for term, names in results.expansions.items())
        console.print(Text(f"also searched: {safe(expanded)}  (--no-expand: only what was typed)", style="dim"))
    for rank, hit in enumerate(results.results, start=first + 1):
        _print_hit_head(console, rank, hit)
        console.print(Text("    ") + highlighted(hit.snippet, hit.spans))
        if hit.missing:
            console.print(Text(f"    missing: {safe(', '.join(hit.missing))}", style="yellow"))
        _print_hit_tail(console, hit)
    if results.results:
        last = first + len(results.results)
        listed = _count(results.total + results.partial, 'answer')
        partly = f" ({results.total} matching every term)" if results.partial else ""
        console.print(Text(f"{first + 1}–{last} of {listed}{partly}", style="dim"))
    elif results.total:
        console.print(Text(f"page {results.page} is past the last of {_count(results.total, 'answer')}", style="dim"))


def _print_hit_head(console: Console, rank: int, hit: Hit) -> None:
    console.print(Text.assemble((f"{rank:>2}. ", "dim"), (safe(hit.title) or "(untitled)", "bold")))
    line = Text("    ")
    line.append(safe(hit.author) or "(anonymous)", style="cyan")
    line.append(f" · {safe(hit.site)}", style="dim")
    if hit.posted_date:
        line.append(f" · {safe(hit.posted_date[:10])}", style="dim")
    if hit.link:
        line.append(" · ")
        line.append(safe(hit.link), style="blue")
    console.print(line)


def _print_hit_tail(console: Console, hit: Hit) -> None:
    """The id, and the other pages a merged repost was seen on."""
    console.print(Text(f"    id {hit.id}", style="dim"))
    others = hit.seen_in[1:]
    if others:
        console.print(Text(f"    also seen on {len(others)} more page{'s' if len(others) > 1 else ''}:", style="dim"))
        for page in others:
            where = " · ".join(str(v) for v in (page.get("page_url"), _file_name(page.get("source_file"))) if v)
            console.print(Text(f"      {safe(page.get('title')) or '(untitled)'} · {safe(page.get('site'))} · "
                               f"{safe(where)}", style="dim"))


def _file_name(path: str | None) -> str:
    """The saved file's base name: a text dump and an HTML save of one page share its URL."""
    return (path or "").replace("\\", "/").rsplit("/", 1)[-1]


def print_similar(found: Similar, console: Console | None = None) -> None:
    """`dlqa similar`: the anchor's key terms, then related answers with the terms they share."""
    console = console or make_console()
    anchor = found.anchor
    console.print(Text.assemble(("answers like ", "dim"), (safe(anchor.id), "bold"),
                                (f" ({safe(anchor.author) or 'anonymous'}: {safe(anchor.title)})", "dim")))
    console.print(Text.assemble(("key terms: ", "dim"), safe(", ".join(found.key_terms)) or "(none)"))
    for rank, (hit, shared) in enumerate(found.results, start=1):
        _print_hit_head(console, rank, hit)
        console.print(Text.assemble(("    shares: ", "dim"), (safe(", ".join(shared)), "bold")))
        console.print(Text(f"    {safe(_shorten(hit.body, 100))}"))
        _print_hit_tail(console, hit)
    if not found.results:
        console.print(Text("no related answer found", style="dim"))


def print_answer(hit: Hit, console: Console | None = None, key_terms: list[str] | None = None) -> None:
    """One whole answer, for `dlqa show`, with its key terms when known."""
    console = console or make_console()
    console.print(Text(safe(hit.title) or "(untitled)", style="bold"))
    for label, value in (
        ("author", hit.author or "(anonymous)"),
        ("link", hit.link),
        ("site", hit.site),
        ("file", hit.source_file),
        ("position", hit.position),
        ("floor", hit.floor),
        ("posted", hit.posted_at),
        ("id", hit.id),
        ("key terms", ", ".join(key_terms or [])),
    ):
        if value is not None and value != "":
            console.print(Text.assemble((f"{label:>9}: ", "dim"), safe(str(value))))
    if hit.author_bio:
        console.print(Text(safe(hit.author_bio), style="dim"))
    console.rule(style="dim")
    console.print(Text(safe(hit.body)))


def print_stats(data: dict[str, Any], console: Console | None = None) -> None:
    """The `dlqa stats` summary as aligned lines."""
    console = console or make_console()
    console.print(Text.assemble(("index: ", "dim"), safe(data["index"]), (f"  ({_size(data['size_bytes'])})", "dim")))
    console.print(f"{_count(data['answers'], 'answer')} from {_count(data['pages'], 'page')}")
    if data["sites"]:
        console.print(Text("pages per site:", style="bold"))
        for site, counts in data["sites"].items():
            console.print(f"  {safe(site):<10} {counts['pages']:>6} pages {counts['answers']:>7} answers")
    if data["top_authors"]:
        console.print(Text("top authors:", style="bold"))
        for entry in data["top_authors"]:
            console.print(Text.assemble(f"  {entry['answers']:>6}  ", (safe(entry["author"]), "cyan")))


def print_ingest_report(report: IngestReport, console: Console | None = None) -> None:
    """The summary after `dlqa ingest` (failures are printed by the caller, on stderr)."""
    console = console or make_console()
    console.print(
        f"{_count(report.files_read, 'file')} read ({report.files_unchanged} unchanged), "
        f"{_count(report.pages, 'page')} parsed; "
        f"answers: {report.added} added, {report.replaced} replaced, {report.unchanged} unchanged"
        + (f", {report.pruned} pruned" if report.pruned else "")
        + (f"; {_count(len(report.failures), 'file')} failed" if report.failures else "")
    )
    console.print(Text.assemble(("index: ", "dim"), safe(report.index_dir),
                                (f" ({_count(report.answers_total, 'answer')})", "dim")))


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover
