"""The index through the library API: idempotent ingest, replacement, prune, rebuild, damage."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlqa.discover import discover
from dlqa.errors import IndexBusyError, IndexDamagedError, NoIndexError
from dlqa.extract import parse_file
from dlqa.search import get_answer, search
from dlqa.store import documents, manifest, opening
from dlqa.store import ingest as dlqa_ingest
from dlqa.store.ingest import ingest
from dlqa.store.opening import open_index
from dlqa.store.stats import stats
from tests.helpers import SEEDS


def doc_count(index_dir: Path) -> int:
    with open_index(index_dir).searcher() as searcher:
        return searcher.doc_count()


def doc_keys(index_dir: Path) -> list[tuple[str, int]]:
    with open_index(index_dir).searcher() as searcher:
        return sorted((d["source_file"], d["position"]) for d in searcher.all_stored_fields())


def expected_answers(folder: Path) -> int:
    return sum(len(parse_file(path).answers) for path in sorted(folder.glob("*.txt")))


def test_ingest_adds_every_answer_once(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    report = ingest([corpus_copy], index_dir)
    total = expected_answers(corpus_copy)
    assert report.failures == []
    assert report.files_read == len(SEEDS)
    assert report.pages == len(SEEDS)
    assert report.added == total == doc_count(index_dir)
    keys = doc_keys(index_dir)
    assert len(keys) == len(set(keys))

    again = ingest([corpus_copy], index_dir)
    assert (again.added, again.replaced, again.pages) == (0, 0, 0)
    assert again.unchanged == total
    assert doc_count(index_dir) == total


def test_source_file_is_the_resolved_path(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.chdir(corpus_copy.parent)
    index_dir = tmp_path / "ix"
    ingest([Path("corpus") / SEEDS[0].name], index_dir)
    files = {source for source, _ in doc_keys(index_dir)}
    assert files == {os.path.realpath(corpus_copy / SEEDS[0].name)}


def test_a_changed_file_replaces_its_answers(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    before = doc_count(index_dir)
    target = corpus_copy / SEEDS[-1].name
    old_answers = len(parse_file(target).answers)
    marker = "独一无二的标记词组"
    text = target.read_text(encoding="utf-8")
    last_body_line = parse_file(target).answers[-1].body.split("\n")[0]
    assert last_body_line in text
    target.write_text(text.replace(last_body_line, last_body_line + marker, 1), encoding="utf-8")

    report = ingest([corpus_copy], index_dir)
    assert report.pages == 1
    assert report.replaced == len(parse_file(target).answers) == old_answers
    assert report.added == 0
    assert doc_count(index_dir) == before
    hits = search(index_dir, f'"{marker}"').results  # quoted: the exact words, no partial matches
    assert [hit.source_file for hit in hits] == [str(target.resolve())]


def test_touching_a_file_without_changing_it_is_unchanged(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    target = corpus_copy / SEEDS[0].name
    stat = target.stat()
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    report = ingest([corpus_copy], index_dir)
    assert report.pages == 0
    assert report.files_unchanged == len(SEEDS)


def test_a_removed_file_is_dropped_only_with_prune(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    total = doc_count(index_dir)
    gone = corpus_copy / SEEDS[1].name
    gone_answers = len(parse_file(gone).answers)
    gone.unlink()

    ingest([corpus_copy], index_dir)
    assert doc_count(index_dir) == total
    report = ingest([corpus_copy], index_dir, prune=True)
    assert report.pruned == gone_answers
    assert doc_count(index_dir) == total - gone_answers
    assert str(gone.resolve()) not in {source for source, _ in doc_keys(index_dir)}


def test_rebuild_starts_over(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    one = corpus_copy / SEEDS[2].name
    report = ingest([one], index_dir, rebuild=True)
    assert report.added == len(parse_file(one).answers) == doc_count(index_dir)


def test_a_bad_file_is_reported_and_never_stops_the_batch(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    total = doc_count(index_dir)
    (corpus_copy / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20)
    victim = corpus_copy / SEEDS[0].name
    victim.write_bytes(b"PK\x03\x04" + b"\x00" * 4000)  # an indexed page turned into a zip
    report = ingest([corpus_copy, tmp_path / "missing-folder"], index_dir)
    failed = {Path(path).name: reason for path, reason in report.failures}
    assert set(failed) == {"broken.txt", victim.name, "missing-folder"}
    assert all(reason and "\n" not in reason for reason in failed.values())
    assert doc_count(index_dir) == total  # the victim's earlier answers are still there


def test_an_extraction_bug_is_one_failure_not_a_crash(corpus_copy, tmp_path, monkeypatch):
    import dlqa.extract

    real = dlqa.extract.parse_bytes

    def flaky(data, path):
        if Path(path).name == SEEDS[1].name:
            raise RuntimeError("boom")
        return real(data, path)

    monkeypatch.setattr(dlqa.extract, "parse_bytes", flaky)
    report = ingest([corpus_copy], tmp_path / "ix")
    assert [(Path(p).name, "boom" in r) for p, r in report.failures] == [(SEEDS[1].name, True)]
    assert report.pages == len(SEEDS) - 1


def test_a_lost_or_stale_cache_still_gives_idempotent_ingest(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy], index_dir)
    total = doc_count(index_dir)
    cache = index_dir / manifest.FILES_CACHE
    data = json.loads(cache.read_text(encoding="utf-8"))
    data["generation"] -= 1  # as if the process died between the commit and the cache write
    data["files"] = {}
    cache.write_text(json.dumps(data), encoding="utf-8")
    report = ingest([corpus_copy], index_dir)
    assert (report.added, report.replaced, report.unchanged) == (0, 0, total)

    cache.unlink()
    target = corpus_copy / SEEDS[0].name
    target.write_text(target.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    report = ingest([corpus_copy], index_dir)
    assert report.pages == 1
    assert doc_count(index_dir) == total
    assert len(set(doc_keys(index_dir))) == total


def test_small_batches_and_an_interrupted_ingest_keep_what_was_committed(corpus_copy, tmp_path, monkeypatch):
    monkeypatch.setattr(dlqa_ingest, "BATCH_FILES", 2)
    index_dir = tmp_path / "ix"

    def interrupt(done, total, path):
        if done == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest([corpus_copy], index_dir, progress=interrupt)
    first_two = sorted(corpus_copy.glob("*.txt"))[:2]
    assert {Path(source).name for source, _ in doc_keys(index_dir)} == {p.name for p in first_two}

    report = ingest([corpus_copy], index_dir)
    assert report.files_unchanged == 2
    assert doc_count(index_dir) == expected_answers(corpus_copy)
    assert len(set(doc_keys(index_dir))) == doc_count(index_dir)


def test_progress_reports_every_file(corpus_copy, tmp_path):
    calls = []
    ingest([corpus_copy], tmp_path / "ix", progress=lambda d, t, p: calls.append((d, t)))
    assert calls[0] == (0, len(SEEDS)) and calls[-1] == (len(SEEDS), len(SEEDS))


def test_busy_index_waits_then_gives_up(corpus_copy, tmp_path, monkeypatch):
    from filelock import FileLock

    monkeypatch.setattr(dlqa_ingest, "LOCK_TIMEOUT", 0.2)
    index_dir = tmp_path / "ix"
    index_dir.mkdir()
    with FileLock(str(index_dir / dlqa_ingest.INGEST_LOCK)), pytest.raises(IndexBusyError, match="busy"):
        ingest([corpus_copy], index_dir)


def test_another_schema_version_asks_for_rebuild(corpus_copy, tmp_path):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy / SEEDS[0].name], index_dir)
    (index_dir / manifest.VERSION_FILE).write_text('{"schema_version": 0}', encoding="utf-8")
    with pytest.raises(IndexDamagedError, match="--rebuild"):
        search(index_dir, "深度学习")
    with pytest.raises(IndexDamagedError):
        ingest([corpus_copy], index_dir)
    report = ingest([corpus_copy], index_dir, rebuild=True)
    assert report.added == doc_count(index_dir) > 0


def test_no_index_is_a_one_line_hint(tmp_path):
    with pytest.raises(NoIndexError, match="dlqa ingest"):
        search(tmp_path / "nothing", "过拟合")
    assert not (tmp_path / "nothing").exists()  # searching never creates an index


def test_discover_walks_folders_globs_and_skips_what_it_should(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "one.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "two.HTML").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "skip.json").write_text("x", encoding="utf-8")
    (tmp_path / "a" / ".hidden").mkdir()
    (tmp_path / "a" / ".hidden" / "three.txt").write_text("x", encoding="utf-8")
    (tmp_path / "a" / "b" / "loop").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "alias.txt").symlink_to(tmp_path / "a" / "one.txt")

    files, failures = discover([tmp_path / "a", str(tmp_path / "a" / "one.txt")])
    assert sorted(Path(f).name for f in files) == ["one.txt", "two.HTML"]
    assert failures == []

    files, failures = discover([str(tmp_path / "**" / "*.txt"), str(tmp_path / "nope*.txt")])
    assert sorted(Path(f).name for f in files) == ["one.txt"]
    assert [reason for _, reason in failures] == ["no file matches this pattern"]


def test_stats_counts_pages_per_site_and_authors(corpus_index):
    data = stats(corpus_index)
    pages = [parse_file(path) for path in SEEDS]
    assert data["answers"] == sum(len(page.answers) for page in pages)
    assert data["pages"] == len(pages)
    by_site: dict[str, int] = {}
    for page in pages:
        by_site[page.site] = by_site.get(page.site, 0) + 1
    assert {site: entry["pages"] for site, entry in data["sites"].items()} == by_site
    counts = [entry["answers"] for entry in data["top_authors"]]
    assert counts == sorted(counts, reverse=True)
    assert data["size_bytes"] > 0


def test_get_answer_returns_the_whole_answer(corpus_index):
    answer = parse_file(SEEDS[0]).answers[0]
    hit = get_answer(corpus_index, answer.id)
    assert hit is not None
    assert (hit.body, hit.author, hit.url) == (answer.body, answer.author, answer.url)
    assert get_answer(corpus_index, answer.id[:10]).id == answer.id
    assert get_answer(corpus_index, "0" * 16 if answer.id != "0" * 16 else "1" * 16) is None


def test_rebuild_of_a_damaged_index(tmp_path, corpus_copy):
    index_dir = tmp_path / "ix"
    ingest([corpus_copy / SEEDS[0].name], index_dir)
    for toc in index_dir.glob("_MAIN_*.toc"):
        toc.write_bytes(b"garbage")
    with pytest.raises(IndexDamagedError):
        search(index_dir, "深度学习")
    report = ingest([corpus_copy / SEEDS[0].name], index_dir, rebuild=True)
    assert report.added == doc_count(index_dir) > 0
    shutil.rmtree(index_dir)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(exclude_categories=("Cs",))))
def test_the_body_column_encoding_keeps_any_text(text):
    """GB18030 covers all of Unicode: every body (lone surrogates are cleaned before) returns."""
    assert documents.decode_body(documents.encode_body(text)) == text


def test_bodies_come_back_whole_from_search_and_show(tmp_path):
    """The body lives in its own column: search and show give it back exactly, emoji, rare
    characters (CJK extension B) and all."""
    body = "过拟合的例子😀：𠀀字、ＢＥＲＴ和 café。" * 3
    page = tmp_path / "page.txt"
    page.write_text(f"标题\n\n{body}\n", encoding="utf-8")
    ingest([page], tmp_path / "ix")
    hit = search(tmp_path / "ix", "过拟合").results[0]
    assert hit.body == body
    assert get_answer(tmp_path / "ix", hit.id).body == body


def test_rebuild_starts_afresh_when_the_index_has_other_fields(corpus_copy, tmp_path, monkeypatch):
    """An index of the same schema version but another build's fields (a development build)
    is rebuilt with this build's schema instead of failing on every answer."""
    index_dir = tmp_path / "ix"
    make_schema = documents.make_schema

    def older_schema():
        schema = make_schema()
        schema.remove("body_text")
        return schema

    monkeypatch.setattr(documents, "make_schema", older_schema)
    opening.create_index(index_dir, [str(corpus_copy)])
    monkeypatch.undo()
    assert "body_text" not in open_index(index_dir).schema.names()
    report = ingest([corpus_copy], index_dir, rebuild=True)
    assert not report.failures and report.added > 0
    assert search(index_dir, "过拟合").total > 0
