"""Known forum software read by its thread markup (`dlqa/sites/forum_rules.py`).

The family goldens pin whole pages; these pin the properties the rules promise: software is
recognised by its markup, not its host; a post removed from a thread leaves its replies; a page
with the recognising markup but no post is still read, not dropped.
"""

from __future__ import annotations

from pathlib import Path

from dlqa.extract import parse_bytes, parse_text
from dlqa.model import Page

FAMILIES = Path(__file__).parent / "families"


def _answers(page: Page) -> list[tuple[str | None, str]]:
    return [(answer.author, answer.body) for answer in page.answers]


def test_recognised_by_markup_not_by_host() -> None:
    """A mirror (another host, no canonical link) is read the same way, links on its own host."""
    original = (FAMILIES / "reddit" / "shreddit-saved.html").read_bytes()
    mirrored = original.replace(b"https://www.reddit.com/", b"https://mirror.example.org/")
    page = parse_bytes(original, "shreddit.html")
    mirror = parse_bytes(mirrored, "mirror.html")
    assert mirror.site == "forum"
    assert _answers(mirror) == _answers(page)
    assert len(mirror.answers) == 5
    assert all(answer.url.startswith("https://mirror.example.org/") for answer in mirror.answers)


def test_removed_comment_dropped_and_its_reply_kept() -> None:
    page = parse_text(
        """<html><head><link rel="canonical" href="https://old.reddit.com/r/ml/comments/ab1/x/"></head><body>
<div id="siteTable"><div class="thing link" data-fullname="t3_ab1" data-author="op_user">
 <div class="entry"><p class="title"><a class="title" href="/r/ml/comments/ab1/x/">为什么 dropout 在推理时要关掉？</a></p>
 <div class="usertext-body"><div class="md"><p>训练和推理时 dropout 行为不同，是为什么？</p></div></div></div></div></div>
<div class="commentarea"><div class="sitetable nestedlisting">
 <div class="thing comment deleted" data-permalink="/r/ml/comments/ab1/x/c1/">
  <div class="entry"><p class="tagline"><em>[deleted]</em></p><div class="usertext-body"><div class="md"><p>[removed]</p></div></div></div>
  <div class="child"><div class="sitetable listing">
   <div class="thing comment" data-author="replier" data-permalink="/r/ml/comments/ab1/x/c2/">
    <div class="entry"><div class="usertext-body"><div class="md"><p>推理时要的是期望输出，所以关掉并按保留率缩放。</p></div></div></div>
   </div></div></div>
 </div></div></div></body></html>""",
        "thread.html",
        is_html=True,
    )
    assert page.site == "forum"
    assert page.title == "为什么 dropout 在推理时要关掉？"
    assert [answer.author for answer in page.answers] == ["op_user", "replier"]
    assert page.answers[1].url == "https://old.reddit.com/r/ml/comments/ab1/x/c2/"
    assert all("[removed]" not in answer.body for answer in page.answers)


def test_douban_reply_quote_not_part_of_the_reply() -> None:
    page = parse_bytes((FAMILIES / "douban-group" / "topic-quoted-reply.html").read_bytes(), "topic.html")
    quoting = page.answers[2]
    assert quoting.author == page.answers[0].author
    assert "单卡完全够做不少事" not in quoting.body
    # The "most liked" box repeats a reply: it is read once.
    bodies = [answer.body for answer in page.answers]
    assert len(bodies) == len(set(bodies))


def test_markup_without_posts_is_still_read() -> None:
    page = parse_text(
        """<html><head><title>小组话题</title></head><body><div id="content"><h1>小组话题</h1>
<div class="article"><p>这个话题已被作者删除，内容不可见。这里只剩下一段说明文字，仍然应该被读出来。</p>
<ul id="comments" class="topic-reply"></ul></div></div></body></html>""",
        "empty.html",
        is_html=True,
    )
    assert page.answers
    assert "已被作者删除" in page.answers[0].body


def test_old_reddit_saved_without_its_url_keeps_comment_links() -> None:
    """Without a canonical link the relative `data-permalink` resolves to nothing; the
    absolute "permalink" button still gives each comment its own link."""
    data = (FAMILIES / "reddit" / "old-reddit-nested.html").read_bytes()
    page = parse_bytes(data.replace(b'rel="canonical"', b'rel="alternate"'), "saved.html")
    assert [answer.author for answer in page.answers][1:] == ["hinton_fanboy", "distill_or_die", "kd_practitioner"]
    assert page.answers[1].url == (
        "https://old.reddit.com/r/MachineLearning/comments/1b7x2kq/d_why_does_label_smoothing_hurt_knowledge/kt0a3fz/"
    )


