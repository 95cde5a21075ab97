"""Ctrl-C during a long `dlqa ingest` keeps the files finished before it (commits by time).

A real `python -m dlqa ingest` subprocess, with the commit clock shortened to a fraction of a
second (`DLQA_COMMIT_SECONDS`) and no file-count batches: whatever it committed before SIGINT
must be searchable, and a re-run must skip exactly those files and add the rest.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlqa.store import ingest as dlqa_ingest
from dlqa.store.ingest import CommitClock, ingest
from dlqa.store.opening import open_index
from tests.test_crash import answer_set, assert_index_answers, dlqa_env, make_corpus

FILES = 150


def start(corpus: Path, index_dir: Path, jobs: int) -> subprocess.Popen[str]:
    env = dlqa_env(DLQA_COMMIT_SECONDS="0.15", DLQA_PARALLEL_MIN_BYTES="0")
    return subprocess.Popen(
        [sys.executable, "-m", "dlqa", "ingest", str(corpus), "--index", str(index_dir), "--jobs", str(jobs)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def generations(index_dir: Path) -> list[int]:
    try:
        names = [path.name for path in index_dir.iterdir()]
    except OSError:
        return []
    return [int(match.group(1)) for name in names if (match := re.fullmatch(r"_MAIN_(\d+)\.toc", name))]


@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_keeps_the_files_committed_by_time(tmp_path, jobs):
    corpus = make_corpus(tmp_path / "corpus", FILES)
    index_dir = tmp_path / "ix"
    proc = start(corpus, index_dir, jobs)
    deadline = time.monotonic() + 60
    # A commit by time (generation 0 is the empty index), long before the batch of 2,000 ends.
    while max(generations(index_dir), default=0) < 1:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "no commit within 60 s"
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    match = re.fullmatch(r"dlqa: interrupted; (\d+) files? (?:was|were) indexed before the interruption "
                         r"\(the index is intact\)", err.strip())
    assert match, err
    committed = int(match.group(1))
    assert 1 <= committed < FILES
    rows = answer_set(index_dir)
    assert len({row[0] for row in rows}) == committed  # exactly the files it said, searchable
    assert assert_index_answers(index_dir) == len(rows)

    again = ingest([corpus], index_dir, jobs=jobs)
    assert not again.failures
    assert again.files_unchanged == committed and again.pages == FILES - committed
    rows = answer_set(index_dir)
    assert len(rows) == len(set(rows))
    assert len({row[0] for row in rows}) == FILES
    # Nothing is left of the segments the interruption dropped: every file is the TOC's.
    on_disk = {path.name.split(".")[0] for path in index_dir.iterdir()
               if path.name.startswith("MAIN_") and path.name != "MAIN_WRITELOCK"}
    assert on_disk == {segment.segment_id() for segment in open_index(index_dir)._segments()}
    assert not (index_dir / "MAIN.tmp").exists()


def test_the_commit_clock_waits_longer_as_the_ingest_goes_on(monkeypatch):
    clock = CommitClock(seconds=10)
    now = [clock.started]
    monkeypatch.setattr(dlqa_ingest.time, "monotonic", lambda: now[0])
    assert not clock.due(9.9) and clock.due(10)
    now[0] += 90  # 90 s in: a third of it, 30 s, between commits
    assert not clock.due(29) and clock.due(30)
    assert not clock.due(30, seconds_left=9)  # the batch's own commit is near


def test_an_in_process_ingest_commits_when_its_time_is_up(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.setenv("DLQA_COMMIT_SECONDS", "0")
    monkeypatch.setattr(dlqa_ingest, "PARALLEL_MIN_BYTES", 1 << 40)
    monkeypatch.setattr(dlqa_ingest, "COMMIT_GROWTH", 0)
    index_dir = tmp_path / "ix"
    report = ingest([corpus_copy], index_dir, jobs=1)
    assert max(generations(index_dir)) == report.pages  # one commit per file
