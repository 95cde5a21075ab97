"""Ranking quality: dlqa against a plain BM25 baseline on the judged set in tests/relevance/.

    python3 benchmarks/relevance.py            # the per-kind table for both engines
    python3 benchmarks/relevance.py --json     # the same, and every query's scores, as JSON
    python3 benchmarks/relevance.py --query 怎么解决过拟合   # one query's ranked lists, graded

Why a benchmark and not only a test: ranking changes are judged by how they move these numbers
against an engine anyone would build first (jieba + Whoosh BM25F, OR semantics, no glossary),
measured in the same run on the same answers. `tests/test_relevance.py` imports this file, so
the metrics and the engines exist once.

Both engines index the judged files in a temporary folder. The baseline holds one Whoosh
document per answer as `dlqa parse` extracts them (title = the page title), analysed with
jieba's stock `ChineseAnalyzer` (the process-global jieba dictionary: dlqa's glossary lives in a
private tokenizer and never reaches it), queried over title and body with `OrGroup`.

Metrics, per query then averaged over the queries that have at least one relevant answer:
nDCG@10 with gains 2^grade - 1, recall@10 of the answers graded 1 or 2, reciprocal rank of the
first result graded 1 or 2 within the first 10 (MRR), and the empty-result rate (no result at
all although a relevant answer exists). The unit is the *answer*: copies of one answer on
several judged pages (the set's `reposts`) count once, so an engine that merges reposts into one
result is neither rewarded nor punished for it, and a second copy further down gains nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import sys
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
JUDGED = REPO / "tests" / "relevance" / "judged.json"
#: Results looked at per query: the first page of a search.
K = 10
KINDS = ("question", "keywords", "english", "paraphrase")
ENGINES = ("dlqa", "baseline")

#: A ranked result list: each result is the ids of the answers it stands for (dlqa merges the
#: copies of a reposted answer into one result; the baseline's results are one id each).
Ranking = list[list[str]]


# ---------------------------------------------------------------------------------------------
# The judged set


@dataclass(frozen=True)
class JudgedQuery:
    """One query, what it is after, and the grade of every answer graded above 0."""

    id: str
    kind: str
    query: str
    intent: str
    grades: dict[str, int]


@dataclass(frozen=True)
class JudgedSet:
    """The judged files, every judged answer id, repost groups, regression floors, queries."""

    files: list[Path]
    answers: dict[str, str]
    reposts: list[list[str]]
    floors: dict[str, float]
    queries: list[JudgedQuery]
    #: answer id -> the first id of its repost group (itself when it is not reposted).
    canonical: dict[str, str] = field(default_factory=dict)

    def answer_grades(self, query: JudgedQuery) -> dict[str, int]:
        """Grades per answer (repost copies as one), graded answers only."""
        grades: dict[str, int] = {}
        for answer_id, grade in query.grades.items():
            unit = self.canonical.get(answer_id, answer_id)
            grades[unit] = max(grade, grades.get(unit, 0))
        return {unit: grade for unit, grade in grades.items() if grade > 0}

    def units(self, result: Iterable[str]) -> set[str]:
        """The answers one result stands for."""
        return {self.canonical.get(answer_id, answer_id) for answer_id in result}


def load_judged(path: Path = JUDGED) -> JudgedSet:
    """Read the judged set; file paths in it are relative to the repository."""
    data = json.loads(path.read_text(encoding="utf-8"))
    canonical: dict[str, str] = {}
    for group in data.get("reposts", []):
        for answer_id in group:
            canonical[answer_id] = group[0]
    return JudgedSet(
        files=[REPO / name for name in data["judged_files"]],
        answers=dict(data["judged_answers"]),
        reposts=[list(group) for group in data.get("reposts", [])],
        floors=dict(data.get("floors", {})),
        queries=[
            JudgedQuery(entry["id"], entry["kind"], entry["query"], entry["intent"],
                        {key: int(value) for key, value in entry["grades"].items()})
            for entry in data["queries"]
        ],
        canonical=canonical,
    )


# ---------------------------------------------------------------------------------------------
# Metrics: pure functions of a ranking, the answers' grades and the repost grouping


def result_gains(ranking: Ranking, grades: dict[str, int],
                 units: Callable[[Iterable[str]], set[str]] = set, k: int = K) -> list[int]:
    """The grade each of the first k results earns: the best grade among the answers it stands
    for that no earlier result showed (a repeat of an answer already seen earns 0)."""
    seen: set[str] = set()
    gains = []
    for result in ranking[:k]:
        fresh = units(result) - seen
        seen |= fresh
        gains.append(max((grades.get(unit, 0) for unit in fresh), default=0))
    return gains


def _dcg(gains: Iterable[int]) -> float:
    return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains))


def ndcg(ranking: Ranking, grades: dict[str, int],
         units: Callable[[Iterable[str]], set[str]] = set, k: int = K) -> float:
    """Normalised discounted cumulative gain of the first k results (0 when nothing is relevant)."""
    ideal = _dcg(sorted(grades.values(), reverse=True)[:k])
    return _dcg(result_gains(ranking, grades, units, k)) / ideal if ideal else 0.0


def recall(ranking: Ranking, grades: dict[str, int],
           units: Callable[[Iterable[str]], set[str]] = set, k: int = K) -> float:
    """Share of the relevant answers (graded ≥ 1) among those the first k results stand for."""
    relevant = {unit for unit, grade in grades.items() if grade > 0}
    if not relevant:
        return 0.0
    retrieved: set[str] = set()
    for result in ranking[:k]:
        retrieved |= units(result)
    return len(relevant & retrieved) / len(relevant)


def reciprocal_rank(ranking: Ranking, grades: dict[str, int],
                    units: Callable[[Iterable[str]], set[str]] = set, k: int = K) -> float:
    """1 / the rank of the first result graded ≥ 1 within the first k, else 0."""
    for rank, gain in enumerate(result_gains(ranking, grades, units, k), start=1):
        if gain > 0:
            return 1.0 / rank
    return 0.0


# ---------------------------------------------------------------------------------------------
# The two engines: build an index of the judged files, then search it


def build_dlqa_index(files: list[Path], index_dir: Path) -> None:
    """dlqa's own ingest of the judged files, through the `Library` facade."""
    from dlqa import Library

    report = Library(index_dir).ingest([str(path) for path in files], jobs=1)
    if report.failures:
        raise RuntimeError(f"dlqa could not ingest: {report.failures}")


