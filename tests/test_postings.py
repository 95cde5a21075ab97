"""The compact posting pool writes exactly the postings Whoosh's own pool writes."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from dlqa import postings
from dlqa.index import ingest
from dlqa.postings import CompactPool, use_compact_pool


def all_postings(index_dir: Path) -> list[tuple[str, bytes, str, float, bytes]]:
    """(field, term, answer id, weight, value) of every posting, independent of doc numbers."""
    reader = whoosh_index.open_dir(str(index_dir)).reader()
    try:
        ids = {doc: stored["id"] for doc, stored in reader.iter_docs()}
        return sorted((field, text, ids[doc], weight, value)
                      for field, text, doc, weight, value in reader.iter_postings())
    finally:
        reader.close()


def test_same_postings_as_whoosh_pool(corpus_copy, tmp_path, monkeypatch):
    ingest([corpus_copy], tmp_path / "compact", jobs=1)
    with monkeypatch.context() as patch:
        patch.setattr(postings, "use_compact_pool", lambda writer: writer)
        ingest([corpus_copy], tmp_path / "whoosh", jobs=1)
    compact = all_postings(tmp_path / "compact")
    assert len(compact) > 10_000
    assert compact == all_postings(tmp_path / "whoosh")


def test_merging_segments_through_the_pool_keeps_every_posting(corpus_copy, tmp_path, monkeypatch):
    """One commit per file makes Whoosh merge small segments into the next writer's pool."""
    monkeypatch.setenv("DLQA_COMMIT_EVERY", "1")
    ingest([corpus_copy], tmp_path / "merged", jobs=1)
    monkeypatch.delenv("DLQA_COMMIT_EVERY")
    ingest([corpus_copy], tmp_path / "once", jobs=1)
    assert all_postings(tmp_path / "merged") == all_postings(tmp_path / "once")


def test_postings_come_out_by_field_term_then_document():
    pool = CompactPool()
    for item in [("b", b"x", 0, 1.0, b"1"), ("a", b"z", 0, 2.0, None), ("a", b"y", 1, 1.0, b""),
                 ("b", b"x", 3, 1.5, b"22"), ("a", b"y", 2, 1.0, b"333")]:
        pool.add(item)
    assert list(pool.iter_postings()) == [
        ("a", b"y", 1, 1.0, b""), ("a", b"y", 2, 1.0, b"333"), ("a", b"z", 0, 2.0, None),
        ("b", b"x", 0, 1.0, b"1"), ("b", b"x", 3, 1.5, b"22")]
    assert pool.fieldnames == {"a", "b"}
    pool.cleanup()
    assert len(pool) == 0 and list(pool.iter_postings()) == []


def test_the_pool_is_only_swapped_before_the_first_document(tmp_path):
    class Started:
        _added = True
        pool = None

    with pytest.raises(ValueError):
        use_compact_pool(Started())
