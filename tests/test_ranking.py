"""Ranking quality on a judged query set: recall@10 and nDCG@10 must not regress.

`tests/judged/queries.json` holds ~10 queries and, for each, the sample answers judged relevant
(grade 2 = about the idea, 1 = names it relevantly) by reading them. The test prints the
per-query and mean metrics (`pytest -s tests/test_ranking.py`) and fails when a mean drops
below the value measured when the set was made, minus a small margin.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from dlqa.search import search

JUDGED = Path(__file__).parent / "judged" / "queries.json"
K = 10
#: Means measured with glossary expansion on (the default); a change may lose at most MARGIN.
BASELINE = {"recall": 0.936, "ndcg": 0.859}  # (#14's partial matches and concepts: 0.856, 0.830 before)
MARGIN = 0.03


def ndcg(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """Normalised discounted cumulative gain of the first k results."""
    def dcg(gains: list[int]) -> float:
        return sum((2**gain - 1) / math.log2(rank + 2) for rank, gain in enumerate(gains[:k]))

    ideal = dcg(sorted(grades.values(), reverse=True))
    return dcg([grades.get(answer, 0) for answer in ranked]) / ideal if ideal else 0.0


def recall(ranked: list[str], grades: dict[str, int], k: int = K) -> float:
    """Share of the relevant answers (at most k) found in the first k results."""
    relevant = set(grades)
    return len(relevant & set(ranked[:k])) / min(len(relevant), k) if relevant else 0.0


def test_metric_functions():
    grades = {"a": 2, "b": 1}
    assert ndcg(["a", "b", "c"], grades) == 1.0
    assert 0 < ndcg(["c", "b", "a"], grades) < ndcg(["b", "a"], grades) < 1.0
    assert recall(["a", "x"], grades) == 0.5 and recall([], grades) == 0.0


def test_judged_queries_do_not_regress(corpus_index, capsys):
    judged = json.loads(JUDGED.read_text(encoding="utf-8"))["queries"]
    assert len(judged) >= 10
    rows = []
    for entry in judged:
        ranked = [hit.id for hit in search(corpus_index, entry["query"], limit=K).results]
        rows.append((entry["query"], recall(ranked, entry["relevant"]), ndcg(ranked, entry["relevant"])))
    mean_recall = sum(row[1] for row in rows) / len(rows)
    mean_ndcg = sum(row[2] for row in rows) / len(rows)
    with capsys.disabled():
        print(f"\n{'query':<16} recall@{K}  nDCG@{K}")
        for query, rec, gain in rows:
            print(f"{query:<16} {rec:9.3f} {gain:8.3f}")
        print(f"{'mean':<16} {mean_recall:9.3f} {mean_ndcg:8.3f}")
    assert mean_recall >= BASELINE["recall"] - MARGIN
    assert mean_ndcg >= BASELINE["ndcg"] - MARGIN
