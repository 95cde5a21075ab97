"""Which main-text extractor is better for pages dlqa cannot split: dlqa's own, or trafilatura?

    pip install trafilatura && python3 benchmarks/web_fallback.py

Every fixture whose golden file expects exactly one unit (the `web` and `blog-article`
families, and any other single-unit case) is extracted twice: by `dlqa.extract.parse_file`
(structured data, site rules, then `sites/maintext.py`) and by `trafilatura.extract` on the
raw HTML. For each, the table says whether the body starts and ends as the golden file says,
how many golden chrome strings leaked into it, and the time per page. trafilatura is not a
dependency of dlqa; this script only measures it.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.extraction import fixtures, squash  # noqa: E402


def _score(body: str, golden: dict) -> tuple[bool, int]:
    answer = golden["answers"][0]
    text = squash(body)
    matched = text.startswith(squash(answer["body_start"])) and text.endswith(squash(answer["body_end"]))
    leaked = sum(1 for chrome in golden.get("chrome", []) if chrome in body)
    return matched, leaked


def main() -> int:
    import trafilatura

    from dlqa.extract import parse_file
    from dlqa.reader import read_document

    rows = []
    totals = {"dlqa": [0, 0, 0.0], "trafilatura": [0, 0, 0.0]}
    for family, page_path, golden_path in fixtures():
        golden = json.loads(golden_path.read_text(encoding="utf-8"))
        if len(golden["answers"]) != 1 or page_path.suffix not in (".html", ".htm"):
            continue
        started = time.perf_counter()
        page = parse_file(page_path)
        ours = page.answers[0].body if page.answers else ""
        ours_time = time.perf_counter() - started
        html = read_document(page_path).text
        started = time.perf_counter()
        theirs = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
        theirs_time = time.perf_counter() - started
        row = [f"{family}/{page_path.name}"]
        for name, body, seconds in (("dlqa", ours, ours_time), ("trafilatura", theirs, theirs_time)):
            matched, leaked = _score(body, golden)
            totals[name][0] += matched
            totals[name][1] += leaked
            totals[name][2] += seconds
            row.append(f"{'yes' if matched else 'no'}, {leaked} leaked, {seconds * 1000:.0f} ms")
        rows.append(row)
    print("| page | dlqa: body matches, chrome, time | trafilatura: body matches, chrome, time |")
    print("| --- | --- | --- |")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    cells = [f"{m}/{len(rows)} match, {leak} leaked, {s * 1000:.0f} ms" for m, leak, s in totals.values()]
    print(f"| **total** | {cells[0]} | {cells[1]} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
