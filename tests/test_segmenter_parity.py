"""The compiled segmenter gives jieba 0.42.1's tokens: (word, start, end), all of them, in order.

jieba is the reference, built exactly as dlqa builds it (search mode with HMM, the glossary
added at dlqa's frequencies); `dlqa.segmenter`'s rjieba engine must match it on every fixture,
golden and sample file of the project (whole files, raw and folded, and the answers dlqa
extracts from them) and on generated mixed Chinese/Latin/digit/punctuation text.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dlqa import analysis, segmenter
from dlqa.analysis import GLOSSARY_JIEBA_FREQ, fold, jieba_words
from tests.helpers import strings_in

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = jieba_words()  # exactly what dlqa adds to jieba


@pytest.fixture(scope="module")
def reference() -> segmenter.JiebaSegmenter:
    built = segmenter.build(GLOSSARY, GLOSSARY_JIEBA_FREQ, engine="jieba")
    assert isinstance(built, segmenter.JiebaSegmenter)
    return built


@pytest.fixture(scope="module")
def compiled() -> segmenter.CompiledSegmenter:
    built = segmenter.build(GLOSSARY, GLOSSARY_JIEBA_FREQ, engine="rjieba")
    assert isinstance(built, segmenter.CompiledSegmenter)
    return built


def project_files() -> list[Path]:
    """Every fixture, golden, judged and sample file of the project."""
    found = [path for folder in ("tests/fixtures", "tests/golden", "tests/judged", "corpus")
             for path in sorted((ROOT / folder).rglob("*")) if path.is_file()]
    assert len(found) >= 15, found
    return found


def texts_of(path: Path) -> list[str]:
    """The file's text raw and folded, and every string a golden/judged JSON file holds."""
    text = path.read_bytes().decode("utf-8", errors="replace")
    texts = [text, fold(text)]
    if path.suffix == ".json":
        texts += [fold(value) for value in strings_in(json.loads(text))]
    return texts


def assert_same_tokens(reference: segmenter.Segmenter, compiled: segmenter.Segmenter, text: str) -> None:
    expected = reference.tokenize(text)
    got = compiled.tokenize(text)
    if got != expected:
        first = next(i for i, (a, b) in enumerate(zip(expected + [None], got + [None], strict=False))
                     if a != b)
        raise AssertionError(f"tokens differ at #{first} in {text[:80]!r}…: jieba "
                             f"{expected[max(0, first - 2):first + 3]}, compiled {got[max(0, first - 2):first + 3]}")


@pytest.mark.parametrize("path", project_files(), ids=lambda path: str(path.relative_to(ROOT)))
def test_same_tokens_on_every_project_file(path: Path, reference, compiled) -> None:
    for text in texts_of(path):
        assert_same_tokens(reference, compiled, text)


@pytest.mark.parametrize("path", [path for path in project_files() if path.suffix in (".txt", ".html")],
                         ids=lambda path: str(path.relative_to(ROOT)))
def test_same_tokens_on_what_dlqa_indexes(path: Path, reference, compiled) -> None:
    from dlqa.extract import parse_file

    page = parse_file(path)
    assert page.answers
    for text in [page.title or "", *(answer.body for answer in page.answers)]:
        assert_same_tokens(reference, compiled, fold(text))


# ---------------------------------------------------------------------------------------------
# Generated text: the places where jieba-rs and jieba part ways, mixed with ordinary text

