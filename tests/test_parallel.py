"""Ingest in worker processes gives the same index as one process, and fails the same way."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dlqa import index as dlqa_index
from dlqa.index import ingest, open_index
from dlqa.parallel import FileResult, Job, WorkerWriteError, index_in_workers, split_runs
from dlqa.search import search

QUERIES = ("过拟合", "梯度", "神经网络", "调参", "BERT", "author:匿名用户", "模型 -训练")


@pytest.fixture()
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork workers even for the small sample corpus."""
    monkeypatch.setattr(dlqa_index, "PARALLEL_MIN_BYTES", 0)


def answers(index_dir: Path) -> list[tuple[str, str, str]]:
    """(source file, id, body) of every answer, in document order."""
    with open_index(index_dir).searcher() as searcher:
        return [(stored["source_file"], stored["id"], stored.get("body", ""))
                for stored in searcher.all_stored_fields()]


def ranked(index_dir: Path, query: str) -> tuple[int, list[str]]:
    result = search(index_dir, query, limit=20)
    return result.total, [hit.id for hit in result.results]


def test_workers_give_the_same_index_as_one_process(corpus_copy, tmp_path, always_parallel):
    one = ingest([corpus_copy], tmp_path / "one", jobs=1)
    two = ingest([corpus_copy], tmp_path / "two", jobs=2)
    assert not one.failures and not two.failures
    assert (two.added, two.pages) == (one.added, one.pages)
    assert answers(tmp_path / "two") == answers(tmp_path / "one")  # same order: same ties
    for query in QUERIES:
        assert ranked(tmp_path / "two", query) == ranked(tmp_path / "one", query), query
    with open_index(tmp_path / "two").searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 2  # one segment per worker


def test_workers_replace_a_changed_file_and_skip_unchanged_ones(corpus_copy, tmp_path, always_parallel):
    index_dir = tmp_path / "index"
    first = ingest([corpus_copy], index_dir, jobs=2)
    pages = sorted(corpus_copy.glob("*.txt"))
    changed = pages[0]
    changed.write_text(changed.read_text(encoding="utf-8").replace("的", "之", 1), encoding="utf-8")
    again = ingest([corpus_copy], index_dir, jobs=2)
    assert again.pages == 1 and again.replaced > 0 and again.files_unchanged == first.pages - 1
    assert len(answers(index_dir)) == first.added  # replaced, not duplicated
    fresh = ingest([corpus_copy], tmp_path / "fresh", jobs=1)
    assert sorted(answers(index_dir)) == sorted(answers(tmp_path / "fresh"))
    assert fresh.added == first.added


def test_a_bad_file_in_a_worker_is_one_failure(corpus_copy, tmp_path, always_parallel):
    (corpus_copy / "broken.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    report = ingest([corpus_copy], tmp_path / "index", jobs=2)
    assert [Path(path).name for path, _ in report.failures] == ["broken.html"]
    good = ingest([p for p in corpus_copy.iterdir() if p.name != "broken.html"], tmp_path / "good", jobs=1)
    assert report.added == good.added


def test_split_runs_is_contiguous_and_balanced_by_bytes():
    jobs = [Job(f"f{i}", {}, size) for i, size in enumerate([10, 10, 10, 10, 100, 10, 10, 10])]
    runs = split_runs(jobs, 2)
    assert [job for run in runs for job in run] == jobs
    assert len(runs) == 2
    assert split_runs(jobs[:1], 4) == [jobs[:1]]
    assert sum(len(run) for run in split_runs(jobs, 16)) == len(jobs)


def _die_on_second(writer, job: Job) -> FileResult:
    if job.path.endswith("b"):
        os._exit(3)
    return FileResult(job.path, job.signature, 0)


def test_a_worker_that_dies_marks_its_unreported_files_failed(tmp_path, corpus_index):
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    seen: list[FileResult] = []
    runs = [[Job("a", {}), Job("b", {}), Job("c", {})], [Job("d", {})]]
    index_in_workers(open_index(index_dir), runs, _die_on_second, seen.append)
    outcome = {result.path: result.error for result in seen}
    assert outcome["a"] is None and outcome["d"] is None
    assert "exit code 3" in outcome["b"] and "exit code 3" in outcome["c"]


def _disk_full(writer, job: Job) -> FileResult:
    raise OSError(28, "No space left on device")


def test_a_worker_that_cannot_write_ends_the_ingest(tmp_path, corpus_index):
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    with pytest.raises(WorkerWriteError, match="No space left"):
        index_in_workers(open_index(index_dir), [[Job("a", {})], [Job("b", {})]], _disk_full,
                         lambda result: None)


def _wait_for_the_other_worker(writer, job: Job) -> FileResult:
    """Run 0's file waits until run 1 has sent all its (large) results; run 1 signals it."""
    flag = Path(job.signature["flag"])
    if job.path == "waits":
        for _ in range(600):  # 30 s at most, so a regression fails instead of hanging
            if flag.exists():
                return FileResult(job.path, {}, 0)
            time.sleep(0.05)
        return FileResult(job.path, {}, error="the other worker never finished")
    if job.path == "last":
        flag.touch()
    return FileResult(job.path, {"padding": "x" * 1000}, 0)


def test_every_worker_is_read_while_the_others_are_still_busy(tmp_path, corpus_index):
    """A worker with a full pipe must not wait for the parent to finish with an earlier one."""
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    flag = {"flag": str(tmp_path / "done")}
    chatty = [Job(f"file-{number}", flag) for number in range(300)] + [Job("last", flag)]
    seen: list[FileResult] = []
    index_in_workers(open_index(index_dir), [[Job("waits", flag)], chatty], _wait_for_the_other_worker,
                     seen.append)
    assert [result.error for result in seen if result.path == "waits"] == [None]
    assert len(seen) == 302
