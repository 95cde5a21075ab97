"""The facade's side of issue #17: `Library()` finds the library as every command does
(`dlqa.store.location`), and the methods the CLI's `--files`, messages and completion use."""

from __future__ import annotations

import pytest

from dlqa import Library
from dlqa.errors import NoIndexError
from dlqa.store.ingest import ingest


@pytest.fixture()
def isolated(tmp_path, monkeypatch):
    """A folder with no index above it, no DLQA_INDEX and a settings file of our own."""
    monkeypatch.delenv("DLQA_INDEX", raising=False)
    monkeypatch.setenv("DLQA_CONFIG", str(tmp_path / "settings" / "config.toml"))
    work = tmp_path / "work" / "deep"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    return tmp_path


def test_library_finds_the_nearest_index_above_and_says_why(isolated, corpus_copy):
    ingest([corpus_copy], isolated / "work" / "index")
    lib = Library()
    assert lib.path.resolve() == (isolated / "work" / "index").resolve()
    assert lib.location.source == "found" and str(isolated / "work") in lib.location.reason
    assert lib.search("过拟合").total > 0


def test_library_follows_the_environment_then_the_settings_file(isolated, monkeypatch):
    (isolated / "settings").mkdir()
    (isolated / "settings" / "config.toml").write_text('index = "configured"\n', encoding="utf-8")
    assert Library().path == isolated / "settings" / "configured"
    monkeypatch.setenv("DLQA_INDEX", str(isolated / "from-env"))
    assert Library().location.source == "env"
    assert Library(isolated / "given").location.source == "option"


def test_nothing_found_is_an_error_naming_where_it_looked_unless_creating(isolated):
    with pytest.raises(NoIndexError, match="no index found") as error:
        Library()
    assert str(isolated / "settings" / "config.toml") in str(error.value)
    made = Library(create=True)
    assert made.location.source == "new" and str(made.path) == "index"
    with pytest.raises(NoIndexError, match=r"no index at index \(none set or found"):
        made.search("过拟合")


def test_a_configured_folder_without_an_index_says_how_it_was_chosen(isolated):
    (isolated / "settings").mkdir()
    (isolated / "settings" / "config.toml").write_text('index = "gone"\n', encoding="utf-8")
    lib = Library()
    for call in (lambda: lib.search("过拟合"), lib.stats, lib.sites, lib.answer_count,
                 lambda: lib.matching_files("过拟合"), lambda: lib.get("abcdef")):
        with pytest.raises(NoIndexError, match="from the index setting in") as error:
            call()
        assert "\n" not in str(error.value)


def test_matching_files_are_the_pages_of_every_match_in_search_order(corpus_index):
    lib = Library(corpus_index)
    for query, options in (("深度学习", {}), ("深度学习", {"sort": "date"}), ("过拟合", {"site": "zhihu"}),
                           ("overfitting", {"expand": False})):
        results = lib.search(query, limit=1000, **options)
        expected = list(dict.fromkeys(page["source_file"] for hit in results.hits for page in hit.seen_in))
        assert lib.matching_files(query, **options) == expected, (query, options)
    assert len(lib.matching_files("深度学习")) > 1
    assert lib.matching_files("没有这个词QXZ") == []


def test_sites_and_answer_count_read_the_index_cheaply(corpus_index, tmp_path):
    lib = Library(corpus_index)
    stats = lib.stats()
    assert lib.sites() == sorted(stats["sites"])
    assert lib.answer_count() == stats["answers"] > 0
    page = tmp_path / "page.txt"
    page.write_text("过拟合怎么办?\n\n多加数据,再加正则化。\n", encoding="utf-8")
    empty = Library(tmp_path / "index")
    empty.ingest([page], jobs=1)
    assert empty.sites() == ["web"] and empty.answer_count() == 1
    page.unlink()
    empty.ingest([], prune=True, jobs=1)
    assert empty.answer_count() == 0  # (a pruned site's term may linger until segments merge)
