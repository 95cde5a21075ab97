"""`dlqa serve` over loopback: pages escape page text, a script-free CSP on every response,
ids and paths cannot reach files, `/api/search` is `dlqa search --json`, commits are seen."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from dlqa import Library
from dlqa.web import server as web
from dlqa.web import views
from tests.helpers import CORPUS, ROOT
from tests.hostile_index import (
    HOSTILE_LITERALS,
    HOSTILE_PAGE,
    HOSTILE_QUERY,
    HOSTILE_WORD,
    hostile_index,
)

ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
#: Every tag our templates write; anything else in a page came from page text.
OUR_TAGS = {"html", "head", "meta", "title", "link", "body", "header", "a", "form", "input", "button", "details",
            "summary", "label", "select", "option", "main", "p", "span", "code", "ol", "ul", "li", "h1", "h2",
            "mark", "nav", "div", "article", "dl", "dt", "dd", "br", "section"}


class Page(HTMLParser):
    """A page's tags, attributes and text, as a browser's parser would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def classes(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for _, attrs in self.tags if name in (attrs.get("class") or "").split()]


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    yield from _serve(hostile_index())


def _serve(index: Path) -> Iterator[str]:
    server = web.make_server(Library(index), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield web.server_url(server)
    finally:
        server.shutdown()
        server.server_close()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode("utf-8")


def search_url(base: str, query: str, **params: str) -> str:
    extra = "".join(f"&{key}={quote(value)}" for key, value in params.items())
    return f"{base}?q={quote(query)}{extra}"


def assert_inert(html: str) -> Page:
    """Nothing from page text became markup: only our tags, no event handlers, links only
    to this server or http(s), no terminal or bidi controls."""
    page = Page(html)
    for tag, attrs in page.tags:
        assert tag in OUR_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "action"):
            value = attrs.get(name)
            if value is not None:
                assert value.startswith(("/", "http://", "https://")), (tag, name, value)
    assert "\x1b" not in html and "\u202e" not in html
    return page


def test_every_response_forbids_scripts(base_url: str) -> None:
    for path in ("", "?q=x", "answer/0000000000000000", "api/search?q=x", "static/style.css", "nope"):
        _, headers, _ = get(base_url + path)
        policy = headers["Content-Security-Policy"]
        assert "default-src 'none'" in policy and "script-src" not in policy and "unsafe" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_head_has_the_headers_and_no_body(base_url: str) -> None:
    request = urllib.request.Request(search_url(base_url, "过拟合"), method="HEAD")
    with urllib.request.urlopen(request, timeout=60) as response:
        assert response.status == 200 and response.read() == b""
        assert "default-src 'none'" in response.headers["Content-Security-Policy"]
        assert int(response.headers["Content-Length"]) > 1000 and response.headers["Server"] == "dlqa"


def test_search_page_shows_what_the_cli_shows(base_url: str) -> None:
    status, headers, html = get(search_url(base_url, "过拟合"))
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    page = assert_inert(html)
    data = json.loads(get(search_url(base_url + "api/search", "过拟合"))[2])
    results = page.classes("result")
    assert data["total"] == 4  # the four answers saying 过拟合; related concepts may follow
    assert len(results) == len(data["results"]) == data["total"] + data["partial"]
    text = "".join(page.text)
    for hit in data["results"]:
        assert hit["title"] in text and hit["author"] in text and hit["id"] in text
        assert {"href": hit["link"], "class": "link", "rel": "noopener noreferrer nofollow"} in page.classes("link")
        if hit["missing"]:
            assert f"missing: {', '.join(hit['missing'])}" in text
    listed = data["total"] + data["partial"]
    assert f"1–{listed} of {listed} answers (4 matching every term)" in text and "过拟合 → 过度拟合" in text
    assert html.count("<mark>过拟合</mark>") >= 4


def test_api_search_is_dlqa_search_json(base_url: str) -> None:
    index = hostile_index()
    for query, params, cli in [
        ("过拟合", {}, []),
        ("深度学习", {"limit": "3", "page": "2"}, ["--limit", "3", "--page", "2"]),
        ("深度学习", {"site": "v2ex", "sort": "date", "since": "2018-12-22"},
         ["--site", "v2ex", "--sort", "date", "--since", "2018-12-22"]),
        ("overfitting", {"no_expand": "1"}, ["--no-expand"]),
        (HOSTILE_WORD, {}, []),
    ]:
        status, headers, body = get(search_url(base_url + "api/search", query, **params))
        done = subprocess.run([sys.executable, "-m", "dlqa", "search", query, "--json", "--index", str(index), *cli],
                              capture_output=True, text=True, encoding="utf-8", env=ENV, timeout=60)
        assert status == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
        assert body == done.stdout, query  # byte for byte


