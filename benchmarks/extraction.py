"""The extraction scorecard: how well dlqa splits real-shaped pages into attributed answers.

    python3 benchmarks/extraction.py            # one table: per family and overall
    python3 benchmarks/extraction.py --json     # the same figures, and every case's, as JSON
    python3 benchmarks/extraction.py --cases    # also one line per case (what was missed)

Every fixture `tests/families/<family>/<case>.<ext>` is parsed with `dlqa.extract.parse_file`
and compared with its hand-checked `<case>.golden.json` (format: tests/families/README.md).
Whatever family folders exist are scored, so a new family needs no change here.

Scoring: bodies are compared after collapsing every run of whitespace to one space; an
extracted answer matches a golden one when its body starts with `body_start` and ends with
`body_end` (in page order, each golden answer matched at most once). Per family:
precision = matched / extracted, recall = matched / golden, F1; link and author accuracy =
matched answers whose `url` / `author` equal the golden ones; chrome leaked = golden `chrome`
strings found in any extracted answer's body or author; pages = cases whose site, title and
page URL are as expected.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FAMILIES = ROOT / "tests" / "families"
GOLDEN_SUFFIX = ".golden.json"
_SPACE = re.compile(r"\s+")

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@dataclass
class CaseScore:
    """One fixture against its golden file."""

    family: str
    case: str
    extracted: int = 0
    golden: int = 0
    matched: int = 0
    links: int = 0
    authors: int = 0
    chrome_leaked: list[str] = field(default_factory=list)
    page_ok: bool = False
    page_errors: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)  # body_start of golden answers not matched
    error: str | None = None
    seconds: float = 0.0  # the time `parse_file` took


@dataclass
class Totals:
    """Summed counts of several cases, and the rates made from them."""

    cases: int = 0
    extracted: int = 0
    golden: int = 0
    matched: int = 0
    links: int = 0
    authors: int = 0
    chrome_leaked: int = 0
    pages_ok: int = 0

    def add(self, score: CaseScore) -> None:
        self.cases += 1
        self.extracted += score.extracted
        self.golden += score.golden
        self.matched += score.matched
        self.links += score.links
        self.authors += score.authors
        self.chrome_leaked += len(score.chrome_leaked)
        self.pages_ok += score.page_ok

    def rates(self) -> dict[str, float]:
        precision = self.matched / self.extracted if self.extracted else (1.0 if not self.golden else 0.0)
        recall = self.matched / self.golden if self.golden else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "link_accuracy": round(self.links / self.matched, 3) if self.matched else 0.0,
            "author_accuracy": round(self.authors / self.matched, 3) if self.matched else 0.0,
        }

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), **self.rates()}


def squash(text: str | None) -> str:
    return _SPACE.sub(" ", text or "").strip()


def fixtures(root: Path = FAMILIES) -> list[tuple[str, Path, Path]]:
    """(family, fixture, golden) for every fixture that has a golden file beside it."""
    found = []
    for golden in sorted(root.glob(f"*/*{GOLDEN_SUFFIX}")):
        case = golden.name[: -len(GOLDEN_SUFFIX)]
        pages = [p for p in golden.parent.glob(f"{case}.*") if p != golden and not p.name.endswith(GOLDEN_SUFFIX)]
        if len(pages) == 1:
            found.append((golden.parent.name, pages[0], golden))
        else:
            found.append((golden.parent.name, golden.parent / f"{case}.<missing>", golden))
    return found


def score_case(family: str, page_path: Path, golden_path: Path) -> CaseScore:
    """Parse one fixture and compare it with its golden file."""
    from dlqa.errors import InputError
    from dlqa.extract import parse_file

    expected = json.loads(golden_path.read_text(encoding="utf-8"))
    score = CaseScore(family=family, case=page_path.name, golden=len(expected["answers"]))
    started = time.perf_counter()
    try:
        page = parse_file(page_path)
        score.seconds = time.perf_counter() - started
    except (InputError, OSError) as error:
        score.error = str(error)
        score.missed = [answer["body_start"] for answer in expected["answers"]]
        return score
    answers = page.answers
    score.extracted = len(answers)
    next_golden = 0
    matched_golden: set[int] = set()
    for answer in answers:
        body = squash(answer.body)
        for index in range(next_golden, len(expected["answers"])):
            gold = expected["answers"][index]
            if body.startswith(squash(gold["body_start"])) and body.endswith(squash(gold["body_end"])):
                score.matched += 1
                score.links += answer.url == gold.get("url")
                score.authors += answer.author == gold.get("author")
                matched_golden.add(index)
                next_golden = index + 1
                break
    score.missed = [a["body_start"] for i, a in enumerate(expected["answers"]) if i not in matched_golden]
    for chrome in expected.get("chrome", []):
        if any(chrome in (answer.body or "") or chrome in (answer.author or "") for answer in answers):
            score.chrome_leaked.append(chrome)
    if page.site != expected["site"]:
        score.page_errors.append(f"site {page.site!r} != {expected['site']!r}")
    if expected.get("title") is not None and page.title != expected["title"]:
        score.page_errors.append(f"title {page.title!r} != {expected['title']!r}")
    if page.page_url != expected.get("page_url"):
        score.page_errors.append(f"page_url {page.page_url!r} != {expected.get('page_url')!r}")
    score.page_ok = not score.page_errors
    return score


def scorecard(root: Path = FAMILIES) -> dict[str, Any]:
    """Every case's score, each family's totals and the overall totals."""
    cases = [score_case(family, page, golden) for family, page, golden in fixtures(root)]
    families: dict[str, Totals] = {}
    overall = Totals()
    for case in cases:
        families.setdefault(case.family, Totals()).add(case)
        overall.add(case)
    return {
        "families": {name: totals.to_dict() for name, totals in sorted(families.items())},
        "overall": overall.to_dict(),
        "cases": [asdict(case) for case in cases],
        "parse_seconds": round(sum(case.seconds for case in cases), 3),
    }


def table(card: dict[str, Any]) -> str:
    """The scorecard as a Markdown table (what README shows)."""
    lines = [
        "| family | cases | answers (extracted / golden) | precision | recall | F1 | link acc. | author acc. | chrome leaked | pages ok |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    rows = [*card["families"].items(), ("**overall**", card["overall"])]
    for name, row in rows:
        lines.append(
            f"| {name} | {row['cases']} | {row['extracted']} / {row['golden']} | {row['precision']:.2f} | "
            f"{row['recall']:.2f} | {row['f1']:.2f} | {row['link_accuracy']:.2f} | {row['author_accuracy']:.2f} | "
            f"{row['chrome_leaked']} | {row['pages_ok']} / {row['cases']} |"
        )
    return "\n".join(lines)


def case_lines(card: dict[str, Any]) -> str:
    lines = []
    for case in card["cases"]:
        status = "ok" if not case["missed"] and case["extracted"] == case["golden"] else "!!"
        if case["links"] < case["matched"] or case["authors"] < case["matched"]:
            status = "!!"
        line = (f"{status} {case['family']}/{case['case']}: {case['matched']}/{case['golden']} matched, "
                f"{case['extracted']} extracted, links {case['links']}, authors {case['authors']}")
        if case["error"]:
            line += f"; error: {case['error']}"
        if case["missed"]:
            line += "; missed: " + " | ".join(start[:20] for start in case["missed"])
        if case["chrome_leaked"]:
            line += "; chrome: " + " | ".join(case["chrome_leaked"])
        if case["page_errors"]:
            line += "; " + "; ".join(case["page_errors"])
        lines.append(line)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true", help="print the scorecard as JSON")
    parser.add_argument("--cases", action="store_true", help="also print one line per case")
    parser.add_argument("--families", type=Path, default=FAMILIES, help="the fixture folder")
    args = parser.parse_args(argv)
    card = scorecard(args.families)
    if args.json:
        print(json.dumps(card, ensure_ascii=False, indent=1))
    else:
        print(table(card))
        pages = len(card["cases"])
        print(f"\n{pages} pages parsed in {card['parse_seconds'] * 1000:.0f} ms (first page includes imports)")
        if args.cases:
            print()
            print(case_lines(card))
    return 0


if __name__ == "__main__":
    sys.exit(main())
