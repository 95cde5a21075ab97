"""Tests for `dlqa.concepts` and its data: glossary synonyms, relations.tsv, names in questions."""

from __future__ import annotations

import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from dlqa import concepts
from dlqa.analysis import fold, load_glossary, segment_for_index
from dlqa.concepts import (
    RELATION_ORDER,
    RELATIONS_PATH,
    concepts_in,
    expansions,
    load_relations,
    related,
)
from dlqa.expand import variants


def _relation_lines() -> list[tuple[int, list[str]]]:
    lines = RELATIONS_PATH.read_text(encoding="utf-8").splitlines()
    return [(n, line.split("\t")) for n, line in enumerate(lines, 1) if line.strip() and not line.startswith("#")]


def _linked(term: str, relation: str) -> set[str]:
    return {found.concept for found in related(term) if found.relation == relation}


# --- the data files ---------------------------------------------------------------------------


def test_relations_file_is_a_modest_curated_list_with_a_header():
    text = RELATIONS_PATH.read_text(encoding="utf-8")
    assert text.startswith("#") and "narrower" in text.split("\n\n")[0]
    lines = _relation_lines()
    assert 100 <= len(lines) <= 300
    assert all(len(parts) == 3 and parts[1] in ("narrower", "broader", "related") for _, parts in lines)
    assert len({(a, b, c) for _, (a, b, c) in lines}) == len(lines), "a relation is stated twice"


def test_every_relation_side_names_a_glossary_concept():
    unknown = [(n, name) for n, (left, _, right) in _relation_lines() for name in (left, right)
               if concepts.concept(name) is None]
    assert unknown == []
    for _, (left, _, right) in _relation_lines():
        assert concepts.concept(right) in {found.concept for found in related(left)}


def test_no_variant_names_two_concepts():
    """An expansion searches a concept's names as equals, so each name may belong to one concept."""
    intended: set[str] = set()  # names deliberately shared by two concepts: none today
    owners: dict[str, set[int]] = defaultdict(set)
    for index, concept in enumerate(load_glossary()):
        for name in (*concept.zh, *concept.en):
            owners[fold(name).strip()].add(index)
    shared = {name: sorted(ids) for name, ids in owners.items() if len(ids) > 1 and name not in intended}
    assert shared == {}, f"names in two concepts (glossary lines' concept indexes): {shared}"


def test_broader_and_narrower_are_inverse_and_related_is_symmetric():
    triples = set(concepts.relation_triples())
    inverse = {"narrower": "broader", "broader": "narrower", "related": "related"}
    assert triples and all((b, inverse[r], a) in triples for a, r, b in triples)
    pairs = [(a, b) for a, _, b in triples]
    assert len(pairs) == len(set(pairs)), "two relations between the same concepts"


def test_narrower_links_have_no_cycle():
    children: dict[str, set[str]] = defaultdict(set)
    for a, relation, b in concepts.relation_triples():
        if relation == "narrower":
            children[a].add(b)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        return any(child == goal or (child not in seen and reaches(child, goal, seen | {child}))
                   for child in children.get(start, ()))

    assert [a for a in children if reaches(a, a, {a})] == []


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ("正则化\tnarrower\t不存在的概念\n", "relations.tsv:2: '不存在的概念' is not a glossary name"),
        ("正则化\tcontains\tdropout\n", "relations.tsv:2: unknown relation 'contains'"),
        ("正则化\tnarrower\tdropout\n丢弃法\tnarrower\tregularization\n", "relations.tsv:3:"),
        ("正则化\tnarrower\tregularisation\n", "relations.tsv:2: '正则化' and 'regularisation' are one concept"),
        ("正则化 narrower dropout\n", "relations.tsv:2: expected concept<TAB>relation<TAB>concept"),
    ],
)
def test_a_broken_relations_file_is_named_with_its_line(tmp_path: Path, lines: str, message: str):
    path = tmp_path / "relations.tsv"
    path.write_text("# header\n" + lines, encoding="utf-8")
    with pytest.raises(ValueError) as error:
        load_relations(path)
    assert str(error.value).startswith(message)


# --- synonyms learners use (glossary) -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "synonym"),
    [
        ("大模型", "大语言模型"), ("大模型", "LLM"), ("LLMs", "大语言模型"),
        ("炼丹", "调参"), ("炼丹师", "调参侠"), ("调参技巧", "炼丹技巧"),
        ("数据扩充", "数据增强"), ("数据增广", "data augmentation"),
        ("批量标准化", "BN"), ("批归一化", "batch normalization"),
        ("随机失活", "dropout"), ("暂退法", "dropout"), ("权值衰减", "weight decay"),
        ("梯度弥散", "梯度消失"), ("误差逆传播", "反向传播"), ("提前终止", "early stopping"),
        ("激励函数", "激活函数"), ("汇聚层", "池化"), ("维度诅咒", "维数灾难"),
        ("初学者", "小白"), ("入坑", "入门"), ("大神", "大佬"), ("算法岗", "算法工程师"),
        ("显存不够", "OOM"), ("批量规范化", "批归一化"), ("L2正则", "L2 regularization"), ("k近邻", "KNN"),
    ],
)
def test_names_learners_use_are_synonyms(name: str, synonym: str):
    assert concepts.concept(name) == concepts.concept(synonym) is not None
    assert fold(synonym) in {fold(other) for other in concepts.synonyms(name)}


