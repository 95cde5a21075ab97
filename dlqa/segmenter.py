"""Stage 7's word segmenter: jieba 0.42.1's search mode with HMM, run by compiled code.

Why: jieba is pure Python (about 0.6 MB/s per core) and was 40 % of an ingest. rjieba binds
jieba-rs, the same algorithm (prefix DAG, max-probability route, HMM for unknown runs) on a
copy of jieba's `dict.txt`, about 15x faster. jieba stays the definition: the frequencies
rjieba cannot report are read from jieba's own `dict.txt`, jieba's tokens are the reference
in tests (`tests/test_segmenter_parity.py`, which also checks rjieba's dictionary against
`dict.txt`), and jieba itself segments when rjieba is not installed. Where jieba-rs departs
from jieba 0.42.1 this adapter puts jieba's tokens back:

- the HMM fallback keeps Latin runs joined by `-`, `.` or `_` whole (`semi-supervised`,
  `python88.com`) and search mode then adds their pieces; jieba splits them with
  `finalseg.re_skip` and adds only dictionary words;
- jieba-rs counts CJK extension and compatibility ideographs as Chinese, jieba yields each
  alone: they reach rjieba as a neutral character and are put back afterwards;
- `add_word` replaces a word's frequency in jieba-rs's total, jieba adds it again (and
  counts `dict.txt`'s duplicate line twice): an unreachable padding word evens the totals,
  so every route's log-probability is the same number.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import importlib.util
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

#: One token as jieba's `Tokenizer.tokenize` yields it: (word, start, end), in characters.
Token = tuple[str, int, int]

#: Characters jieba yields one by one that jieba-rs would treat as Chinese (CJK extensions,
#: compatibility ideographs, later planes), plus lone surrogates, which Rust strings cannot
#: hold. All reach rjieba as `_NEUTRAL`, which both segment alone as well.
_SWAPPED = re.compile("[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\ud800-\udfff\U00020000-\U0003ffff]")
_NEUTRAL = "\x00"
#: Where jieba-rs's HMM fallback joins what jieba's splits: alnum runs around `-`, `.`, `_`.
_JOINED_LATIN = re.compile(r"[a-zA-Z0-9][-._][a-zA-Z0-9]")
#: A token made only of jieba's non-Chinese block characters.
_LATIN_TOKEN = re.compile(r"[a-zA-Z0-9+#&._%\-]+")
#: jieba's `finalseg.re_skip`: how jieba splits a non-Chinese run its dictionary does not know.
_JIEBA_RE_SKIP = re.compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")
#: Added to rjieba with the frequency that evens its total with jieba's; `!` is outside
#: every block, so no text ever reaches it.
_TOTAL_PADDING = "!dlqa-jieba-total"


class Segmenter(Protocol):
    """What `dlqa.analysis` needs: jieba's search-mode tokens of a text."""

    engine: str

    def tokenize(self, text: str) -> list[Token]:
        """Every token `jieba.Tokenizer.tokenize(text, mode="search", HMM=True)` yields."""
        ...


def build(words: Iterable[str], freq_floor: int, engine: str = "auto") -> Segmenter:
    """jieba's dictionary plus `words`, each at max(its `dict.txt` frequency, freq_floor).

    `engine` "auto" takes rjieba when it imports and jieba otherwise; "rjieba" and "jieba"
    force one (tests compare them).
    """
    if engine not in ("auto", "rjieba", "jieba"):
        raise ValueError(f"unknown segmenter engine {engine!r}")
    if engine != "jieba":
        try:
            import rjieba
        except ImportError:
            if engine == "rjieba":
                raise
        else:
            return CompiledSegmenter(rjieba.Jieba(), words, freq_floor)
    return JiebaSegmenter(words, freq_floor)


