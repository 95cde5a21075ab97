"""Blog platforms read as data (`dlqa/sites/blogs.py`): a platform's article pages by URL path,
a save without its URL by the platform's own markup."""

from __future__ import annotations

from pathlib import Path

from dlqa.extract import parse_bytes

FAMILIES = Path(__file__).parent / "families"
BILIBILI = FAMILIES / "bilibili-read" / "cv-article-comments.html"


def test_bilibili_article_saved_without_its_url_is_still_the_article() -> None:
    saved = BILIBILI.read_bytes()
    for line in (b'<meta property="og:url" content="https://www.bilibili.com/read/cv24681357/">',
                 b'<link rel="canonical" href="https://www.bilibili.com/read/cv24681357/">'):
        saved = saved.replace(line, b"")
    page = parse_bytes(saved, "article.html")
    assert page.site == "blog"
    assert [answer.author for answer in page.answers] == ["调参侠阿Q"]
    assert page.answers[0].body.startswith("很多人第一次部署模型时都会踩一个坑")
    assert "卷积核不卷" not in page.answers[0].body


def test_bilibili_page_that_is_not_an_article_is_not_read_as_one() -> None:
    """A video page on the same host has no article body: it is not an empty blog article."""
    page = parse_bytes(
        """<html><head><title>Transformer 从零实现 - 哔哩哔哩</title>
<link rel="canonical" href="https://www.bilibili.com/video/BV1xx411c7mD/"></head><body>
<h1 class="video-title">Transformer 从零实现</h1>
<div class="basic-desc-info">这一期视频我们从注意力公式出发，一行一行写出多头注意力和位置编码，最后在翻译任务上训练一个小模型。</div>
<a class="up-name" href="//space.bilibili.com/1">某UP主</a></body></html>""".encode(),
        "video.html",
    )
    assert page.site != "blog"
    assert page.answers and page.answers[0].body.strip()
