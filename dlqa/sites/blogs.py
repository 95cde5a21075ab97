"""Single-article blogs (CSDN, cnblogs, juejin, jianshu, and any page that says it is one).

An article is one unit: its text and its author. The platforms Chinese learners save from
are described as data (`PLATFORMS`: where the title, the author and the body are), so the
sidebars, recommendation lists, comment threads and copyright boxes around the article stay
out. Any other page whose structured data names a `BlogPosting`/`Article` is read from that
data (`structured`): its author, and its body when the data holds one, else the page's main
text (`maintext`).

A blog reposting Zhihu answers is a compilation, not an article: `blogrepost` (tried
earlier) claims those pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from dlqa.model import Page
from dlqa.sites import Site, Source, maintext, structured
from dlqa.sites.structured import Post, Thread
from dlqa.sites.threads import (
    body_text,
    first_text,
    has_class,
    heading_title,
    page_from_thread,
    strip_title,
)


@dataclass(frozen=True)
class Platform:
    """Where one blog platform puts an article's parts (XPath over the page)."""

    host: str
    body: str
    title: str
    author: str
    #: Elements inside the body that are chrome (copy buttons, "阅读全文" folds, ads).
    chrome: str = ""
    title_suffix: str = ""
    #: URL paths of the host that are articles (a regex; empty: every path), so the host's
    #: other pages (a video, a profile) are not read as articles.
    path: str = ""
    #: Markup only this platform's articles have: recognises a save without its URL.
    marker: str = ""


PLATFORMS = (
    Platform(
        host="blog.csdn.net",
        body="//div[@id='content_views']",
        title="//h1[@id='articleContentId'] | //h1[" + has_class("title-article") + "]",
        author="//*[" + has_class("follow-nickName") + "] | //*[" + has_class("profile-name") + "]",
        chrome=".//*[" + has_class("hljs-button") + " or " + has_class("pre-numbering") + " or " + has_class("signin") + "]",
        title_suffix=r"\s*[-_]\s*[^-_]{0,60}(?:CSDN博客|CSDN)\s*$",
        marker="//div[@id='content_views']",
    ),
    Platform(
        host="cnblogs.com",
        body="//div[@id='cnblogs_post_body']",
        title="//*[@id='cb_post_title_url'] | //h1[" + has_class("postTitle") + "]",
        author="//div[" + has_class("postDesc") + "]/a[not(contains(@href,'i.cnblogs.com'))][not(starts-with(@href,'javascript'))]"
               " | //*[@id='author_profile_detail']/a[1] | //*[@id='Header1_HeaderTitle']",
        title_suffix=r"\s*-\s*[^-]{1,40}\s*-\s*博客园\s*$",
        marker="//div[@id='cnblogs_post_body']",
    ),
    Platform(
        host="juejin.cn",
        body="//div[@id='article-root']//div[" + has_class("markdown-body") + "] | //div[" + has_class("article-content") + "]",
        title="//h1[" + has_class("article-title") + "]",
        author="//*[" + has_class("author-info-block") + "]//*[" + has_class("name") + "]",
        title_suffix=r"\s*-\s*掘金\s*$",
        marker="//div[@id='article-root']//div[" + has_class("markdown-body") + "]",
    ),
    Platform(
        host="jianshu.com",
        body="//article",
        title="//h1",
        author="//a[contains(@href,'/u/')][normalize-space()][not(.//img)]",
        title_suffix=r"\s*-\s*简书\s*$",
    ),
    # Bilibili 专栏 (`/read/cvN`): the classic layout (`#read-article-holder`, the `up-name`
    # link) and the "opus" one it moved to (`opus-module-content`, `opus-module-author__name`).
    # The comment section under the article (`#comment-wrapper`, `<bili-comments>`) is left
    # out like every blog's comments.
    Platform(
        host="bilibili.com",
        path=r"^/(?:read|opus)/",
        body="//div[@id='read-article-holder'] | //div[" + has_class("opus-module-content") + "]",
        title="//h1[" + has_class("title") + "] | //*[" + has_class("opus-module-title__text") + "]",
        author="//a[" + has_class("up-name") + "] | //*[" + has_class("opus-module-author__name") + "]",
        title_suffix=r"\s*[-_]\s*哔哩哔哩(?:\s*[-_]?\s*(?:专栏|bilibili))?\s*$",
        marker="//div[@id='read-article-holder'] | //div[" + has_class("opus-module-content") + "]",
    ),
)


def _platform(source: Source) -> Platform | None:
    url = urlsplit(source.url or "")
    host = url.hostname or ""
    for platform in PLATFORMS:
        if (host == platform.host or host.endswith("." + platform.host)) and re.match(platform.path, url.path):
            return platform
    for platform in PLATFORMS:  # saved without a URL: most platforms' body markup is distinctive
        if platform.marker and source.tree.xpath(platform.marker):
            return platform
    return None


def recognise(source: Source) -> bool:
    if not source.is_html:
        return False
    if _platform(source) is not None:
        return True
    thread = structured.read_thread(source.tree, source.url)
    head = thread.head if thread is not None and thread.kind == "article" else None
    return head is not None and bool(head.body.strip() or head.author)


def platform_article(source: Source) -> tuple[str | None, str] | None:
    """(title, body text) of a known platform's article, else None: what `blogrepost` reads
    when a platform's article quotes Zhihu answers, so the platform's chrome stays out."""
    platform = _platform(source) if source.is_html else None
    if platform is None:
        return None
    return _title(source, platform), _body(source, platform)


def _title(source: Source, platform: Platform) -> str | None:
    suffix = re.compile(platform.title_suffix) if platform.title_suffix else None
    return first_text(source.tree, platform.title) or strip_title(source.html_title, suffix)


def _body(source: Source, platform: Platform) -> str:
    bodies = source.tree.xpath(platform.body)
    return body_text(bodies[0], platform.chrome) if bodies else ""


def extract(source: Source) -> Page:
    platform = _platform(source)
    tree = source.tree
    thread = structured.read_thread(tree, source.url)
    if platform is not None:
        structured_author = thread.head.author if thread and thread.kind == "article" and thread.head else None
        head = Post(body=_body(source, platform), author=first_text(tree, platform.author) or structured_author)
        return page_from_thread(source, "blog", Thread("article", head=head), _title(source, platform))
    assert thread is not None and thread.head is not None
    title = heading_title(tree, source.html_title) or thread.title
    if not thread.head.body.strip():  # the data names the article and its author, not its text
        body = (maintext.main_text(tree) or "").strip()
        first, _, rest = body.partition("\n")
        thread.head.body = rest.strip() if title and first.strip() == title else body
    return page_from_thread(source, "blog", thread, title)


#: Pages come out as `site: blog`, like the blog reposts of Zhihu answers (`blogrepost`): to a
#: reader both are blogs, and a site's name is the `site` its pages carry (`--site blog`).
SITE = Site("blog", recognise, extract)
