"""Thread markup of forum software and community sites that publish no structured data, as data.

Each entry says where one software puts its opening post, its replies, their authors, bodies
and links (`threads.ThreadRules`). The generic `forum` site tries these before the
repeated-post detector: on these pages the detector guesses wrong, because a "most liked"
box repeats replies, a reply quotes another with its author's link, comments nest inside
comments, or the author is an attribute rather than a link. Pages stay `site: forum`.
Adding a software is one entry here, recognised by its markup, never by its host name.
"""

from __future__ import annotations

import re
from typing import Any

from dlqa.sites.threads import PostRules, ThreadRules, absolute, has_class


def _attribute_link(name: str) -> Any:
    """A post's own link from one of its attributes (a relative permalink)."""

    def link(post: Any, base: str | None) -> str | None:
        return absolute(base, post.get(name))

    return link


def _anchor_link(xpath: str) -> Any:
    """A post's own link from the first anchor the XPath finds in it."""

    def link(post: Any, base: str | None) -> str | None:
        return absolute(base, next(iter(post.xpath(xpath)), None))

    return link


def _first_link(*links: Any) -> Any:
    """The first of several ways to a post's link that gives one."""

    def link(post: Any, base: str | None) -> str | None:
        return next((url for url in (way(post, base) for way in links) if url), None)

    return link


#: Bodies left where a post was deleted or removed (Reddit).
GONE = re.compile(r"\[(?:removed|deleted)\]|Comment (?:deleted by user|removed by (?:moderator|Reddit))", re.IGNORECASE)

#: 豆瓣小组 topics: the opening post in `.topic-doc`, replies in `ul#comments > li.comment-item`.
#: The "最赞回应" box repeats the most liked replies above the list, outside `#comments`; a
#: reply quoting another carries the quoted text and its author's link in `.reply-quote`.
DOUBAN_GROUP = ThreadRules(
    name="douban group topic",
    recognise=f"//div[{has_class('topic-doc')}] | //ul[@id='comments'][{has_class('topic-reply')}]",
    head=PostRules(
        post=f"//div[{has_class('topic-doc')}]",
        body=".//div[starts-with(@id,'link-report')]",
        author=(f".//span[{has_class('from')}]/a",),
        posted_at=f".//span[{has_class('create-time')} or {has_class('color-green')}]",
    ),
    posts=PostRules(
        post=f"//ul[@id='comments']/li[{has_class('comment-item')}]",
        body=f".//div[{has_class('reply-doc')}]",
        author=(f".//div[{has_class('bg-img-green')}]//h4/a",),
        chrome=(
            f".//div[{has_class('bg-img-green')} or {has_class('reply-quote')} or {has_class('reply-quote-content')}"
            f" or {has_class('operation_div')} or {has_class('operation-div')} or {has_class('comment-report')}]"
        ),
        posted_at=f".//span[{has_class('pubtime')}]",
    ),
    # A long title is cut short with "..." in the h1; the full one follows "标题：" in `.tablecc`.
    title=(f"//td[{has_class('tablecc')}]/text()", "//div[@id='content']/h1"),
)

#: GitHub discussions, and issues and pull requests before the React timeline: every post a
#: `.timeline-comment` box (nested discussion replies too), its link the `js-timestamp` anchor.
#: The "Answered by" box above the timeline quotes the chosen answer and is not a post.
GITHUB_TIMELINE = ThreadRules(
    name="github discussion / classic issue",
    recognise=f"//div[{has_class('timeline-comment')}]//td[{has_class('comment-body')}]",
    posts=PostRules(
        post=f"//div[{has_class('timeline-comment')}][.//td[{has_class('comment-body')}]]",
        body=f".//td[{has_class('comment-body')}]",
        author=(f".//a[{has_class('author')}]",),
        chrome=f".//*[{has_class('zeroclipboard-container')}] | .//clipboard-copy",
        posted_at=".//relative-time",
        url=_anchor_link(f".//a[{has_class('js-timestamp')}]/@href"),
    ),
    title=(f"//h1//*[{has_class('js-issue-title')}]",),
)

