"""Ingest spread over cores: index runs of files in worker processes, one segment each.

Why: jieba and Whoosh's posting writer are pure Python, so one process uses one core, and
segmenting alone runs at about 1 MB/s. Each worker is forked with jieba's dictionary already
loaded, gets a contiguous run of the batch's files (so document order, and with it the order
of ranking ties, is the order a one-process ingest gives), writes its own Whoosh segment
without taking Whoosh's lock, and hands the finished segment back. The parent, which holds
the lock, commits all of them in one new TOC (`dlqa.store.ingest`), so a batch is visible
entirely or not at all, exactly as with one process.
"""

from __future__ import annotations

import contextlib
import os
import signal
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


def index_in_workers(ix: SegmentIndex, runs: list[list[Job]],
                     index_file: Callable[[Any, Job], FileResult],
                     on_file: Callable[[FileResult], None],
                     on_progress: Callable[[str], None] | None = None) -> list[Any]:
    """Index each run in its own forked worker; return the finished segments in run order.

    `index_file(writer, job)` does one file (the same function a one-process ingest uses);
    `on_progress` hears of each file as a worker finishes it, and `on_file` gets every file's
    outcome once its worker has handed over its segment: a file is only indexed once its
    segment exists. A worker that crashes or dies fails its whole run, files it had already
    done included; one that cannot write raises `WorkerWriteError` here, after every worker
    has stopped.
    """
    import multiprocessing  # (imported here: a small ingest forks no workers)
    from multiprocessing import connection

    context = multiprocessing.get_context("fork")
    channels = []
    processes = []
    try:
        for run in runs:
            receiver, sender = context.Pipe(duplex=False)
            process = context.Process(target=_worker, args=(ix, run, index_file, sender), daemon=True)
            process.start()
            sender.close()
            channels.append(receiver)
            processes.append(process)
        segments: list[Any] = [None] * len(runs)
        finished = [False] * len(runs)  # the worker sent its segment, or said it had none
        write_error: OSError | None = None
        crashes: list[str | None] = [None] * len(runs)
        results: list[list[FileResult]] = [[] for _ in runs]
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
                    continue
                if kind == "file":
                    results[number].append(payload)
                    if on_progress is not None:
                        on_progress(payload.path)
                elif kind == "segment":
                    segments[number], finished[number] = payload, True
                elif kind == "write-error" and write_error is None:
                    write_error = payload
                elif kind == "crash":
                    crashes[number] = payload
        for number, run in enumerate(runs):
            processes[number].join()
            if write_error is not None:
                continue
            if finished[number]:
                for result in results[number]:
                    on_file(result)
                continue
            reason = crashes[number] or f"indexing process died (exit code {processes[number].exitcode})"
            failed = {result.path: result for result in results[number] if result.error}
            for job in run:
                on_file(failed.get(job.path) or FileResult(job.path, job.signature, error=reason))
        if write_error is not None:
            raise WorkerWriteError(write_error)
        return [segment for segment in segments if segment is not None]
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
            process.join()
        for receiver in channels:
            receiver.close()


def _worker(ix: SegmentIndex, run: list[Job], index_file: Callable[[Any, Job], FileResult],
            sender: Any) -> None:
    """Child process: index `run` into a fresh segment and send it back, then exit.

    Ctrl-C reaches the whole process group; the parent decides what happens, so the child
    only stops, quietly, without a traceback.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        work(ix, run, index_file, sender, parent=os.getppid())
    finally:
        os._exit(0)  # skip the parent's atexit handlers and inherited buffers


def work(ix: SegmentIndex, run: list[Job], index_file: Callable[[Any, Job], FileResult],
         sender: Any, parent: int) -> None:
    """A worker's job: index `run` into a fresh segment and send it through `sender`.

    Stops without a segment as soon as process `parent` is gone (killed, or its terminal
    closed): a sibling worker still holds the pipe's read end, so sends would not fail, and
    an orphan would go on writing segment files no commit will ever list.
    """
    writer = None
    try:
        writer = postings.worker_writer(ix)
        for job in run:
            if os.getppid() != parent:
                return
            sender.send(("file", index_file(writer, job)))
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