_HAN = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FD5)
_PIECES = st.one_of(
    st.sampled_from(GLOSSARY),
    st.sampled_from(["的", "了", "是", "模型", "训练", "数据", "深度学习", "我们", "一个", "中国科学院"]),
    st.text(_HAN, min_size=1, max_size=4),
    st.from_regex(r"[a-zA-Z]{1,9}", fullmatch=True),
    st.from_regex(r"[a-zA-Z0-9]{1,6}([-._][a-zA-Z0-9]{1,6}){1,3}", fullmatch=True),  # semi-supervised
    st.from_regex(r"[0-9]{1,3}(\.[0-9]{1,3})?%?", fullmatch=True),  # 3.5%, 0.001
    st.from_regex(r"[a-z0-9]{0,3}[-._+#&%]{1,3}[a-z0-9]{0,3}", fullmatch=True),  # e.g., c++, a-.b
    st.sampled_from(["c++", "c#", "C++", "AT&T", "python88.com", "e.g.", "1e-5", "v1.2.3", "B超"]),
    st.sampled_from([" ", "\n", "\r\n", "\r", "\t", "\u3000", "\xa0", "，", "。", "、", "(", ")", ",",
                     "!", "?", "“", "”", "…", "——", "\x00", "!dlqa-jieba-total"]),
    st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E),  # fullwidth forms
    st.characters(min_codepoint=0x3400, max_codepoint=0x4DBF),  # CJK extension A
    st.characters(min_codepoint=0x9FD6, max_codepoint=0x9FFF),  # unified, after jieba's range
    st.characters(min_codepoint=0xF900, max_codepoint=0xFAFF),  # compatibility ideographs
    st.characters(min_codepoint=0x20000, max_codepoint=0x3134F),  # extensions B…G
    st.characters(min_codepoint=0x2F800, max_codepoint=0x2FA1F),
    st.sampled_from(["ぁ", "ア", "한", "α", "Ж", "①", "½", "²", "٣", "〇", "々", "😀", "ﬁ"]),
)
_MIXED = st.lists(_PIECES, min_size=1, max_size=30).map("".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=_MIXED)
def test_same_tokens_on_generated_mixed_text(text: str, reference, compiled) -> None:
    assert_same_tokens(reference, compiled, text)
    assert_same_tokens(reference, compiled, fold(text))
    # and the word field keeps what it kept with jieba: the tokens with a letter or digit
    expected = [token for token in reference.tokenize(fold(text)) if analysis._HAS_ALNUM.search(token[0])]
    assert list(analysis._word_spans(fold(text))) == expected


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.characters(codec="utf-8"), max_size=40))
def test_same_tokens_on_any_text(text: str, reference, compiled) -> None:
    assert_same_tokens(reference, compiled, text)


@pytest.mark.parametrize("text", [
    "用semi-supervised的方法在python88.com上训练,学习率0.001,准确率提升3.5%",
    "e.g. 见arxiv.org/abs/1706.03762、resnet-50、lr=1e-5、v1.2.3_final",
    "做过拟合实验", "c++和c#都不是python", "中\ud800文", "\x00过拟合\x00", "㐀过拟合𠀀欠拟合﨎",
    "中㐁𠀀数习", "型﨎﨎",
])
def test_same_tokens_where_the_adapter_corrects_rjieba(text: str, reference, compiled) -> None:
    assert_same_tokens(reference, compiled, text)


def test_the_corrections_are_needed(reference, compiled) -> None:
    """rjieba alone keeps joined Latin runs whole and reads CJK extensions as Chinese."""
    raw = compiled._rjieba
    for text in ("用semi-supervised训练", "中㐁𠀀数习"):
        assert raw.tokenize(text, "search", True) != reference.tokenize(text)
    assert [word for word, _, _ in compiled.tokenize("用semi-supervised训练")] == [
        "用", "semi", "-", "supervised", "训练"]


# ---------------------------------------------------------------------------------------------
# The dictionary and the totals


def test_rjiebas_dictionary_is_jiebas_dict_txt(compiled) -> None:
    """Every dict.txt word is in rjieba's built-in dictionary, at dict.txt's frequency.

    rjieba cannot report a frequency; `suggest_freq` of a word it cuts as itself is that
    frequency (or one more, from rounding exp(log)).
    """
    raw = compiled._rjieba
    checked = 0
    lines = segmenter.jieba_dict_path().read_text(encoding="utf-8").splitlines()
    for line in lines:
        word, freq = line.split(" ")[:2]
        assert raw.has_word(word), word
    for line in lines[::3]:
        word, freq = line.split(" ")[:2]
        if word in GLOSSARY or raw.cut(word, False) != [word]:
            continue
        assert raw.suggest_freq(word) - int(freq) in (0, 1), (word, freq, raw.suggest_freq(word))
        checked += 1
    assert checked > 100_000