def test_api_errors_are_json(base_url: str) -> None:
    status, _, body = get(search_url(base_url + "api/search", '"unclosed'))
    assert status == 400 and "unbalanced quote" in json.loads(body)["error"]
    status, _, body = get(base_url + "api/search")
    assert status == 400 and json.loads(body)["error"]
    status, _, body = get(search_url(base_url + "api/search", "x", page="0"))
    assert status == 400 and "page" in json.loads(body)["error"]


def test_hostile_page_text_is_shown_never_run(base_url: str) -> None:
    status, _, html = get(search_url(base_url, HOSTILE_QUERY))
    assert status == 200
    page = assert_inert(html)
    assert len(page.classes("result")) == 2
    text = "".join(page.text)
    assert "<script>window.__pwned=1" in text  # the title, literally
    assert '"><img src=x onerror=window.__pwned=2>' in text  # the author, literally
    for result in json.loads(get(search_url(base_url + "api/search", HOSTILE_QUERY))[2])["results"]:
        status, _, html = get(f"{base_url}answer/{result['id']}?q={quote(HOSTILE_WORD)}")
        assert status == 200
        page = assert_inert(html)
        text = "".join(page.text)
        if "__pwned=4" in result["body"]:
            for literal in HOSTILE_LITERALS:
                assert literal in text, literal
            links = [attrs["href"] for tag, attrs in page.tags if tag == "a"]
            assert "https://arxiv.org/abs/1211.5063" in links  # a real link in the body is a link
            assert "[bold red]富文本[/]" in text and "␛[31m红字" in text  # escapes made visible


def test_unsafe_links_are_text_in_templates() -> None:
    app = web.App(Library(Path("unused")))  # no index there: the site list is empty
    hit = {"id": "0123456789abcdef", "title": "t", "author": "a", "site": "web", "link": "javascript:alert(1)",
           "seen_in": [{}, {"title": "x", "site": "web", "page_url": "data:text/html,<script>alert(1)</script>"}],
           "snippet_parts": [("<b>", True)], "missing": ["<i>", "y"]}
    html = app.render("search.html", form={"q": "q"}, results={"total": 1, "expansions": {}, "query": "q"},
                      hits=[hit], paging=views.paging(1, 1, 10, 1)).decode()
    page = assert_inert(html)
    assert "javascript:alert(1)" in "".join(page.text)
    assert "missing: <i>, y" in "".join(page.text)  # the relevance work's field, when present
    answer = {**hit, "body": "看 javascript:alert(1) 和 https://example.com/a?b=1&c=2。", "page_url": "vbscript:x",
              "source_file": "/x", "posted_at": None, "floor": None}
    html = app.render("answer.html", form={}, answer=answer, key_terms=["<k>"], related=[]).decode()
    page = assert_inert(html)
    assert ("a", {"href": "https://example.com/a?b=1&c=2", "rel": "noopener noreferrer nofollow"}) in page.tags


@pytest.mark.parametrize("path", [
    "answer/../../etc/passwd", "answer/..%2f..%2fetc%2fpasswd", "answer/%2e%2e%2fdlqa%2fcli.py",
    "static/../cli.py", "static/..%2fserver.py", "static/style.css/../../web/server.py",
    "answer/8262a860b13d561e/../../x", "answer/8262A860B13D561E", "answer/8262a860", "//etc/passwd",
    "answer/8262a860b13d561e%00", "static/%2e%2e/server.py",
])
def test_paths_cannot_name_files(base_url: str, path: str) -> None:
    status, _, body = get(base_url + path)
    assert status == 404, path
    assert "import" not in body and "root:" not in body


def test_unknown_answer_and_bad_parameters(base_url: str) -> None:
    status, _, html = get(base_url + "answer/0000000000000000")
    assert status == 404 and "no answer with id 0000000000000000" in html
    status, _, html = get(search_url(base_url, "x", page="abc"))
    assert status == 400 and "page must be a whole number" in html
    status, _, html = get(search_url(base_url, '"unclosed'))
    assert status == 400 and "unbalanced quote" in html
    status, _, html = get(search_url(base_url, "过拟合", page="9"))
    assert status == 200 and "page 9 is past the last of 4 answers" in html


def test_other_host_names_are_refused(base_url: str) -> None:
    """A DNS-rebinding page reaches a loopback server under its own host name."""
    assert get(base_url, {"Host": "evil.example"})[0] == 421
    port = base_url.rsplit(":", 1)[1].strip("/")
    assert get(base_url, {"Host": f"localhost:{port}"})[0] == 200


def test_paging_walks_every_result_once(base_url: str) -> None:
    total = json.loads(get(search_url(base_url + "api/search", "深度学习"))[2])["total"]
    seen: list[str] = []
    url = search_url(base_url, "深度学习", limit="10")
    while url:
        page = assert_inert(get(url)[2])
        seen += [attrs["href"].split("?")[0] for tag, attrs in page.tags
                 if tag == "a" and (attrs.get("href") or "").startswith("/answer/")]
        following = [attrs["href"] for tag, attrs in page.tags if tag == "a" and attrs.get("rel") == "next"]
        url = base_url.rstrip("/") + following[0] if following else ""
    # Every answer matching every term, once, in the order one long page lists them; past
    # them the last pages may go on into answers matching part of the query (`partial`).
    everything = json.loads(get(search_url(base_url + "api/search", "深度学习", limit="200"))[2])
    full = [f"/answer/{hit['id']}" for hit in everything["results"][:total]]
    assert total > 10 and len(seen) == len(set(seen)) >= total and seen[:total] == full


