"""Ingest spread over cores: index runs of files in worker processes, in segments.

Why: the analysers and Whoosh's posting writer are Python, so one process uses one core.
Each worker is forked with the segmenter's dictionary already loaded, gets a contiguous run
of the batch's files, writes Whoosh segments without taking Whoosh's lock, and hands each
finished segment back: one at the end of its run, and one whenever the ingest's commit
clock says enough work is ready (a piece), so an interrupted ingest keeps it. The parent,
which holds the lock, commits each round of pieces in one new TOC (`dlqa.store.ingest`),
ordered as a one-process ingest would order the documents (the order of ranking ties).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from dlqa.engine import postings
from dlqa.engine.segments import SegmentIndex
from dlqa.errors import WorkerWriteError


@dataclass
class Job:
    """One file to (re)index: its path and the size/mtime signature the parent took."""

    path: str
    signature: dict[str, Any]
    size: int = 0


@dataclass
class FileResult:
    """What indexing one file gave: its answers' count, or why it failed."""

    path: str
    signature: dict[str, Any] = field(default_factory=dict)
    answers: int = 0
    error: str | None = None


def default_jobs() -> int:
    """Worker processes when the caller does not say: the cores this process may use."""
    with contextlib.suppress(AttributeError, OSError):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def split_runs(jobs: list[Job], parts: int) -> list[list[Job]]:
    """Cut `jobs` into at most `parts` contiguous runs of roughly equal bytes."""
    parts = max(1, min(parts, len(jobs)))
    total = sum(max(job.size, 1) for job in jobs)
    runs: list[list[Job]] = [[] for _ in range(parts)]
    done = 0
    for job in jobs:
        index = min(parts - 1, done * parts // max(total, 1))
        runs[index].append(job)
        done += max(job.size, 1)
    return [run for run in runs if run]


#: A worker's piece: its segment (None when its files gave no answers) and its place,
#: (run number, piece number), in the batch's file order.
Piece = tuple[tuple[int, int], Any]


def index_in_workers(ix: SegmentIndex, runs: list[list[Job]],
                     index_file: Callable[[Any, Job], FileResult],
                     on_file: Callable[[FileResult], None],
                     on_progress: Callable[[str], None] | None = None,
                     piece_done: Callable[[float, float], bool] | None = None,
                     on_pieces: Callable[[list[Piece]], None] | None = None) -> list[Any]:
    """Index each run in its own forked worker; return the finished segments in run order.

    `index_file(writer, job)` does one file (the same function a one-process ingest uses);
    `on_progress` hears of each file as a worker finishes it, and `on_file` gets every file's
    outcome once the segment holding it exists. `piece_done(seconds, seconds_left)` tells a
    worker, after each file, whether the segment it has been writing for `seconds` (with its
    run's end expected in `seconds_left`) is to be handed over now (a piece): the rest of its run goes into a new segment. Whenever every worker still
    running has handed over a piece, `on_pieces` gets them (the ingest commits them); the
    pieces it was not given are returned. A worker that crashes or dies fails the files of
    its unfinished piece; one that cannot write raises `WorkerWriteError` here, after every
    worker has stopped.
    """
    import multiprocessing  # (imported here: a small ingest forks no workers)
    from multiprocessing import connection

    context = multiprocessing.get_context("fork")
    channels = []
    processes = []
    try:
        for run in runs:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(ix, run, index_file, sender, piece_done),
                                      daemon=True)
            process.start()
            sender.close()
            channels.append(receiver)
            processes.append(process)
        finished = [False] * len(runs)  # the worker sent its last piece
        write_error: OSError | None = None
        crashes: list[str | None] = [None] * len(runs)
        results: list[list[FileResult]] = [[] for _ in runs]  # files of each unfinished piece
        pieces_sent = [0] * len(runs)
        handed_over = [0] * len(runs)  # files of each run in pieces already handed over
        ready: list[Piece] = []
        running = set(range(len(runs)))
        delivered: set[int] = set()
        # Read every worker's pipe as messages arrive: a worker whose pipe is not drained
        # blocks on its next send once the pipe's buffer (64 KB, a few hundred files) fills.
        open_channels = dict(enumerate(channels))
        while open_channels:
            for receiver in connection.wait(list(open_channels.values())):
                number = channels.index(receiver)
                try:
                    kind, payload = receiver.recv()
                except (EOFError, OSError):  # the worker closed its end, or died
                    del open_channels[number]
                    running.discard(number)
                    continue
                if kind == "file":
                    results[number].append(payload)
                    if on_progress is not None:
                        on_progress(payload.path)
                elif kind in ("piece", "segment") and write_error is None:
                    ready.append(((number, pieces_sent[number]), payload))
                    pieces_sent[number] += 1
                    delivered.add(number)
                    for result in results[number]:
                        on_file(result)
                    handed_over[number] += len(results[number])
                    results[number] = []
                    if kind == "segment":
                        finished[number] = True
                        running.discard(number)
                elif kind == "write-error" and write_error is None:
                    write_error = payload
                elif kind == "crash":
                    crashes[number] = payload
                if on_pieces is not None and ready and write_error is None and running <= delivered:
                    handed, ready, delivered = ready, [], set()
                    on_pieces(handed)
        for number, run in enumerate(runs):
            processes[number].join()
            if write_error is not None or finished[number]:
                continue
            reason = crashes[number] or f"indexing process died (exit code {processes[number].exitcode})"
            failed = {result.path: result for result in results[number] if result.error}
            for job in run[handed_over[number]:]:  # (a worker does its run in order)
                on_file(failed.get(job.path) or FileResult(job.path, job.signature, error=reason))
        if write_error is not None:
            raise WorkerWriteError(write_error)
        return [segment for _, segment in ready if segment is not None]
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for receiver in channels:
            receiver.close()