def test_totals_are_evened_with_jiebas(reference, compiled) -> None:
    """Every route's log-probability subtracts log(total): rjieba's total must be jieba's.

    jieba-rs's `suggest_freq` of two words is int(f1·f2 / total) + 1, so it reveals the total.
    """
    total = reference.tokenizer.total
    assert compiled.total == total
    f = reference.tokenizer.FREQ["的"]
    log_total = math.log(total)
    expected = int(math.exp((math.log(f) - log_total) + (math.log(f) - log_total) + log_total)) + 1
    assert compiled._rjieba.suggest_freq("的的") == expected


def test_read_dict_counts_parses_as_jieba(tmp_path: Path) -> None:
    dictionary = tmp_path / "dict.txt"
    dictionary.write_bytes("过拟合 5 n\nB超 3 n\n模型 40\nB超 3 n\n拟合 7 v\n".encode())
    counts = segmenter.read_dict_counts(dictionary, ["过拟合", "B超", "欠拟合"])
    assert counts.jieba_total == 58  # the duplicate line counted twice, as jieba does
    assert counts.unique_total == 55  # once, as jieba-rs does
    assert counts.freqs == {"过拟合": 5, "B超": 3}


def test_dict_counts_are_cached_and_a_bad_cache_is_recomputed(tmp_path: Path, monkeypatch) -> None:
    dictionary = tmp_path / "dict.txt"
    dictionary.write_bytes("过拟合 5 n\n模型 40 n\n".encode())
    monkeypatch.setattr(segmenter, "jieba_dict_path", lambda: dictionary)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = segmenter.dict_counts(["过拟合"])
    cached = list((tmp_path / "cache" / "dlqa").glob("jieba-dict-counts-*.json"))
    assert len(cached) == 1 and first.freqs == {"过拟合": 5}

    def unread(*_: object) -> None:
        raise AssertionError("dict.txt read again although the cache is good")

    with monkeypatch.context() as patch:
        patch.setattr(segmenter, "read_dict_counts", unread)
        assert segmenter.dict_counts(["过拟合"]) == first
    cached[0].write_text("{not json", encoding="utf-8")
    assert segmenter.dict_counts(["过拟合"]) == first
    assert json.loads(cached[0].read_text(encoding="utf-8"))["jieba_total"] == 45
    assert segmenter.dict_counts(["模型"]).freqs == {"模型": 40}  # other words, another key


def test_an_unwritable_cache_only_costs_time(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # its "dlqa" folder cannot be made
    counts = segmenter.dict_counts(["过拟合"])
    assert counts.jieba_total == 60_101_967  # jieba 0.42.1's dict.txt


# ---------------------------------------------------------------------------------------------
# jieba stays the fallback


def test_without_rjieba_jieba_segments(monkeypatch, compiled) -> None:
    monkeypatch.setitem(sys.modules, "rjieba", None)  # `import rjieba` now raises ImportError
    fallback = segmenter.build(["过拟合"], GLOSSARY_JIEBA_FREQ)
    assert fallback.engine == "jieba"
    with pytest.raises(ImportError):
        segmenter.build(["过拟合"], GLOSSARY_JIEBA_FREQ, engine="rjieba")


def test_analysis_falls_back_to_jieba_with_the_same_words(monkeypatch) -> None:
    sentence = "用semi-supervised的方法训练模型,在小数据集上很容易过拟合。"
    import jieba

    with_rjieba = analysis.segment_for_index(sentence)
    assert analysis._jieba().engine == "rjieba"
    # Another test in this process may have loaded the global tokenizer itself; what matters is
    # that the fallback neither loads it nor adds dlqa's words to it.
    was_initialized = jieba.dt.initialized
    global_words = dict(jieba.dt.FREQ) if was_initialized else None
    monkeypatch.setitem(sys.modules, "rjieba", None)
    monkeypatch.setattr(analysis, "_jieba_tokenizer", None)
    assert analysis.segment_for_index(sentence) == with_rjieba
    assert analysis._jieba().engine == "jieba"
    assert jieba.dt.initialized == was_initialized, "the global jieba tokenizer was loaded"
    if was_initialized:
        assert global_words == jieba.dt.FREQ, "dlqa's words were added to the global tokenizer"


def test_unknown_engine_is_refused() -> None:
    with pytest.raises(ValueError, match="engine"):
        segmenter.build([], 1, engine="pkuseg")
