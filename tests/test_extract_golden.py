"""Extraction of the sample pages against hand-checked golden JSON, and chrome never in a body."""

from __future__ import annotations

import json

import pytest

from dlqa.extract import parse_file
from tests.helpers import CHROME_MARKERS, CORPUS, GOLDEN, SEEDS


def _parse_as_golden(name: str) -> dict:
    data = parse_file(CORPUS / name).to_dict()
    data["source_file"] = f"corpus/{name}"
    return data


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.stem)
def test_parse_equals_golden(golden):
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert _parse_as_golden(golden.stem + ".txt") == expected


def test_every_seed_has_a_golden():
    assert {p.stem for p in SEEDS} <= {p.stem for p in GOLDEN.glob("*.json")}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_no_chrome_in_any_body(seed):
    page = parse_file(seed)
    assert page.answers
    for answer in page.answers:
        for marker in CHROME_MARKERS:
            assert marker not in answer.body, (answer.author, marker)
        assert not any(line.strip().lower() == "end" for line in answer.body.split("\n"))


def test_numbered_sections_take_links_from_the_list_by_order():
    page = parse_file(CORPUS / "000_51283b9247c6f6b8.txt")
    assert len(page.answers) == 5
    assert [a.url.rsplit("/", 1)[-1] for a in page.answers] == [
        "1639011591", "1607900416", "1636624831", "1565236651", "1571752656",
    ]
    assert page.question_url == "https://www.zhihu.com/question/429256719"
    assert page.page_url == "http://www.python88.com/topic/118486"
    assert page.meta["views"] == 379
    # The editor's bridging paragraphs belong to no answer.
    assert len(page.meta["editorial"]) == 3
    assert not any("答主" in a.body for a in page.answers)


def test_author_after_body_with_bio_and_unattributed_tail():
    page = parse_file(CORPUS / "001_2ea22efa9c380bb6.txt")
    authors = [a.author for a in page.answers]
    assert len(page.answers) == 8 and authors[-1] is None and None not in authors[:7]
    assert page.answers[0].author == "Naiyan Wang"
    assert page.answers[0].author_bio == "CS PhD, 机器学习与计算机视觉"
    assert page.answers[-1].meta["headline"] == "其他观点"
    assert all(a.url == "https://www.zhihu.com/question/41168257" for a in page.answers)


def test_each_answer_has_its_own_link():
    page = parse_file(CORPUS / "002_a9eb4036717c8451.txt")
    assert len(page.answers) == 10
    assert len({a.url for a in page.answers}) == 10
    assert all("/answer/" in a.url for a in page.answers)


def test_heading_layout_with_article_header():
    page = parse_file(CORPUS / "004_6ac2522374faf313.txt")
    assert [a.author for a in page.answers] == ["霍华德", "爱睡觉的KKY", "信息门上飞二哈"]
    assert page.question_url == "https://www.zhihu.com/question/544763123"
    assert page.meta["editor"] == "极市平台"
    assert page.description and page.description.startswith("越做越自闭")


def test_ids_are_stable_and_unique():
    first = [a.id for a in parse_file(CORPUS / "002_a9eb4036717c8451.txt").answers]
    second = [a.id for a in parse_file(CORPUS / "002_a9eb4036717c8451.txt").answers]
    assert first == second and len(set(first)) == len(first)
    assert all(len(i) == 16 for i in first)