def _seconds_left(elapsed: float, bytes_left: int, run: list[Job]) -> float:
    """The time the rest of `run` should take at the pace so far (by bytes)."""
    total = sum(max(job.size, 1) for job in run)
    done = total - bytes_left
    return elapsed * bytes_left / done if done > 0 else float("inf")


def _worker(ix: SegmentIndex, run: list[Job], index_file: Callable[[Any, Job], FileResult],
            sender: Any, piece_done: Callable[[float, float], bool] | None = None) -> None:
    """Child process: index `run` into segments, send them back, then exit.

    Ctrl-C reaches the whole process group; the parent decides what happens, so the child
    only stops, quietly, without a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work(ix, run, index_file, sender, parent=os.getppid(), piece_done=piece_done)
    finally:
        os._exit(0)  # skip the parent's atexit handlers and inherited buffers


def work(ix: SegmentIndex, run: list[Job], index_file: Callable[[Any, Job], FileResult],
         sender: Any, parent: int, piece_done: Callable[[float, float], bool] | None = None) -> None:
    """A worker's job: index `run` into segments and send them through `sender`.

    After each file, `piece_done(seconds the segment has been open, seconds the rest of the
    run should take)` may say to hand the segment over now ("piece"), so the parent can commit it while the rest of the run goes
    on into a new one; the last segment is sent as "segment" (None: no answers in it).
    Stops without a segment as soon as process `parent` is gone (killed, or its terminal
    closed): a sibling worker still holds the pipe's read end, so sends would not fail, and
    an orphan would go on writing segment files no commit will ever list.
    """
    writer = None
    try:
        writer, opened = postings.worker_writer(ix), time.monotonic()
        began, left = opened, sum(max(job.size, 1) for job in run)
        for number, job in enumerate(run, start=1):
            if os.getppid() != parent:
                return
            sender.send(("file", index_file(writer, job)))
            left -= max(job.size, 1)
            now = time.monotonic()
            if number < len(run) and piece_done is not None \
                    and piece_done(now - opened, _seconds_left(now - began, left, run)):
                if os.getppid() != parent:
                    return
                segment = postings.finish_segment(writer)
                writer = None
                sender.send(("piece", segment))
                writer, opened = postings.worker_writer(ix), time.monotonic()
        if os.getppid() != parent:
            return
        segment = postings.finish_segment(writer)
        writer = None
        sender.send(("segment", segment))  # None: the run gave no answers
    except OSError as error:
        with contextlib.suppress(Exception):
            sender.send(("write-error", error))
    except Exception as error:  # a bug: say what it was; the parent fails the run's other files
        with contextlib.suppress(Exception):
            sender.send(("crash", f"indexing process failed: {type(error).__name__}: {error}"))
    finally:
        if writer is not None:  # (not writer.cancel(): see `postings.abandon`)
            with contextlib.suppress(Exception):
                postings.abandon(writer)
        sender.close()
