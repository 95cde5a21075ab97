"""Stage 7: segmentation for the index and the query path (jieba words, CJK grams, glossary).

Two token streams describe an answer. WORDS come from jieba's search mode, with every Chinese
glossary variant added as a word so 过拟合 stays whole (and search mode still emits 拟合).
GRAMS are overlapping CJK bigrams and whole Latin/digit runs; a phrase of a query's grams
matches exactly where the query occurs as a substring, independent of how jieba segmented.

This module is pure Python and knows nothing of Whoosh: the Whoosh analyzers that feed these
token streams to the index live in `dlqa.engine.analyzers`. Importing it never imports the
segmenter (rjieba, or jieba: ~0.14 s) nor loads its dictionary (0.2–0.6 s); only
`segment_for_index` (ingest) does, through `_jieba()`; the query side (`segment_query`,
`grams`, `phrase_grams`) is instant.
"""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from operator import itemgetter
from pathlib import Path
from typing import Any

from dlqa.textutil import fold

GLOSSARY_PATH = Path(__file__).parent / "data" / "glossary.tsv"

#: jieba frequency floor for glossary words, added at max(dict.txt frequency, this) (jieba's
#: total is ~6e7): enough that a term beats splits with its neighbours (做过拟合 → 做/过拟合,
#: not 做过/拟合); 5k…100k segment the same test sentences, so a middle value keeps generic
#: entries (模型, 参数) from being inflated.
GLOSSARY_JIEBA_FREQ = 20_000
#: Query-side frequency of glossary words, on the scale of an index's document frequencies.
GLOSSARY_QUERY_FREQ = 1_000_000
#: Pseudo total for the query DAG's log-probabilities; large, so fewer, longer words win.
_QUERY_LOG_TOTAL = math.log(1e9)
#: Longest substring offered to `word_freq` when segmenting a query.
MAX_QUERY_WORD = 8

#: Single-character function words dropped from queries (they match nearly every answer).
STOP_CHARS = frozenset("的了是在和与及或把被吗呢啊吧也就都而之等")

# Characters that take part in CJK bigrams: kana, CJK ideographs (incl. extensions), hangul.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0003ffff"
#: A maximal CJK run (group 1) or a maximal run of other letters/digits (no underscore).
_GRAM_RUN = re.compile(f"([{_CJK}]+)|[^\\W_{_CJK}]+")
#: What jieba's own default regexes treat as Chinese.
_JIEBA_HAN = "\u4e00-\u9fd5"
#: Query pieces as jieba cuts them: Han run (1), Latin-ish run (2), any other letter/digit.
_QUERY_RUN = re.compile(f"([{_JIEBA_HAN}]+)|([a-z0-9+#&.%-]+)|[^\\W_]")
#: jieba's `finalseg.re_skip`: how it splits a Latin run that is not a dictionary word.
_JIEBA_LATIN = re.compile(r"[a-z0-9]+(?:\.\d+)?%?")
#: A token worth indexing has at least one letter or digit.
_HAS_ALNUM = re.compile(r"[^\W_]")


@functools.lru_cache(maxsize=1)
def _gram_token() -> re.Pattern[str]:
    """One gram per match, as `gram_spans` yields them: the lookahead captures a CJK
    character's bigram with the next (or the character alone, closing its run) or a whole run
    of other letters/digits, and the match steps over one CJK character or that run.
    Compiled on first use: only ingest needs it, and compiling it costs about 8 ms, which
    every `dlqa search` would otherwise pay at start-up."""
    return re.compile(f"(?=([{_CJK}]{{2}}|[{_CJK}]|[^\\W_{_CJK}]+))(?:[{_CJK}]|[^\\W_{_CJK}]+)")


# ---------------------------------------------------------------------------------------------
# Glossary


@dataclass
class Concept:
    """One glossary concept: Chinese variants (first is canonical) and English variants."""

    zh: list[str] = field(default_factory=list)
    en: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _glossary() -> tuple[Concept, ...]:
    concepts: list[Concept] = []
    for lineno, raw in enumerate(GLOSSARY_PATH.read_text(encoding="utf-8").splitlines(), 1):
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        parts = raw.split("\t")
        if len(parts) != 2:
            raise ValueError(f"{GLOSSARY_PATH.name}:{lineno}: expected zh<TAB>en, got {raw!r}")
        zh = [unicodedata.normalize("NFKC", v.strip()) for v in parts[0].split("|") if v.strip()]
        en = [unicodedata.normalize("NFKC", v.strip()) for v in parts[1].split("|") if v.strip()]
        if not zh and not en:
            raise ValueError(f"{GLOSSARY_PATH.name}:{lineno}: empty concept")
        concepts.append(Concept(zh=zh, en=en))
    return tuple(concepts)


