"""`dlqa serve` in a real browser: headless Chromium driven by selenium (Debian's `chromium` and
`chromium-driver`; `.ci/run` installs them). Type a query, see the four 过拟合 answers, open one,
follow paging, and check that the hostile page's script never ran.

Skipped, saying why, when selenium, Chromium or chromedriver is missing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dlqa import Library
from dlqa.web import server as web
from tests.hostile_index import HOSTILE_WORD, hostile_index

CHROMIUM = Path(os.environ.get("DLQA_CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("DLQA_CHROMEDRIVER", "/usr/bin/chromedriver"))
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,1000")
#: Where the README's screenshot is kept (rewritten when DLQA_SCREENSHOT=1).
SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "serve.png"

selenium = pytest.importorskip("selenium", reason="selenium is not installed (pip install -e '.[test]')")
if not CHROMIUM.exists() or not CHROMEDRIVER.exists():
    pytest.skip(f"no browser: {CHROMIUM} or {CHROMEDRIVER} is missing (apt-get install chromium chromium-driver)",
                allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    server = web.make_server(Library(hostile_index()), "127.0.0.1", 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield web.server_url(server)
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    profile = tempfile.mkdtemp(prefix="dlqa-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    # An explicit driver path: selenium must not look for (or download) a driver itself.
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def search_in_page(driver: Any, query: str) -> None:
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(query, Keys.ENTER)
    WebDriverWait(driver, 30).until(expected_conditions.presence_of_element_located((By.ID, "count")))


def assert_no_script_ran(driver: Any) -> None:
    """The hostile page sets window.__pwned or the title PWNED if any of its markup runs."""
    assert driver.execute_script("return window.__pwned === undefined")
    assert driver.title != "PWNED"
    assert driver.find_elements(By.CSS_SELECTOR, "script, img, svg, iframe, [onerror], [onload]") == []


def test_type_a_query_see_the_four_answers_and_open_one(browser: Any, base_url: str) -> None:
    browser.get(base_url)
    search_in_page(browser, "过拟合")
    results = browser.find_elements(By.CSS_SELECTOR, "li.result")
    # The four answers that say 过拟合 come first; answers on related concepts (泛化, 欠拟合 …)
    # may follow, each marked with what it misses.
    full = [result for result in results if not result.find_elements(By.CSS_SELECTOR, "p.missing")]
    assert len(full) == 4 and results[:4] == full
    assert browser.find_element(By.ID, "count").text.startswith("1–")
    assert "(4 matching every term)" in browser.find_element(By.ID, "count").text or len(results) == 4
    results = full
    assert all(result.find_elements(By.TAG_NAME, "mark") for result in results)  # highlighted snippets
    if os.environ.get("DLQA_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        browser.save_screenshot(str(SCREENSHOT))
    title = results[0].find_element(By.CSS_SELECTOR, "h2.title a")
    expected = title.text
    title.click()
    WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article")))
    assert "/answer/" in browser.current_url
    assert browser.find_element(By.CSS_SELECTOR, "article h1").text == expected
    assert browser.find_element(By.CSS_SELECTOR, "dd.key-terms").text
    assert browser.find_elements(By.CSS_SELECTOR, "section.related li")
    assert "过拟合" in browser.find_element(By.CSS_SELECTOR, "div.body").text


def test_paging_follows_next_and_previous(browser: Any, base_url: str) -> None:
    browser.get(base_url)
    search_in_page(browser, "深度学习")
    first_page = [link.text for link in browser.find_elements(By.CSS_SELECTOR, "li.result h2 a")]
    assert len(first_page) == 10
    browser.find_element(By.CSS_SELECTOR, "nav.pager a.next").click()
    WebDriverWait(browser, 30).until(expected_conditions.url_contains("page=2"))
    assert browser.find_element(By.ID, "count").text.startswith("11–")
    second_page = [link.get_attribute("href") for link in browser.find_elements(By.CSS_SELECTOR, "li.result h2 a")]
    assert second_page and browser.find_element(By.CSS_SELECTOR, "ol.results").get_attribute("start") == "11"
    browser.find_element(By.CSS_SELECTOR, "nav.pager a.previous").click()
    WebDriverWait(browser, 30).until(expected_conditions.url_contains("q="))
    assert [link.text for link in browser.find_elements(By.CSS_SELECTOR, "li.result h2 a")] == first_page


def test_the_hostile_page_never_runs(browser: Any, base_url: str) -> None:
    browser.get(base_url)
    search_in_page(browser, f'"{HOSTILE_WORD}"')  # quoted: strict, no related concepts
    results = browser.find_elements(By.CSS_SELECTOR, "li.result")
    assert len(results) == 2
    assert_no_script_ran(browser)
    assert "<script>window.__pwned=1" in browser.find_element(By.TAG_NAME, "main").text  # shown as text
    for index in range(2):
        browser.find_elements(By.CSS_SELECTOR, "li.result h2 a")[index].click()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.CSS_SELECTOR, "article")))
        assert_no_script_ran(browser)
        hrefs = [link.get_attribute("href") for link in browser.find_elements(By.TAG_NAME, "a")]
        assert all(href.startswith(("http://", "https://")) for href in hrefs), hrefs
        # Links the body writes out go to the web, never to a script.
        for link in browser.find_elements(By.CSS_SELECTOR, "div.body a"):
            assert link.get_attribute("href").startswith("https://")
        browser.back()
        WebDriverWait(browser, 30).until(expected_conditions.presence_of_element_located((By.ID, "count")))
    # The Content-Security-Policy would stop an injected inline script even if escaping failed.
    browser.execute_script("""
        const s = document.createElement('script');
        s.textContent = 'window.__pwned = 9';
        document.body.appendChild(s);""")
    assert browser.execute_script("return window.__pwned === undefined")