@pytest.mark.parametrize(
    ("one", "other"),
    [("调参", "超参数"), ("花书", "goodfellow"), ("词向量", "word2vec"), ("权重衰减", "L2 regularization"),
     ("大语言模型", "基础模型")],
)
def test_related_ideas_are_not_synonyms(one: str, other: str):
    """Only the same concept is a synonym: these pairs are linked by a relation instead."""
    assert concepts.concept(one) != concepts.concept(other)
    assert concepts.concept(other) in {found.concept for found in related(one)}


@pytest.mark.parametrize(
    "sentence",
    ["训练时梯度弥散怎么办", "先做数据扩充再训练", "加了暂退法以后效果好多了", "大神推荐的入门路线"],
)
def test_new_glossary_words_stay_whole_in_jieba(sentence: str):
    tokens = segment_for_index(sentence)
    assert [mention.text for mention in concepts_in(sentence) if mention.text not in tokens] == []


# --- expansions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("umbrella", "techniques"),
    [
        ("正则化", {"丢弃法", "权重衰减", "L1 regularization", "L2 regularization", "数据增强", "早停"}),
        ("数据增强", {"mixup", "cutout", "随机裁剪"}),
        ("模型压缩", {"剪枝", "量化", "知识蒸馏"}),
        ("优化器", {"随机梯度下降", "自适应矩估计"}),
        ("损失函数", {"交叉熵", "均方误差"}),
    ],
)
def test_an_umbrella_covers_its_techniques_and_they_name_it_back(umbrella: str, techniques: set[str]):
    assert techniques <= _linked(umbrella, "narrower")
    assert all(concepts.concept(umbrella) in _linked(technique, "broader") for technique in techniques)


def test_expansions_are_synonyms_first_then_weaker_links_in_order():
    found = expansions("regularization")
    assert found[0].relation == "synonym" and list(found[0].names) == variants("regularization")
    assert "regularization" not in found[0].names and "正则化" in found[0].names
    ranks = [RELATION_ORDER.index(expansion.relation) for expansion in found]
    assert ranks == sorted(ranks) and {"narrower", "related"} <= {e.relation for e in found}
    dropout = next(expansion for expansion in found if expansion.concept == "丢弃法")
    assert dropout.relation == "narrower" and "dropout" in dropout.names and "随机失活" in dropout.names
    overfitting = next(expansion for expansion in found if expansion.concept == "过拟合")
    assert overfitting.relation == "related"


def test_terms_are_looked_up_in_any_case_or_width_and_unknown_terms_expand_to_nothing():
    assert expansions("ＤＲＯＰＯＵＴ") == expansions("dropout") != []
    assert expansions("哈哈哈") == [] and related("哈哈哈") == [] and concepts.names("哈哈哈") == ()
    assert concepts.names("BN")[0] == "批归一化"


def test_a_concept_with_no_other_name_still_has_its_relations():
    found = expansions("cutmix")
    assert [expansion.relation for expansion in found] == ["broader"]
    assert found[0].concept == "数据增强"


# --- names inside questions ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("怎么解决过拟合", ["过拟合"]),
        ("什么是注意力机制", ["注意力机制"]),
        ("批归一化为什么能加速训练", ["批归一化"]),
        ("BERT和GPT的区别是什么", ["bert", "gpt"]),
        ("how to avoid overfitting with small datasets", ["overfitting", "datasets"]),
        ("小数据集上用transfer learning有用吗", ["数据集", "transfer learning"]),
        ("自注意力和交叉注意力有什么不同", ["自注意力", "交叉注意力"]),
        ("数据扩充有哪些常用方法？", ["数据扩充"]),
        ("训练ＧＡＮ时模式崩溃怎么办", ["gan", "模式崩溃"]),
        ("L2正则和dropout哪个好", ["l2正则", "dropout"]),
        ("BP神经网络和k近邻有什么区别", ["bp神经网络", "k近邻"]),
        ("OpenAI explains why", []),
        ("为什么要这样做呢", []),
    ],
)
def test_concepts_in_finds_the_names_inside_a_question(question: str, expected: list[str]):
    assert [mention.text for mention in concepts_in(question)] == expected


def test_mentions_carry_offsets_and_concepts():
    question = "大模型的幻觉怎么缓解"
    mentions = concepts_in(question)
    assert [(m.start, m.end, m.concept) for m in mentions] == [(0, 3, "大语言模型"), (4, 6, "幻觉")]
    assert all(fold(question)[m.start:m.end] == m.text for m in mentions)


def test_longest_name_wins_and_names_never_overlap():
    mentions = concepts_in("深度强化学习和梯度下降法")
    assert [m.text for m in mentions] == ["深度强化学习", "梯度下降法"]
    covered = [i for m in mentions for i in range(m.start, m.end)]
    assert len(covered) == len(set(covered))
    assert concepts_in("") == [] and concepts_in("   ") == []


def test_the_loader_never_loads_jieba():
    code = ("import sys; from dlqa.concepts import concepts_in, expansions; "
            "concepts_in('怎么解决过拟合'); expansions('正则化'); print('jieba' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
