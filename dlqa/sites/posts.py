"""Repeated post blocks: a forum without structured data still repeats one markup shape per post.

Every post of a thread is rendered by the same template: one element with the same tag and
classes, holding a link to its author's profile and a body. So the posts of a page are found
without knowing the forum software:

1. author links: anchors with short visible text pointing at a profile (`/u/x`, `/member/x`,
   `space-uid-1`, `home.php?mod=space`, `memberlist.php?mode=viewprofile`, …);
2. for each, its ancestors, keyed by shape (tag + class names without numbers);
3. among the shapes shared by at least two ancestors (none inside another) that each hold a
   body besides the author, the post element is the one whose bodies hold the most text (a
   sidebar's "latest replies by" list loses to the thread); the deepest wins a tie;
4. in each post, the body is the largest descendant named like a body (`content`, `message`,
   `post-body`, …) that holds neither an author link nor an author's name element, else the
   largest block without one;
5. posts of the same template without a profile link (a guest's) are added back.

Everything outside the post elements (navigation, side boxes, hot lists, login prompts) is
left behind by construction; inside a body, edit stamps, signatures and quote buttons go.
"""

from __future__ import annotations

import copy
import re
import weakref
from typing import Any

from dlqa.sites.structured import Post, Thread
from dlqa.sites.threads import absolute, body_text, first_text
from dlqa.textutil import clean_line

#: A profile link's target, on the forum engines people run (Discuz!, phpBB, Discourse,
#: Flarum, NodeBB, vBulletin, Tieba, SegmentFault, CSDN's user homes, generic CMSs).
PROFILE_HREF = re.compile(
    r"/(?:u|user|users|member|members|people|profile|space|author|home)/[^/?#]+/?(?:[?#]|$)"
    r"|space-uid-\d+|mod=space|[?&](?:uid|un|u|user_id|userid)=[^&#]+"
    r"|memberlist\.php\?mode=viewprofile|member\.php\?|/home/main"
    r"|//(?:blog|my)\.csdn\.net/[\w-]+/?(?:[?#]|$)",
    re.IGNORECASE,
)
#: Class or id words of a post's body.
BODY_HINT = re.compile(r"content|message|body|text|cooked|entry|postmsg|t_f\b|reply_content|post_content", re.IGNORECASE)
#: Class or id words that are never a body (even when they contain a body hint word).
NOT_BODY = re.compile(r"meta|info|author|user|sign|footer|action|button|btn|tool|avatar|head|title|quote-?btn|vote", re.IGNORECASE)
#: Chrome inside a body: edit stamps, signatures, attachments' download bars, copy buttons.
BODY_CHROME = (
    ".//*[contains(@class,'pstatus') or contains(@class,'signature') or contains(@class,'sign-area')"
    " or contains(@class,'edit-notice') or contains(@class,'copy-btn') or contains(@class,'advert')"
    " or contains(@class,'ad-box') or contains(@class,'post-actions') or contains(@class,'attach_nopermission')]"
)
#: A post's own link: `#pid12`, `?pid=12`, `#post_12`, `#p12`, `/t/slug/1/3`.
POST_HREF = re.compile(
    r"(?:[#?&](?:pid|post|p|reply|r|comment)[-_=]?\d+|#post[-_]?\d+|findpost|/a-\d+$)", re.IGNORECASE
)
#: Class words of the element naming a post's author (a guest's name has no profile link).
AUTHOR_CLASS = re.compile(r"(?:^|[\s_-])(?:username|user-name|username-coloured|author|poster)(?:$|[\s_-])", re.IGNORECASE)
#: Class names that mark a post's state, not its template: accepted, highlighted, pinned.
STATE_CLASS = re.compile(
    r"^(?:is|has)-|(?:^|[-_])(?:accepted|adopted|best|active|selected|current|highlight(?:ed)?|pinned|sticky|odd|even)(?:$|[-_])",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_COUNT = re.compile(r"^[\d.,]+\s*[kKwW万千]?$")
#: The longest author name that is still a name, not a sentence.
MAX_NAME_CHARS = 40
MIN_POSTS = 2
#: More author links than any thread page shows (forums page at 10-50 posts): a member list
#: or a dump, not a thread.
MAX_AUTHOR_LINKS = 20_000
#: Ancestors climbed from an author link when looking for its post element.
MAX_CLIMB = 12


def author_links(tree: Any) -> list[Any]:
    """Anchors that name a person: a profile target and a short visible name."""
    links = []
    for anchor in tree.xpath("//body//a[@href]"):
        if not PROFILE_HREF.search(anchor.get("href") or ""):
            continue
        name = clean_line(anchor.text_content())
        # Not a name: an @mention, or a count linking to the profile's posts ("87 帖子").
        if name and len(name) <= MAX_NAME_CHARS and not name.startswith("@") and not _COUNT.match(name):
            links.append(anchor)
    return links


def _shape(element: Any) -> tuple[str, str]:
    """Tag and class names, without numbers and state classes: the accepted answer
    (`is-accepted`, `answer-item-accepted`) is rendered by the same template as the others."""
    classes = " ".join(sorted(_DIGITS.sub("", c) for c in (element.get("class") or "").split()
                              if not STATE_CLASS.search(c)))
    return element.tag if isinstance(element.tag, str) else "", classes


def detect(tree: Any, base: str | None) -> list[Post] | None:
    """The page's posts by their repeated shape, or None when the page has no such list."""
    links = author_links(tree)
    if len(links) < MIN_POSTS or len(links) > MAX_AUTHOR_LINKS:
        return None
    holders = _author_holders(tree)
    groups: dict[tuple[Any, ...], dict[int, tuple[Any, int]]] = {}
    for link in links:
        node, depth = link.getparent(), 0
        while node is not None and depth < MAX_CLIMB and node.tag not in ("body", "html"):
            groups.setdefault(_shape(node), {})[id(node)] = (node, depth)
            node, depth = node.getparent(), depth + 1
    best: tuple[tuple[int, int, int], list[Any]] | None = None
    for members in groups.values():
        elements = [element for element, _ in members.values()]
        if len(elements) < MIN_POSTS or _nested(elements):
            continue
        bodies = [(element, _body_element(element, holders)) for element in elements]
        posts = [(element, body) for element, body in bodies if body is not None]
        if len(posts) < MIN_POSTS or len(posts) < len(elements) * 0.8:
            continue
        text = sum(len(clean_line(body.text_content())) for _, body in posts)
        depth = min(d for _, d in members.values())
        score = (text, len(posts), -depth)
        if best is None or score > best[0]:
            best = (score, [element for element, _ in posts])
    if best is None:
        return None
    return [_post(element, base, holders) for element in _with_same_shape_siblings(best[1], holders)]


def _with_same_shape_siblings(posts: list[Any], holders: dict[int, Any]) -> list[Any]:
    """The posts plus the elements of the same shape, at the same depth of their list, that
    have a body and a name element: a guest's post has no profile link but is rendered by the
    same template."""
    chosen = {id(post) for post in posts}
    ancestors = [list(post.iterancestors()) for post in posts]
    common = next((a for a in ancestors[0] if all(any(a is b for b in others) for others in ancestors[1:])), None)
    if common is None:
        return posts
    depth = next(i for i, a in enumerate(ancestors[0]) if a is common) + 1
    base = sum(1 for _ in common.iterancestors())
    shape = _shape(posts[0])

    def same_template(element: Any) -> bool:
        return (
            isinstance(element.tag, str) and _shape(element) == shape
            and sum(1 for _ in element.iterancestors()) - base == depth
            and not any(id(a) in chosen for a in element.iterancestors())
            and any(AUTHOR_CLASS.search(n.get("class") or "") for n in element.iter() if isinstance(n.tag, str))
            and _body_element(element, holders) is not None
        )

    return [element for element in common.iterdescendants() if id(element) in chosen or same_template(element)]


def _nested(elements: list[Any]) -> bool:
    ids = {id(element) for element in elements}
    return any(id(ancestor) in ids for element in elements for ancestor in element.iterancestors())


def _author_holders(tree: Any) -> dict[int, Any]:
    """Every element that holds a post's author (a profile link or a name element), by id,
    found in one pass so that asking it of each candidate body costs nothing. The elements
    are kept as values: lxml's element objects live only while referenced, and a freed one's
    id may be reused by another element."""
    holders: dict[int, Any] = {}
    for node in tree.iter():
        if not isinstance(node.tag, str):
            continue
        if (node.tag == "a" and PROFILE_HREF.search(node.get("href") or "")) or AUTHOR_CLASS.search(
            node.get("class") or ""
        ):
            for holder in (node, *node.iterancestors()):
                holders[id(holder)] = holder
    return holders


def _body_element(post: Any, holders: dict[int, Any]) -> Any | None:
    """The post's body: the largest body-named block without an author link, else any block."""
    hinted: list[tuple[int, Any]] = []
    plain: list[tuple[int, Any]] = []
    for element in post.iterdescendants():
        if not isinstance(element.tag, str) or element.tag in ("a", "span", "img", "b", "strong", "i", "em"):
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}"
        if id(element) in holders:
            continue
        size = len(clean_line(element.text_content()))
        if size == 0:
            continue
        if BODY_HINT.search(names) and not NOT_BODY.search(names):
            hinted.append((size, element))
        else:
            plain.append((size, element))
    if hinted:
        return max(hinted, key=lambda pair: pair[0])[1]
    if plain:
        return max(plain, key=lambda pair: pair[0])[1]
    return None


