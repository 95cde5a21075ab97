"""`dlqa.links` and `dlqa.browse`: only plain http(s) URLs become links or reach a browser."""

from __future__ import annotations

import pytest

from dlqa.browse import open_link
from dlqa.errors import DlqaError
from dlqa.links import osc8, safe_link

HOSTILE = [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "data:text/html,<script>",
    "https://example.com/\x1b]8;;https://evil.example\x1b\\",
    "https://example.com/\x07",
    "https://example.com/\x9c",
    "https://example.com/a b",
    "https://example.com/\nrm -rf ~",
    "http:///no-host",
    "",
    None,
]


@pytest.mark.parametrize("url", HOSTILE)
def test_hostile_urls_give_no_link(url):
    assert safe_link(url) is None


def test_plain_links_are_kept_and_non_ascii_is_percent_encoded():
    plain = "https://www.zhihu.com/question/429256719/answer/1607900416?utm=x#top"
    assert safe_link(plain) == plain
    assert safe_link("HTTP://example.com/深度") == "HTTP://example.com/%E6%B7%B1%E5%BA%A6"
    link = safe_link("https://example.com/过拟合")
    assert link is not None and link.isascii() and link.isprintable()


def test_osc8_wraps_text_in_one_hyperlink():
    assert osc8("https://a.example/", "text") == "\x1b]8;;https://a.example/\x1b\\text\x1b]8;;\x1b\\"


def test_open_link_opens_only_http_links():
    opened: list[str] = []
    assert open_link("https://www.zhihu.com/question/1", opener=lambda url: opened.append(url) or True) \
        == "https://www.zhihu.com/question/1"
    assert opened == ["https://www.zhihu.com/question/1"]
    for url in ("file:///etc/passwd", "javascript:alert(1)", None):
        with pytest.raises(DlqaError, match="no http"):
            open_link(url, opener=lambda url: opened.append(url) or True)
    assert len(opened) == 1
    with pytest.raises(DlqaError, match="no browser"):
        open_link("https://example.com/", opener=lambda url: False)