def test_a_commit_is_seen_without_a_restart(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    shutil.copytree(CORPUS, pages)
    library = Library(tmp_path / "index")
    library.ingest([pages])
    for base in _serve(tmp_path / "index"):
        before = json.loads(get(search_url(base + "api/search", HOSTILE_WORD))[2])
        shutil.copy(HOSTILE_PAGE, pages)
        library.ingest([pages])
        after = json.loads(get(search_url(base + "api/search", HOSTILE_WORD))[2])
        assert before["total"] == 0 and after["total"] == 2


def test_loopback_hosts() -> None:
    for host in ("127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost"):
        assert web.is_loopback(host), host
    for host in ("0.0.0.0", "::", "192.168.1.2", "example.com"):
        assert not web.is_loopback(host), host


def test_a_public_host_is_warned_about(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    class Stopped:
        server_address = ("0.0.0.0", 8765)

        def serve_forever(self) -> None:
            raise KeyboardInterrupt

        def server_close(self) -> None:
            pass

    monkeypatch.setattr(web, "make_server", lambda *args: Stopped())
    monkeypatch.setattr(web.backend, "warm_up", lambda: None)
    web.run_server(Library(hostile_index()), "0.0.0.0", 8765)
    out, err = capsys.readouterr()
    assert "warning: listening on 0.0.0.0: other machines can read this library" in err
    assert "http://0.0.0.0:8765/" in out


def test_serve_command_starts_answers_and_stops_on_ctrl_c() -> None:
    process = subprocess.Popen([sys.executable, "-m", "dlqa", "serve", "--port", "0", "--index", str(hostile_index())],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("dlqa: serving ") and "http://127.0.0.1:" in line
        url = line.split(" at ", 1)[1].split()[0]
        assert get(search_url(url + "api/search", "过拟合"))[0] == 200
    finally:
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    assert process.returncode == 0 and "stopped" in out and err == ""


def test_serve_without_an_index_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "dlqa", "serve", "--index", str(tmp_path / "none")],
                          capture_output=True, text=True, env=ENV, timeout=60)
    assert done.returncode == 2 and done.stderr.startswith("dlqa: no index at") and done.stderr.count("\n") == 1


def test_views_helpers() -> None:
    for url in ("javascript:alert(1)", " JavaScript:alert(1)", "data:text/html,x", "vbscript:x", "//evil.example",
                "/relative", "http://", "https://exa mple.com", "http://x\n.com", None, 3):
        assert views.safe_link(url) is None, url
    assert views.safe_link("https://www.zhihu.com/question/1") == "https://www.zhihu.com/question/1"
    assert views.highlighted_parts("abcdef", [(1, 3), (2, 4), (5, 9)]) == [("a", False), ("bc", True), ("def", False)]
    blocks = views.body_blocks("第一段\n第二行\n\n- 甲\n- 乙\n1. 一\n2、二\n见 https://a.example/x)。")
    assert [block.kind for block in blocks] == ["p", "ul", "ol", "p"]
    assert blocks[2].numbers == [1, 2]
    assert blocks[3].items[0][0] == [("见 ", None), ("https://a.example/x", "https://a.example/x"), (")。", None)]
    paging = views.paging(25, 2, 10, 10)
    assert (paging.first, paging.last, paging.previous, paging.next, paging.pages) == (11, 20, 1, 3, 3)
    assert not views.is_answer_id("../../etc/pass") and views.is_answer_id("8262a860b13d561e")


def test_the_site_filter_offers_the_index_s_sites(base_url: str) -> None:
    """The form lists the sites the index's pages come from (not a list written down that
    misses every site dlqa learns later), and keeps a chosen one selected."""
    from dlqa.web import backend

    status, _, body = get(base_url)
    assert status == 200
    index_sites = Library(hostile_index()).sites()
    offered = [value for value in _option_values(body, "site") if value]
    assert index_sites and offered == index_sites
    _, _, chosen = get(search_url(base_url, "过拟合", site="stackexchange"))
    assert 'value="stackexchange" selected' in chosen
    library = Library(hostile_index())
    assert backend.site_choices(library) == index_sites
    assert backend.site_choices(library, "nosuchsite") == [*index_sites, "nosuchsite"]


def _option_values(html: str, select_name: str) -> list[str]:
    """The option values of one <select> of a page."""
    start = html.index(f'<select name="{select_name}">')
    section = html[start:html.index("</select>", start)]
    return [piece.split('"', 1)[0] for piece in section.split('<option value="')[1:]]
