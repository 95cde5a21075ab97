"""The extraction scorecard over every real-shaped family fixture: no family below its floor,
no chrome in any answer, and a scorer that can tell a wrong extraction from a right one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.extraction import FAMILIES, GOLDEN_SUFFIX, fixtures, score_case, scorecard
from tests.helpers import ROOT

FLOORS = json.loads((Path(__file__).parent / "extraction_floors.json").read_text(encoding="utf-8"))
RATES = ("precision", "recall", "f1", "link_accuracy", "author_accuracy")
#: A fixture is a few KB of one page, not a saved site.
MAX_FIXTURE_BYTES = 40_000


@pytest.fixture(scope="module")
def card() -> dict:
    return scorecard()


def test_every_family_with_a_floor_has_fixtures(card):
    for family in FLOORS:
        if not family.startswith("_"):
            assert family in card["families"], f"{family}: no fixtures scored"


@pytest.mark.parametrize("family", [f for f in FLOORS if not f.startswith("_")])
def test_family_is_not_below_its_floor(card, family):
    row = card["families"][family]
    floor = FLOORS[family]
    for rate in RATES:
        assert row[rate] >= floor[rate] - 1e-9, (family, rate, row[rate], floor[rate])
    assert row["pages_ok"] >= floor["pages_ok"], (family, "pages_ok", row["pages_ok"])


def test_no_chrome_leaks_in_any_family(card):
    leaks = [(c["family"], c["case"], c["chrome_leaked"]) for c in card["cases"] if c["chrome_leaked"]]
    assert not leaks


def test_no_fixture_fails_to_parse(card):
    assert not [(c["case"], c["error"]) for c in card["cases"] if c["error"]]


def test_families_have_two_cases_and_well_formed_goldens():
    by_family: dict[str, int] = {}
    for family, page, golden in fixtures():
        assert page.exists(), f"{golden}: no fixture beside it"
        assert page.stat().st_size <= MAX_FIXTURE_BYTES, page
        data = json.loads(golden.read_text(encoding="utf-8"))
        assert {"site", "title", "page_url", "answers", "chrome"} <= set(data), golden
        assert isinstance(data["site"], str) and data["site"]
        for answer in data["answers"]:
            assert {"author", "url", "body_start", "body_end"} <= set(answer), golden
            assert answer["body_start"].strip() and answer["body_end"].strip(), golden
        by_family[family] = by_family.get(family, 0) + 1
    assert by_family and all(count >= 2 for count in by_family.values()), by_family
    strays = [p for p in FAMILIES.glob("*/*") if not p.name.endswith(GOLDEN_SUFFIX)
              and not p.with_name(p.name.rsplit(".", 1)[0] + GOLDEN_SUFFIX).exists()]
    assert not strays, f"fixtures without a golden file: {strays}"


def test_scorer_counts_a_wrong_extraction_as_wrong(tmp_path):
    """A golden file that disagrees with the page: nothing matches, the chrome is found."""
    page = tmp_path / "thread.html"
    page.write_text(
        "<html><head><title>t</title></head><body><article><h1>t</h1>"
        "<p>过拟合的时候先加数据增强，再考虑正则化和早停。</p><p>登录后查看更多</p></article></body></html>",
        encoding="utf-8",
    )
    golden = tmp_path / "thread.golden.json"
    golden.write_text(json.dumps({
        "site": "forum", "title": "t", "page_url": None,
        "answers": [{"author": "x", "url": None, "body_start": "欠拟合", "body_end": "早停。"}],
        "chrome": ["登录后查看更多"],
    }), encoding="utf-8")
    score = score_case("tmp", page, golden)
    assert score.extracted == 1 and score.matched == 0
    assert score.chrome_leaked == ["登录后查看更多"]
    assert not score.page_ok and any("site" in error for error in score.page_errors)


def test_scorecard_command_prints_table_and_json():
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    table = subprocess.run([sys.executable, "benchmarks/extraction.py"], cwd=ROOT, env=env,
                           capture_output=True, text=True, check=True)
    assert "| **overall** |" in table.stdout
    data = json.loads(subprocess.run([sys.executable, "benchmarks/extraction.py", "--json"], cwd=ROOT, env=env,
                                     capture_output=True, text=True, check=True).stdout)
    assert data["overall"]["golden"] == sum(row["golden"] for row in data["families"].values())
