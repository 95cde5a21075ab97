"""`dlqa.seen_on`: copies of one page are one line with a count; a few pages, then "+N more"."""

from __future__ import annotations

from dlqa.seen_on import SHOWN_PAGES, group_seen


def copy(url, title="学习率 warmup 到底有什么用？", file="a.txt", site="python88"):
    return {"id": file, "title": title, "page_url": url, "url": None, "source_file": f"/saves/{file}", "site": site}


def test_copies_of_the_results_own_page_are_counted_not_listed():
    seen = group_seen([copy("http://p/1", file=f"{n}.txt") for n in range(300)])
    assert seen.same_page_copies == 299 and seen.pages == []


def test_distinct_pages_once_each_most_copies_first_then_in_rank_order():
    seen_in = [copy("http://p/1"), copy("http://p/4", file="d.txt"), copy("http://p/3", file="c.txt"),
               copy("http://p/2", file="b.txt"), copy("http://p/2", file="b2.txt"),
               copy("http://p/1", file="a2.txt")]
    seen = group_seen(seen_in)
    assert seen.same_page_copies == 1
    assert [(page.page_url, page.copies) for page in seen.pages] == [
        ("http://p/2", 2), ("http://p/4", 1), ("http://p/3", 1)]
    assert seen.more == 0


def test_same_url_with_another_title_is_another_page():
    seen = group_seen([copy("http://p/1"), copy("http://p/1", title="另一个标题", file="b.txt")])
    assert seen.same_page_copies == 0 and len(seen.pages) == 1


def test_pages_without_a_url_are_told_apart_by_file():
    seen = group_seen([copy(None, file="a.txt"), copy(None, file="b.txt"), copy(None, file="b.txt")])
    assert [page.copies for page in seen.pages] == [2]


def test_a_few_pages_are_shown_and_the_rest_counted():
    seen = group_seen([copy(f"http://p/{n}", file=f"{n}.txt") for n in range(20)])
    assert len(seen.shown) == SHOWN_PAGES and seen.more == 19 - SHOWN_PAGES
    assert group_seen([]).pages == []