def search_dlqa(index_dir: Path, query: str) -> Ranking:
    """dlqa's first page of results, each as the ids of every copy it merges.

    The one place that calls dlqa's search (the `Library` facade, as a script would).
    A query dlqa refuses (a `QueryError`) counts as returning nothing.
    """
    from dlqa import Library
    from dlqa.errors import QueryError

    try:
        found = Library(index_dir).search(query, limit=K)
    except QueryError:
        return []
    # One answer saved twice under the same id (same own link) is listed once.
    return [list(dict.fromkeys(page["id"] for page in hit.seen_in)) or [hit.id]
            for hit in found.results]


def _quiet_jieba() -> None:
    """jieba logs its dictionary loading to stderr; keep the report readable."""
    import jieba

    jieba.setLogLevel(logging.WARNING)


def build_baseline_index(files: list[Path], index_dir: Path) -> None:
    """Plain jieba + Whoosh: one document per answer dlqa extracts, with the page title."""
    from jieba.analyse import ChineseAnalyzer
    from whoosh import index as whoosh_index
    from whoosh.fields import ID, TEXT, Schema

    from dlqa.extract import parse_file

    _quiet_jieba()
    analyzer = ChineseAnalyzer()
    schema = Schema(id=ID(stored=True, unique=True), title=TEXT(analyzer=analyzer),
                    body=TEXT(analyzer=analyzer))
    index_dir.mkdir(parents=True, exist_ok=True)
    writer = whoosh_index.create_in(str(index_dir), schema).writer()
    for path in files:
        page = parse_file(path)
        for answer in page.answers:
            writer.add_document(id=answer.id, title=page.title or "", body=answer.body)
    writer.commit()


def search_baseline(index_dir: Path, query: str) -> Ranking:
    """BM25F over title and body, any query word matching (OrGroup), first page."""
    from whoosh import index as whoosh_index
    from whoosh.qparser import MultifieldParser, OrGroup

    _quiet_jieba()
    ix = whoosh_index.open_dir(str(index_dir))
    parser = MultifieldParser(["title", "body"], ix.schema, group=OrGroup)
    with ix.searcher() as searcher:
        return [[hit["id"]] for hit in searcher.search(parser.parse(query), limit=K)]


# ---------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class QueryScore:
    """One engine's ranking for one judged query and its metrics."""

    query: JudgedQuery
    ranking: Ranking
    relevant: int
    ndcg: float
    recall: float
    reciprocal_rank: float

    @property
    def empty(self) -> bool:
        """Nothing returned although some answer is relevant."""
        return self.relevant > 0 and not self.ranking


def evaluate(judged: JudgedSet, search: Callable[[str], Ranking]) -> list[QueryScore]:
    """Run every judged query through one engine and score its first page."""
    scores = []
    for query in judged.queries:
        ranking = search(query.query)
        grades = judged.answer_grades(query)
        scores.append(QueryScore(
            query, ranking, len(grades),
            ndcg(ranking, grades, judged.units), recall(ranking, grades, judged.units),
            reciprocal_rank(ranking, grades, judged.units),
        ))
    return scores


METRICS = ("ndcg@10", "recall@10", "mrr", "empty")


def summarise(scores: list[QueryScore]) -> dict[str, dict[str, float]]:
    """Mean metrics per query kind and over all ("all"), over queries with a relevant answer."""
    groups: dict[str, list[QueryScore]] = {kind: [] for kind in KINDS}
    for score in scores:
        if score.relevant:
            groups.setdefault(score.query.kind, []).append(score)
    groups["all"] = [score for score in scores if score.relevant]
    summary = {}
    for kind, members in groups.items():
        count = len(members) or 1
        summary[kind] = {
            "queries": len(members),
            "ndcg@10": sum(score.ndcg for score in members) / count,
            "recall@10": sum(score.recall for score in members) / count,
            "mrr": sum(score.reciprocal_rank for score in members) / count,
            "empty": sum(score.empty for score in members) / count,
        }
    return summary


