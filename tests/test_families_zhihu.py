"""Every fixture of the saving-format and Zhihu families parses exactly as its golden file says.

The fixtures (`tests/families/<family>/<case>.<ext>`, with `<case>.golden.json` beside them)
are in the format the extraction scorecard reads; here each one must score perfectly: every
golden answer found in order (body start and end, whitespace collapsed), no extra answer,
the right author and link for each, and none of the page's chrome in any body or author.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from dlqa.extract import parse_file

FAMILIES_DIR = Path(__file__).resolve().parent / "families"
#: The families this test owns (the other families are checked by their own tests).
FAMILIES = ("mhtml", "markdown-clip", "webpage-complete", "zhihu-column", "zhihu-old",
            "zhihu-modern", "zhihu-text-dump", "zhihu-quoted")


def cases() -> list[Path]:
    found = []
    for family in FAMILIES:
        for golden in sorted((FAMILIES_DIR / family).glob("*.golden.json")):
            page = next(p for p in golden.parent.iterdir()
                        if p.name.startswith(golden.name.removesuffix(".golden.json") + ".")
                        and not p.name.endswith(".golden.json"))
            found.append(page)
    return found


def golden_of(page: Path) -> dict:
    stem = page.name.split(".")[0]
    return json.loads((page.parent / f"{stem}.golden.json").read_text(encoding="utf-8"))


def squash(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


def test_every_family_has_two_cases():
    for family in FAMILIES:
        assert len(list((FAMILIES_DIR / family).glob("*.golden.json"))) >= 2, family


@pytest.mark.parametrize("path", cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_matches_its_golden(path: Path):
    golden = golden_of(path)
    page = parse_file(path)
    assert page.site == golden["site"]
    if golden["title"] is not None:
        assert page.title == golden["title"]
    assert page.page_url == golden["page_url"]
    got = [(a.author, a.url, squash(a.body)) for a in page.answers]
    assert len(got) == len(golden["answers"]), [g[0] for g in got]
    for (author, url, body), want in zip(got, golden["answers"], strict=True):
        assert body.startswith(squash(want["body_start"])), (author, body[:80])
        assert body.endswith(squash(want["body_end"])), (author, body[-80:])
        assert (author, url) == (want["author"], want["url"])
    for chrome in golden["chrome"]:
        for author, _, body in got:
            assert chrome not in body and chrome not in (author or ""), (chrome, author)


@pytest.mark.parametrize("path", cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_golden_strings_are_real_page_text(path: Path):
    """A golden file is checked against its page: each body start/end and chrome string occurs in it."""
    golden = golden_of(path)
    raw = path.read_bytes()
    for want in golden["answers"]:
        for key in ("body_start", "body_end"):
            assert 15 <= len(want[key]) <= 40, (key, want[key])
    assert golden["chrome"], "a fixture lists the chrome it carries"
    if path.suffix in (".mhtml", ".mht"):
        return  # quoted-printable or base64: checked through the parse above
    text = raw.decode("utf-8", errors="ignore")
    for chrome in golden["chrome"]:
        assert chrome in text or chrome in text.replace("\u200b", ""), chrome
