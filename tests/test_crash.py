"""Crashes: `dlqa ingest` killed with SIGKILL at random moments, and stopped with Ctrl-C.

The ingest runs as a real subprocess (`python -m dlqa`) committing after every file
(`DLQA_COMMIT_EVERY=1`), so kills land before, inside and between commits. After every kill the
index must open and answer `search --jsonl` and `stats --json`; at the end a plain re-run must
leave exactly the answers of a clean ingest — none missing, none duplicated, none stale.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.store.ingest import ingest
from dlqa.store.opening import open_index
from tests.helpers import SEEDS

runner = CliRunner()
#: Seeded: a failure can be replayed (`DLQA_CRASH_SEED=N`); the delays adapt to the machine's speed.
SEED = int(os.environ.get("DLQA_CRASH_SEED") or 20240607)


def make_corpus(folder: Path, count: int) -> Path:
    """`count` copies of the sample pages, each a little different so their answers differ."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        seed = SEEDS[number % len(SEEDS)]
        text = seed.read_text(encoding="utf-8")
        (folder / f"{number:03d}_{seed.name}").write_text(text.replace("模型", f"模型{number}", 1),
                                                          encoding="utf-8")
    return folder


def vary(path: Path, tag: str) -> None:
    """Change a page's text (so its answers are replaced on the next ingest)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("模型", f"模型{tag}", 1), encoding="utf-8")


def answer_set(index_dir: Path) -> list[tuple[str, int, str, str]]:
    """Every indexed answer as (source_file, position, id, body digest), sorted, duplicates kept."""
    with open_index(index_dir).searcher() as searcher:
        return sorted((d["source_file"], d["position"], d["id"], hashlib.sha1(d.get("body", "").encode()).hexdigest())
                      for d in searcher.all_stored_fields())


def dlqa_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("DLQA_")}
    env.update(extra)
    return env


def start_ingest(corpus: Path, index_dir: Path, *args: str, commit_every: int = 1) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "dlqa", "ingest", str(corpus), "--index", str(index_dir), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env=dlqa_env(DLQA_COMMIT_EVERY=str(commit_every)),
    )


def assert_index_answers(index_dir: Path) -> int:
    """`search --jsonl` and `stats --json` work on the index as it is: no error, valid JSON."""
    found = runner.invoke(app, ["search", "模型", "--jsonl", "--limit", "500", "--index", str(index_dir)])
    assert found.exit_code in (0, 1), found.output
    assert "Traceback" not in found.output
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert all(hit["id"] and hit["source_file"] for hit in hits)
    shown = runner.invoke(app, ["stats", "--json", "--index", str(index_dir)])
    assert shown.exit_code == 0, shown.output
    return json.loads(shown.stdout)["answers"]


@pytest.fixture(scope="module")
def warm_jieba() -> None:
    """Build jieba's dictionary cache once, so each subprocess loads it in a fraction of a second."""
    from dlqa.analysis import segment_for_index

    segment_for_index("预热结巴词典")


def test_random_sigkill_never_loses_or_duplicates_answers(tmp_path, warm_jieba):
    rng = random.Random(SEED)
    corpus = make_corpus(tmp_path / "corpus", 6)
    index_dir = tmp_path / "ix"
    pages = sorted(corpus.glob("*.txt"))

    # One uninterrupted run of a round's size tells how long a round's work takes here.
    started = time.monotonic()
    first = start_ingest(corpus, index_dir)
    assert first.wait(timeout=60) == 0, first.stderr.read()
    full = time.monotonic() - started

    kills = rounds = 0
    deadline = time.monotonic() + 35
    while kills < 10 and time.monotonic() < deadline:
        rounds += 1
        for page in rng.sample(pages, 2):  # work for this round: changed pages to replace
            vary(page, f"r{rounds}")
        proc = start_ingest(corpus, index_dir)
        time.sleep(rng.uniform(0.05, 0.5 * full))
        if proc.poll() is None:
            proc.kill()
            kills += 1
        proc.wait(timeout=30)
        assert proc.returncode in (0, -signal.SIGKILL), proc.stderr.read()
        assert assert_index_answers(index_dir) > 0
    print(f"full run {full:.2f} s; {kills} kills in {rounds} rounds")
    assert kills >= 10, f"only {kills} kills landed in {rounds} rounds"

    finish = start_ingest(corpus, index_dir)
    assert finish.wait(timeout=60) == 0, finish.stderr.read()
    after_crashes = answer_set(index_dir)
    assert len(after_crashes) == len(set(after_crashes)), "duplicated answers"

    clean_dir = tmp_path / "clean"
    report = ingest([corpus], clean_dir)
    assert not report.failures
    assert after_crashes == answer_set(clean_dir)
    assert {row[0] for row in after_crashes} == {str(page.resolve()) for page in pages}
    leftovers = [name for name in os.listdir(index_dir) if name.endswith(".json") and name.startswith(".tmp-")]
    assert leftovers == []


def test_ctrl_c_stops_cleanly_and_keeps_what_was_committed(tmp_path, warm_jieba):
    corpus = make_corpus(tmp_path / "corpus", 12)
    index_dir = tmp_path / "ix"
    proc = start_ingest(corpus, index_dir)
    deadline = time.monotonic() + 30
    # Wait for the second commit (generation 0 is the empty index), then press Ctrl-C.
    while not any(re.fullmatch(r"_MAIN_([2-9]|\d\d+)\.toc", name) for name in _names(index_dir)):
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130, (out, err)
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    match = re.fullmatch(r"dlqa: interrupted; (\d+) files? (?:was|were) indexed before the interruption "
                         r"\(the index is intact\)", lines[0])
    assert match, lines[0]
    committed = int(match.group(1))
    assert 2 <= committed < 12
    indexed_files = {row[0] for row in answer_set(index_dir)}
    assert len(indexed_files) == committed
    assert assert_index_answers(index_dir) > 0

    again = start_ingest(corpus, index_dir, commit_every=200)
    assert again.wait(timeout=60) == 0, again.stderr.read()
    rows = answer_set(index_dir)
    assert len(rows) == len(set(rows))
    assert len({row[0] for row in rows}) == 12


def _names(folder: Path) -> list[str]:
    try:
        return os.listdir(folder)
    except OSError:
        return []
