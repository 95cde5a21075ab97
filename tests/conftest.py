"""Shared fixtures: the sample corpus ingested once per session into a temporary index.

Ingesting loads jieba (about a second), so the indexed corpus is built once per session and
tests that change files work on their own copies.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import CORPUS


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the whole sample corpus, shared read-only by the session's tests."""
    from dlqa.store.ingest import ingest

    root = tmp_path_factory.mktemp("shared")
    corpus = root / "corpus"
    shutil.copytree(CORPUS, corpus)
    index_dir = root / "index"
    report = ingest([corpus], index_dir)
    assert not report.failures, report.failures
    return index_dir


@pytest.fixture()
def corpus_copy(tmp_path: Path) -> Iterator[Path]:
    """A private copy of the sample corpus that a test may change."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target)
    yield target
