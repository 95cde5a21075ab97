"""The compact posting pool writes exactly the postings Whoosh's own pool writes."""

from __future__ import annotations

from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.writing import SegmentWriter

from dlqa.engine import postings
from dlqa.engine.formats import CompactPositions, CountedFrequency
from dlqa.engine.postings import CompactPool
from dlqa.store.ingest import ingest


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
        patch.setattr(postings, "segment_writer", SegmentWriter)
        ingest([corpus_copy], tmp_path / "whoosh", jobs=1)
    with monkeypatch.context() as patch:  # several blocks per term
        patch.setattr(postings, "BLOCK_POSTINGS", 4)
        ingest([corpus_copy], tmp_path / "small-blocks", jobs=1)
    assert all_postings(tmp_path / "small-blocks") == all_postings(tmp_path / "compact")
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


def term_statistics(index_dir: Path) -> list[tuple]:
    """Every term's statistics as stored in its term info (what scoring and skipping read)."""
    reader = whoosh_index.open_dir(str(index_dir)).reader()
    try:
        out = []
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            out.append((field, text, info.weight(), info.doc_frequency(), info.min_length(),
                        info.max_length(), info.max_weight(), info.min_id(), info.max_id()))
        return out
    finally:
        reader.close()


def test_term_by_term_writing_gives_whoosh_term_statistics(corpus_copy, tmp_path, monkeypatch):
    """Blocks written a term at a time carry the statistics Whoosh's per-posting writer keeps."""
    # Blocks of 4 postings, so the sample's terms span several blocks (Whoosh's writer takes
    # its codec's default block size, ours BLOCK_POSTINGS).
    monkeypatch.setattr(W3Codec.__init__, "__defaults__", (4, 3, 1))
    monkeypatch.setattr(postings, "BLOCK_POSTINGS", 4)
    with monkeypatch.context() as patch:
        patch.setattr(postings, "segment_writer", SegmentWriter)
        ingest([corpus_copy], tmp_path / "whoosh", jobs=1)
    ingest([corpus_copy], tmp_path / "terms", jobs=1)
    mine = term_statistics(tmp_path / "terms")
    assert len(mine) > 5_000
    assert mine == term_statistics(tmp_path / "whoosh")


def test_variable_length_columns_carry_their_offsets_and_read_back_the_same(corpus_copy, tmp_path, monkeypatch):
    """Stored fields and bodies are written with an offsets table (no summing at open)."""
    from whoosh.codec.whoosh3 import STORED_COLUMN

    from dlqa.store.documents import decode_body

    def columns(index_dir: Path) -> tuple[list[bool], list[tuple]]:
        reader = whoosh_index.open_dir(str(index_dir)).reader()
        try:
            had_offsets, rows = [], []
            for leaf, _ in reader.leaf_readers():
                bodies = leaf.column_reader("body_text")
                rows += [(leaf.stored_fields(doc)["id"], decode_body(bodies[doc]))
                         for doc in range(leaf.doc_count_all())]
                for name, kind in (("_stored", STORED_COLUMN), ("body_text", leaf.schema["body_text"].column_type)):
                    column = leaf._perdoc.column_reader(name, kind)
                    while hasattr(column, "_child"):  # the pickling wrapper of stored fields
                        column = column._child
                    had_offsets.append(column.had_stored_offsets)
            return had_offsets, sorted(rows)
        finally:
            reader.close()

    ingest([corpus_copy], tmp_path / "dlqa", jobs=1)
    with monkeypatch.context() as patch:
        patch.setattr(postings, "segment_writer", SegmentWriter)
        ingest([corpus_copy], tmp_path / "whoosh", jobs=1)
    mine, mine_rows = columns(tmp_path / "dlqa")
    theirs, their_rows = columns(tmp_path / "whoosh")
    assert mine and all(mine)
    assert not any(theirs)  # Whoosh's own writer only sums lengths for columns this small
    assert len(mine_rows) > 10 and mine_rows == their_rows


def test_a_text_fields_batches_and_whoosh_postings_share_its_terms():
    """`add_terms` keeps a text field's terms as str; Whoosh's bytes postings of the same
    field (a merged segment's, added after) land on the same terms, in document order."""
    pool = CompactPool({"t": CompactPositions(field_boost=2.0)})
    pool.add_terms("t", 0, ["过拟合", "b"], [b"\x00\x01", b"\x00\x02\x01"])
    pool.add(("k", b"id-1", 0, 1.0, b""))
    pool.add(("t", "过拟合".encode(), 1, 3.0, b"\x00\x07"))  # e.g. a boosted document
    pool.add_terms("t", 2, ["b", "过拟合"], [b"\x00\x05", b"\x00\x03"])
    pool.add(("t", b"b", 3, 1.5, b"\x00\x09"))  # e.g. a merged segment's
    assert list(pool.iter_postings()) == [
        ("k", b"id-1", 0, 1.0, b""),
        ("t", b"b", 0, 4.0, b"\x00\x02\x01"), ("t", b"b", 2, 2.0, b"\x00\x05"),
        ("t", b"b", 3, 1.5, b"\x00\x09"),
        ("t", "过拟合".encode(), 0, 2.0, b"\x00\x01"), ("t", "过拟合".encode(), 1, 3.0, b"\x00\x07"),
        ("t", "过拟合".encode(), 2, 2.0, b"\x00\x03")]
    assert len(pool) == 7 and pool.fieldnames == {"t", "k"}


