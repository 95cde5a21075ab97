"""Two processes on one index: searches during an ingest, and a second ingest while one runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from filelock import FileLock
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.search import search
from dlqa.store import ingest as dlqa_ingest
from dlqa.store.ingest import ingest
from tests.test_crash import answer_set, dlqa_env, make_corpus, start_ingest
from tests.test_crash import warm_jieba as warm_jieba  # noqa: F401  (a fixture)

runner = CliRunner()


def toc_names(index_dir: Path) -> list[str]:
    return sorted(name for name in os.listdir(index_dir) if name.endswith(".toc"))


def test_searches_during_an_ingest_see_old_or_new_answers_never_an_error(tmp_path, warm_jieba):
    corpus = make_corpus(tmp_path / "corpus", 8)
    index_dir = tmp_path / "ix"
    first = sorted(corpus.glob("*.txt"))[:1]
    ingest(first, index_dir)
    old_total = search(index_dir, "模型", limit=1).total
    assert old_total > 0

    proc = start_ingest(corpus, index_dir)  # commits after every file: many new generations
    totals: list[int] = []
    deadline = time.monotonic() + 40
    while proc.poll() is None and time.monotonic() < deadline:
        totals.append(search(index_dir, "模型", limit=1).total)  # must never raise
        found = runner.invoke(app, ["search", "模型", "--jsonl", "--index", str(index_dir)])
        assert found.exit_code == 0, found.output
        assert all(json.loads(line)["id"] for line in found.stdout.splitlines())
    assert proc.wait(timeout=30) == 0, proc.stderr.read()
    totals.append(search(index_dir, "模型", limit=1).total)

    assert len(totals) >= 5
    assert totals == sorted(totals), "a search saw answers disappear"  # only files are added
    assert totals[0] >= old_total and len(set(totals)) >= 3  # the searches overlapped several commits


def test_a_second_ingest_waits_then_says_busy_and_changes_nothing(tmp_path):
    index_dir = tmp_path / "ix"
    corpus = make_corpus(tmp_path / "corpus", 2)
    ingest([corpus / sorted(os.listdir(corpus))[0]], index_dir)
    before = (answer_set(index_dir), toc_names(index_dir))

    with FileLock(str(index_dir / dlqa_ingest.INGEST_LOCK)):  # what a running ingest holds
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-m", "dlqa", "ingest", str(corpus), "--index", str(index_dir),
                               "--wait", "0.5"], capture_output=True, text=True, timeout=60, env=dlqa_env())
        waited = time.monotonic() - started
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [
        f"dlqa: index at {index_dir} is busy: another dlqa ingest is running "
        "(waited 0.5 s; try again later or use --wait)"]
    assert 0.5 <= waited < 30
    assert (answer_set(index_dir), toc_names(index_dir)) == before


def test_busy_wait_comes_from_the_environment(tmp_path):
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with FileLock(str(index_dir / dlqa_ingest.INGEST_LOCK)):
        result = runner.invoke(app, ["ingest", str(tmp_path), "--index", str(index_dir)], env={"DLQA_WAIT": "0.2"})
    assert result.exit_code == 1
    assert "busy" in result.output and "waited 0.2 s" in result.output


def test_two_real_ingests_one_waits_for_the_other(tmp_path, warm_jieba):
    corpus = make_corpus(tmp_path / "corpus", 6)
    index_dir = tmp_path / "ix"
    first = start_ingest(corpus, index_dir)
    deadline = time.monotonic() + 30
    while not (index_dir / "dlqa-index.json").exists():  # the first one holds the lock by now
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    patient = start_ingest(corpus, index_dir, "--wait", "60")
    impatient = subprocess.run([sys.executable, "-m", "dlqa", "ingest", str(corpus), "--index", str(index_dir),
                                "--wait", "0"], capture_output=True, text=True, timeout=60, env=dlqa_env())
    first_still_running = first.poll() is None
    assert first.wait(timeout=60) == 0, first.stderr.read()
    patient_out, patient_err = patient.communicate(timeout=60)
    assert patient.returncode == 0, patient_err

    if first_still_running:  # (on a very fast machine the first may be done already)
        assert impatient.returncode == 1
        assert impatient.stderr.startswith(f"dlqa: index at {index_dir} is busy")
    assert "0 pages parsed" in patient_out  # it waited, then found everything indexed
    rows = answer_set(index_dir)
    assert len(rows) == len(set(rows))
    assert {row[0] for row in rows} == {str(path.resolve()) for path in corpus.glob("*.txt")}
