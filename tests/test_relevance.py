"""The judged relevance sets in tests/relevance/ are whole, and dlqa's ranking does not regress.

The metrics, the engines and the table come from `benchmarks/relevance.py` (imported from the
repository, not copied). `python3 -m pytest -s tests/test_relevance.py` prints the per-kind table
for dlqa and the plain BM25 baseline. holdout.json gets the same integrity checks but no ranking
run here: it is scored by hand (`benchmarks/relevance.py --judged tests/relevance/holdout.json`)
to see whether a ranking change tuned on judged.json generalises.
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

from dlqa.extract import parse_file

REPO = Path(__file__).resolve().parent.parent
HOLDOUT = REPO / "tests" / "relevance" / "holdout.json"


@dataclass(frozen=True)
class SetShape:
    """What one judged set must hold: queries per kind, in all, and with a relevant answer."""

    path: Path
    minimum_per_kind: dict[str, int]
    minimum_queries: int
    minimum_answered: int


#: judged.json is what ranking is tuned against; holdout.json only checks that tuning generalises
#: (same files and answers, other queries): its floors guard against a change that helps one set
#: and hurts the other, and its per-query lists are not read while ranking is changed.
SHAPES = {
    "judged": SetShape(REPO / "tests" / "relevance" / "judged.json",
                       {"question": 16, "keywords": 11, "english": 9, "paraphrase": 8}, 45, 45),
    "holdout": SetShape(HOLDOUT, {"question": 9, "keywords": 6, "english": 5, "paraphrase": 4},
                        24, 23),
}


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
# The judged sets' integrity (judged.json and holdout.json)


@pytest.fixture(params=sorted(SHAPES), scope="module")
def shaped_set(request: pytest.FixtureRequest) -> tuple[relevance.JudgedSet, SetShape]:
    """Each judged set (judged.json, holdout.json), loaded, with what it must hold."""
    shape = SHAPES[request.param]
    return relevance.load_judged(shape.path), shape


def test_every_answer_of_the_judged_files_is_judged_and_nothing_else(shaped_set):
    judged, _ = shaped_set
    parsed: dict[str, str] = {}
    for path in judged.files:
        for answer in parse_file(path).answers:
            parsed[answer.id] = f"{path.relative_to(REPO)} {answer.author}: {answer.body[:40]!r}"
    unjudged = sorted(set(parsed) - set(judged.answers))
    vanished = sorted(set(judged.answers) - set(parsed))
    assert not unjudged, "answers never graded (grade them for every query, then add them to "\
        "judged_answers): " + "; ".join(f"{answer_id} {parsed[answer_id]}" for answer_id in unjudged)
    assert not vanished, "judged answers the judged files no longer give: " + "; ".join(
        f"{answer_id} {judged.answers[answer_id]}" for answer_id in vanished)


def test_query_kinds_and_counts(shaped_set):
    judged, shape = shaped_set
    kinds = [query.kind for query in judged.queries]
    assert len(kinds) >= shape.minimum_queries
    assert set(kinds) <= set(relevance.KINDS)
    for kind, minimum in shape.minimum_per_kind.items():
        assert kinds.count(kind) >= minimum, f"{kind}: {kinds.count(kind)} queries, want {minimum}"
    assert len({query.id for query in judged.queries}) == len(kinds)
    assert len({query.query for query in judged.queries}) == len(kinds)
    assert all(query.intent.strip() and query.query.strip() for query in judged.queries)


def test_grades_are_0_1_2_of_judged_answers(shaped_set):
    judged, shape = shaped_set
    for query in judged.queries:
        for answer_id, grade in query.grades.items():
            assert grade in (0, 1, 2), (query.id, answer_id, grade)
            assert answer_id in judged.answers, (query.id, answer_id)
    assert sum(1 for query in judged.queries if judged.answer_grades(query)) >= shape.minimum_answered


def test_copies_of_one_answer_are_graded_alike(shaped_set):
    judged, _ = shaped_set
    for group in judged.reposts:
        assert len(group) > 1 and all(answer_id in judged.answers for answer_id in group), group
        for query in judged.queries:
            assert len({query.grades.get(answer_id, 0) for answer_id in group}) == 1, (query.id, group)


def test_judged_files_are_in_the_repository(shaped_set):
    judged, _ = shaped_set
    assert all(path.is_file() and REPO in path.parents for path in judged.files)


def _normalised(query: str) -> str:
    """A query without case, spaces or punctuation, to catch trivial variants of one another."""
    return "".join(char for char in query.casefold() if char.isalnum())


def test_the_holdout_set_judges_the_same_answers_with_other_queries():
    holdout = relevance.load_judged(HOLDOUT)
    assert holdout.files == JUDGED.files
    assert holdout.answers == JUDGED.answers and holdout.reposts == JUDGED.reposts
    tuned = {_normalised(query.query) for query in JUDGED.queries}
    reused = [query.id for query in holdout.queries if _normalised(query.query) in tuned]
    assert not reused, f"holdout queries that judged.json already has: {reused}"
    assert not {query.id for query in holdout.queries} & {query.id for query in JUDGED.queries}


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


def test_dlqa_ranking_holds_on_the_holdout_set(tmp_path: Path):
    holdout = relevance.load_judged(HOLDOUT)
    overall = relevance.summarise(relevance.run(holdout, tmp_path)["dlqa"])["all"]
    for metric in ("ndcg@10", "recall@10"):
        assert overall[metric] >= holdout.floors[metric] > 0, (metric, overall[metric])


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
