"""Every family fixture parses exactly as its golden file says, scored by the scorecard's own scorer.

The scorecard (`benchmarks/extraction.py`) turns each case into counts; here every case of every
family under tests/families/ must be perfect on those counts: every golden answer found in
order (body start and end, whitespace collapsed), no extra answer, the right author and link
for each, the expected site, title and page URL, and none of the page's chrome in any body or
author. One scorer, so this test and the README's table can never disagree on what "right" is.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest

from benchmarks.extraction import fixtures, score_case, squash

CASES = fixtures()
#: Bounds on a golden body_start/body_end. families.md asks for 15-40 characters; some
#: section-4 goldens anchor on a shorter first sentence (or a longer one carrying a quoted link).
MIN_ANCHOR, MAX_ANCHOR = 5, 80


def case_id(case: tuple[str, Path, Path]) -> str:
    family, page, _ = case
    return f"{family}/{page.name}"


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_fixture_matches_its_golden_exactly(case: tuple[str, Path, Path]):
    family, page, golden = case
    score = score_case(family, page, golden)
    assert score.error is None, score.error
    assert score.page_ok, score.page_errors
    assert not score.missed, ("golden answers not found", score.missed)
    assert score.extracted == score.golden == score.matched, (score.extracted, score.golden)
    assert score.links == score.matched, "an answer's url differs from its golden url"
    assert score.authors == score.matched, "an answer's author differs from its golden author"
    assert not score.chrome_leaked, score.chrome_leaked


def decoded(data: bytes) -> str:
    """The fixture's text: UTF-8, or GB18030 for the pages saved in a Chinese legacy charset."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_golden_strings_are_real_page_text(case: tuple[str, Path, Path]):
    """A golden file is checked against its page: each body start/end and chrome string occurs in it."""
    _, page, golden_path = case
    golden = json.loads(golden_path.read_text(encoding="utf-8"))
    for want in golden["answers"]:
        for key in ("body_start", "body_end"):
            # Long enough to tell answers apart, short enough to survive a reflowed paragraph.
            assert MIN_ANCHOR <= len(want[key]) <= MAX_ANCHOR, (key, want[key])
    assert golden["chrome"], "a fixture lists the chrome it carries"
    if page.suffix in (".mhtml", ".mht"):
        return  # quoted-printable or base64: checked through the parse above
    raw = decoded(page.read_bytes())
    visible = squash(html.unescape(re.sub(r"<[^>]*>", "", raw))).replace("\u200b", "")
    for chrome in golden["chrome"]:
        assert chrome in raw or squash(chrome) in visible, chrome
