"""Tests for `dlqa.analysis`: jieba words, substring grams, query segmentation, glossary."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlqa import analysis
from dlqa.analysis import (
    glossary_terms,
    grams,
    load_glossary,
    phrase_grams,
    segment_for_index,
    segment_query,
)
from dlqa.engine.analyzers import GramAnalyzer, Pretokenized, WordAnalyzer

# ---------------------------------------------------------------------------------------------
# segment_for_index


@pytest.mark.parametrize(
    ("sentence", "word"),
    [
        ("这个模型在训练集上明显过拟合了，验证集效果很差。", "过拟合"),
        ("我们先做过拟合实验再说。", "过拟合"),
        ("理解反向传播是入门的第一步。", "反向传播"),
        ("用迁移学习把预训练的权重搬过来。", "迁移学习"),
        ("他是一个只会调参的调参侠。", "调参侠"),
    ],
)
def test_glossary_words_stay_whole(sentence: str, word: str) -> None:
    assert word in segment_for_index(sentence)


def test_search_mode_also_emits_parts() -> None:
    tokens = segment_for_index("小数据集上很容易过拟合")
    assert "过拟合" in tokens
    assert "拟合" in tokens
    assert "调参" in segment_for_index("这届调参侠不行")


def test_underfitting_is_not_overfitting() -> None:
    tokens = segment_for_index("模型太简单导致欠拟合，训练误差很大。")
    assert "欠拟合" in tokens
    assert "过拟合" not in tokens


def test_index_tokens_are_folded_and_never_punctuation() -> None:
    tokens = segment_for_index("用ＢＥＲＴ和BERT，加L2正则化！！  …… \n")
    assert tokens.count("bert") == 2
    assert "l2" in tokens
    assert "正则化" in tokens
    assert all(re.search(r"[^\W_]", token) for token in tokens)
    assert all(token == token.lower() and token.strip() == token for token in tokens)
    assert segment_for_index("，。！？ …") == []


# ---------------------------------------------------------------------------------------------
# grams


def test_grams_example() -> None:
    assert grams("用BERT做过拟合") == [
        (0, "用"),
        (1, "bert"),
        (2, "做过"),
        (3, "过拟"),
        (4, "拟合"),
        (5, "合"),
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("，。 ", []),
        ("过", [(0, "过")]),
        ("过拟", [(0, "过拟"), (1, "拟")]),
        ("Ｌ2 正则，ok", [(0, "l2"), (1, "正则"), (2, "则"), (3, "ok")]),
        ("欠拟合", [(0, "欠拟"), (1, "拟合"), (2, "合")]),
        ("a_b-3.14", [(0, "a"), (1, "b"), (2, "3"), (3, "14")]),
    ],
)
def test_grams_cases(text: str, expected: list[tuple[int, str]]) -> None:
    assert grams(text) == expected


def test_phrase_grams_drop_shared_unigram_and_mark_trailing_single_char() -> None:
    assert phrase_grams("过拟合") == [("过拟", False), ("拟合", False)]
    assert phrase_grams("bert做") == [("bert", False), ("做", True)]
    assert phrase_grams("做bert") == [("做", False), ("bert", False)]
    assert phrase_grams("合") == [("合", True)]
    assert phrase_grams("x") == [("x", False)]


def _phrase_offsets(query: str, text: str) -> list[int]:
    """Start positions in `grams(text)` where the phrase of `phrase_grams(query)` matches."""
    at: dict[int, set[str]] = {}
    for pos, gram in grams(text):
        at.setdefault(pos, set()).add(gram)
    terms = phrase_grams(query)
    hits = []
    for start in at:
        if all(
            any(g.startswith(term) if prefix else g == term for g in at.get(start + k, ()))
            for k, (term, prefix) in enumerate(terms)
        ):
            hits.append(start)
    return hits


def test_phrase_matching_is_exact_substring_matching() -> None:
    assert _phrase_offsets("过拟合", "模型欠拟合了") == []
    assert _phrase_offsets("过拟合", "做过拟合实验") == [1]
    assert _phrase_offsets("bert做", "用bert做过拟合") == [1]
    assert _phrase_offsets("bert做", "用bert") == []


_CJK = "过拟合欠深度学习调参的了模型"
_WORDY = "abAB12ＢＥ"
_ALPHABET = _CJK + _WORDY + " ，。-_"


def _is_word_char(char: str) -> bool:
    folded = analysis.fold(char)
    return bool(folded) and re.fullmatch(r"[^\W_]", folded[0]) is not None and char not in _CJK


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=30), st.data())
def test_substring_implies_phrase_match(text: str, data: st.DataObject) -> None:
    if len(text) < 2:
        return
    start = data.draw(st.integers(0, len(text) - 2))
    end = data.draw(st.integers(start + 2, len(text)))
    query = text[start:end]
    mid_word_start = start > 0 and _is_word_char(text[start - 1]) and _is_word_char(text[start])
    mid_word_end = end < len(text) and _is_word_char(text[end - 1]) and _is_word_char(text[end])
    if mid_word_start or mid_word_end or not phrase_grams(query):
        return
    assert _phrase_offsets(query, text), (query, text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_CJK, max_size=20), st.text(alphabet=_CJK, min_size=2, max_size=4))
def test_phrase_match_implies_substring_for_cjk(text: str, query: str) -> None:
    assert bool(_phrase_offsets(query, text)) == (query in text)


# ---------------------------------------------------------------------------------------------
# segment_query


def _freq(known: dict[str, int]):  # noqa: ANN202 - tiny test helper
    return lambda word: known.get(word, 0)


def test_segment_query_examples() -> None:
    assert segment_query("过拟合") == ["过拟合"]
    assert segment_query("调参") == ["调参"]
    assert segment_query("BERT") == ["bert"]
    assert segment_query("深度学习的过拟合问题", _freq({"问题": 12})) == [
        "深度学习",
        "过拟合",
        "问题",
    ]


def test_segment_query_uses_index_vocabulary_and_single_char_fallback() -> None:
    assert segment_query("问题") == ["问", "题"]
    assert segment_query("卷积核大小", _freq({"卷积核": 3, "大小": 9, "卷积": 20})) == [
        "卷积核",
        "大小",
    ]


def test_segment_query_stop_words() -> None:
    assert segment_query("的") == ["的"]
    assert segment_query("模型的泛化") == ["模型", "泛化"]
    assert "了" not in segment_query("过拟合了")


def test_segment_query_latin_mirrors_jieba() -> None:
    assert segment_query("ＧＰＴ-3用L2") == ["gpt", "3", "用", "l2"]
    assert segment_query("c++", _freq({"c++": 4})) == ["c++"]
    assert segment_query("3.14") == ["3.14"]


def test_query_terms_are_index_tokens() -> None:
    """What the index makes of a sentence, the query side finds again (given its vocabulary)."""
    sentence = "深度学习模型过拟合怎么办"
    vocabulary = set(segment_for_index(sentence))
    terms = segment_query(sentence, lambda word: int(word in vocabulary))
    assert terms and all(term in vocabulary for term in terms)


# ---------------------------------------------------------------------------------------------
# glossary

_REQUIRED = re.findall(
    r"\S+",
    """过拟合 欠拟合 反向传播 梯度下降 深度学习 机器学习 迁移学习 知识蒸馏 可解释性 对抗样本 自监督