#: GitHub issues in the React timeline: the issue body in its own container, each comment a
#: `.react-issue-comment` (a minimized one has no body and is skipped).
GITHUB_REACT_ISSUE = ThreadRules(
    name="github issue (react)",
    recognise="//*[@data-testid='issue-viewer-issue-container']",
    head=PostRules(
        post="//*[@data-testid='issue-viewer-issue-container']",
        body=f".//*[@data-testid='issue-body-viewer']//div[{has_class('markdown-body')}]",
        author=(".//a[@data-testid='issue-body-header-author']", ".//a[@data-hovercard-url][not(.//img)]"),
        chrome=f".//*[{has_class('zeroclipboard-container')}] | .//clipboard-copy",
        posted_at=".//relative-time",
    ),
    posts=PostRules(
        post=f"//*[@data-wrapper-timeline-id]//div[{has_class('react-issue-comment')}]",
        body=f".//div[{has_class('markdown-body')}]",
        author=(".//a[contains(@class,'ActivityHeader-module__AuthorLink')]", ".//a[@data-hovercard-url][not(.//img)]"),
        chrome=f".//*[{has_class('zeroclipboard-container')}] | .//clipboard-copy",
        posted_at=".//relative-time",
        url=_anchor_link(".//a[contains(@href,'#issuecomment-')]/@href"),
    ),
    title=("//*[@data-testid='issue-title']",),
)

#: old.reddit.com: the post is the `.thing.link`, comments `.thing.comment` nested in `.child`
#: lists; author and permalink are attributes of the thing.
OLD_REDDIT = ThreadRules(
    name="old reddit",
    recognise=f"//div[{has_class('thing')}][{has_class('link')}][@data-fullname]",
    head=PostRules(
        post=f"//div[{has_class('thing')}][{has_class('link')}][@data-fullname]",
        body=f".//div[{has_class('usertext-body')}]/div[{has_class('md')}]",
        author=("@data-author", f".//a[{has_class('author')}]"),
        posted_at=".//time/@datetime",
    ),
    posts=PostRules(
        post=f"//div[{has_class('commentarea')}]//div[{has_class('thing')}][{has_class('comment')}]",
        body=f"./div[{has_class('entry')}]//div[{has_class('usertext-body')}]/div[{has_class('md')}]",
        author=("@data-author", f"./div[{has_class('entry')}]//a[{has_class('author')}]"),
        posted_at=f"./div[{has_class('entry')}]//time/@datetime",
        # The relative permalink needs the page's URL; a save without one still has the
        # absolute "permalink" button.
        url=_first_link(
            _attribute_link("data-permalink"),
            _anchor_link(f"./div[{has_class('entry')}]//a[@data-event-action='permalink']/@href"),
        ),
        gone=GONE,
    ),
    title=(f"//div[{has_class('thing')}][{has_class('link')}]//a[{has_class('title')}]",),
)

#: New Reddit ("shreddit" web components): `<shreddit-post>` with its text in the `text-body`
#: slot; `<shreddit-comment>` elements nest, each with its own text in its `comment` slot.
SHREDDIT = ThreadRules(
    name="new reddit (shreddit)",
    recognise="//shreddit-post",
    head=PostRules(
        post="//shreddit-post",
        body=".//*[@slot='text-body']",
        author=("@author",),
        posted_at="@created-timestamp",
    ),
    posts=PostRules(
        post="//shreddit-comment",
        body="./*[@slot='comment']",
        author=("@author",),
        posted_at="@created",
        url=_attribute_link("permalink"),
        gone=GONE,
    ),
    title=("//shreddit-post/@post-title", "//h1[@slot='title']"),
)

def _id_link(xpath: str) -> Any:
    """A post's own link from an element id inside it (`reply-123` → `#reply-123`)."""

    def link(post: Any, base: str | None) -> str | None:
        ids = post.xpath(xpath)
        return absolute(base, "#" + str(ids[0])) if ids and base else None

    return link


