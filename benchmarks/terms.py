"""The fixed list of 30 deep-learning query terms the benchmark measures, with how the
generator plants them.

Why fixed: latency percentiles and the "correct counts" score are only comparable between runs
(and between dlqa and the baselines) when every run asks exactly the same 30 questions over a
corpus where each term's answer count is known. The list mixes the kinds of query that break a
naive jieba + Whoosh index:

* words jieba splits or glues differently from the query (过拟合, 过参数 in 过参数化, 调参 in
  调参侠 / 调参党 / 调参数, 炼丹 in 炼丹炉, 泛化 in 泛化能力);
* near misses that must NOT count (欠拟合 right after 过 as in 越过欠拟合阶段, 批量归一化 for
  批归一化, 端对端 for 端到端, 卷积网络 for 卷积神经网络);
* Latin words in mixed case and full width (BERT / Bert / bert / ＢＥＲＴ), counted
  case-insensitively after NFKC, as the truth file defines;
* frequent words (泛化, 微调) next to rare ones (花书, 过参数), so posting-list sizes vary.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Term:
    """One query term and how the generator plants it in answer bodies."""

    #: The query string, exactly as `dlqa search` receives it.
    query: str
    #: Probability that a long (non-V2EX) answer gets this term planted at least once.
    rate: float
    #: Surface forms written into bodies, each containing `query` (NFKC, case-insensitive),
    #: with relative weights: the tricky spellings an index has to find too.
    forms: tuple[tuple[str, int], ...] = ()

    def surface_forms(self) -> tuple[tuple[str, int], ...]:
        """The forms to plant; the bare query when no variants are listed."""
        return self.forms or ((self.query, 1),)


TERMS: tuple[Term, ...] = (
    Term("过拟合", 0.09),
    Term("欠拟合", 0.04),
    Term("反向传播", 0.05),
    Term("梯度下降", 0.05),
    Term("迁移学习", 0.04),
    Term("知识蒸馏", 0.02),
    Term("可解释性", 0.05),
    Term("对抗样本", 0.03),
    Term("自监督", 0.03, (("自监督", 3), ("自监督学习", 2))),
    Term("调参", 0.10, (("调参", 5), ("调参侠", 2), ("调参党", 1), ("调参数", 1))),
    Term("炼丹", 0.05, (("炼丹", 4), ("炼丹炉", 1), ("炼丹师", 1))),
    Term("花书", 0.015),
    Term("过参数", 0.012, (("过参数", 1), ("过参数化", 1))),
    Term("注意力机制", 0.04),
    Term("卷积神经网络", 0.05),
    Term("正则化", 0.05),
    Term("泛化", 0.14, (("泛化", 3), ("泛化能力", 2), ("泛化性能", 1))),
    Term("预训练", 0.07),
    Term("微调", 0.08),
    Term("强化学习", 0.05),
    Term("生成模型", 0.03),
    Term("隐变量", 0.02),
    Term("损失函数", 0.06),
    Term("学习率", 0.06),
    Term("批归一化", 0.015),
    Term("BERT", 0.06, (("BERT", 4), ("Bert", 2), ("bert", 2), ("ＢＥＲＴ", 1))),
    Term("GAN", 0.05, (("GAN", 5), ("gan", 1), ("Gan", 1))),
    Term("Transformer", 0.07, (("Transformer", 5), ("transformer", 2), ("TRANSFORMER", 1))),
    Term("大模型", 0.08),
    Term("端到端", 0.03),
)

#: Near misses planted in some answers. Each imitates a term it does not contain (some contain
#: another term, e.g. 欠拟合, which the truth file then counts); a search that matches the
#: imitated term anyway reports too many answers.
CONFUSERS: tuple[str, ...] = (
    "模型刚刚越过欠拟合阶段,就开始在验证集上抖动",
    "很多人把过欠拟合的判断想得太简单",
    "这里用的是批量归一化,而不是别的归一化方式",
    "端对端的方案未必更好",
    "一个普通的卷积网络就够用了",
    "他们所谓的参数调整其实就是试错",
    "训练时把学习速率调小一点",
    "先做好模型的正则约束再说",
)

#: Rate at which a long answer gets one confuser sentence.
CONFUSER_RATE = 0.06


def queries() -> list[str]:
    """The 30 query strings, in the fixed order used for every measurement."""
    return [term.query for term in TERMS]


#: Questions typed the way people ask (#14): function words, question frames, concepts inside
#: an unspaced question, several terms, English. Measured for latency only (their answers are
#: judged in tests/relevance/, not here): each walks the whole query plan (partial matches,
#: proximity, thread titles), which the one-word terms above mostly skip.
QUESTIONS: tuple[str, ...] = (
    "怎么解决过拟合",
    "过拟合 正则化",
    "how to avoid overfitting",
    "深度学习入门应该看什么书",
    "迁移学习 预训练",
    "BERT和GPT的区别",
    "数据集很小怎么训练模型",
    "为什么深度学习需要GPU",
    "学习率 warmup 有什么用",
    "调参有什么技巧",
)