半监督 联邦学习 卷积神经网络 注意力机制 调参 炼丹 花书 西瓜书 统计学习方法 过参数 过参数化 泛化 正则化
批归一化 残差网络 激活函数 损失函数 交叉熵 学习率 预训练 微调 强化学习 生成对抗网络 变分自编码器 自编码器
隐变量 词向量 负采样 主动学习 数据增强 模型压缩 剪枝 量化 元学习 小样本学习 图神经网络 大模型 端到端 黑盒
归纳偏置 随机森林 梯度提升 支持向量机 逻辑回归 线性回归 贝叶斯 神经网络 循环神经网络 长短期记忆网络
炼丹师 调参侠 水论文 灌水 顶会""",
)


def test_glossary_size_and_required_concepts() -> None:
    concepts = load_glossary()
    assert len(concepts) >= 350
    zh = {variant for concept in concepts for variant in concept.zh}
    assert [term for term in _REQUIRED if term not in zh] == []
    terms = glossary_terms()
    assert {"过拟合", "overfitting", "bp", "early stopping"} <= terms


def test_glossary_variants_are_unique_and_well_formed() -> None:
    seen_zh: dict[str, int] = {}
    seen_en: dict[str, int] = {}
    for index, concept in enumerate(load_glossary()):
        assert concept.zh or concept.en
        for number, variant in enumerate(concept.zh):
            # A one-character name (书 of 书籍) only as another name of a longer one: it is
            # never added to jieba's dictionary, where it would change how text splits.
            assert re.fullmatch("[\u4e00-\u9fd5]{2,}" if number == 0 else "[\u4e00-\u9fd5]+", variant), variant
            assert seen_zh.setdefault(variant, index) == index, f"duplicate {variant}"
        for variant in concept.en:
            key = variant.lower()
            assert seen_en.setdefault(key, index) == index, f"duplicate {variant}"
            for word in variant.split():
                capitals = sum(char.isupper() for char in word)
                acronym = capitals >= 2 or (capitals == 1 and any(c.isdigit() for c in word))
                assert word == word.lower() or acronym, variant


# ---------------------------------------------------------------------------------------------
# Whoosh analyzers


def _texts(tokens) -> list[tuple[int, str]]:  # noqa: ANN001 - whoosh token stream
    return [(token.pos, token.text) for token in tokens]


def test_gram_analyzer_matches_grams_and_replays_pretokenized() -> None:
    analyzer = GramAnalyzer()
    text = "用BERT做过拟合"
    assert _texts(analyzer(text, positions=True)) == grams(text)
    assert _texts(analyzer(grams(text), positions=True)) == grams(text)
    assert _texts(analyzer(Pretokenized(grams(text)), positions=True)) == grams(text)
    shifted = _texts(analyzer(text, positions=True, start_pos=10))
    assert shifted[0] == (10, "用")
    query = [(t.pos, t.text) for t in analyzer("过拟合", positions=True, mode="query")]
    assert query == [(0, "过拟"), (1, "拟合")]


def test_analyzer_char_offsets_point_into_the_original_text() -> None:
    text = "ＢＥＲＴ与ﬁne过拟合"  # fullwidth letters and a ligature that folds to two chars
    spans = {t.text: (t.startchar, t.endchar) for t in GramAnalyzer()(text, chars=True)}
    assert text[slice(*spans["bert"])] == "ＢＥＲＴ"
    assert text[slice(*spans["拟合"])] == "拟合"
    words = {t.text: (t.startchar, t.endchar) for t in WordAnalyzer()(text, chars=True)}
    assert text[slice(*words["过拟合"])] == "过拟合"


def test_word_analyzer_modes() -> None:
    analyzer = WordAnalyzer()
    text = "做过拟合实验"
    assert [t.text for t in analyzer(text)] == segment_for_index(text)
    assert [t.text for t in analyzer(["a", "b"], positions=True)] == ["a", "b"]
    assert [t.text for t in analyzer("深度学习的过拟合", mode="query")] == ["深度学习", "过拟合"]
    assert [t.text for t in analyzer("Ｂert*", tokenize=False)] == ["bert*"]


def test_whoosh_index_round_trip_with_pretokenized_grams() -> None:
    from whoosh.fields import ID, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Phrase, Prefix

    schema = Schema(
        id=ID(stored=True),
        words=TEXT(analyzer=WordAnalyzer()),
        sub=TEXT(analyzer=GramAnalyzer(), phrase=True),
    )
    index = RamStorage().create_index(schema)
    docs = {"a": "训练集上过拟合了", "b": "模型欠拟合", "c": "拟合一条曲线"}
    with index.writer() as writer:
        for key, body in docs.items():
            writer.add_document(
                id=key, words=segment_for_index(body), sub=Pretokenized(grams(body))
            )

    def hits(query) -> set[str]:  # noqa: ANN001 - a whoosh query
        with index.searcher() as searcher:
            return {hit["id"] for hit in searcher.search(query, limit=None)}

    def substring(text: str) -> set[str]:
        terms = [term for term, _ in phrase_grams(text)]
        return hits(Phrase("sub", terms))

    assert substring("过拟合") == {"a"}
    assert substring("拟合") == {"a", "b", "c"}
    assert substring("欠拟") == {"b"}
    assert hits(Prefix("sub", "欠")) == {"b"}
    assert hits(Prefix("sub", "了")) == {"a"}


def test_analyzers_pickle_small_and_stateless() -> None:
    for analyzer in (WordAnalyzer(), GramAnalyzer()):
        data = pickle.dumps(analyzer)
        assert len(data) < 200
        assert b"jieba" not in data
        assert pickle.loads(data) == analyzer
    value = pickle.loads(pickle.dumps(Pretokenized([(0, "过拟"), (0, "拟")])))
    assert isinstance(value, Pretokenized) and value.tokens == ((0, "过拟"), (0, "拟"))


_FRESH_PROCESS = textwrap.dedent(
    """
    import pickle, sys
    from dlqa import analysis
    word, gram = pickle.loads(pickle.dumps((analysis.WordAnalyzer(), analysis.GramAnalyzer())))
    from whoosh.fields import TEXT, Schema
    from whoosh.qparser import QueryParser
    schema = Schema(words=TEXT(analyzer=word), sub=TEXT(analyzer=gram, phrase=True))
    QueryParser("words", schema).parse('深度学习 "过拟合 问题" 调参*')
    list(gram("用BERT做过拟合"))
    analysis.segment_query("深度学习的过拟合问题", lambda s: 1)
    assert not {"jieba", "rjieba"} & set(sys.modules), "query path imported a segmenter"
    analysis.segment_for_index("过拟合")
    assert analysis._jieba_tokenizer.engine == "rjieba"
    assert "jieba" not in sys.modules, "the compiled segmenter imported jieba"
    print("ok")
    """
)


def test_query_path_never_imports_jieba_and_index_path_is_silent() -> None:
    result = subprocess.run(
        [sys.executable, "-c", _FRESH_PROCESS], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
    assert result.stderr == ""


def test_loading_jieba_logs_nothing(capfd: pytest.CaptureFixture[str], monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(analysis, "_jieba_tokenizer", None)
    assert "过拟合" in segment_for_index("过拟合")
    captured = capfd.readouterr()
    assert "Building prefix dict" not in captured.err
    assert "Loading model" not in captured.err


def test_bigram_text_spells_only_overlapping_cjk_bigrams():
    from dlqa.analysis import bigram_text

    assert bigram_text(["学习", "习率"]) == "学习率"
    assert bigram_text([gram for gram, _ in phrase_grams("卷积神经网络")]) == "卷积神经网络"
    assert bigram_text(["学习"]) is None  # one gram is a term, not a phrase
    assert bigram_text(["学习", "率先"]) is None  # not overlapping
    assert bigram_text(["ai", "ix"]) is None  # Latin tokens are whole words, not bigrams
    assert bigram_text(["学习", "习"]) is None  # a closing unigram
