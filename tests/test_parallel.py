"""Ingest in worker processes gives the same index as one process, and fails the same way."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from dlqa.errors import WorkerWriteError
from dlqa.results import answer_fields
from dlqa.search import search
from dlqa.store import ingest as dlqa_ingest
from dlqa.store import workers as parallel
from dlqa.store.ingest import ingest
from dlqa.store.opening import open_index
from dlqa.store.workers import FileResult, Job, index_in_workers, split_runs, work

QUERIES = ("过拟合", "梯度", "神经网络", "调参", "BERT", "author:匿名用户", "模型 -训练")


@pytest.fixture()
def always_parallel(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork workers even for the small sample corpus."""
    monkeypatch.setattr(dlqa_ingest, "PARALLEL_MIN_BYTES", 0)


def answers(index_dir: Path) -> list[tuple[str, str, str]]:
    """(source file, id, body) of every answer, in document order."""
    with open_index(index_dir).searcher() as searcher:
        fields = [answer_fields(searcher, doc) for doc in searcher.reader().all_doc_ids()]
        return [(stored["source_file"], stored["id"], stored["body"]) for stored in fields]


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


def test_a_worker_whose_files_give_no_answers_does_not_break_the_commit(corpus_copy, tmp_path, always_parallel):
    """The second worker's run is all unreadable files: it ends without a segment."""
    size = sum(path.stat().st_size for path in corpus_copy.iterdir())
    for number in range(4):  # as many bytes as the good pages: a run of their own, sorted last
        (corpus_copy / f"zz{number}.html").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * (size // 1024 + 1))
    report = ingest([corpus_copy], tmp_path / "index", jobs=2)
    assert sorted(Path(path).name for path, _ in report.failures) == [f"zz{n}.html" for n in range(4)]
    good = ingest([p for p in corpus_copy.iterdir() if not p.name.startswith("zz")], tmp_path / "good", jobs=1)
    assert report.added == good.added > 0
    assert search(tmp_path / "index", "过拟合").total == search(tmp_path / "good", "过拟合").total > 0


def test_a_crashing_worker_fails_its_files_and_the_rest_is_committed(corpus_copy, tmp_path, always_parallel,
                                                                      monkeypatch):
    """A worker that stops on a bug must leave alone the temporary folder every writer of the
    index shares: cancelling its writer deleted the parent's files, failing the commit."""
    from dlqa.store.ingest import index_file

    def crash_on_second_run(writer, job: Job) -> FileResult:
        if Path(job.path).name.startswith("zz"):
            raise RuntimeError("a bug")
        return index_file(writer, job)

    def zz_alone(jobs: list[Job], parts: int) -> list[list[Job]]:
        return [[job for job in jobs if "zz" not in job.path], [job for job in jobs if "zz" in job.path]]

    (corpus_copy / "zz.txt").write_text("标题\n\n过拟合。\n", encoding="utf-8")
    monkeypatch.setattr(dlqa_ingest, "index_file", crash_on_second_run)
    monkeypatch.setattr(parallel, "split_runs", zz_alone)
    report = ingest([corpus_copy], tmp_path / "index", jobs=2)
    assert report.failures == [(str(corpus_copy / "zz.txt"), "indexing process failed: RuntimeError: a bug")]
    with open_index(tmp_path / "index").searcher() as searcher:
        assert len(searcher.reader().leaf_readers()) == 1  # the good worker's segment
    monkeypatch.undo()
    good = ingest([p for p in corpus_copy.iterdir() if p.name != "zz.txt"], tmp_path / "good", jobs=1)
    assert report.added == good.added > 0
    assert search(tmp_path / "index", "过拟合").total == search(tmp_path / "good", "过拟合").total > 0


def _crash_on_second(writer, job: Job) -> FileResult:
    if job.path == "b":
        raise RuntimeError("a bug")
    return FileResult(job.path, job.signature, 0)


def test_a_worker_that_crashes_fails_its_remaining_files_with_the_reason(tmp_path, corpus_index):
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    seen: list[FileResult] = []
    runs = [[Job("a", {}), Job("b", {}), Job("c", {})], [Job("d", {})]]
    index_in_workers(open_index(index_dir), runs, _crash_on_second, seen.append)
    outcome = {result.path: result.error for result in seen}
    assert outcome["d"] is None
    assert outcome["a"] == outcome["b"] == outcome["c"] == "indexing process failed: RuntimeError: a bug"


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


def test_a_worker_that_dies_fails_its_whole_run(tmp_path, corpus_index):
    """"a" was done, but its answers were in the segment the dead worker never handed over."""
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    seen: list[FileResult] = []
    progress: list[str] = []
    runs = [[Job("a", {}), Job("b", {}), Job("c", {})], [Job("d", {})]]
    index_in_workers(open_index(index_dir), runs, _die_on_second, seen.append, progress.append)
    outcome = {result.path: result.error for result in seen}
    assert sorted(outcome) == ["a", "b", "c", "d"] and outcome["d"] is None
    assert all("exit code 3" in outcome[path] for path in "abc")
    assert sorted(progress) == ["a", "d"]  # progress hears of files as they are done


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


class _Pipe:
    """A worker's sending end, recording what it sends."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, object]] = []
        self.closed = False

    def send(self, message: tuple[str, object]) -> None:
        self.sent.append(message)

    def close(self) -> None:
        self.closed = True


def test_a_worker_whose_parent_is_gone_stops_without_writing_a_segment(tmp_path, corpus_index, monkeypatch):
    """Killed ingest: its workers, now orphans, stop at the next file and leave no segment."""
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    ix = open_index(index_dir)
    indexed: list[str] = []

    def index_file(writer, job: Job) -> FileResult:
        indexed.append(job.path)
        return FileResult(job.path, {}, 0)

    parents = iter([100, 100, 1])  # the parent dies after the second file
    monkeypatch.setattr(os, "getppid", lambda: next(parents, 1))
    pipe = _Pipe()
    work(ix, [Job("a", {}), Job("b", {}), Job("c", {})], index_file, pipe, parent=100)
    assert indexed == ["a", "b"]
    assert [kind for kind, _ in pipe.sent] == ["file", "file"] and pipe.closed
    before = set(os.listdir(index_dir))

    monkeypatch.setattr(os, "getppid", lambda: 100)  # the parent lives: the segment is sent
    pipe = _Pipe()
    work(ix, [Job("a", {})], _real_file(corpus_index), pipe, parent=100)
    assert [kind for kind, _ in pipe.sent] == ["file", "segment"]
    assert set(os.listdir(index_dir)) > before


def _real_file(corpus_index: Path):
    """index_file over one real page of the sample corpus, whatever job it is given."""
    from dlqa.store.ingest import index_file
    from tests.helpers import SEEDS

    def run(writer, job: Job) -> FileResult:
        return index_file(writer, Job(str(SEEDS[0]), {"size": 1, "mtime_ns": 1}))

    return run


def test_a_worker_that_dies_keeps_the_pieces_it_handed_over(tmp_path, corpus_index):
    """With a piece after every file, "a" was handed over before the worker died on "b"."""
    index_dir = tmp_path / "index"
    shutil.copytree(corpus_index, index_dir)
    seen: list[FileResult] = []
    rounds: list[list[tuple[int, int]]] = []
    runs = [[Job("a", {}), Job("b", {}), Job("c", {})], [Job("d", {})]]
    index_in_workers(open_index(index_dir), runs, _die_on_second, seen.append,
                     piece_done=lambda seconds, seconds_left: True,
                     on_pieces=lambda pieces: rounds.append([place for place, _ in pieces]))
    outcome = {result.path: result.error for result in seen}
    assert outcome["a"] is None and outcome["d"] is None
    assert "exit code 3" in outcome["b"] and "exit code 3" in outcome["c"]
    assert sorted(place for handed in rounds for place in handed) == [(0, 0), (1, 0)]
