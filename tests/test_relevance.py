"""The judged relevance set in tests/relevance/ is whole, and dlqa's ranking on it does not regress.

The metrics, the engines and the table come from `benchmarks/relevance.py` (imported from the
repository, not copied). `python3 -m pytest -s tests/test_relevance.py` prints the per-kind table
for dlqa and the plain BM25 baseline.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from dlqa.extract import parse_file

REPO = Path(__file__).resolve().parent.parent
#: The least number of queries of each kind the judged set must hold.
MINIMUM_PER_KIND = {"question": 16, "keywords": 11, "english": 9, "paraphrase": 8}
MINIMUM_QUERIES = 45


def _load_benchmark() -> ModuleType:
    """benchmarks/ is not a package: load relevance.py from its path, once."""
    name = "dlqa_benchmark_relevance"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "relevance.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


relevance = _load_benchmark()
JUDGED = relevance.load_judged()


# ---------------------------------------------------------------------------------------------
# The judged set's integrity


def test_every_answer_of_the_judged_files_is_judged_and_nothing_else():
    parsed: dict[str, str] = {}
    for path in JUDGED.files:
        for answer in parse_file(path).answers:
            parsed[answer.id] = f"{path.relative_to(REPO)} {answer.author}: {answer.body[:40]!r}"
    unjudged = sorted(set(parsed) - set(JUDGED.answers))
    vanished = sorted(set(JUDGED.answers) - set(parsed))
    assert not unjudged, "answers never graded (grade them for every query, then add them to "\
        "judged_answers): " + "; ".join(f"{answer_id} {parsed[answer_id]}" for answer_id in unjudged)
    assert not vanished, "judged answers the judged files no longer give: " + "; ".join(
        f"{answer_id} {JUDGED.answers[answer_id]}" for answer_id in vanished)


def test_query_kinds_and_counts():
    kinds = [query.kind for query in JUDGED.queries]
    assert len(kinds) >= MINIMUM_QUERIES
    assert set(kinds) <= set(relevance.KINDS)
    for kind, minimum in MINIMUM_PER_KIND.items():
        assert kinds.count(kind) >= minimum, f"{kind}: {kinds.count(kind)} queries, want {minimum}"
    assert len({query.id for query in JUDGED.queries}) == len(kinds)
    assert len({query.query for query in JUDGED.queries}) == len(kinds)
    assert all(query.intent.strip() and query.query.strip() for query in JUDGED.queries)


def test_grades_are_0_1_2_of_judged_answers():
    for query in JUDGED.queries:
        for answer_id, grade in query.grades.items():
            assert grade in (0, 1, 2), (query.id, answer_id, grade)
            assert answer_id in JUDGED.answers, (query.id, answer_id)
    assert sum(1 for query in JUDGED.queries if JUDGED.answer_grades(query)) >= MINIMUM_QUERIES


def test_copies_of_one_answer_are_graded_alike():
    for group in JUDGED.reposts:
        assert len(group) > 1 and all(answer_id in JUDGED.answers for answer_id in group), group
        for query in JUDGED.queries:
            assert len({query.grades.get(answer_id, 0) for answer_id in group}) == 1, (query.id, group)


def test_judged_files_are_in_the_repository():
    assert all(path.is_file() and REPO in path.parents for path in JUDGED.files)


# ---------------------------------------------------------------------------------------------
# The metrics on tiny hand-made rankings


GRADES = {"a": 2, "b": 1}


def test_ndcg():
    ndcg = relevance.ndcg
    assert ndcg([["a"], ["b"]], GRADES) == 1.0
    assert ndcg([["a"], ["x"], ["b"]], GRADES) < 1.0
    assert 0 < ndcg([["b"], ["a"]], GRADES) < 1.0
    assert ndcg([], GRADES) == 0.0 and ndcg([["x"]], GRADES) == 0.0
    assert ndcg([["a"]], {}) == 0.0
    # gains 2^g - 1 discounted by log2(rank + 1): x earns nothing, a earns 3 at rank 2
    expected = (3 / 1.584962500721156) / (3 + 1 / 1.584962500721156)
    assert ndcg([["x"], ["a"]], GRADES) == pytest.approx(expected)
    # only the first k results count
    assert ndcg([["x"]] * 10 + [["a"], ["b"]], GRADES) == 0.0


def test_recall_and_reciprocal_rank():
    assert relevance.recall([["a"], ["x"]], GRADES) == 0.5
    assert relevance.recall([["x"], ["b"], ["a"]], GRADES) == 1.0
    assert relevance.recall([], GRADES) == 0.0
    assert relevance.recall([["x"]] * 10 + [["a"]], GRADES) == 0.0
    assert relevance.reciprocal_rank([["x"], ["b"]], GRADES) == 0.5
    assert relevance.reciprocal_rank([["a"]], GRADES) == 1.0
    assert relevance.reciprocal_rank([["x"], ["y"]], GRADES) == 0.0


def test_copies_of_one_answer_count_once():
    def units(result):
        return {"a" if answer_id == "a2" else answer_id for answer_id in result}

    # one merged result for both copies is the ideal ranking; listing a copy again earns nothing
    assert relevance.ndcg([["a", "a2"], ["b"]], GRADES, units) == 1.0
    assert relevance.result_gains([["a"], ["a2"], ["b"]], GRADES, units) == [2, 0, 1]
    assert relevance.ndcg([["a"], ["a2"], ["b"]], GRADES, units) < 1.0
    assert relevance.recall([["a2"]], GRADES, units) == 0.5


def test_the_judged_sets_answer_grades_merge_reposts():
    query = next(q for q in JUDGED.queries if any(set(g) <= set(q.grades) for g in JUDGED.reposts))
    grades = JUDGED.answer_grades(query)
    for group in JUDGED.reposts:
        assert not set(group[1:]) & set(grades)


# ---------------------------------------------------------------------------------------------
# dlqa against the floors, with the table printed


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return relevance.run(JUDGED, tmp_path_factory.mktemp("relevance"))


def test_dlqa_ranking_does_not_fall_below_the_floors(results, capsys):
    with capsys.disabled():
        print("\n" + relevance.format_table(results))
    overall = relevance.summarise(results["dlqa"])["all"]
    for metric in ("ndcg@10", "recall@10"):
        assert overall[metric] >= JUDGED.floors[metric], (
            f"dlqa's mean {metric} fell to {overall[metric]:.3f}, below the floor "
            f"{JUDGED.floors[metric]:.3f} in tests/relevance/judged.json")


def test_dlqa_returns_something_for_every_query_with_a_relevant_answer(results):
    empty = [score.query.query for score in results["dlqa"] if score.empty]
    assert not empty, f"dlqa lists nothing for {empty}, although a judged answer is relevant"


def test_both_engines_answer_every_query_and_one_query_can_be_shown(results):
    for engine in relevance.ENGINES:
        assert [score.query.id for score in results[engine]] == [q.id for q in JUDGED.queries]
    shown = relevance.format_query(JUDGED, results, "batch normalization")
    assert "e02" in shown and "baseline:" in shown and "dlqa:" in shown
    # the baseline's OR semantics find the three answers about batch normalisation
    assert "[2] cc1168b2" in shown.split("baseline:")[1]


def test_json_report_has_every_engine_and_query(results):
    import json

    report = json.loads(json.dumps(relevance.as_json(results), ensure_ascii=False))
    assert set(report["engines"]) == set(relevance.ENGINES) and report["k"] == relevance.K
    for engine in relevance.ENGINES:
        summary = report["engines"][engine]["summary"]
        assert set(summary) == {*relevance.KINDS, "all"}
        assert summary["all"]["queries"] == sum(1 for q in JUDGED.queries if JUDGED.answer_grades(q))
        assert len(report["engines"][engine]["queries"]) == len(JUDGED.queries)


def test_an_unknown_query_is_one_line_and_status_2(capsys):
    assert relevance.main(["--query", "no such judged query"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "not a judged query" in err
