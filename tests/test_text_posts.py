"""Forum threads saved as text (`dlqa/sites/text_posts.py`): the signature shapes, and the
pages that must stay one unit because no shape repeats reliably."""

from __future__ import annotations

from dlqa.extract import parse_text
from dlqa.sites.text_posts import DATE_LINE, SAME_LINE

ARTICLE = """如何理解 Batch Normalization
张三
2023-05-01
BatchNorm 把每一层的输入归一化到零均值单位方差，再用可学习的缩放和平移恢复表达能力。
它让更大的学习率变得可行，也在一定程度上起到正则化作用。
推理时用训练阶段累积的滑动平均，而不是当前 batch 的统计量。
"""


def test_an_article_with_one_name_over_a_date_stays_one_unit():
    page = parse_text(ARTICLE)
    assert page.site == "web"
    assert len(page.answers) == 1
    assert "推理时用训练阶段累积的滑动平均" in page.answers[0].body


def test_an_article_with_two_short_comments_under_it_stays_one_unit():
    """The comments repeat a signature, but they hold too little of the page to be its thread."""
    article = "\n".join(ARTICLE.split("\n")[:1] + ARTICLE.split("\n")[3:])  # no byline of its own
    long_article = article + "\n".join(["训练时每个 mini-batch 各自计算均值和方差，反向传播也要穿过这些统计量。"] * 12)
    text = long_article + "\n评论\n李四\n3 天前\n写得清楚\n王五\n2 天前\n收藏了\n"
    page = parse_text(text)
    assert page.site == "web"
    assert len(page.answers) == 1
    assert "收藏了" in page.answers[0].body  # today's behaviour: the whole page, one unit


def test_two_line_headers_split_posts_and_leave_buttons_out():
    text = """导航
登录
Adam 和 SGD 到底怎么选？
alice_dl
2 天
我的 ResNet 用 Adam 收敛快，但测试集比 SGD 差两个点，这是普遍现象吗？
回复
bob
1 天
是比较普遍的，Adam 容易落到尖锐的极小值，泛化差一些。可以试试 AdamW 加余弦退火。
3 Likes
Reply
建议的话题
"""
    page = parse_text(text)
    assert page.site == "forum"
    assert page.title == "Adam 和 SGD 到底怎么选？"
    assert [answer.author for answer in page.answers] == ["alice_dl", "bob"]
    assert [answer.posted_at for answer in page.answers] == ["2 天", "1 天"]
    assert page.answers[1].body.endswith("可以试试 AdamW 加余弦退火。")
    for answer in page.answers:
        assert "Reply" not in answer.body and "Likes" not in answer.body and "回复" not in answer.body


def test_one_line_headers_drop_labels_badges_places_and_a_quote_of_an_earlier_post():
    text = """学习率预热有什么用？
来自: 小明 2024-01-02 10:00:00 北京
为什么 transformer 训练一开始要 warmup？
赞
回应
阿强 2024-01-02 10:20:00 上海
一开始参数是随机的，Adam 的二阶矩估计还不准，步长会偏大，预热可以避免早期发散。
赞
回应
小明 楼主 2024-01-02 10:30:00 北京
阿强: 一开始参数是随机的
明白了，谢谢。
赞(2)
回应
"""
    page = parse_text(text)
    assert [answer.author for answer in page.answers] == ["小明", "阿强", "小明"]
    assert page.answers[2].body == "明白了，谢谢。"
    assert all("北京" not in answer.body and "回应" not in answer.body for answer in page.answers)


def test_footer_signatures_name_the_owner_never_the_editor_and_the_question_is_the_description():
    text = """How to freeze BERT layers?
Asked 1 year ago
Viewed 2k times
3
I only want to train the classifier head. How do I freeze the encoder?
Share
Improve this question
Follow
edited Jan 5, 2023 at 10:00
some_editor
1,234
asked Jan 4, 2023 at 9:00
asker
51
2 Answers
Sorted by:
Highest score (default)
5
Set requires_grad to False on every parameter of model.bert.
Share
Improve this answer
Follow
edited Jan 6, 2023 at 8:00
some_editor
1,234
answered Jan 4, 2023 at 9:30
first_answerer
2,001
Add a comment
1
Or pass only the classifier's parameters to the optimizer.
Share
Follow
answered Jan 5, 2023 at 1:00
second_answerer
11
Add a comment
Your Answer
"""
    page = parse_text(text)
    assert page.site == "forum"
    assert page.title == "How to freeze BERT layers?"
    assert "freeze the encoder" in page.description
    assert [answer.author for answer in page.answers] == ["first_answerer", "second_answerer"]
    assert page.answers[0].body == "Set requires_grad to False on every parameter of model.bert."
    assert page.answers[1].body == "Or pass only the classifier's parameters to the optimizer."


