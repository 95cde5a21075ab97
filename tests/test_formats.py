"""Posting values: positions round-trip in the narrowest encoding; analyzers feed formats directly."""

from __future__ import annotations

import pytest
from whoosh import formats

from dlqa.engine import formats as dlqa_formats
from dlqa.engine.analyzers import GramAnalyzer, WordAnalyzer
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


def test_lone_positions_come_from_the_table_unchanged(monkeypatch):
    table = [encode_positions([pos]) for pos in range(0, 5000, 37)]
    monkeypatch.setattr(dlqa_formats, "_SINGLES", {})
    assert [dlqa_formats._encode([pos]) for pos in range(0, 5000, 37)] == table


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