def run(judged: JudgedSet, workdir: Path) -> dict[str, list[QueryScore]]:
    """Build both indexes under `workdir` and score every judged query on each."""
    dlqa_index, baseline_index = workdir / "dlqa", workdir / "baseline"
    build_dlqa_index(judged.files, dlqa_index)
    build_baseline_index(judged.files, baseline_index)
    return {
        "dlqa": evaluate(judged, lambda query: search_dlqa(dlqa_index, query)),
        "baseline": evaluate(judged, lambda query: search_baseline(baseline_index, query)),
    }


# ---------------------------------------------------------------------------------------------
# Reports


def format_table(results: dict[str, list[QueryScore]]) -> str:
    """Per kind and overall, one row per engine: the four metrics."""
    summaries = {engine: summarise(scores) for engine, scores in results.items()}
    first = next(iter(results.values()))
    lines = [
        f"{len(first)} judged queries, {sum(1 for s in first if s.relevant)} with a relevant answer;"
        f" first {K} results",
        f"{'kind':<11} {'n':>3}  {'engine':<9} {'nDCG@10':>8} {'recall@10':>10} {'MRR':>6} {'empty':>6}",
    ]
    for kind in (*KINDS, "all"):
        for position, engine in enumerate(results):
            row = summaries[engine][kind]
            label = f"{kind:<11} {row['queries']:>3}" if position == 0 else " " * 15
            lines.append(f"{label}  {engine:<9} {row['ndcg@10']:>8.3f} {row['recall@10']:>10.3f}"
                         f" {row['mrr']:>6.3f} {row['empty']:>6.2f}")
    for engine, scores in results.items():
        empty = [score.query for score in scores if score.empty]
        listed = ", ".join(f"{query.id} {query.query}" for query in empty) or "none"
        lines.append(f"{engine} returns nothing for {len(empty)} queries with a relevant answer: {listed}")
    return "\n".join(lines)


def as_json(results: dict[str, list[QueryScore]]) -> dict[str, Any]:
    """Summaries and per-query scores, for machines."""
    return {
        "k": K,
        "engines": {
            engine: {
                "summary": summarise(scores),
                "queries": [
                    {"id": s.query.id, "kind": s.query.kind, "query": s.query.query,
                     "relevant": s.relevant, "returned": len(s.ranking), "ndcg@10": s.ndcg,
                     "recall@10": s.recall, "rr": s.reciprocal_rank, "empty": s.empty}
                    for s in scores
                ],
            }
            for engine, scores in results.items()
        },
    }


def format_query(judged: JudgedSet, results: dict[str, list[QueryScore]], wanted: str) -> str:
    """One query's ranked list on each engine with the grade of every result, and the relevant
    answers neither list reached."""
    lines = []
    for engine, scores in results.items():
        score = next(s for s in scores if wanted in (s.query.id, s.query.query))
        grades = judged.answer_grades(score.query)
        if not lines:
            lines += [f"{score.query.id} [{score.query.kind}] {score.query.query}",
                      f"intent: {score.query.intent}", f"relevant answers: {len(grades)}"]
        lines.append(f"\n{engine}: nDCG@10 {score.ndcg:.3f}  recall@10 {score.recall:.3f}"
                     f"  RR {score.reciprocal_rank:.3f}")
        gains = result_gains(score.ranking, grades, judged.units)
        shown: set[str] = set()
        for rank, (result, gain) in enumerate(zip(score.ranking, gains, strict=True), start=1):
            names = " = ".join(f"{answer_id[:8]} {judged.answers.get(answer_id, '(unjudged)')}"
                               for answer_id in result)
            repeat = " (a copy of an answer above)" if judged.units(result) <= shown else ""
            shown |= judged.units(result)
            lines.append(f"  {rank:>2}. [{gain}] {names}{repeat}")
        if not score.ranking:
            lines.append("   (no results)")
        found: set[str] = set()
        for result in score.ranking[:K]:
            found |= judged.units(result)
        missed = sorted((unit for unit in grades if unit not in found), key=lambda unit: -grades[unit])
        for unit in missed:
            lines.append(f"      missed [{grades[unit]}] {unit[:8]} {judged.answers.get(unit, '')}")
    from dlqa.render_human import safe  # labels are authors' names taken from pages

    return safe("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--query", metavar="Q", help="show one judged query's ranked lists (text or id)")
    parser.add_argument("--judged", type=Path, default=JUDGED, help="the judged set (JSON)")
    args = parser.parse_args(argv)
    judged = load_judged(args.judged)
    if args.query and not any(args.query in (q.id, q.query) for q in judged.queries):
        print(f"relevance: {args.query!r} is not a judged query (see {args.judged})", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="dlqa-relevance-") as workdir:
        results = run(judged, Path(workdir))
    if args.query:
        print(format_query(judged, results, args.query))
    elif args.json:
        print(json.dumps(as_json(results), ensure_ascii=False, indent=1))
    else:
        print(format_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