def jieba_dict_path() -> Path:
    """jieba's own `dict.txt`, found without importing jieba (0.14 s)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("jieba is not installed: dlqa needs its dictionary")
    return Path(next(iter(spec.submodule_search_locations))) / "dict.txt"


class JiebaSegmenter:
    """jieba itself, in a private `Tokenizer` so the added words stay out of `jieba.dt`."""

    engine = "jieba"

    def __init__(self, words: Iterable[str], freq_floor: int) -> None:
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)  # silence "Building prefix dict…"
        tokenizer = jieba.Tokenizer()
        tokenizer.initialize()
        for word in sorted(set(words)):
            tokenizer.add_word(word, max(tokenizer.FREQ.get(word) or 0, freq_floor))
        self.tokenizer = tokenizer

    def tokenize(self, text: str) -> list[Token]:
        return list(self.tokenizer.tokenize(text, mode="search", HMM=True))


class CompiledSegmenter:
    """rjieba (whose built-in dictionary is jieba's `dict.txt`, tested), tokens made jieba's."""

    engine = "rjieba"

    def __init__(self, engine: Any, words: Iterable[str], freq_floor: int) -> None:
        self._rjieba = engine
        wanted = sorted(set(words))
        counts = dict_counts(wanted)
        jieba_total, rjieba_total = counts.jieba_total, counts.unique_total
        for word in wanted:
            old = counts.freqs.get(word, 0)
            freq = max(old, freq_floor)
            engine.add_word(word, freq, None)
            jieba_total += freq  # jieba adds the new frequency to its total…
            rjieba_total += freq - old  # …jieba-rs replaces the old one
        if jieba_total > rjieba_total:
            engine.add_word(_TOTAL_PADDING, jieba_total - rjieba_total, None)
        self.total = jieba_total  # jieba's, and with the padding jieba-rs's

    def tokenize(self, text: str) -> list[Token]:
        swapped = _SWAPPED.search(text) is not None
        tokens = self._rjieba.tokenize(_SWAPPED.sub(_NEUTRAL, text) if swapped else text, "search", True)
        if swapped:
            tokens = [(text[start:end], start, end) if word == _NEUTRAL else (word, start, end)
                      for word, start, end in tokens]
        if _JOINED_LATIN.search(text) is None:
            return tokens
        return self._split_joined_latin(tokens)

    def _split_joined_latin(self, tokens: list[Token]) -> list[Token]:
        """Replace each joined Latin word, and the pieces search mode added before it, with
        jieba's pieces of it and their dictionary sub-words (other tokens are copied in slices)."""
        out: list[Token] = []
        copied = 0
        for index, (word, start, _) in enumerate(tokens):
            if len(word) < 3 or not word.isascii() or _JOINED_LATIN.search(word) is None:
                continue
            if _LATIN_TOKEN.fullmatch(word) is None:
                continue
            out.extend(tokens[copied:index])
            copied = index + 1
            while out and out[-1][1] >= start:  # search mode's pieces of this word
                out.pop()
            if self._rjieba.has_word(word):  # a dictionary word: whole in jieba too
                out.extend(self._search_mode(word, start))
                continue
            done = 0  # jieba's finalseg: re_skip's matches and the text between them
            for match in _JIEBA_RE_SKIP.finditer(word):
                if match.start() > done:
                    out.append((word[done : match.start()], start + done, start + match.start()))
                out.extend(self._search_mode(match.group(), start + match.start()))
                done = match.end()
            if done < len(word):
                out.append((word[done:], start + done, start + len(word)))
        out.extend(tokens[copied:])
        return out

    def _search_mode(self, word: str, start: int) -> list[Token]:
        """jieba's search mode for one cut word: its dictionary 2- and 3-grams, then itself."""
        found: list[Token] = []
        has_word = self._rjieba.has_word
        if len(word) > 2:
            found.extend((word[i : i + 2], start + i, start + i + 2)
                         for i in range(len(word) - 1) if has_word(word[i : i + 2]))
        if len(word) > 3:
            found.extend((word[i : i + 3], start + i, start + i + 3)
                         for i in range(len(word) - 2) if has_word(word[i : i + 3]))
        found.append((word, start, start + len(word)))
        return found


# ---------------------------------------------------------------------------------------------
# What rjieba cannot report: frequencies and totals of jieba's dict.txt


@dataclass(frozen=True)
class DictCounts:
    """The numbers of jieba's `dict.txt` that the two totals and the added words need."""

    jieba_total: int  # every line's frequency summed, as jieba's total starts
    unique_total: int  # each distinct word's last frequency summed, as jieba-rs's does
    freqs: dict[str, int]  # the frequencies of the words asked about that dict.txt holds


def dict_counts(words: list[str]) -> DictCounts:
    """`DictCounts` for `words`, from a small cache file when dict.txt has not changed.

    Reading dict.txt takes about 0.15 s and 30 MB; the answer is a few hundred numbers, so it
    is kept in the user's cache folder under a key of dict.txt's path, size and time and of
    the words asked about. A cache that cannot be read or written is simply recomputed.
    """
    path = jieba_dict_path()
    stat = path.stat()
    key = hashlib.sha256(
        json.dumps([str(path), stat.st_size, stat.st_mtime_ns, words], ensure_ascii=False).encode()
    ).hexdigest()[:20]
    cache = _cache_dir() / f"jieba-dict-counts-{key}.json"
    with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
        stored = json.loads(cache.read_text(encoding="utf-8"))
        return DictCounts(int(stored["jieba_total"]), int(stored["unique_total"]),
                          {str(word): int(freq) for word, freq in stored["freqs"].items()})
    counts = read_dict_counts(path, words)
    partial = cache.with_name(f"{cache.name}.{os.getpid()}.tmp")
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(dataclasses.asdict(counts), ensure_ascii=False), encoding="utf-8")
        os.replace(partial, cache)
    except OSError:
        with contextlib.suppress(OSError):
            partial.unlink(missing_ok=True)
    return counts


def read_dict_counts(path: Path, words: list[str]) -> DictCounts:
    """Parse dict.txt as jieba's `gen_pfdict` does: `word freq [tag]` per line."""
    wanted = {word.encode("utf-8") for word in words}
    last: dict[bytes, int] = {}
    jieba_total = 0
    for line in path.read_bytes().splitlines():
        word, _, rest = line.strip().partition(b" ")
        if not word:
            continue
        freq = int(rest.partition(b" ")[0])
        jieba_total += freq
        last[word] = freq
    freqs = {word.decode("utf-8"): last[word] for word in wanted if word in last}
    return DictCounts(jieba_total, sum(last.values()), freqs)


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dlqa"
