"""Posting values: positions round-trip in the narrowest encoding; analyzers feed formats directly."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import formats

from dlqa.engine import formats as dlqa_formats
from dlqa.engine.analyzers import GramAnalyzer, Pretokenized, WordAnalyzer
from dlqa.engine.formats import (
    CompactPositions,
    CountedFrequency,
    decode_positions,
    encode_positions,
)


@pytest.mark.parametrize("positions", [[0], [7], [255], [256], [4095], [4096], [70_000], [1 << 33],
                                       [0, 1, 2], [3, 300, 301], [5, 70_005]])
def test_positions_round_trip(positions):
    value = encode_positions(positions)
    assert list(decode_positions(value)) == positions
    assert CompactPositions().decode_frequency(value) == len(positions)


def test_the_narrowest_array_holds_the_deltas():
    assert len(encode_positions([200])) == 2  # tag + one byte
    assert len(encode_positions([300])) == 3  # tag + one uint16
    assert len(encode_positions([300, 301, 302])) == 7  # the deltas 300, 1, 1 need uint16
    assert len(encode_positions([70_000])) == 5


def test_lone_positions_and_counts_come_from_the_tables_unchanged():
    positions = [*range(0, 5000, 37), dlqa_formats.MEMO_UPTO - 1, dlqa_formats.MEMO_UPTO, 1 << 20]
    table = [encode_positions([pos]) for pos in positions]  # made, then looked up
    assert [encode_positions([pos]) for pos in positions] == table
    assert table == [dlqa_formats._encode([pos]) for pos in positions]
    assert dlqa_formats.MEMO_UPTO not in dlqa_formats._LONE_POSITIONS  # the table stays bounded
    assert [dlqa_formats._COUNTS[count] for count in (1, 2, 300, 1 << 20)] == [
        count.to_bytes(4, "big") for count in (1, 2, 300, 1 << 20)]


def batch_postings(fmt, text, analyzer):
    """{term: (weight, value)} and the field length, from `index_batch` (the ingest's path)."""
    terms, values, length = fmt.index_batch(text, analyzer)
    weights = fmt.weights_of(values)
    assert len(terms) == len(set(terms)) == len(values) == len(weights)
    return {term: (weight, value) for term, weight, value in zip(terms, weights, values, strict=True)}, length


def generic_postings(fmt, text, analyzer):
    """The same from `word_values`, the per-term generator Whoosh's `FieldType.index` calls."""
    postings = {term: (weight, value) for term, _, weight, value in fmt.word_values(text, analyzer)}
    return postings, sum(freq for _, freq, _, _ in fmt.word_values(text, analyzer))


BATCH_TEXTS = [
    "过拟合和欠拟合：调参侠的 Dropout 与 L2 正则化，过拟合时先加数据。",
    "",
    "！？",
    "学",
    "Ｂｅｒｔ-base 和 BERT 的 3.5% 提升 ﬁne-tune",
    "的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的的" * 8,
    "ab " * 300 + "深度学习" * 120,  # positions and deltas past one byte
]


@pytest.mark.parametrize("text", BATCH_TEXTS)
@pytest.mark.parametrize("analyzer", [GramAnalyzer(), WordAnalyzer()])
@pytest.mark.parametrize("fmt", [CompactPositions(field_boost=1.0), CompactPositions(field_boost=3.0),
                                 CountedFrequency(field_boost=1.0), CountedFrequency(field_boost=2.0)])
def test_a_fields_postings_in_one_batch_are_the_generators(fmt, analyzer, text):
    """What the ingest adds per field and document equals what the per-term path gives:
    the same terms, weights, values and field length."""
    assert batch_postings(fmt, text, analyzer) == generic_postings(fmt, text, analyzer)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("深度学习过拟合的了 \n,.-_%。ａBc1２Ⅻ\u3042\uac00\U00020001"),
               max_size=60))
def test_batches_equal_the_generators_on_any_mixed_text(text):
    for analyzer in (GramAnalyzer(), WordAnalyzer()):
        for fmt in (CompactPositions(), CountedFrequency()):
            assert batch_postings(fmt, text, analyzer) == generic_postings(fmt, text, analyzer)


def test_pre_made_tokens_are_not_batched():
    assert CompactPositions().index_batch(Pretokenized(["a", "b"]), WordAnalyzer()) is None
    assert CompactPositions().index_batch(["a", "b"], WordAnalyzer()) is None


@pytest.mark.parametrize("analyzer", [GramAnalyzer(), WordAnalyzer()])
def test_formats_give_what_whoosh_builds_from_tokens(analyzer):
    """The analyzer's term → positions map gives the postings Whoosh's Token path gives."""
    text = "过拟合和欠拟合：调参侠的 Dropout 与 L2 正则化，过拟合时先加数据。"
    fast = {term: (freq, weight, list(decode_positions(value)))
            for term, freq, weight, value in CompactPositions(field_boost=2.0).word_values(text, analyzer)}
    tokens = {term: (freq, weight, formats.Positions().decode_positions(value))
              for term, freq, weight, value in
              formats.Positions(field_boost=2.0).word_values(text, analyzer, mode="index")}
    assert fast == tokens and len(fast) > 10
    counted = {term: (freq, weight) for term, freq, weight, _ in CountedFrequency(field_boost=3.0).word_values(text, analyzer)}
    assert counted == {term: (freq, freq * 3.0) for term, (freq, _, _) in tokens.items()}