def load_glossary() -> list[Concept]:
    """The bilingual glossary (parsed once per process; callers get a fresh list)."""
    return list(_glossary())


@functools.lru_cache(maxsize=1)
def _glossary_terms() -> frozenset[str]:
    return frozenset(fold(v) for c in _glossary() for v in (*c.zh, *c.en))


def glossary_terms() -> set[str]:
    """Every glossary variant, Chinese and English, folded (lowercase) for lookups."""
    return set(_glossary_terms())


@functools.lru_cache(maxsize=1)
def _glossary_zh() -> frozenset[str]:
    return frozenset(fold(v) for c in _glossary() for v in c.zh)


@functools.lru_cache(maxsize=1)
def _glossary_longest() -> int:
    return max((len(word) for word in _glossary_zh()), default=0)


# ---------------------------------------------------------------------------------------------
# Index side: jieba search mode


_JIEBA_LOCK = threading.Lock()
_jieba_tokenizer: Any = None


def _jieba() -> Any:
    """jieba's segmentation with the glossary added (`dlqa.segmenter`), built once on first use.

    Compiled (rjieba made token-identical to jieba) when rjieba is installed, else jieba itself
    in a private Tokenizer, so our added words stay out of the process-global `jieba.dt`; it
    is imported here, not at module level, so the query path never pays for it.
    """
    global _jieba_tokenizer
    if _jieba_tokenizer is None:
        with _JIEBA_LOCK:
            if _jieba_tokenizer is None:
                from dlqa import segmenter

                _jieba_tokenizer = segmenter.build(jieba_words(), GLOSSARY_JIEBA_FREQ)
    return _jieba_tokenizer


def jieba_words() -> list[str]:
    """The glossary words added to jieba's dictionary: the Chinese names of two characters or
    more (a one-character name, 书 of 书籍, is a word of jieba's already; adding it would only
    shift jieba's frequencies)."""
    return sorted(word for word in _glossary_zh() if len(word) > 1)


def load_segmenter() -> None:
    """Load jieba and its dictionary now (ingest does, before forking its workers)."""
    _jieba()


def _word_spans(folded: str) -> Iterator[tuple[str, int, int]]:
    """(word, start, end) of already-folded text: jieba search mode, punctuation/space dropped.

    jieba sees folded text so fullwidth Latin and letter case never change its decisions,
    which lets `segment_query` mirror them.
    """
    for word, start, end in _jieba().tokenize(folded):
        if word.isalnum() or _HAS_ALNUM.search(word):
            yield word, start, end


def index_words(folded: str) -> list[str]:
    """The words of already-folded text, in position order: `_word_spans` without the
    offsets, filtered in one C-level pass (the ingest's word field)."""
    return list(filter(_HAS_ALNUM.search, map(itemgetter(0), _jieba().tokenize(folded))))


def segment_for_index(text: str) -> list[str]:
    """The WORD field's tokens: jieba search mode over folded text (loads jieba once)."""
    return [word for word, _, _ in _word_spans(fold(text))]


# ---------------------------------------------------------------------------------------------
# Substring grams


def gram_spans(folded: str) -> Iterator[tuple[int, str, int, int]]:
    """(pos, gram, start, end) over already-folded text; see `grams` for the rules."""
    pos = 0
    for match in _GRAM_RUN.finditer(folded):
        run, start = match.group(), match.start()
        if match.group(1) is None or len(run) == 1:
            yield pos, run, start, match.end()
            pos += 1
            continue
        for i in range(len(run) - 1):
            yield pos + i, run[i : i + 2], start + i, start + i + 2
        pos += len(run) - 1
        yield pos, run[-1], match.end() - 1, match.end()
        pos += 1


def index_grams(folded: str) -> list[str]:
    """The grams of already-folded text in position order (a gram's position is its index):
    `gram_spans` in one regex pass, for the ingest, which needs no character offsets."""
    return _gram_token().findall(folded)


def grams(text: str) -> list[tuple[int, str]]:
    """The SUBSTRING field's tokens: (position, gram) over `fold(text)`.

    Each CJK run c1..cn gives bigrams c1c2…c(n-1)cn at consecutive positions, then cn alone at
    the next position (so the prefix query `X*` finds any character X, and a phrase can step
    from a run's last character to the following word); a 1-character run is a unigram; each
    run of other letters/digits is one token. Punctuation and spaces take
    no position, so a query's grams sit contiguously wherever it occurs as a substring.
    """
    return [(pos, gram) for pos, gram, _, _ in gram_spans(fold(text))]


