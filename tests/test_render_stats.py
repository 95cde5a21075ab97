"""`dlqa stats` lines: columns stay aligned whatever the site names, and nouns agree."""

from __future__ import annotations

import io

from dlqa.render_human import make_console, print_stats


def _stats_lines(sites: dict[str, dict[str, int]]) -> list[str]:
    out = io.StringIO()
    data = {"index": "index", "size_bytes": 1000, "answers": 60, "pages": 4, "sites": sites,
            "top_authors": []}
    print_stats(data, make_console(file=out, color=False, width=120))
    return [line for line in out.getvalue().splitlines() if line.startswith("  ")]


def test_site_columns_align_with_long_site_names_and_singular_nouns() -> None:
    lines = _stats_lines({"stackexchange": {"pages": 2, "answers": 5},
                          "v2ex": {"pages": 1, "answers": 53},
                          "segmentfault": {"pages": 1, "answers": 1}})
    page_columns = {line.index("page") for line in lines}
    answer_columns = {line.index("answer") for line in lines}
    assert len(page_columns) == 1 and len(answer_columns) == 1, lines
    assert "1 page " in lines[1] and "53 answers" in lines[1]
    assert lines[2].rstrip().endswith("1 answer")
