"""One command that measures dlqa against the naive Whoosh + jieba index and ripgrep.

    python3 benchmarks/run.py --answers 10000 [--keep DIR] [--skip-naive] [--skip-rg] [--skip-dlqa]

Why one command, one run: the issue's targets are only meaningful as ratios measured on the
same machine, the same corpus and the same page cache state. The script generates the corpus
(or reuses the one in `--keep DIR` when it was made with the same size, seed and generator
version), builds every index, asks every tool the same 30 terms, prints a table with the
targets and the ratios, and writes everything to `benchmarks/out/results-N.json`.

Every part degrades to "n/a" with a reason instead of failing: `dlqa ingest` not there yet,
`dlqa.search` not importable, ripgrep not installed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import measure  # noqa: E402
from generate import GENERATOR_VERSION, generate, load_truth  # noqa: E402
from terms import QUESTIONS, queries  # noqa: E402

FRESH_QUERY = "过拟合"
MIB = 1024 * 1024

#: The issue's targets, by corpus size: a run is judged against the first size ≥ its own.
TARGETS: dict[int, dict[str, float]] = {
    10_000: {
        "ingest_s": 15,
        "peak_mib": 600,
        "reingest_s": 10,
        "index_ratio": 2.5,
        "p95_ms": 20,
        "fresh_s": 0.15,
        "correct": 30,
    },
    100_000: {
        "ingest_s": 180,
        "peak_mib": 600,
        "reingest_s": 10,
        "index_ratio": 2.5,
        "p95_ms": 60,
        "fresh_s": 0.25,
        "correct": 30,
    },
}
#: For these metrics more is better; for every other target, less is.
HIGHER_IS_BETTER = {"correct"}


@dataclass
class Column:
    """One tool's figures; a missing figure is None and prints as n/a."""

    name: str
    metrics: dict[str, float | None] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    #: ripgrep only: files with a match, per term.
    files: dict[str, int] = field(default_factory=dict)

    def get(self, key: str) -> float | None:
        return self.metrics.get(key)


ROWS: tuple[tuple[str, str, str], ...] = (
    ("ingest_s", "ingest wall (s)", "{:.1f}"),
    ("answers_per_s", "answers/s", "{:,.0f}"),
    ("mb_per_s", "MB/s of answer text", "{:.2f}"),
    ("peak_mib", "peak memory, tree PSS (MiB)", "{:.0f}"),
    ("max_rss_mib", "max RSS, largest process (MiB)", "{:.0f}"),
    ("index_mb", "index on disk (MB)", "{:.1f}"),
    ("index_ratio", "index / answer text (x)", "{:.2f}"),
    ("reingest_s", "re-ingest unchanged (s)", "{:.1f}"),
    ("p50_ms", "query p50, 30 terms (ms)", "{:.1f}"),
    ("p95_ms", "query p95, 30 terms (ms)", "{:.1f}"),
    ("question_p50_ms", f"question p50, {len(QUESTIONS)} questions (ms)", "{:.1f}"),
    ("question_p95_ms", f"question p95, {len(QUESTIONS)} questions (ms)", "{:.1f}"),
    ("fresh_s", f"fresh-process search {FRESH_QUERY} median (s)", "{:.3f}"),
    ("correct", "correct counts (of 30 terms)", "{:.0f}"),
)
RATIO_ROWS = ("ingest_s", "peak_mib", "index_mb", "reingest_s", "p50_ms", "p95_ms", "fresh_s")


