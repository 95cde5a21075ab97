"""Stage 11a: terminal rendering with rich, kept apart from JSON rendering.

Page text is data: it is always passed to rich as `Text` (never parsed as markup), and control
characters (ANSI escapes, bidi overrides) are made visible or removed before printing, so a
page can never style, move or clear the user's terminal.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.style import Style
from rich.text import Text

from dlqa.discover import SKIP_NOUNS
from dlqa.links import safe_link
from dlqa.model import Page
from dlqa.seen_on import file_name, group_seen
from dlqa.wrap import wrap

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


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """Leave a closed pipe to the command (`dlqa.pipes`), which ends with the status it
        would have had; rich itself would exit with status 1, grep's "nothing matched"."""
        self.quiet = True
        raise BrokenPipeError


def make_console(stderr: bool = False, color: bool | None = None, file: Any = None,
                 width: int | None = None) -> Console:
    """A console that never wraps by itself; `color` is the `--color` decision (`dlqa.colour`),
    None lets rich decide (colour on terminals, NO_COLOR honoured)."""
    if color is None:
        return _Console(stderr=stderr, file=file, width=width, highlight=False, emoji=False, soft_wrap=True)
    return _Console(stderr=stderr, file=file, width=width, highlight=False, emoji=False, soft_wrap=True,
                   force_terminal=color, no_color=not color, color_system="auto" if color else None)


def link_text(url: str | None, style: str = "blue") -> Text:
    """A URL shown literally, clickable (OSC 8) on a colour console when it is plain http(s)."""
    checked = safe_link(url)
    return Text(safe(url), style=Style.parse(style) + Style(link=checked) if checked else style)


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
            shown = link_text(str(value)) if label in ("page", "question") else Text(safe(str(value)))
            console.print(Text.assemble((f"{label:>9}: ", "dim"), shown))
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
            console.print(link_text(answer.url))
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


#: Names shown per expanded term on "also searched" (an umbrella term can add forty; `--json`
#: lists them all under `expansions`).
SHOWN_EXPANSIONS = 6


def _first_names(names: list[str]) -> list[str]:
    return names if len(names) <= SHOWN_EXPANSIONS else [*names[:SHOWN_EXPANSIONS], "…"]


def print_results(results: SearchResults, console: Console | None = None) -> None:
    """Ranked hits: rank and title, then author · site · link, then the highlighted snippet."""
    console = console or make_console()
    first = (results.page - 1) * results.limit
    if results.results and results.expansions:
        expanded = "; ".join(f"{term} → {', '.join(_first_names(names))}" for term, names in results.expansions.items())
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
        line.append(link_text(hit.link))
    console.print(line)


def _print_hit_tail(console: Console, hit: Hit) -> None:
    """The id, and the other pages a merged repost was seen on."""
    console.print(Text(f"    id {hit.id}", style="dim"))
    seen = group_seen(hit.seen_in)
    if seen.same_page_copies:
        console.print(Text(f"    saved {_count(seen.same_page_copies, 'more time')} from the same page",
                           style="dim"))
    if seen.pages:
        console.print(Text(f"    also seen on {_count(len(seen.pages), 'more page')}:", style="dim"))
        for page in seen.shown:
            # a single copy names its file: a text dump and an HTML save of one page share its URL
            copies = f"{page.copies} copies" if page.copies > 1 else file_name(page.source_file)
            where = " · ".join(v for v in (page.page_url, copies) if v)
            console.print(Text(f"      {safe(page.title) or '(untitled)'} · {safe(page.site)} · {safe(where)}",
                               style="dim"))
        if seen.more:
            console.print(Text(f"      +{seen.more} more page{'s' if seen.more > 1 else ''}", style="dim"))


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
    """One whole answer, for `dlqa show`: the header (title, author, link, page) first, then
    the body wrapped to the console's width without breaking Latin words."""
    console = console or make_console()
    width = max(console.width, 20)
    for line in wrap(safe(hit.title) or "(untitled)", width):
        console.print(Text(line, style="bold"))
    for label, value in (
        ("author", hit.author or "(anonymous)"),
        ("link", hit.link),
        ("page", hit.page_url if hit.page_url != hit.link else None),
        ("site", hit.site),
        ("file", hit.source_file),
        ("position", hit.position),
        ("floor", hit.floor),
        ("posted", hit.posted_at),
        ("id", hit.id),
        ("key terms", ", ".join(key_terms or [])),
    ):
        if value is None or value == "":
            continue
        shown = link_text(str(value)) if label in ("link", "page") else Text(safe(str(value)))
        console.print(Text.assemble((f"{label:>9}: ", "dim"), shown))
    if hit.author_bio:
        for line in wrap(safe(hit.author_bio), width):
            console.print(Text(line, style="dim"))
    console.rule(style="dim")
    for line in wrap(safe(hit.body), width):
        console.print(Text(line))


def print_stats(data: dict[str, Any], console: Console | None = None) -> None:
    """The `dlqa stats` summary as aligned lines."""
    console = console or make_console()
    console.print(Text.assemble(("index: ", "dim"), safe(data["index"]), (f"  ({_size(data['size_bytes'])})", "dim")))
    if data.get("index_chosen"):
        console.print(Text.assemble(("chosen: ", "dim"), safe(data["index_chosen"])))
    console.print(f"{_count(data['answers'], 'answer')} from {_count(data['pages'], 'page')}")
    if data["sites"]:
        console.print(Text("pages per site:", style="bold"))
        width = max(len(site) for site in data["sites"])
        for site, counts in data["sites"].items():
            console.print(Text(f"  {safe(site):<{width}} {_count(counts['pages'], 'page', 6):<12}"
                               f" {_count(counts['answers'], 'answer', 7)}"))
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
        + _skipped_summary(report.skipped)
    )
    if report.no_answers:
        names = ", ".join(Path(path).name for path in report.no_answers[:3])
        more = f" and {len(report.no_answers) - 3} more" if len(report.no_answers) > 3 else ""
        console.print(Text(f"no answers in {_count(len(report.no_answers), 'file')}: {safe(names)}{more} "
                           "(empty, or no text recognised as an answer)", style="yellow"))
    console.print(Text.assemble(("index: ", "dim"), safe(report.index_dir),
                                (f" ({_count(report.answers_total, 'answer')})", "dim")))


def _skipped_summary(skipped: list[tuple[str, str]]) -> str:
    """'; skipped 1 resource folder (X_files beside a saved page), 2 files of other types'."""
    counts: dict[str, int] = {}
    for _, reason in skipped:
        counts[reason] = counts.get(reason, 0) + 1
    parts = []
    for reason, number in counts.items():
        one, many = SKIP_NOUNS.get(reason, (reason, reason))
        parts.append(f"{number} {one if number == 1 else many}")
    return "; skipped " + ", ".join(parts) if parts else ""


def _count(number: int, noun: str, width: int = 0) -> str:
    """`1 answer`, `2 answers`; the number right-aligned in `width` characters."""
    return f"{number:>{width}} {noun}" if number == 1 else f"{number:>{width}} {noun}s"


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"  # pragma: no cover
