"""One small writer per export format. Each takes records (dicts of the JSON contract) one at a
time and writes text to a sink, so an export of any size holds one answer in memory.

Page text is hostile: JSON escapes everything itself; CSV and markdown drop terminal and bidi
control characters, CSV defuses spreadsheet formulas and markdown escapes its own syntax
and raw HTML, so no cell or line of the output can run or restyle anything.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from typing import Any, Protocol

from dlqa.render_human import safe
from dlqa.render_json import dumps


class Sink(Protocol):
    def write(self, text: str) -> Any: ...


class Writer(Protocol):
    """`begin` once, `record` per answer, `end` once."""

    def begin(self, title: str) -> None: ...
    def record(self, data: dict[str, Any]) -> None: ...
    def end(self) -> None: ...


class JsonLinesWriter:
    """One JSON object per line: exactly the fields of `dlqa search --jsonl` / `show --json`."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink

    def begin(self, title: str) -> None:
        pass

    def record(self, data: dict[str, Any]) -> None:
        self.sink.write(dumps(data) + "\n")

    def end(self) -> None:
        pass


class EsBulkWriter:
    """Elasticsearch/OpenSearch `_bulk` NDJSON: an `index` action line with `_id` = the dlqa id,
    then the document. Loading the same export again replaces documents instead of adding copies.
    """

    def __init__(self, sink: Sink, index_name: str = "dlqa") -> None:
        self.sink = sink
        self.index_name = index_name

    def begin(self, title: str) -> None:
        pass

    def record(self, data: dict[str, Any]) -> None:
        action = {"index": {"_index": self.index_name, "_id": data["id"]}}
        self.sink.write(dumps(action) + "\n" + dumps(data) + "\n")

    def end(self) -> None:
        pass


#: A cell a spreadsheet would read as a formula (or a DDE payload) starts with one of these.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """A value as a CSV cell: text without control characters, and a leading apostrophe when it
    would start a formula (OWASP's advice; spreadsheets show the text as written). Lists and
    objects as JSON, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value) if isinstance(value, float) else str(value)
    text = dumps(value) if isinstance(value, (list, dict)) else safe(str(value))
    return "'" + text if text.startswith(FORMULA_STARTS) else text


class CsvWriter:
    """RFC 4180 CSV with a header row; columns are the first record's fields, in its order."""

    def __init__(self, sink: Sink) -> None:
        self.writer = csv.writer(sink, lineterminator="\r\n")
        self.columns: list[str] | None = None

    def begin(self, title: str) -> None:
        pass

    def record(self, data: dict[str, Any]) -> None:
        if self.columns is None:
            self.columns = list(data)
            self.writer.writerow([csv_cell(name) for name in self.columns])
        self.writer.writerow([csv_cell(data.get(name)) for name in self.columns])

    def end(self) -> None:
        pass


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>#|~!&$])")
_LIST_MARK = re.compile(r"^(\s*)([-+=])", re.MULTILINE)
_NUMBERED = re.compile(r"^(\s*\d+)([.)])", re.MULTILINE)
_LINK = re.compile(r"https?://[^\s<>()\[\]\"'`\\]+", re.IGNORECASE)


def markdown_text(text: str | None) -> str:
    """Page text as literal markdown: markup characters and raw HTML escaped, so `<script>`,
    `[x](javascript:…)` and `# headings` in a page show as written."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", safe(text or ""))
    escaped = _LIST_MARK.sub(r"\1\\\2", escaped)
    return _NUMBERED.sub(r"\1\\\2", escaped)


def markdown_link(url: str | None) -> str:
    """An http(s) URL as an autolink; anything else as escaped text, never a link."""
    if url and _LINK.fullmatch(url.strip()):
        return f"<{url.strip()}>"
    return markdown_text(url)


class MarkdownWriter:
    """One readable document for notes apps: a heading per answer, who and where, the body."""

    def __init__(self, sink: Sink) -> None:
        self.sink = sink
        self.count = 0

    def begin(self, title: str) -> None:
        self.sink.write(f"# {markdown_text(title)}\n\n")

    def record(self, data: dict[str, Any]) -> None:
        self.count += 1
        lines = [f"## {self.count}. {markdown_text(data.get('title') or '(untitled)')}", ""]
        facts = [f"**{markdown_text(data.get('author') or '(anonymous)')}**", markdown_text(data.get("site"))]
        if data.get("posted_at"):
            facts.append(markdown_text(data["posted_at"]))
        if data.get("link"):
            facts.append(markdown_link(data["link"]))
        lines += [" · ".join(facts), ""]
        others = (data.get("seen_in") or [])[1:]
        if others:
            lines += ["also seen on: " + "; ".join(markdown_link(page.get("page_url")) or markdown_text(page.get("title"))
                                                   for page in others), ""]
        paragraphs = [markdown_text(line.strip()) for line in (data.get("body") or "").splitlines() if line.strip()]
        lines += [*(f"{paragraph}\n" for paragraph in paragraphs), f"id `{data.get('id')}`", "", "---", ""]
        self.sink.write("\n".join(lines) + "\n")

    def end(self) -> None:
        if not self.count:
            self.sink.write("(no answers)\n")


FORMATS: dict[str, Callable[..., Writer]] = {
    "jsonl": JsonLinesWriter,
    "csv": CsvWriter,
    "markdown": MarkdownWriter,
    "es-bulk": EsBulkWriter,
}