# ---- small helpers ----------------------------------------------------------------------------


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank-interpolated percentile via statistics.quantiles (p95 = 95th of 100 cuts)."""
    if len(samples) < 2:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[round(fraction * 100) - 1]


def fresh_median(argv: list[str], runs: int) -> tuple[float | None, str]:
    """Median wall time of `runs` fresh processes after one untimed warm-up (page cache)."""
    _, code, stderr = measure.wall(argv)
    if code != 0:
        return None, f"{' '.join(argv[:3])}… exited {code}: {stderr.strip()[-300:]}"
    times = []
    for _ in range(runs):
        seconds, code, stderr = measure.wall(argv)
        if code != 0:
            return None, f"exited {code}: {stderr.strip()[-300:]}"
        times.append(seconds)
    return statistics.median(times), ""


def text_width(text: str) -> int:
    """Display width in a terminal: CJK characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def pad(text: str, width: int, right: bool = False) -> str:
    gap = " " * max(0, width - text_width(text))
    return gap + text if right else text + gap


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions: dict[str, str] = {}
    for package in ("whoosh3", "jieba", "dlqa"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:  # noqa: BLE001 - a missing package is just not listed
            versions[package] = "not installed"
    rg = shutil.which("rg")
    if rg:
        versions["ripgrep"] = subprocess.run(
            [rg, "--version"], capture_output=True, text=True
        ).stdout.split("\n")[0]
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu": model,
        "memory_gib": round(memory / 1024**3, 1),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "versions": versions,
        "load_start": round(os.getloadavg()[0], 2),
    }


def dlqa_command() -> list[str]:
    """The `dlqa` entry point installed for this interpreter, as a user runs it from a venv
    or pipx; else the one on PATH; else `python -m dlqa`.

    Not PATH first: with pyenv, PATH finds a bash shim that runs `pyenv exec`, which added
    ~70 ms to every fresh search here; that is pyenv's start-up, not dlqa's.
    """
    beside = Path(sys.executable).parent / "dlqa"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("dlqa")
    return [found] if found else [sys.executable, "-m", "dlqa"]


def ingest_metrics(
    column: Column, run: measure.Run, answers: int, text_bytes: int, index: Path
) -> None:
    column.metrics["ingest_s"] = run.seconds
    column.metrics["answers_per_s"] = answers / run.seconds
    column.metrics["mb_per_s"] = text_bytes / 1e6 / run.seconds
    column.metrics["peak_mib"] = run.peak_tree_bytes / MIB
    column.metrics["max_rss_mib"] = run.max_rss_bytes / MIB
    size = measure.directory_bytes(index)
    column.metrics["index_mb"] = size / 1e6
    column.metrics["index_ratio"] = size / text_bytes


def latency_metrics(
    column: Column, samples: list[float], totals: dict[str, int], truth: dict[str, int]
) -> None:
    column.metrics["p50_ms"] = statistics.median(samples) * 1000
    column.metrics["p95_ms"] = percentile(samples, 0.95) * 1000
    column.counts = totals
    column.metrics["correct"] = sum(totals.get(term) == truth[term] for term in queries())


# ---- the three tools ----------------------------------------------------------------------------


