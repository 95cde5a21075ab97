"""The Whoosh analyzers of dlqa's text fields: `dlqa.analysis`'s token streams, as Whoosh
Tokenizers (its extension point for analysis).

Whoosh pickles the analyzers into the on-disk schema by import path, so this path is part of
the index format: keep the classes here and stateless. (Indexes written before the engine
package pickled `dlqa.analysis.WordAnalyzer`; that name still resolves here.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from whoosh.analysis import Token, Tokenizer

from dlqa.analysis import (
    _word_spans,
    gram_spans,
    index_grams,
    index_words,
    segment_query,
    without_closing_unigram,
)
from dlqa.textutil import fold


class Pretokenized(str):
    """A field value whose tokens were already made, e.g. in an ingest worker process.

    Whoosh sends list/tuple field values straight to `entoken`, which renumbers positions
    0, 1, 2…, bypassing the analyzer; grams need their own positions (the run-final unigram
    shares one), so pre-made tokens must reach the analyzer disguised as a str. The text is a
    short marker; `tokens` holds strings (words) or (pos, text) pairs (grams).
    """

    tokens: tuple[Any, ...]

    def __new__(cls, tokens: Iterable[Any]) -> Pretokenized:
        obj = super().__new__(cls, "\x00pretokenized")
        obj.tokens = tuple(tokens)
        return obj

    def __reduce__(self) -> tuple[Any, ...]:
        return (Pretokenized, (self.tokens,))


_SURROGATE = re.compile("[\ud800-\udfff]")
#: The last text folded for `index_tokens` and its folding: a document's word and gram fields
#: index the same str object (`body`, `body_grams`), which is folded once.
_last_folded: tuple[str, str] = ("", "")


def _folded(value: str) -> str:
    global _last_folded
    last, folded = _last_folded
    if value is not last:
        folded = fold(value)
        _last_folded = (value, folded)
    return folded


def _offset_map(text: str, folded: str) -> list[int] | None:
    """Map indexes of `fold(text)` back to `text`, or None when folding kept every length.

    Only highlighting asks for character offsets; when folding changes lengths (ligatures,
    ㎏ → kg) offsets come from per-character folding and are approximate at compositions.
    """
    if len(folded) == len(text):
        return None
    mapping: list[int] = []
    for index, char in enumerate(text):
        mapping.extend([index] * len(fold(char)))
    mapping.append(len(text))
    return mapping


def _locate(mapping: list[int] | None, offset: int) -> int:
    if mapping is None:
        return offset
    return mapping[min(offset, len(mapping) - 1)]


class _DlqaTokenizer(Tokenizer):
    """Shared Whoosh Tokenizer protocol: one reused Token, pre-tokenized input replayed."""

    def _spans(self, value: str, mode: str) -> Iterable[tuple[int | None, str, int, int]]:
        raise NotImplementedError

    def _replay(self, tokens: Sequence[Any]) -> Iterable[tuple[int | None, str, int, int]]:
        for item in tokens:
            if isinstance(item, str):
                yield None, item, 0, 0
            else:
                yield int(item[0]), str(item[1]), 0, 0

    def term_positions(self, value: Any) -> dict[str, list[int]]:
        """term → its positions in `value` as indexed: what `dlqa.engine.formats` encodes, got
        without building a Token per occurrence (most of Whoosh's per-token cost)."""
        spans: Iterable[tuple[int | None, str, int, int]]
        if isinstance(value, Pretokenized):
            spans = self._replay(value.tokens)
        elif isinstance(value, (list, tuple)):
            spans = self._replay(value)
        else:
            spans = self._index_spans(value)
        terms: dict[str, list[int]] = {}
        for index, (pos, text, _, _) in enumerate(spans):
            position = index if pos is None else pos
            found = terms.get(text)
            if found is None:
                terms[text] = [position]
            else:
                found.append(position)
        return terms

    def _index_spans(self, value: str) -> Iterable[tuple[int | None, str, int, int]]:
        """Index-mode spans without character offsets (cheaper where a subclass can)."""
        return self._spans(value, "index")

    def index_tokens(self, value: Any) -> list[str] | None:
        """The index-mode terms of a str `value` in position order (a term's position is its
        index), made in one pass without offsets; None for pre-made tokens, and for text
        with a lone surrogate, which Whoosh's own path refuses as it adds the document (a
        term that cannot be UTF-8 encoded would otherwise fail the whole segment's write)."""
        if value.__class__ is not str:
            return None
        folded = _folded(value)
        if _SURROGATE.search(folded) is not None:
            return None
        return self._tokens(folded)

    def _tokens(self, folded: str) -> list[str]:
        raise NotImplementedError

    def __call__(
        self,
        value: Any,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: Any,
    ) -> Iterator[Token]:
        """Yield tokens of `value` (a str, a `Pretokenized`, or a list/tuple of tokens)."""
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        spans: Iterable[tuple[int | None, str, int, int]]
        if isinstance(value, Pretokenized):
            spans = self._replay(value.tokens)
        elif isinstance(value, (list, tuple)):
            spans = self._replay(value)
        elif not tokenize:
            spans = [(0, fold(value), 0, len(value))]
        else:
            assert isinstance(value, str), f"{value!r} is not a str"
            spans = self._spans(value, mode)
        for index, (pos, text, start, end) in enumerate(spans):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + (index if pos is None else pos)
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


class WordAnalyzer(_DlqaTokenizer):
    """The WORD field's analyzer: `segment_for_index` when indexing, `segment_query` in queries.

    Query mode (Whoosh's parser passes mode="query") never loads jieba; it has no document
    frequencies, so only glossary words stay whole there — callers that can should segment
    with `segment_query(text, word_freq)` themselves.
    """

    def _spans(self, value: str, mode: str) -> Iterable[tuple[int | None, str, int, int]]:
        folded = fold(value)
        mapping = _offset_map(value, folded)
        if mode == "query":
            cursor = 0
            for term in segment_query(value):
                found = folded.find(term, cursor)
                start = found if found >= 0 else cursor
                cursor = start + len(term) if found >= 0 else cursor
                yield None, term, _locate(mapping, start), _locate(mapping, start + len(term))
            return
        for word, start, end in _word_spans(folded):
            yield None, word, _locate(mapping, start), _locate(mapping, end)

    def _index_spans(self, value: str) -> Iterable[tuple[int | None, str, int, int]]:
        return ((None, word, 0, 0) for word, _, _ in _word_spans(fold(value)))

    def _tokens(self, folded: str) -> list[str]:
        return index_words(folded)


class GramAnalyzer(_DlqaTokenizer):
    """The SUBSTRING field's analyzer: `grams` when indexing, `phrase_grams` terms in queries.

    In query mode the closing unigram of the last run is left out, as in `phrase_grams`; a
    trailing single character is yielded as a plain term (an analyzer cannot express `X*`),
    so exact matching should use `phrase_grams`.
    """

    def _spans(self, value: str, mode: str) -> Iterable[tuple[int | None, str, int, int]]:
        folded = fold(value)
        mapping = _offset_map(value, folded)
        spans = list(gram_spans(folded))
        if mode == "query":
            spans = without_closing_unigram(spans)
        for pos, gram, start, end in spans:
            yield pos, gram, _locate(mapping, start), _locate(mapping, end)

    def _index_spans(self, value: str) -> Iterable[tuple[int | None, str, int, int]]:
        return gram_spans(fold(value))  # type: ignore[return-value]

    def _tokens(self, folded: str) -> list[str]:
        return index_grams(folded)