def test_terms_are_written_in_utf8_byte_order():
    """str terms sort as their UTF-8 bytes do, the order Whoosh's term table needs, also
    past the Basic Multilingual Plane and for the private-use area."""
    terms = ["z", "é", "過", "\uffff", "\U00020001", "\ue000", "a1", "a", "ab"]
    pool = CompactPool({"t": CountedFrequency()})
    pool.add_terms("t", 0, terms, [b"\x00\x00\x00\x01"] * len(terms))
    written = [text for _, text, *_ in pool.iter_postings()]
    assert written == sorted(term.encode("utf-8") for term in terms)


def test_boosted_documents_and_fields_write_what_whooshs_writer_writes(tmp_path):
    """Boosts given with a document take Whoosh's per-posting path, with the same postings."""
    from dlqa.engine.schema import make_schema
    from dlqa.model import RECORD_FIELDS

    documents = [
        {"id": "a", "body": "过拟合和欠拟合 Dropout 过拟合", "body_grams": "过拟合和欠拟合 Dropout 过拟合",
         "title": "调参", "title_grams": "调参", "_boost": 2.0},
        {"id": "b", "body": "正则化 L2", "body_grams": "正则化 L2", "title": "泛化 泛化",
         "title_grams": "泛化 泛化", "_title_boost": 1.5},
        {"id": "c", "body": "预训练 微调", "body_grams": "预训练 微调", "author": "某人"},
    ]
    for name, make in (("dlqa", postings.segment_writer), ("whoosh", SegmentWriter)):
        (tmp_path / name).mkdir()
        ix = whoosh_index.create_in(str(tmp_path / name), make_schema(RECORD_FIELDS))
        writer = make(ix)
        for fields in documents:
            writer.add_document(**fields)
        writer.commit()
    assert all_postings(tmp_path / "dlqa") == all_postings(tmp_path / "whoosh")
    assert len(all_postings(tmp_path / "dlqa")) > 30


def test_the_term_table_writer_writes_whooshs_bytes():
    """`TermTableWriter` (one write per entry, positions counted) writes the table Whoosh's
    `OrderedHashWriter` writes, hash buckets and key index included."""
    import io
    import random

    from whoosh.filedb.filetables import OrderedHashWriter
    from whoosh.filedb.structfile import StructFile

    from dlqa.engine.codec import TermTableWriter

    class KeptBytes(io.BytesIO):
        def close(self) -> None:
            self.kept = self.getvalue()
            super().close()

    keys = sorted({bytes(random.Random(n).randrange(256) for _ in range(1 + n % 11)) for n in range(3000)})
    tables = []
    for adopt in (False, True):
        buffer = KeptBytes()
        table = OrderedHashWriter(StructFile(buffer))
        if adopt:
            table = TermTableWriter.adopt(table)
        for number, key in enumerate(keys):
            table.add(key, key[::-1] * (1 + number % 3))
        table.close()
        tables.append(buffer.kept)
    assert len(tables[0]) > 30_000 and tables[0] == tables[1]


def test_text_with_lone_surrogates_is_taken_or_refused_as_whooshs_writer_does(tmp_path):
    """Such text goes Whoosh's way (a term that cannot be UTF-8 encoded must fail as the
    answer is added, not the whole segment's write): same outcome, same postings."""
    from dlqa.store.documents import make_schema

    texts = ["坏\ud800字", "ab\udfffcd 过拟合", "\ud83d", "BERT\ud800 和 GPT"]
    outcomes = {}
    for name, make in (("dlqa", postings.segment_writer), ("whoosh", SegmentWriter)):
        (tmp_path / name).mkdir()
        writer = make(whoosh_index.create_in(str(tmp_path / name), make_schema()))
        outcomes[name] = []
        for number, text in enumerate(texts):
            try:
                writer.add_document(id=str(number), body=text, body_grams=text, title=text)
                outcomes[name].append("added")
            except ValueError as error:
                outcomes[name].append(type(error).__name__)
        writer.commit()
    assert outcomes["dlqa"] == outcomes["whoosh"]
    assert all_postings(tmp_path / "dlqa") == all_postings(tmp_path / "whoosh")
    assert len(all_postings(tmp_path / "dlqa")) > 10