#: Homeland (Ruby China, TesterHome and the other communities running it): the topic in
#: `.topic-detail` (its body the `.markdown` block under the heading), every reply a
#: `#replies .reply` whose body is its own `.markdown`. A deleted reply ("N 楼 已删除") and a
#: system event ("将本帖设为了精华贴") have no body and give no answer; the "回复 #N 楼" line
#: above a reply's body is outside it. A reply's link is its time anchor `#reply-ID`.
HOMELAND = ThreadRules(
    name="homeland topic",
    recognise=f"//div[{has_class('topic-detail')}]//h1[{has_class('media-heading')}]",
    head=PostRules(
        post=f"//div[{has_class('topic-detail')}]",
        body=f"./div[{has_class('markdown')}]",
        author=(
            f".//div[{has_class('info')}]//a[{has_class('user-name')}][@data-author='true']",
            f".//div[{has_class('info')}]//a[{has_class('user-name')}]",
        ),
        posted_at=f".//div[{has_class('info')}]//abbr[{has_class('timeago')}]",
    ),
    posts=PostRules(
        post=f"//div[@id='replies']//div[{has_class('reply')}][@data-id]",
        body=f".//div[{has_class('markdown')}][not({has_class('deleted')})]",
        author=(f".//span[{has_class('name')}]//a[{has_class('user-name')}]", f".//a[{has_class('user-name')}]"),
        posted_at=f".//abbr[{has_class('timeago')}]",
        floor=f".//div[@data-floor]/@data-floor | .//span[{has_class('floor')}]",
        url=_first_link(
            _anchor_link(f".//a[{has_class('time')}]/@href"),
            _id_link(".//div[starts-with(@id,'reply-')]/@id"),
        ),
    ),
    title=(
        f"//div[{has_class('topic-detail')}]//h1[{has_class('media-heading')}]/span[{has_class('title')}]",
        f"//div[{has_class('topic-detail')}]//h1[{has_class('media-heading')}]/text()",
    ),
)

#: 开源中国 (OSChina) 问答 before 2016: the question in `.Question`, each answer an
#: `li.Answer` in `ul.list`, its author the portrait's `title` and the outline's link, its
#: body `.detail`; comments under an answer (`ul.comments`) are outside the body.
OSCHINA_QUESTION_2014 = ThreadRules(
    name="oschina question (2014)",
    kind="qa",
    recognise=f"//ul[{has_class('list')}]/li[{has_class('Answer')}]",
    head=PostRules(
        post=f"//div[{has_class('Question')}]",
        body=f".//div[{has_class('Content')}]//div[{has_class('detail')}]",
        author=(f".//div[{has_class('QUser')}]/a[not(.//img)]", ".//img/@title"),
    ),
    posts=PostRules(
        post=f"//ul[{has_class('list')}]/li[{has_class('Answer')}]",
        body=f"./div[{has_class('body')}]/div[{has_class('detail')}]",
        author=(".//img/@title", f".//div[{has_class('outline')}]/a"),
    ),
    title=(f"//div[{has_class('QTitle')}]/h1",),
)

#: 开源中国 问答 since the Semantic UI redesign: the question in `.question-detail`, answers
#: `.answer-item` (the accepted one marked `best-answer`), each body `.answer-content`;
#: the comments under an answer sit beside the body, not in it.
OSCHINA_QUESTION = ThreadRules(
    name="oschina question",
    kind="qa",
    # The question box alone is too common a class name: its title heading must be there too.
    recognise=(
        f"//div[{has_class('question-detail')}][.//h1[{has_class('article-box__title')}]]"
        f" | //div[{has_class('answer-item')}]//*[{has_class('answer-content')}]"
    ),
    head=PostRules(
        post=f"//div[{has_class('question-detail')}]",
        body=f".//div[@id='articleContent'] | .//div[{has_class('article-detail')}]",
        author=(f".//*[{has_class('article-box__meta')}]//a[{has_class('__user')}]",),
    ),
    posts=PostRules(
        post=f"//div[{has_class('answer-item')}]",
        body=f".//*[{has_class('answer-content')}]",
        author=(f".//a[{has_class('author')}]", ".//img/@title"),
        posted_at=f".//*[{has_class('metadata')}]//*[{has_class('date')}]",
        accepted=f"self::*[{has_class('best-answer')}] | .//*[{has_class('best-answer-label')}]",
    ),
    title=(f"//h1[{has_class('article-box__title')}]",),
)

KNOWN_THREADS: tuple[ThreadRules, ...] = (
    DOUBAN_GROUP, GITHUB_TIMELINE, GITHUB_REACT_ISSUE, OLD_REDDIT, SHREDDIT, HOMELAND,
    OSCHINA_QUESTION_2014, OSCHINA_QUESTION,
)