def _post(element: Any, base: str | None, holders: dict[int, Any]) -> Post:
    body = _body_element(element, holders)
    names = [clean_line(a.text_content()) for a in element.iter("a") if PROFILE_HREF.search(a.get("href") or "")]
    names = [name for name in names if name and len(name) <= MAX_NAME_CHARS]
    # A one-letter name is usually a letter avatar beside the real name.
    author = next((name for name in names if len(name) > 1), names[0] if names else None)
    if author is None:  # a guest: the name element without a link
        author = next((clean_line(node.text_content()) for node in element.iter()
                       if isinstance(node.tag, str) and node.tag != "p" and AUTHOR_CLASS.search(node.get("class") or "")
                       and 0 < len(clean_line(node.text_content())) <= MAX_NAME_CHARS), None)
    url = None
    for anchor in element.iter("a"):
        href = anchor.get("href") or ""
        if POST_HREF.search(href) and (body is None or anchor not in body.iter("a")):
            url = absolute(base, href)
            break
    time = first_text(element, ".//time/@datetime") or first_text(element, ".//*[contains(@class,'date') or contains(@class,'time')]")
    return Post(body=body_text(body, BODY_CHROME) if body is not None else "", author=author, url=url,
                posted_at=time)


#: The last page's posts (see `structured.read_thread`: the same page is asked twice).
_last: tuple[weakref.ref[Any], str | None, list[Post] | None] | None = None


def thread_of(tree: Any, base: str | None, title: str | None) -> Thread | None:
    """A forum `Thread` from the repeated posts: the first is the opening post."""
    global _last
    if _last is None or _last[0]() is not tree or _last[1] != base:
        _last = (weakref.ref(tree), base, detect(tree, base))
    posts = copy.deepcopy(_last[2])
    if not posts:
        return None
    return Thread("forum", title=title, url=base, head=posts[0], replies=posts[1:])
