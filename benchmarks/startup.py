"""Fresh `dlqa search` start-up by how the index is found: does the lookup cost anything?

    python3 benchmarks/startup.py --index /tmp/dlqa-bench-10k/dlqa-index [--runs 15]

Runs the same search in fresh processes, interleaved so that the machine's load drifts over
every way alike, and prints each way's median: `--index` (no lookup), `DLQA_INDEX`, the
`index` setting of a settings file (platformdirs + TOML), and the nearest `index/` found by
walking up from a folder three levels below it. `--baseline SRC` adds the same `--index` search
run with another dlqa source tree (e.g. one exported with `git archive`) on PYTHONPATH.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import dlqa_command  # noqa: E402

QUERY = "过拟合"


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, from wait4) of one fresh run. CPU time
    hardly moves with other processes' load, so it shows a millisecond that wall time hides."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {process.returncode}")
    return seconds, usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an existing dlqa index")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="another dlqa source tree to compare with")
    args = parser.parse_args()
    index = args.index.resolve()
    # Bytecode cache on, as on a user's machine (see measure.py); no DLQA_* from this shell.
    base_env = {name: value for name, value in os.environ.items()
                if not name.startswith("DLQA_") and name != "PYTHONDONTWRITEBYTECODE"}
    search = [*dlqa_command(), "search", QUERY, "--jsonl"]
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        config_home = root / "config"
        (config_home / "dlqa").mkdir(parents=True)
        (config_home / "dlqa" / "config.toml").write_text(f'index = "{index}"\n', encoding="utf-8")
        no_config = root / "no-config"
        no_config.mkdir()
        library = root / "library"
        library.mkdir()
        (library / "index").symlink_to(index, target_is_directory=True)
        deep = library / "notes" / "2024" / "march"
        deep.mkdir(parents=True)
        ways = {
            "--index DIR": (search + ["--index", str(index)], {"XDG_CONFIG_HOME": str(no_config)}, root),
            "DLQA_INDEX": (search, {"DLQA_INDEX": str(index), "XDG_CONFIG_HOME": str(no_config)}, root),
            "settings file": (search, {"XDG_CONFIG_HOME": str(config_home)}, root),
            "nearest index/ (3 up)": (search, {"XDG_CONFIG_HOME": str(no_config)}, deep),
        }
        if args.baseline:
            pythonpath = str(args.baseline.resolve())
            ways["baseline --index DIR"] = (search + ["--index", str(index)],
                                            {"PYTHONPATH": pythonpath, "XDG_CONFIG_HOME": str(no_config)}, root)
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
        for argv, extra, cwd in ways.values():  # warm-up: page cache, bytecode
            timed(argv, {**base_env, **extra}, cwd)
        for _ in range(args.runs):
            for name, (argv, extra, cwd) in ways.items():
                times[name].append(timed(argv, {**base_env, **extra}, cwd))
    print(f"fresh `dlqa search {QUERY} --jsonl`, median of {args.runs} runs each (interleaved); "
          f"1-minute load {os.getloadavg()[0]:.1f}")
    print(f"  {'index found by':<24} {'wall ms':>8} {'(min)':>7} {'CPU ms':>8} {'(min)':>7}")
    for name, samples in times.items():
        wall = [sample[0] * 1000 for sample in samples]
        cpu = [sample[1] * 1000 for sample in samples]
        print(f"  {name:<24} {statistics.median(wall):8.1f} {min(wall):7.1f} "
              f"{statistics.median(cpu):8.1f} {min(cpu):7.1f}")


if __name__ == "__main__":
    main()
