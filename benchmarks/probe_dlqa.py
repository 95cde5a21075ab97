"""In-process query latency and per-term answer counts of dlqa's search API.

    python3 benchmarks/probe_dlqa.py --index IDX [--repeat 5]

Why a separate process: `run.py` must keep going (and print "n/a") while `dlqa.search` is still
being written, and a search that crashes or hangs must not take the whole benchmark with it.
Prints one JSON object: {"totals": {term: n}, "merged": {term: n}, "samples": [seconds…],
"question_samples": [seconds…]} or {"error": "…"}. `totals` counts every matching answer (`with_reposts`: what the truth file
counts); `merged` is the `total` a user sees, where identical answers on different pages (reposts)
count once.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from terms import QUESTIONS, queries  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    try:
        from dlqa.search import search
    except Exception as error:  # noqa: BLE001 - any import failure means "API not there yet"
        print(json.dumps({"error": f"dlqa.search not importable: {type(error).__name__}: {error}"}))
        return

    merged: dict[str, int] = {}

    def one(term: str) -> int:
        # Counts are of answers containing the term as typed: glossary expansion off.
        result = search(args.index, term, limit=10, page=1, expand=False)
        for _ in result.results:
            pass
        merged[term] = int(result.total)
        return int(getattr(result, "with_reposts", result.total))

    try:
        # The warm-up pass opens the index and loads the dictionary, and gives the counts.
        totals = {term: one(term) for term in queries()}
        samples: list[float] = []
        for _ in range(args.repeat):
            for term in queries():
                started = time.perf_counter()
                one(term)
                samples.append(time.perf_counter() - started)
        # Questions as users type them: glossary expansion on, as `dlqa search` does.
        for question in QUESTIONS:
            search(args.index, question, limit=10, page=1)
        question_samples: list[float] = []
        for _ in range(args.repeat):
            for question in QUESTIONS:
                started = time.perf_counter()
                for _hit in search(args.index, question, limit=10, page=1).results:
                    pass
                question_samples.append(time.perf_counter() - started)
    except Exception as error:  # noqa: BLE001 - report, do not crash the benchmark
        print(json.dumps({"error": f"dlqa.search failed: {type(error).__name__}: {error}"}))
        return
    print(json.dumps({"totals": totals, "merged": merged, "samples": samples,
                      "question_samples": question_samples}, ensure_ascii=False))


if __name__ == "__main__":
    main()
