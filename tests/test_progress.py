"""Ingest progress: rate and time left, the stages after the last file, shown only literally."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from dlqa.render_progress import ProgressReport, progress_line, progress_on
from dlqa.store import ingest as dlqa_ingest
from dlqa.store.ingest import ingest
from tests.helpers import SEEDS


class Recorder:
    """A progress callback with `stage`, recording every event in order."""

    def __init__(self) -> None:
        self.events: list[tuple] = []

    def __call__(self, done: int, total: int, path: str) -> None:
        self.events.append(("file", done, total))

    def stage(self, name: str) -> None:
        self.events.append(("stage", name))


def test_the_line_gives_rate_time_left_and_the_file():
    line = progress_line(312, 1500, 41.23, 28.8, "", "页面.html")
    assert line == "312/1,500 files · 41.2 files/s · 0:29 left · 页面.html"
    assert progress_line(1500, 1500, 250.0, 0.0, "committing") == "1,500/1,500 files · 250 files/s · committing…"
    assert progress_line(3, 9, None, None, "checking").endswith("checking which files changed…")
    assert "1:01:40 left" in progress_line(0, 10, 1.0, 3700, "")


def test_a_file_name_is_shown_literally():
    line = progress_line(1, 2, None, None, "", "\x1b[2Jevil[bold].txt")
    assert "\x1b" not in line and "␛[2Jevil[bold].txt" in line


def test_the_rate_counts_files_indexed_since_indexing_began():
    now = [100.0]
    shown: list[str] = []
    report = ProgressReport(lambda line, done, total, urgent: shown.append(line), clock=lambda: now[0])
    report(0, 100, "")
    for done in range(1, 41):  # unchanged files, ticked off while checking
        report(done, 100, f"old{done}.txt")
    report.stage("indexing")
    now[0] += 10
    report(60, 100, "new.txt")  # 20 files in 10 s
    assert report.rate() == pytest.approx(2.0)
    assert shown[-1] == "60/100 files · 2.0 files/s · 0:20 left · new.txt"


def _stages_after_last_file(events: list[tuple]) -> list[str]:
    last = min(number for number, event in enumerate(events) if event[0] == "file" and event[1] > 0
               and event[1] == event[2])
    return [event[1] for event in events[last:] if event[0] == "stage"]


def test_one_process_reports_the_final_commit_after_the_last_file(corpus_copy, tmp_path):
    recorder = Recorder()
    ingest([corpus_copy], tmp_path / "ix", progress=recorder, jobs=1)
    events = recorder.events
    assert events[0] == ("file", 0, len(SEEDS)) and events[1] == ("stage", "checking")
    assert ("stage", "indexing") in events
    files = [event[1] for event in events if event[0] == "file"]
    assert files == sorted(files) and files[-1] == len(SEEDS)
    assert _stages_after_last_file(events)[:1] == ["committing"]


def test_workers_report_writing_then_committing(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(dlqa_ingest, "PARALLEL_MIN_BYTES", 0)
    recorder = Recorder()
    ingest([corpus_copy], tmp_path / "ix", progress=recorder, jobs=2)
    assert _stages_after_last_file(recorder.events)[:2] == ["writing", "committing"]


def test_a_plain_callback_still_works(corpus_copy, tmp_path):
    calls = []
    ingest([corpus_copy], tmp_path / "ix", progress=lambda done, total, path: calls.append(done))
    assert calls[0] == 0 and calls[-1] == len(SEEDS)


def test_the_terminal_shows_the_commit_stage(corpus_copy, tmp_path):
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=160, color_system=None)
    with progress_on(console) as progress:
        ingest([corpus_copy], tmp_path / "ix", progress=progress, jobs=1)
    shown = out.getvalue()
    assert f"/{len(SEEDS)} files" in shown and "committing…" in shown
