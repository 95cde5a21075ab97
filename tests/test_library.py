"""The library facade (`dlqa.Library`) and the answer record declared once."""

from __future__ import annotations

import dataclasses
import json

import pytest
from typer.testing import CliRunner

from dlqa import Library
from dlqa.cli import app
from dlqa.errors import NoIndexError, QueryError
from dlqa.model import ANSWER_FIELDS, RECORD_FIELDS
from dlqa.results import SEARCH_FIELDS, Hit, SearchResults
from dlqa.store.documents import make_schema

runner = CliRunner()


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    from tests.helpers import SEEDS

    lib = Library(tmp_path_factory.mktemp("lib") / "index")
    report = lib.ingest([str(path) for path in SEEDS], jobs=1)
    assert not report.failures and report.added > 0
    return lib


def test_search_returns_what_the_cli_prints(library):
    results = library.search("过拟合", limit=2)
    assert isinstance(results, SearchResults) and results.hits is results.results
    assert len(results.hits) == 2 and results.total >= 2 and results.with_reposts >= results.total
    assert all(isinstance(hit, Hit) and "过拟合" in hit.body for hit in results.hits)
    assert results.expansions["过拟合"]
    cli = runner.invoke(app, ["search", "过拟合", "-n", "2", "--json", "--index", str(library.path)])
    assert json.loads(cli.stdout) == json.loads(json.dumps(results.to_dict(), ensure_ascii=False))


def test_search_options_filter_and_page(library):
    everything = library.search("深度学习", limit=50)
    second = library.search("深度学习", limit=2, page=2)
    assert [hit.id for hit in second.hits] == [hit.id for hit in everything.hits[2:4]]
    v2ex = library.search("深度学习", site="v2ex", limit=50)
    assert v2ex.total and all(hit.site == "v2ex" for hit in v2ex.hits)
    dated = library.search("深度学习", site="v2ex", since="2018-12-22", sort="date", limit=50)
    dates = [hit.posted_date for hit in dated.hits]
    assert dates and all(date >= "2018-12-22" for date in dates) and dates == sorted(dates, reverse=True)
    typed = library.search("overfitting", expand=False)
    assert not typed.expansions
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        library.search("深度学习", since="22/12/2018")
    with pytest.raises(QueryError):
        library.search('"unclosed')


def test_get_similar_and_stats(library):
    hit = library.search("过拟合").hits[0]
    assert library.get(hit.id).body == hit.body
    assert library.get(hit.id[:8]).id == hit.id
    assert library.get("not-an-id") is None
    found = library.similar(hit.id, limit=3)
    assert found is not None and found.anchor.id == hit.id
    assert all(other.id != hit.id for other, _ in found.results)
    assert library.key_terms(hit.id) == found.key_terms
    stats = library.stats()
    assert stats["answers"] == sum(site["answers"] for site in stats["sites"].values())


def test_iter_answers_streams_every_stored_answer(library):
    answers = list(library.iter_answers())
    assert len(answers) == library.stats()["answers"]
    assert len({answer.id for answer in answers}) == len(answers)
    assert all(answer.source_file for answer in answers) and sum(bool(answer.body) for answer in answers) > len(answers) // 2
    assert all(library.get(answer.id).body == answer.body for answer in answers[::10])


def test_a_missing_index_is_a_one_line_error(tmp_path):
    with pytest.raises(NoIndexError, match="no index at"):
        Library(tmp_path / "nowhere").search("过拟合")
    with pytest.raises(NoIndexError):
        list(Library(tmp_path / "nowhere").iter_answers())


def test_the_record_field_list_drives_schema_results_and_json():
    names = [spec.name for spec in RECORD_FIELDS]
    assert list(ANSWER_FIELDS) == [spec.name for spec in RECORD_FIELDS if spec.of == "answer"]
    assert [field.name for field in dataclasses.fields(Hit)][: len(names)] == names
    schema = make_schema()
    stored = {name for name in schema.names() if schema[name].stored}
    assert set(names) - {"body"} <= stored  # the body is kept in its own column
    hit = Hit(**{name: f"v-{name}" for name in names})
    data = hit.to_dict()
    assert list(data)[: len(names)] == names and set(SEARCH_FIELDS) <= set(data)
    shown = hit.to_dict(search_fields=False)
    assert list(shown) == [*names, "link", "posted_date"]
