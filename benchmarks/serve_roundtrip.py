"""How much `dlqa serve` adds to a search: HTTP round trip vs the same search in process.

    python3 benchmarks/serve_roundtrip.py                       # the sample corpus, indexed in a temp dir
    python3 benchmarks/serve_roundtrip.py --index /tmp/dlqa-bench-10k/dlqa-index --repeat 5

For each of the benchmark's 30 terms (`terms.py`; on the sample corpus most match nothing,
which still times the whole path), after one warm-up pass: the in-process time of
`dlqa.web.backend.search` (the server's own call), and the wall time of `GET /api/search?q=…`
and of the HTML results page `GET /?q=…` from a client on one kept-alive connection to a
server in this process's thread (the client's time counts, as a browser's would). Prints p50
and p95 of each and the median overhead per query.
"""

from __future__ import annotations

import argparse
import http.client
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from terms import queries  # noqa: E402

from dlqa import Library  # noqa: E402
from dlqa.web import backend  # noqa: E402
from dlqa.web import server as web  # noqa: E402


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--index", type=Path, help="an existing index (default: the sample corpus, indexed now)")
    parser.add_argument("--repeat", type=int, default=5, help="timed passes over the terms")
    args = parser.parse_args()
    index = args.index
    if index is None:
        index = Path(tempfile.mkdtemp(prefix="dlqa-serve-bench-")) / "index"
        Library(index).ingest([ROOT / "corpus"])
    terms = [*queries(), "过拟合"]
    library = Library(index)
    server = web.make_server(library, "127.0.0.1", 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    port = server.server_address[1]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def fetch(path: str) -> None:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        assert response.status == 200, (path, response.status)

    timings: dict[str, list[float]] = {"in process": [], "GET /api/search": [], "GET /?q= (HTML)": []}
    for timed in (False, *([True] * args.repeat)):
        for term in terms:
            for name, run in (
                ("in process", lambda term=term: backend.search(library, term)),
                ("GET /api/search", lambda term=term: fetch(f"/api/search?q={quote(term)}")),
                ("GET /?q= (HTML)", lambda term=term: fetch(f"/?q={quote(term)}")),
            ):
                start = time.perf_counter()
                run()
                if timed:
                    timings[name].append((time.perf_counter() - start) * 1000)
    server.shutdown()
    base = timings["in process"]
    print(f"index: {index}  ({backend.count_answers(library)} answers), {len(terms)} terms × {args.repeat}")
    print(f"{'':18} {'p50 ms':>8} {'p95 ms':>8} {'overhead p50 ms':>16}")
    for name, values in timings.items():
        overhead = statistics.median(v - b for v, b in zip(values, base, strict=True))
        print(f"{name:18} {percentile(values, 0.5):8.2f} {percentile(values, 0.95):8.2f} "
              f"{'' if name == 'in process' else f'{overhead:16.2f}'}")


if __name__ == "__main__":
    main()
