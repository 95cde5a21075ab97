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


def timed(argv: list[str], env: dict[str, str], cwd: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} exited {done.returncode}: {done.stderr.decode()[-300:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="an existing dlqa index")
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--baseline", type=Path, help="another dlqa source tree to compare with")
    args = parser.parse_args()
    index = args.index.resolve()
    base_env = {name: value for name, value in os.environ.items() if not name.startswith("DLQA_")}
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
        times: dict[str, list[float]] = {name: [] for name in ways}
        for argv, extra, cwd in ways.values():  # warm-up: page cache, bytecode
            timed(argv, {**base_env, **extra}, cwd)
        for _ in range(args.runs):
            for name, (argv, extra, cwd) in ways.items():
                times[name].append(timed(argv, {**base_env, **extra}, cwd))
    print(f"fresh `dlqa search {QUERY} --jsonl`, median of {args.runs} runs each (interleaved); "
          f"1-minute load {os.getloadavg()[0]:.1f}")
    for name, samples in times.items():
        print(f"  {name:<24} {statistics.median(samples) * 1000:7.1f} ms   "
              f"(min {min(samples) * 1000:.1f}, max {max(samples) * 1000:.1f})")


if __name__ == "__main__":
    main()