def test_link_post_without_text_keeps_every_comment_and_its_link() -> None:
    """A Reddit link post has no text body: no opening answer, and the first comment keeps
    its own link rather than becoming the thread's opening post."""
    page = parse_text(
        """<html><head><link rel="canonical" href="https://www.reddit.com/r/ml/comments/zz9/paper/"></head><body>
<shreddit-post author="paper_bot" post-title="[R] 一篇关于稀疏注意力的新论文" post-type="link" permalink="/r/ml/comments/zz9/paper/">
 <h1 slot="title">[R] 一篇关于稀疏注意力的新论文</h1><a slot="full-post-link" href="https://arxiv.org/abs/2401.00001">arxiv.org</a>
</shreddit-post>
<shreddit-comment-tree>
 <shreddit-comment author="reader_a" depth="0" permalink="/r/ml/comments/zz9/comment/c1/">
  <div slot="comment"><p>稀疏模式是固定的还是学出来的？</p></div>
  <shreddit-comment author="reader_b" depth="1" permalink="/r/ml/comments/zz9/comment/c2/">
   <div slot="comment"><p>第三节说是按内容动态选的 top-k。</p></div>
  </shreddit-comment>
 </shreddit-comment>
</shreddit-comment-tree></body></html>""",
        "link-post.html",
        is_html=True,
    )
    assert page.title == "[R] 一篇关于稀疏注意力的新论文"
    assert [(answer.author, answer.url) for answer in page.answers] == [
        ("reader_a", "https://www.reddit.com/r/ml/comments/zz9/comment/c1/"),
        ("reader_b", "https://www.reddit.com/r/ml/comments/zz9/comment/c2/"),
    ]
    assert page.answers[1].body == "第三节说是按内容动态选的 top-k。"
    assert [answer.floor for answer in page.answers] == [1, 2]


def test_ruled_question_page_keeps_the_question_out_of_the_answers() -> None:
    """OSChina 问答 is a Q&A page: the question is the description, only answers are answers,
    and the accepted one carries its mark."""
    page = parse_bytes((FAMILIES / "oschina-ask" / "best-answer-2022.html").read_bytes(), "question.html")
    assert page.site == "forum"
    assert page.description and page.description.startswith("用 HuggingFace 跑 7B 模型推理")
    assert page.meta.get("asked_by")
    assert all(not answer.body.startswith("用 HuggingFace") for answer in page.answers)
    assert [answer.meta.get("accepted", False) for answer in page.answers] == [True, False, False]
    assert page.question_url == page.page_url


def test_homeland_mirror_links_replies_on_its_own_host() -> None:
    """A Homeland community on another host (no canonical link, only the save's URL comment)
    gives the same replies, each linked to `#reply-ID` on that host."""
    original = (FAMILIES / "homeland" / "ruby-china-topic.html").read_bytes()
    mirrored = original.replace(
        b'<link rel="canonical" href="https://ruby-china.org/topics/43518">',
        b"",
    ).replace(b"<!DOCTYPE html>", b"<!DOCTYPE html>\n<!-- saved from url=(0035)https://bbs.example.org/topics/77 -->")
    page = parse_bytes(original, "topic.html")
    mirror = parse_bytes(mirrored, "mirror.html")
    assert mirror.site == "forum"
    assert _answers(mirror) == _answers(page)
    assert [answer.url for answer in mirror.answers[1:]] == [
        "https://bbs.example.org/topics/77#reply-412301",
        "https://bbs.example.org/topics/77#reply-412317",
        "https://bbs.example.org/topics/77#reply-412355",
    ]
    assert mirror.answers[0].url == "https://bbs.example.org/topics/77"


def test_homeland_deleted_and_system_replies_give_no_answer() -> None:
    page = parse_bytes((FAMILIES / "homeland" / "testerhome-deleted-system.html").read_bytes(), "topic.html")
    assert [answer.author for answer in page.answers] == ["wangce", "xiaozhou", "mocha"]
    # Floors as the page prints them: the deleted #2 and the system event #3 are not renumbered.
    assert [answer.floor for answer in page.answers] == [None, 1, 4]
    assert all("已删除" not in answer.body and "精华贴" not in answer.body for answer in page.answers)


def test_a_question_box_class_alone_does_not_claim_a_page() -> None:
    """Another Q&A site's `question-detail` box without OSChina's markup is read from its
    structured data, answers and all."""
    page = parse_text(
        """<html><head><script type="application/ld+json">{"@context":"https://schema.org","@type":"QAPage",
"mainEntity":{"@type":"Question","name":"学习率预热有什么用？","text":"为什么大 batch 训练要 warmup？",
"author":{"@type":"Person","name":"提问者"},"answerCount":1,
"suggestedAnswer":[{"@type":"Answer","text":"训练初期梯度方差大，预热能避免一开始就把权重推得太远。","author":{"@type":"Person","name":"答主甲"}}]}}</script>
</head><body><div class="question-detail"><h1>学习率预热有什么用？</h1><div class="article-detail"><p>为什么大 batch 训练要 warmup？</p></div></div>
<div class="answers"><p>训练初期梯度方差大，预热能避免一开始就把权重推得太远。</p></div></body></html>""",
        "qa.html",
        is_html=True,
    )
    assert [answer.author for answer in page.answers] == ["答主甲"]
