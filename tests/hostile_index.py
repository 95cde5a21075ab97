"""The sample corpus plus a hostile page, ingested once per test process (serve, export, browser).

`tests/fixtures/hostile/zhihu_hostile.html` is a Zhihu question page whose title, authors and
answers carry `<script>`, `"><img onerror=…>`, `javascript:` links, rich markup, terminal escape
sequences, a bidi override and spreadsheet formula payloads (`=cmd|…`, `=HYPERLINK`, `@SUM`).
Its script, if anything ran it, would set `window.__pwned` or the document title to PWNED.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path

from dlqa import Library
from tests.helpers import CORPUS, FIXTURES

HOSTILE_PAGE = FIXTURES / "hostile" / "zhihu_hostile.html"
#: A word only the hostile page holds (its two answers).
HOSTILE_WORD = "梯度裁剪"
#: The word as a strict query: quoted, so answers on related concepts are not listed after it.
HOSTILE_QUERY = f'"{HOSTILE_WORD}"'
#: Page text that must show literally, never act.
HOSTILE_LITERALS = ("<script>window.__pwned=4", "\"><img src=x onerror=window.__pwned=2>",
                    "javascript:window.__pwned=5")


@functools.lru_cache(maxsize=1)
def hostile_index() -> Path:
    """An index of the sample corpus and the hostile page (built once; callers must not change it)."""
    root = Path(tempfile.mkdtemp(prefix="dlqa-hostile-"))
    atexit.register(shutil.rmtree, root, True)
    pages = root / "pages"
    shutil.copytree(CORPUS, pages)
    shutil.copy(HOSTILE_PAGE, pages / HOSTILE_PAGE.name)
    report = Library(root / "index").ingest([pages])
    assert not report.failures, report.failures
    return root / "index"