def bench_dlqa(
    corpus: Path, work: Path, truth: dict[str, object], args: argparse.Namespace
) -> Column:
    """dlqa: ingest, re-ingest, in-process latency (probe_dlqa.py), fresh-process CLI search."""
    column = Column("dlqa")
    base = dlqa_command()
    help_code = measure.wall([*base, "ingest", "--help"])[1]
    index = work / "index-dlqa"
    if help_code != 0:
        column.notes.append(
            "`dlqa ingest --help` fails: dlqa ingest is not there yet, dlqa not measured"
        )
        return column
    shutil.rmtree(index, ignore_errors=True)
    pages = corpus / "pages"
    print(f"[dlqa] ingest {pages} …", flush=True)
    first = measure.run([*base, "ingest", str(pages), "--index", str(index)], timeout=args.timeout)
    if not first.ok:
        column.notes.append(f"dlqa ingest exited {first.returncode}: {first.stderr.strip()[-400:]}")
        return column
    text_bytes = int(str(truth["answer_text_bytes"]))
    ingest_metrics(column, first, int(str(truth["answers"])), text_bytes, index)
    print(f"[dlqa] ingest {first.seconds:.1f} s; re-ingest …", flush=True)
    second = measure.run([*base, "ingest", str(pages), "--index", str(index)], timeout=args.timeout)
    column.metrics["reingest_s"] = second.seconds if second.ok else None
    if not second.ok:
        column.notes.append(f"re-ingest exited {second.returncode}: {second.stderr.strip()[-300:]}")
    print("[dlqa] in-process latency …", flush=True)
    probe = subprocess.run(
        [
            sys.executable,
            str(HERE / "probe_dlqa.py"),
            "--index",
            str(index),
            "--repeat",
            str(args.repeat),
        ],
        capture_output=True,
        text=True,
        timeout=args.timeout,
    )
    try:
        result = json.loads(probe.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        result = {
            "error": f"probe_dlqa.py exited {probe.returncode}: {probe.stderr.strip()[-300:]}"
        }
    if "error" in result:
        column.notes.append(f"in-process latency n/a: {result['error']}")
    else:
        latency_metrics(column, result["samples"], result["totals"], truth["terms"])  # type: ignore[arg-type]
        questions = result.get("question_samples") or []
        if questions:  # no target: what a typed question costs next to a one-word query
            column.metrics["question_p50_ms"] = statistics.median(questions) * 1000
            column.metrics["question_p95_ms"] = percentile(questions, 0.95) * 1000
    print("[dlqa] fresh-process search …", flush=True)
    median, problem = fresh_median(
        [*base, "search", FRESH_QUERY, "--jsonl", "--index", str(index)], args.fresh_runs
    )
    column.metrics["fresh_s"] = median
    if problem:
        column.notes.append(f"fresh-process search n/a: {problem}")
    return column


def bench_naive(
    corpus: Path, work: Path, truth: dict[str, object], args: argparse.Namespace
) -> Column:
    """Naive Whoosh + jieba ChineseAnalyzer, one doc per answer, writer procs=N."""
    column = Column(f"naive whoosh+jieba (procs={args.naive_procs})")
    index = work / "index-naive"
    shutil.rmtree(index, ignore_errors=True)
    script = str(HERE / "naive.py")
    print(f"[naive] ingest (procs={args.naive_procs}) …", flush=True)
    run = measure.run(
        [
            sys.executable,
            script,
            "ingest",
            "--corpus",
            str(corpus),
            "--index",
            str(index),
            "--procs",
            str(args.naive_procs),
            "--source",
            args.naive_source,
        ],
        timeout=args.timeout,
    )
    if not run.ok:
        column.notes.append(f"naive ingest exited {run.returncode}: {run.stderr.strip()[-400:]}")
        return column
    info = json.loads(run.stdout.strip().splitlines()[-1])
    text_bytes = int(str(truth["answer_text_bytes"]))
    ingest_metrics(column, run, int(str(truth["answers"])), text_bytes, index)
    # The naive index has no incremental mode: re-ingesting is the same full rebuild.
    column.metrics["reingest_s"] = run.seconds
    column.notes.append(
        f"naive indexed {info['answers']} answers taken from "
        + (
            "dlqa's extraction"
            if info["source"] == "extract"
            else "the generator's answers.jsonl (extraction not timed)"
        )
        + f" ({info['source_note']}); re-ingest = full rebuild"
    )
    print(f"[naive] ingest {run.seconds:.1f} s; latency …", flush=True)
    latency = subprocess.run(
        [sys.executable, script, "latency", "--index", str(index), "--repeat", str(args.repeat)],
        capture_output=True,
        text=True,
        timeout=args.timeout,
    )
    if latency.returncode == 0:
        result = json.loads(latency.stdout.strip().splitlines()[-1])
        latency_metrics(column, result["samples"], result["totals"], truth["terms"])  # type: ignore[arg-type]
        questions = result.get("question_samples") or []
        if questions:  # no target: what a typed question costs next to a one-word query
            column.metrics["question_p50_ms"] = statistics.median(questions) * 1000
            column.metrics["question_p95_ms"] = percentile(questions, 0.95) * 1000
    else:
        column.notes.append(f"naive latency failed: {latency.stderr.strip()[-300:]}")
    print("[naive] fresh-process search …", flush=True)
    median, problem = fresh_median(
        [sys.executable, script, "search", FRESH_QUERY, "--jsonl", "--index", str(index)],
        args.fresh_runs,
    )
    column.metrics["fresh_s"] = median
    if problem:
        column.notes.append(f"naive fresh-process search n/a: {problem}")
    return column


def bench_rg(corpus: Path, args: argparse.Namespace) -> Column:
    """ripgrep over the raw pages: no index, no answers, no ranking; a floor for "fresh" time."""
    column = Column("ripgrep")
    rg = shutil.which("rg")
    if not rg:
        column.notes.append(
            "ripgrep (rg) is not installed: column skipped (apt-get install -y ripgrep)"
        )
        return column
    pages = str(corpus / "pages")
    print("[rg] per-term and fresh-process …", flush=True)
    samples: list[float] = []
    lines: dict[str, int] = {}
    files: dict[str, int] = {}
    for term in queries():
        argv = [rg, "-c", "-i", "-F", term, pages]
        measure.wall(argv)  # warm-up
        for _ in range(args.repeat):
            samples.append(measure.wall(argv)[0])
        output = subprocess.run(argv, capture_output=True, text=True).stdout
        counts = [int(line.rsplit(":", 1)[1]) for line in output.splitlines() if ":" in line]
        lines[term] = sum(counts)
        files[term] = len(counts)
    column.metrics["p50_ms"] = statistics.median(samples) * 1000
    column.metrics["p95_ms"] = percentile(samples, 0.95) * 1000
    median, problem = fresh_median([rg, "-c", "-i", FRESH_QUERY, pages], args.fresh_runs)
    column.metrics["fresh_s"] = median
    column.counts = lines
    column.notes.append(
        "ripgrep: query p50/p95 are whole `rg -c -i -F TERM` processes; it counts matching lines "
        "(including chrome such as the 交流群 paragraph's GAN), not answers, so 'correct counts' is n/a"
    )
    if problem:
        column.notes.append(f"rg fresh-process n/a: {problem}")
    column.files = files
    return column


# ---- report -------------------------------------------------------------------------------------


def targets_for(answers: int) -> tuple[int, dict[str, float]]:
    for size in sorted(TARGETS):
        if answers <= size:
            return size, TARGETS[size]
    size = max(TARGETS)
    return size, TARGETS[size]


def verdict(key: str, value: float | None, target: float | None) -> str:
    if value is None or target is None:
        return ""
    good = value >= target if key in HIGHER_IS_BETTER else value <= target
    return " ok" if good else " MISS"


def render(
    columns: list[Column], answers: int, truth: dict[str, object], info: dict[str, object]
) -> str:
    """The plain-text table: rows = metrics, columns = tools + target, then ratios and notes."""
    target_size, targets = targets_for(answers)
    header = ["metric", *(c.name for c in columns), f"target ({target_size // 1000}k)"]
    body: list[list[str]] = []
    for key, label, fmt in ROWS:
        row = [label]
        for column in columns:
            value = column.get(key)
            row.append(
                "n/a"
                if value is None
                else fmt.format(value) + verdict(key, value, targets.get(key))
            )
        target = targets.get(key)
        row.append(
            "" if target is None else ("≥ " if key in HIGHER_IS_BETTER else "≤ ") + f"{target:g}"
        )
        body.append(row)
    widths = [max(text_width(row[i]) for row in [header, *body]) for i in range(len(header))]
    lines = [
        f"dlqa benchmark: {answers:,} answers on {truth['pages']} pages, "
        f"{int(str(truth['answer_text_bytes'])) / 1e6:.1f} MB answer text "
        f"({int(str(truth['page_bytes'])) / 1e6:.1f} MB of pages), seed {truth['seed']}",
        f"machine: {info['nproc']} cores, {info['cpu']}, {info['memory_gib']} GiB, Python {info['python']}; "
        + ", ".join(f"{k} {v}" for k, v in dict(info["versions"]).items()),  # type: ignore[call-overload]
        f"load average (1 min) at start / end: {info['load_start']} / {info.get('load_end')}"
        " — above ~1 other processes were competing for the cores and times are inflated",
        "",
    ]
    for row in [header, *body]:
        cells = [pad(row[0], widths[0])] + [
            pad(cell, widths[i], right=True) for i, cell in enumerate(row[1:], 1)
        ]
        lines.append("  ".join(cells))
        if row is header:
            lines.append("  ".join("-" * width for width in widths))
    by_name = {column.name.split(" ")[0]: column for column in columns}
    dlqa, naive, rg = by_name.get("dlqa"), by_name.get("naive"), by_name.get("ripgrep")
    lines.append("")
    lines += ratio_lines("naive / dlqa", naive, dlqa, RATIO_ROWS)
    lines += ratio_lines("dlqa / rg", dlqa, rg, ("p50_ms", "p95_ms", "fresh_s"))
    notes = [note for column in columns for note in column.notes]
    if notes:
        lines.append("")
        lines += [f"note: {note}" for note in notes]
    return "\n".join(lines)


def ratio_lines(
    title: str, top: Column | None, bottom: Column | None, keys: tuple[str, ...]
) -> list[str]:
    if top is None or bottom is None:
        return [f"{title}: n/a (a column is missing)"]
    labels = {key: label for key, label, _ in ROWS}
    parts = []
    for key in keys:
        a, b = top.get(key), bottom.get(key)
        if a is not None and b:
            parts.append(f"{labels[key].split(' (')[0]} {a / b:.2f}x")
    return [f"{title}: " + ("; ".join(parts) if parts else "n/a")]


# ---- main -----------------------------------------------------------------------------------------


def prepare_corpus(directory: Path, answers: int, seed: int) -> dict[str, object]:
    """Reuse the corpus in `directory` when it matches, else generate it there."""
    truth = load_truth(directory)
    if (
        truth
        and truth.get("answers") == answers
        and truth.get("seed") == seed
        and truth.get("generator_version") == GENERATOR_VERSION
        and (directory / "pages").is_dir()
    ):
        print(f"reusing corpus in {directory}", flush=True)
        return truth
    print(f"generating {answers:,} answers in {directory} …", flush=True)
    started = time.perf_counter()
    truth = generate(answers, directory, seed)
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    return truth


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Benchmark dlqa against naive Whoosh + jieba and ripgrep."
    )
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", type=Path, help="keep (and reuse) the corpus and indexes in this directory"
    )
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--skip-rg", action="store_true")
    parser.add_argument("--skip-dlqa", action="store_true")
    parser.add_argument(
        "--naive-procs", type=int, default=2, help="Whoosh writer processes for the baseline"
    )
    parser.add_argument("--naive-source", choices=("auto", "extract", "answers"), default="auto")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the 30 terms")
    parser.add_argument(
        "--fresh-runs", type=int, default=15, help="fresh-process searches per tool"
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds allowed for one ingest"
    )
    parser.add_argument("--out", type=Path, default=HERE / "out")
    args = parser.parse_args()

    work = args.keep or Path(tempfile.mkdtemp(prefix=f"dlqa-bench-{args.answers}-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        truth = prepare_corpus(work, args.answers, args.seed)
        info = machine()
        columns: list[Column] = []
        benches: list[tuple[bool, Callable[[], Column]]] = [
            (args.skip_dlqa, lambda: bench_dlqa(work, work, truth, args)),
            (args.skip_naive, lambda: bench_naive(work, work, truth, args)),
            (args.skip_rg, lambda: bench_rg(work, args)),
        ]
        for skipped, bench in benches:
            if not skipped:
                columns.append(bench())
        info["load_end"] = round(os.getloadavg()[0], 2)
        table = render(columns, args.answers, truth, info)
        print()
        print(table)
        args.out.mkdir(parents=True, exist_ok=True)
        result_path = args.out / f"results-{args.answers}.json"
        result = {
            "answers": args.answers,
            "seed": args.seed,
            "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": info,
            "corpus": {k: v for k, v in truth.items() if k != "files"},
            "columns": [
                {
                    "name": c.name,
                    "metrics": c.metrics,
                    "notes": c.notes,
                    "counts": c.counts,
                    "files": c.files or None,
                }
                for c in columns
            ],
            "targets": targets_for(args.answers)[1],
            "table": table,
        }
        result_path.write_text(
            json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
        print(f"\nwrote {result_path}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
