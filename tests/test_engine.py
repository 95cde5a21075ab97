"""The engine's boundary: only `dlqa/engine/` knows Whoosh, nothing patches Whoosh objects,
the Whoosh internals it relies on are there, and indexes written before it still open."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.engine import analyzers, compat, formats
from dlqa.store.ingest import ingest

PACKAGE = Path(__file__).resolve().parent.parent / "dlqa"
ENGINE = PACKAGE / "engine"
runner = CliRunner()


def _modules() -> list[tuple[Path, ast.Module]]:
    return [(path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
            for path in sorted(PACKAGE.rglob("*.py"))]


def _imported(tree: ast.Module) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("__import__", "import_module"):
            names.update(arg.value for arg in node.args if isinstance(arg, ast.Constant))
    return names


def test_only_the_engine_imports_whoosh():
    outside = {str(path.relative_to(PACKAGE)): sorted(name for name in _imported(tree)
                                                      if name.split(".")[0] == "whoosh")
               for path, tree in _modules() if ENGINE not in path.parents}
    assert {path: names for path, names in outside.items() if names} == {}
    assert any("whoosh" in _imported(tree) or any(n.startswith("whoosh.") for n in _imported(tree))
               for path, tree in _modules() if ENGINE in path.parents)  # the scan sees imports


def _patches(tree: ast.Module) -> list[str]:
    """Run-time patches: a function or method (a lambda, a function of the module, a dunder
    method) assigned to an attribute of another object, directly or with `setattr`, or a
    private attribute of another object written."""
    functions = {node.name for node in ast.walk(tree)
                 if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))}

    def is_callable(value: ast.AST | None) -> bool:
        return isinstance(value, ast.Lambda) or (isinstance(value, ast.Name) and value.id in functions) \
            or (isinstance(value, ast.Attribute) and value.attr.startswith("__"))

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr" \
                and len(node.args) == 3 and is_callable(node.args[2]):
            found.append(f"line {node.lineno}: {ast.unparse(node)}")
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []
        value = getattr(node, "value", None)
        for target in targets:
            if not isinstance(target, ast.Attribute):
                continue
            owner = target.value.id if isinstance(target.value, ast.Name) else None
            if owner in ("self", "cls"):
                continue
            private = target.attr.startswith("_") and not target.attr.startswith("__")
            if private or is_callable(value):
                found.append(f"line {node.lineno}: {ast.unparse(target)} = {ast.unparse(value)}")
    return found


def test_no_module_patches_whoosh_objects_at_run_time():
    found = {str(path.relative_to(PACKAGE)): _patches(tree) for path, tree in _modules()}
    assert {path: lines for path, lines in found.items() if lines} == {}


def test_the_patch_scan_finds_patches():
    sample = ast.parse(
        "def get(a, b):\n    return b\n\n"
        "structfile.get = get\n"  # found: a function put on an object
        "perdoc.has_column = perdoc._colfiles.__contains__\n"  # found: a bound method
        "terminfo._weight += 1\n"  # found: another object's private field
        "setattr(ix, 'searcher', lambda: None)\n"  # found
        "self._ok = 1\nfield.format = make()\nsetattr(page, 'title', 'x')\n"  # data: not patches
    )
    assert len(_patches(sample)) == 4


def test_whoosh_is_a_supported_release_with_every_internal_the_engine_uses(tmp_path):
    import whoosh

    assert compat.version_supported(), f"whoosh3 {whoosh.versionstring()} is outside {compat.SUPPORTED}"
    missing = compat.missing_internals(tmp_path / "probe")
    assert not missing, ("whoosh3 " + whoosh.versionstring() + " lacks what dlqa.engine relies on "
                         "(see dlqa/engine/compat.py): " + "; ".join(missing))
    assert not compat.version_supported((4, 0))


def _toc(index_dir: Path) -> Path:
    return max(index_dir.glob("_MAIN_*.toc"))


OLD_PATHS = {analyzers.WordAnalyzer: "dlqa.analysis", analyzers.GramAnalyzer: "dlqa.analysis",
             formats.CompactPositions: "dlqa.formats", formats.CountedFrequency: "dlqa.formats"}


def test_an_index_written_before_the_engine_package_still_opens(corpus_copy, tmp_path, monkeypatch):
    """Schema-6 indexes pickled the analyzers and formats at their old module paths."""
    with monkeypatch.context() as patch:
        for cls, module in OLD_PATHS.items():
            patch.setattr(cls, "__module__", module)
        ingest([corpus_copy], tmp_path / "old")
    toc = _toc(tmp_path / "old").read_bytes()
    assert b"dlqa.analysis" in toc and b"dlqa.formats" in toc and b"dlqa.engine" not in toc
    result = runner.invoke(app, ["search", "过拟合", "--json", "--index", str(tmp_path / "old")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["total"] == 4


@pytest.mark.parametrize("module", [b"dlqa.engine.analyzers", b"dlqa.engine.formats"])
def test_an_index_naming_classes_dlqa_no_longer_has_asks_for_a_rebuild(corpus_copy, tmp_path, module):
    ingest([corpus_copy], tmp_path / "ix")
    toc = _toc(tmp_path / "ix")
    data = toc.read_bytes()
    assert module in data
    toc.write_bytes(data.replace(module, module[:-1] + b"Z"))  # same length: a valid pickle
    for command in (["search", "过拟合"], ["stats"], ["show", "abcdef"]):
        result = runner.invoke(app, [*command, "--index", str(tmp_path / "ix")])
        assert result.exit_code == 1, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and "is damaged" in lines[0] and "run `dlqa ingest --rebuild" in lines[0]
        assert "Traceback" not in result.output


def test_whoosh_alone_opens_the_index_and_finds_the_same_answers(corpus_index):
    """The index stays a Whoosh index: Whoosh's own `open_dir` and searcher (no dlqa storage,
    codec or evaluation) give every query the documents and scores dlqa's engine gives."""
    from whoosh import index as whoosh_index

    from dlqa.engine import evaluate
    from dlqa.store.opening import open_index
    from tests.test_search_fast_path import FILTERS, _final_queries

    plain = whoosh_index.open_dir(str(corpus_index))
    assert type(plain) is whoosh_index.FileIndex
    with plain.searcher() as theirs, open_index(corpus_index).searcher() as ours:
        assert theirs.doc_count() == ours.doc_count() > 0
        finals = _final_queries(ours, FILTERS)
        assert [str(q) for q in finals] == [str(q) for q in _final_queries(theirs, FILTERS)]
        found = 0
        for final in finals:
            expected = {hit.docnum: hit.score for hit in theirs.search(final, limit=None)}
            assert evaluate.scored_docs(ours, final) == expected, final
            found += bool(expected)
        assert found > len(finals) // 2
        assert [theirs.stored_fields(doc) for doc in range(3)] == [ours.stored_fields(doc) for doc in range(3)]