def test_a_clip_keeps_a_dates_link_as_the_posts_permalink(tmp_path):
    clip = tmp_path / "thread.md"
    clip.write_text(
        "---\ntitle: 梯度裁剪阈值怎么设\nsource: https://forum.example.org/t/clip/9\n---\n\n"
        "[amy](https://forum.example.org/u/amy)\n\n[3 月 1 日](https://forum.example.org/t/clip/9/1)\n\n"
        "先看一下梯度范数的分布，取 90 分位数作为阈值比较稳。\n\n"
        "[ken](https://forum.example.org/u/ken)\n\n[3 月 2 日](https://forum.example.org/t/clip/9/2)\n\n"
        "RNN 一般 1 到 5 之间，Transformer 常用 1.0。\n",
        encoding="utf-8",
    )
    from dlqa.extract import parse_file

    page = parse_file(clip)
    assert [answer.url for answer in page.answers] == [
        "https://forum.example.org/t/clip/9/1", "https://forum.example.org/t/clip/9/2"]
    assert [answer.author for answer in page.answers] == ["amy", "ken"]
    assert "forum.example.org" not in page.answers[0].body


def test_signature_patterns_read_what_forums_print():
    for line in ("3 月 12 日", "24 年 3 月", "2 天", "3 小时前", "2024-04-02 22:31:08 上海", "Mar 3", "Jul 3, 2022 at 15:02",
                 "2d", "5 minutes ago", "昨天 09:12"):
        assert DATE_LINE.match(line), line
    for line in ("我们在 2023 年做了实验", "Reply", "今天天气不错"):
        assert not DATE_LINE.match(line), line
    match = SAME_LINE.match("夜航船 楼主 2024-04-02 22:40:51 江苏")
    assert match and match.group("name") == "夜航船"


def test_hostile_lines_stay_linear():
    """A page of very long lines and thousands of date lines is read, not rescanned."""
    posts = "\n".join(f"user{i}\n2024-01-0{i % 9 + 1}\n正文 {i}" for i in range(3000))
    text = posts.replace("正文 0", "2024-01-01 " * 50_000, 1)
    page = parse_text(text)
    assert page.site == "forum"
    assert len(page.answers) == 3000
    assert page.answers[1].author == "user1" and page.answers[1].body == "正文 1"


def test_floor_lines_close_their_posts_and_a_reply_inside_a_floor_follows_it():
    text = """某吧
只看楼主
回复
楼主甲
学徒
3
想问一下 dropout 和 BatchNorm 能不能一起用？
回复
1楼2024-01-01 10:00
路人乙
就是顺序要注意，一般先 BN 再激活，dropout 放在后面，而且两者一起用方差会偏移。
回复
#2 2024-01-01 10:30
楼主甲: 回复 路人乙 :明白了
2024-1-1 11:00回复
我也说一句
发表回复
"""
    page = parse_text(text)
    assert page.site == "forum"
    assert [(answer.author, answer.floor) for answer in page.answers] == [("楼主甲", 1), ("路人乙", 2), ("楼主甲", None)]
    assert page.answers[0].body == "想问一下 dropout 和 BatchNorm 能不能一起用？"
    assert page.answers[2].body == "明白了"
    assert all("回复" not in answer.body and "学徒" not in answer.body for answer in page.answers)


def test_sentences_ending_in_a_duration_and_release_lists_are_not_signatures():
    text = """训练日志
第一版模型跑了 3 天
loss 降到 0.8 左右，之后基本不动，换了余弦退火以后又往下走了一点。
第二版模型跑了 2 天
加了 mixup 以后验证集好了 1.5 个点，但训练 loss 反而更高，这是正常的。
"""
    assert parse_text(text).site == "web"
    releases = """更新记录
1.2.0
2024-03-01
支持混合精度训练，修复多卡评估时指标重复计算的问题。
1.1.0
2024-01-15
新增学习率预热，默认 500 步。
"""
    assert parse_text(releases).site == "web"


def test_a_one_line_signature_needs_a_calendar_date_in_english_too():
    text = "Notes\nwe trained for 3 days ago\nfirst run diverged early.\nwe tuned for 2 days ago\nsecond run was fine.\n"
    assert parse_text(text).site == "web"
    thread = "Thread\nalice · Mar 3, 2024\nUse gradient clipping.\nbob · Mar 4, 2024\nAnd a smaller learning rate.\n"
    assert [answer.author for answer in parse_text(thread).answers] == ["alice", "bob"]


def test_an_english_discourse_copy_with_short_dates_and_like_counts():
    text = """PyTorch Forums
Loss becomes NaN with AMP
mixed-precision
kaiyu
Mar '24
With autocast on, the loss turns NaN after about 300 iterations.
1 Reply
ptrblck
2d
Are you using a GradScaler? Without it fp16 gradients underflow.
2 Likes
Reply
Related topics
"""
    page = parse_text(text)
    assert page.title == "Loss becomes NaN with AMP"
    assert [(answer.author, answer.posted_at) for answer in page.answers] == [("kaiyu", "Mar '24"), ("ptrblck", "2d")]
    assert page.answers[1].body == "Are you using a GradScaler? Without it fp16 gradients underflow."
