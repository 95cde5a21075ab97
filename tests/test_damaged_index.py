"""A damaged, read-only or full index location: one clear line, and nothing indexed is lost."""

from __future__ import annotations

import errno
import os
import shutil
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa import cli
from dlqa.cli import app
from dlqa.errors import IndexDamagedError, IndexWriteError
from dlqa.search import search
from dlqa.store.ingest import ingest
from dlqa.store.manifest import remembered_sources
from tests.test_crash import answer_set, make_corpus

runner = CliRunner()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list]:
    """A corpus and an index made from it (two commits, so two segments' worth of history)."""
    root = tmp_path_factory.mktemp("damage")
    corpus = make_corpus(root / "corpus", 3)
    index_dir = root / "ix"
    report = ingest([corpus], index_dir)
    assert not report.failures
    return corpus, index_dir, answer_set(index_dir)


@pytest.fixture()
def index_copy(built, tmp_path) -> Path:
    _, index_dir, _ = built
    target = tmp_path / "ix"
    shutil.copytree(index_dir, target)
    return target


def _segment_file(index_dir: Path, suffix: str) -> Path:
    files = [path for path in index_dir.glob("MAIN_*") if path.name != "MAIN_WRITELOCK"]
    assert len({path.name.split(".")[0] for path in files}) == 1, files  # one segment
    (found,) = [path for path in files if path.name.endswith(suffix)]
    return found


def _segment(index_dir: Path) -> Path:
    """The segment's stored fields: every command that shows or counts answers reads them."""
    return _segment_file(index_dir, "_stored.col")


