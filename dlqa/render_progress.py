"""The ingest progress line on a terminal: files done, rate, time left, and the stage.

Why a stage: the last part of an ingest is not files but writing the workers' segments and
committing them, which takes seconds on a large batch; a bar that sits at 1,499/1,500 looks
hung. The rate counts only files indexed since indexing began (the unchanged files ticked
off while checking would make it absurd), and time left is the remaining files at that rate.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn

from dlqa.render_human import safe

#: Stages the ingest reports besides files (`dlqa.store.ingest.Stage`), as shown.
STAGE_LABELS = {
    "checking": "checking which files changed",
    "indexing": "",
    "writing": "writing the index",
    "committing": "committing",
}


def progress_line(done: int, total: int, rate: float | None, left: float | None, stage: str,
                  name: str = "") -> str:
    """`312/1,500 files · 41.2 files/s · 0:29 left · name`, or the stage instead of the name."""
    parts = [f"{done:,}/{total:,} files"]
    if rate is not None and rate > 0:
        parts.append(f"{rate:,.1f} files/s" if rate < 100 else f"{rate:,.0f} files/s")
    if left is not None and done < total:
        parts.append(f"{_clock(left)} left")
    label = STAGE_LABELS.get(stage, stage)
    parts.append(f"{label}…" if label else safe(name))
    return " · ".join(part for part in parts if part)


def _clock(seconds: float) -> str:
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class ProgressReport:
    """The ingest's progress callback (`(done, total, path)` per file, `stage(name)` between),
    turned into one line: `show(line, done, total, now)` draws it (`now`: a new stage, drawn
    at once rather than at the next refresh)."""

    def __init__(self, show: Callable[[str, int, int, bool], None],
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.show = show
        self.clock = clock
        self.stage_name = "checking"
        self.done = self.total = 0
        self.name = ""
        self.started: float | None = None  # when indexing began, and how many were done then
        self.done_at_start = 0

    def __call__(self, done: int, total: int, path: str) -> None:
        self.done, self.total, self.name = done, total, path.rsplit("/", 1)[-1]
        self._draw()

    def stage(self, name: str) -> None:
        if name == "indexing" and self.started is None:
            self.started, self.done_at_start = self.clock(), self.done
        self.stage_name = name
        self._draw(now=True)

    def rate(self) -> float | None:
        """Files indexed per second since indexing began (None before a second has passed)."""
        if self.started is None:
            return None
        elapsed = self.clock() - self.started
        indexed = self.done - self.done_at_start
        return indexed / elapsed if elapsed >= 1 and indexed > 0 else None

    def _draw(self, now: bool = False) -> None:
        rate = self.rate()
        left = (self.total - self.done) / rate if rate else None
        stage = "" if self.stage_name == "indexing" else self.stage_name
        self.show(progress_line(self.done, self.total, rate, left, stage, self.name), self.done, self.total, now)


@contextmanager
def progress_on(console: Console) -> Iterator[ProgressReport]:
    """A `ProgressReport` drawing a bar and its line on `console` (stderr, a terminal), gone
    when the ingest ends. Page-derived text (file names) is shown literally, never as markup."""
    columns = (TextColumn("ingest"), BarColumn(), TextColumn("{task.fields[line]}", markup=False))
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("", total=None, line="")

        def show(line: str, done: int, total: int, now: bool) -> None:
            bar.update(task, completed=done, total=total or None, line=line)
            if now:
                bar.refresh()

        yield ProgressReport(show)