def phrase_grams(text: str) -> list[tuple[str, bool]]:
    """The query-side grams of `text` at consecutive positions, as (term, is_prefix).

    The unigram closing the query's LAST CJK run is dropped (in the indexed text that run may
    continue past the query), and a trailing single CJK character becomes a prefix term `X*`
    for the same reason; earlier runs keep their closing unigram, which the indexed text has
    too, because a run followed by another word ends there. A phrase of these terms matches
    exactly the documents containing `text` as a substring.
    """
    spans = without_closing_unigram(list(gram_spans(fold(text))))
    out: list[tuple[str, bool]] = []
    for index, (_, gram, _, _) in enumerate(spans):
        is_last = index == len(spans) - 1
        out.append((gram, is_last and len(gram) == 1 and _is_cjk(gram)))
    return out


def bigram_text(grams: Sequence[str]) -> str | None:
    """The CJK text that consecutive overlapping bigrams spell (学习, 习率 → 学习率), or None
    when they are anything else (Latin tokens, unigrams, bigrams that do not overlap)."""
    if len(grams) < 2 or any(len(gram) != 2 or not (_is_cjk(gram[0]) and _is_cjk(gram[1])) for gram in grams):
        return None
    if any(a[1] != b[0] for a, b in pairwise(grams)):
        return None
    return grams[0] + "".join(gram[1] for gram in grams[1:])


def without_closing_unigram(spans: list[tuple[int, str, int, int]]) -> list[tuple[int, str, int, int]]:
    """Drop the unigram that closes a multi-character CJK run at the end of a query."""
    if len(spans) >= 2 and len(spans[-1][1]) == 1 and spans[-2][3] == spans[-1][3] and _is_cjk(spans[-1][1]):
        return spans[:-1]
    return spans


def _is_cjk(char: str) -> bool:
    match = _GRAM_RUN.fullmatch(char)
    return match is not None and match.group(1) is not None


# ---------------------------------------------------------------------------------------------
# Query side: jieba-like segmentation without jieba


def segment_query(text: str, word_freq: Callable[[str], int] | None = None) -> list[str]:
    """Split one bare query word into WORD-field terms, mirroring jieba without loading it.

    Han runs go through a max-probability DAG over glossary words and every substring the
    index knows (`word_freq(s) > 0`, the document frequency in the word field), with single
    characters as fallback; Latin runs split the way jieba's HMM fallback splits them.
    Single-character stop words are dropped unless nothing else is left.
    """
    cache: dict[str, int] = {}

    def freq(word: str) -> int:
        if word not in cache:
            cache[word] = max(0, int(word_freq(word))) if word_freq is not None else 0
        return cache[word]

    terms: list[str] = []
    stoppable: list[bool] = []
    for match in _QUERY_RUN.finditer(fold(text)):
        if match.group(1):
            words = _segment_han(match.group(1), freq)
            terms.extend(words)
            stoppable.extend(len(word) == 1 and word in STOP_CHARS for word in words)
        elif match.group(2):
            run = match.group(2)
            words = [run] if freq(run) > 0 and _HAS_ALNUM.search(run) else _JIEBA_LATIN.findall(run)
            terms.extend(words)
            stoppable.extend(False for _ in words)
        else:
            terms.append(match.group())
            stoppable.append(False)
    kept = [term for term, stop in zip(terms, stoppable, strict=True) if not stop]
    return kept or terms


def _segment_han(run: str, freq: Callable[[str], int]) -> list[str]:
    """jieba's max-probability route over `run`, scored by log(frequency / big total)."""
    glossary = _glossary_zh()
    longest = max(MAX_QUERY_WORD, _glossary_longest())
    n = len(run)
    # best[i] = (score of the best route of run[i:], end of its first word)
    best: list[tuple[float, int]] = [(0.0, n)] * (n + 1)
    for i in range(n - 1, -1, -1):
        single = math.log(max(freq(run[i]), 1)) - _QUERY_LOG_TOTAL
        choice = (single + best[i + 1][0], i + 1)
        for j in range(i + 2, min(n, i + longest) + 1):
            word = run[i:j]
            count = GLOSSARY_QUERY_FREQ if word in glossary else 0
            if j - i <= MAX_QUERY_WORD:
                count = max(count, freq(word))
            if count > 0:
                score = math.log(count) - _QUERY_LOG_TOTAL + best[j][0]
                if score > choice[0]:
                    choice = (score, j)
        best[i] = choice
    words: list[str] = []
    i = 0
    while i < n:
        j = best[i][1]
        words.append(run[i:j])
        i = j
    return words


def __getattr__(name: str) -> Any:
    """Old import paths of the Whoosh analyzers, which indexes of schema 6 pickled by path:
    such an index still opens (see `dlqa.engine.analyzers`)."""
    if name in ("WordAnalyzer", "GramAnalyzer"):
        from dlqa.engine import analyzers  # (lazily: this module stays Whoosh-free)

        return getattr(analyzers, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