DAMAGE = {
    "segment truncated to nothing": lambda ix: os.truncate(_segment(ix), 0),
    "segment truncated by half": lambda ix: os.truncate(_segment(ix), _segment(ix).stat().st_size // 2),
    "segment deleted": lambda ix: _segment(ix).unlink(),
    "toc garbage": lambda ix: next(ix.glob("_MAIN_*.toc")).write_bytes(b"garbage"),
    "toc truncated": lambda ix: os.truncate(next(ix.glob("_MAIN_*.toc")), 100),
    "toc deleted": lambda ix: next(ix.glob("_MAIN_*.toc")).unlink(),
}


@pytest.mark.parametrize("damage", sorted(DAMAGE))
def test_damage_is_one_line_and_rebuild_without_paths_restores_it(built, index_copy, damage):
    corpus, _, answers = built
    DAMAGE[damage](index_copy)
    for command in (["search", "模型"], ["stats"], ["show", answers[0][2]], ["ingest", str(corpus)]):
        result = runner.invoke(app, [*command, "--index", str(index_copy)])
        assert result.exit_code == 1, (command, result.output)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        (line,) = result.output.splitlines()
        assert line.startswith(f"dlqa: the index at {index_copy} is damaged (")
        assert line.endswith(f"run `dlqa ingest --rebuild --index {index_copy}`")

    rebuilt = runner.invoke(app, ["ingest", "--rebuild", "--index", str(index_copy)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert answer_set(index_copy) == answers
    assert search(index_copy, "模型").total > 0


def test_truncated_postings_make_search_say_damaged(built, index_copy):
    """`stats` and `show` never read postings; `search` does, and says so in one line."""
    corpus, _, answers = built
    postings = _segment_file(index_copy, ".pst")
    os.truncate(postings, postings.stat().st_size // 2)
    failed = [runner.invoke(app, ["search", query, "--index", str(index_copy)])
              for query in ("模型", "学习", "的", "网络")]
    assert any(result.exit_code == 1 for result in failed)
    for result in failed:
        assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
        if result.exit_code == 1:
            (line,) = result.output.splitlines()
            assert line.startswith(f"dlqa: the index at {index_copy} is damaged (")
    rebuilt = runner.invoke(app, ["ingest", "--rebuild", "--index", str(index_copy)])
    assert rebuilt.exit_code == 0, rebuilt.output
    assert answer_set(index_copy) == answers


def test_the_manifest_remembers_the_sources_and_the_cache_is_a_fallback(built, index_copy):
    corpus, _, _ = built
    assert remembered_sources(index_copy) == [str(corpus.resolve())]
    (index_copy / "dlqa-index.json").unlink()  # only the signature cache is left to tell
    assert remembered_sources(index_copy) == sorted(str(path.resolve()) for path in corpus.glob("*.txt"))


def test_damage_without_any_memory_asks_for_paths(index_copy):
    _segment(index_copy).unlink()
    for name in ("dlqa-index.json", "dlqa-files.json"):
        (index_copy / name).unlink()
    with pytest.raises(IndexDamagedError, match=r"--rebuild --index .* PATH…`$"):
        search(index_copy, "模型")
    result = runner.invoke(app, ["ingest", "--rebuild", "--index", str(index_copy)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"dlqa: the index at {index_copy} does not remember what it was made from; "
        "give the files or folders: `dlqa ingest --rebuild PATH…`"]


def _fail_writes(monkeypatch: pytest.MonkeyPatch, code: int, where: str) -> None:
    """Make every new file in the index folder fail as a full disk or read-only folder would."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.index import TOC

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    if where == "commit":
        monkeypatch.setattr(TOC, "write", refuse)  # segments written, the new TOC is not
    else:
        monkeypatch.setattr(FileStorage, "create_file", refuse)
        monkeypatch.setattr("tempfile.mkstemp", refuse)


@pytest.mark.parametrize(("code", "reason"), [(errno.ENOSPC, "the disk is full"),
                                              (errno.EROFS, "the folder is read-only"),
                                              (errno.EACCES, "the folder is read-only")])
@pytest.mark.parametrize("where", ["writer", "commit"])
def test_a_full_or_read_only_location_is_one_line_and_keeps_the_index(built, index_copy, tmp_path, monkeypatch,
                                                                       code, reason, where):
    corpus, _, answers = built
    marker = "独一无二的新答案标记"
    changed = tmp_path / "new.txt"  # one new page to add
    text = sorted(corpus.glob("*.txt"))[0].read_text(encoding="utf-8")
    changed.write_text(text.replace("模型", "模型" + marker, 1), encoding="utf-8")

    _fail_writes(monkeypatch, code, where)
    with pytest.raises(IndexWriteError):
        ingest([changed], index_copy)
    result = runner.invoke(app, ["ingest", str(changed), "--index", str(index_copy)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"dlqa: cannot write to the index at {index_copy}: {reason}; "
        "what was indexed before is kept and still searchable"]
    monkeypatch.undo()

    assert answer_set(index_copy) == answers  # the old answers, all of them, still searchable
    assert search(index_copy, marker).total == 0
    assert ingest([changed], index_copy).pages == 1  # space freed: the same command finishes
    assert search(index_copy, marker).total >= 1
    rows = answer_set(index_copy)
    assert len(rows) == len(set(rows)) > len(answers)
    assert set(answers) <= set(rows)


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes through chmod a-w")
def test_a_really_read_only_folder(built, index_copy):  # pragma: no cover - CI runs as root here
    corpus, _, answers = built
    (corpus / "new.txt").write_text((corpus / sorted(os.listdir(corpus))[0]).read_text(encoding="utf-8"))
    index_copy.chmod(0o555)
    try:
        result = runner.invoke(app, ["ingest", str(corpus), "--index", str(index_copy)])
        assert result.exit_code == 1 and "read-only" in result.output
    finally:
        index_copy.chmod(0o755)
        (corpus / "new.txt").unlink()
    assert answer_set(index_copy) == answers


def test_an_unexpected_error_is_one_line_with_exit_70(monkeypatch, capsys, tmp_path):
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setattr("dlqa.library.stats", broken)
    monkeypatch.setattr(sys, "argv", ["dlqa", "stats", "--index", str(tmp_path)])
    monkeypatch.delenv("DLQA_DEBUG", raising=False)
    with pytest.raises(SystemExit) as stop:
        cli.main()
    assert stop.value.code == 70
    assert capsys.readouterr().err.splitlines() == [
        "dlqa: internal error: RuntimeError: a bug over two lines (set DLQA_DEBUG=1 to see the traceback)"]

    monkeypatch.setenv("DLQA_DEBUG", "1")
    with pytest.raises(RuntimeError, match="a bug"):
        cli.main()


@pytest.mark.parametrize("suffix", ["_stored.col", ".pst", ".trm"])
def test_a_file_cut_anywhere_is_never_a_traceback(built, tmp_path, suffix):
    """Wherever a segment file is cut, each command either still works or says 'damaged':
    cut points land in compressed blocks, pickles and offset tables alike."""
    corpus, index_dir, answers = built
    size = _segment_file(index_dir, suffix).stat().st_size
    for cut in sorted({size * eighth // 8 for eighth in range(1, 8)} | {size - 1, size - 7}):
        copy = tmp_path / f"cut-{cut}"
        shutil.copytree(index_dir, copy)
        os.truncate(_segment_file(copy, suffix), cut)
        for command in (["search", "模型"], ["search", "学习 OR 网络"], ["stats"], ["show", answers[0][2]]):
            result = runner.invoke(app, [*command, "--index", str(copy)])
            assert result.exit_code in (0, 1), (cut, command, result.output)
            assert result.exception is None or isinstance(result.exception, SystemExit), (cut, command)
            if result.exit_code == 1:
                (line,) = result.output.splitlines()
                assert line.startswith(f"dlqa: the index at {copy} is damaged ("), (cut, command, line)
