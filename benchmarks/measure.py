"""Run a command and measure its wall time and peak memory, the way the benchmark reports them.

Why not just `/usr/bin/time -v`: its "Maximum resident set size" is the largest single process,
not the tree, and an indexer with `procs=2` runs three processes at once. So a thread samples
the whole process tree every 50 ms from /proc and sums each process's PSS (proportional set
size, so pages shared after fork are counted once; RSS where smaps_rollup is unavailable).
The largest single process's max RSS also comes back, from `os.wait4` (the very number
`/usr/bin/time -v` prints), as a cross-check that does not depend on sampling.
"""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

POLL_SECONDS = 0.05


@dataclass
class Run:
    """What one measured command did."""

    argv: list[str]
    returncode: int
    seconds: float
    #: Peak of the sampled sum of PSS (else RSS) over the process tree, in bytes.
    peak_tree_bytes: int
    #: Max RSS of the largest single process in the tree, from wait4, in bytes.
    max_rss_bytes: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def _children_map() -> dict[int, list[int]]:
    """ppid → pids for every process visible in /proc."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name may contain spaces and parentheses; fields resume after the last ")".
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    return children


def _tree(root: int) -> list[int]:
    children = _children_map()
    pids, stack = [], [root]
    while stack:
        pid = stack.pop()
        pids.append(pid)
        stack.extend(children.get(pid, ()))
    return pids


def _memory(pid: int) -> int:
    """PSS of one process in bytes (RSS as a fallback), 0 if it is gone."""
    for name, key in (("smaps_rollup", "Pss:"), ("status", "VmRSS:")):
        kib = _proc_kib(f"/proc/{pid}/{name}", key)
        if kib is not None:
            return kib * 1024
    return 0


def _proc_kib(path: str, key: str) -> int | None:
    """The kB value of the line starting with `key` in a /proc file, None if absent or gone."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith(key):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def run(
    argv: Sequence[str],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 3600,
) -> Run:
    """Run `argv` to completion, sampling its process tree's memory; never raises on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(
        list(argv), cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            total = sum(_memory(pid) for pid in _tree(process.pid))
            peak = max(peak, total)
            done.wait(POLL_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    outputs: dict[str, str] = {}

    def drain(name: str, stream: object) -> None:
        outputs[name] = stream.read()  # type: ignore[attr-defined]

    readers = [
        threading.Thread(target=drain, args=("stdout", process.stdout), daemon=True),
        threading.Thread(target=drain, args=("stderr", process.stderr), daemon=True),
    ]
    for reader in readers:
        reader.start()
    deadline = started + timeout
    status, usage = 0, None
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() > deadline:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.005)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    for reader in readers:
        reader.join()
    max_rss = usage.ru_maxrss * 1024 if usage is not None else 0
    # A process shorter than one sampling period may never be sampled: fall back to wait4.
    return Run(
        list(argv),
        process.returncode,
        seconds,
        peak or max_rss,
        max_rss,
        outputs.get("stdout", ""),
        outputs.get("stderr", ""),
    )


def wall(
    argv: Sequence[str], cwd: Path | None = None, timeout: float = 600
) -> tuple[float, int, str]:
    """Wall time of one short command, without sampling overhead: (seconds, exit code, stderr).

    Python's bytecode cache is left on (as on a user's machine) even when the caller's
    environment turns it off: with PYTHONDONTWRITEBYTECODE an editable install recompiles
    every module of the package on every run (~30 ms for dlqa), which no user pays.
    """
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    started = time.perf_counter()
    try:
        done = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return time.perf_counter() - started, -1, "timeout"
    return time.perf_counter() - started, done.returncode, done.stderr


def directory_bytes(path: Path) -> int:
    """Bytes of all regular files under `path` (the index size on disk)."""
    return (
        sum(entry.stat().st_size for entry in path.rglob("*") if entry.is_file())
        if path.exists()
        else 0
    )
