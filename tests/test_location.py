"""Where the library lives: --index, DLQA_INDEX, the settings file, the nearest index/, ./index.

Unit tests of `dlqa.store.location` and `dlqa.config`, then the order through the CLI with a
temporary XDG_CONFIG_HOME and HOME, so the user's own settings never leak in.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from dlqa.cli import app
from dlqa.config import (
    ConfigError,
    config_file,
    read_settings,
    toml_string,
    write_setting,
    xdg_config_home,
)
from dlqa.errors import NoIndexError
from dlqa.store.location import resolve

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

runner = CliRunner()


def fake_index(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_MAIN_1.toc").write_bytes(b"")
    return folder


def no_settings(tmp_path: Path):
    return lambda: tmp_path / "absent" / "config.toml"


# --- dlqa.store.location ---------------------------------------------------------------------------


def test_option_then_environment_then_settings(tmp_path):
    settings = tmp_path / "config.toml"
    write_setting(settings, "index", str(tmp_path / "configured"))
    environ = {"DLQA_INDEX": str(tmp_path / "from-env")}
    chosen = resolve(tmp_path / "given", environ=environ, cwd=tmp_path, config_file=lambda: settings)
    assert (chosen.path, chosen.source, chosen.reason) == (tmp_path / "given", "option", "from --index")
    chosen = resolve(None, environ=environ, cwd=tmp_path, config_file=lambda: settings)
    assert (chosen.path, chosen.source) == (tmp_path / "from-env", "env")
    chosen = resolve(None, environ={}, cwd=tmp_path, config_file=lambda: settings)
    assert (chosen.path, chosen.source) == (tmp_path / "configured", "config")
    assert str(settings) in chosen.reason


def test_a_relative_setting_is_relative_to_the_settings_file(tmp_path):
    settings = tmp_path / "conf" / "config.toml"
    settings.parent.mkdir()
    settings.write_text('index = "library"\n', encoding="utf-8")
    assert resolve(None, environ={}, cwd=tmp_path, config_file=lambda: settings).path == settings.parent / "library"


def test_the_nearest_index_folder_in_this_folder_or_a_parent(tmp_path):
    deep = tmp_path / "notes" / "2024" / "march"
    deep.mkdir(parents=True)
    fake_index(tmp_path / "index")
    found = resolve(None, environ={}, cwd=deep, config_file=no_settings(tmp_path))
    assert (found.path, found.source) == (tmp_path / "index", "found")
    assert str(tmp_path) in found.reason
    fake_index(tmp_path / "notes" / "index")  # a nearer one wins
    assert resolve(None, environ={}, cwd=deep, config_file=no_settings(tmp_path)).path == tmp_path / "notes" / "index"
    (deep / "index").mkdir()  # an index/ folder holding no index is passed over
    assert resolve(None, environ={}, cwd=deep, config_file=no_settings(tmp_path)).path == tmp_path / "notes" / "index"
    here = resolve(None, environ={}, cwd=tmp_path, config_file=no_settings(tmp_path))
    assert (here.path, here.reason) == (Path("index"), "the nearest index/ (in the current folder)")


def test_nothing_found_creates_here_for_ingest_else_says_where_it_looked(tmp_path):
    new = resolve(None, create=True, environ={}, cwd=tmp_path, config_file=no_settings(tmp_path))
    assert (new.path, new.source) == (Path("index"), "new")
    with pytest.raises(NoIndexError) as missing:
        resolve(None, environ={}, cwd=tmp_path, config_file=no_settings(tmp_path))
    message = str(missing.value)
    for looked in ("--index", "DLQA_INDEX", str(tmp_path / "absent" / "config.toml"), str(tmp_path),
                   "dlqa config index DIR", "dlqa ingest"):
        assert looked in message
    assert "\n" not in message


# --- dlqa.config -------------------------------------------------------------------------------------


def test_settings_file_follows_xdg_and_dlqa_config():
    assert config_file({"DLQA_CONFIG": "/x/dlqa.toml"}) == Path("/x/dlqa.toml")


@pytest.mark.skipif(sys.platform != "linux", reason="dlqa applies the XDG rule itself on Linux only")
@pytest.mark.parametrize("environ", [
    {"XDG_CONFIG_HOME": "/srv/conf", "HOME": "/home/me"},
    {"HOME": "/home/me"},
    {"XDG_CONFIG_HOME": "", "HOME": "/home/me"},
    {"XDG_CONFIG_HOME": "relative/conf", "HOME": "/home/me"},  # not absolute: ignored, as XDG says
    {"XDG_CONFIG_HOME": "/srv/conf", "HOME": "relative"},
])
def test_the_linux_rule_agrees_with_platformdirs(monkeypatch, environ):
    from platformdirs import user_config_path

    for name in ("XDG_CONFIG_HOME", "HOME", "DLQA_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    assert xdg_config_home(environ) is not None
    assert config_file(environ) == user_config_path("dlqa", appauthor=False, roaming=True) / "config.toml"


def test_unusual_set_ups_are_left_to_platformdirs():
    assert xdg_config_home({"HOME": "relative"}) is None
    assert xdg_config_home({}) is None
    assert xdg_config_home({"HOME": "/data", "ANDROID_DATA": "/data"}) is None
    assert xdg_config_home({"HOME": "/Users/me"}, platform="darwin") is None
    assert xdg_config_home({"HOME": "/home/me"}, platform="linux") == Path("/home/me/.config")


def test_write_keeps_other_settings_and_unset_removes(tmp_path):
    path = tmp_path / "dlqa" / "config.toml"
    write_setting(path, "index", "/data/index")
    assert read_settings(path) == {"index": "/data/index"}
    write_setting(path, "index", None)
    assert read_settings(path) == {}
    with pytest.raises(ConfigError, match="unknown setting 'colour'; known settings: index"):
        write_setting(path, "colour", "always")


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40))
def test_any_printable_value_round_trips_through_toml(value):
    assert tomllib.loads(f"index = {toml_string(value)}\n") == {"index": value}


@given(st.text(alphabet=st.sampled_from(list('ab =#"\\\'\tu0Dd8[].\n\x01é')), max_size=30))
def test_the_parser_for_dlqas_own_lines_agrees_with_tomllib_whenever_it_answers(text):
    from dlqa.config import simple_table

    fast = simple_table(text)
    if fast is not None:
        assert fast == tomllib.loads(text)


def test_files_dlqa_writes_are_read_without_tomllib(tmp_path):
    from dlqa.config import simple_table

    path = tmp_path / "config.toml"
    write_setting(path, "index", 'C:\\Users\\me\\"深度"\\index')
    assert simple_table(path.read_text(encoding="utf-8")) == {"index": 'C:\\Users\\me\\"深度"\\index'}
    assert read_settings(path) == {"index": 'C:\\Users\\me\\"深度"\\index'}
    path.write_text("[dlqa]\nindex = 'x'\n", encoding="utf-8")  # valid TOML, not dlqa's shape: tomllib reads it
    assert simple_table(path.read_text(encoding="utf-8")) is None and read_settings(path) == {}


def test_control_characters_are_escaped_and_refused_as_settings(tmp_path):
    assert tomllib.loads("v = " + toml_string('a"\\\n\x1b') + "\n")["v"] == 'a"\\\n\x1b'
    with pytest.raises(ConfigError, match="printable"):
        write_setting(tmp_path / "c.toml", "index", "/tmp/\x1b[2J")


def test_a_damaged_settings_file_is_one_clear_error(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text("index = [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_settings(path)
    path.write_text("index = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="must be a string"):
        read_settings(path)


# --- through the CLI ------------------------------------------------------------------------------


@pytest.fixture()
def home(tmp_path, monkeypatch):
    """A fresh HOME and XDG_CONFIG_HOME, no DLQA_INDEX, and a working folder inside HOME."""
    home = tmp_path / "home"
    work = home / "notes" / "deep"
    work.mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("DLQA_INDEX", raising=False)
    monkeypatch.delenv("DLQA_CONFIG", raising=False)
    monkeypatch.chdir(work)
    return home


def chosen(env=None, *args):
    result = runner.invoke(app, ["stats", "--json", *args], env=env)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    return Path(data["index"]), data["index_chosen"]


def copy_index(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def test_resolution_order_through_the_cli(home, corpus_index):
    found = copy_index(corpus_index, home / "index")
    configured = copy_index(corpus_index, home / "configured")
    from_env = copy_index(corpus_index, home / "from-env")
    given = copy_index(corpus_index, home / "given")

    assert chosen() == (found.resolve(), f"the nearest index/ (in {home})")

    result = runner.invoke(app, ["config", "index", str(configured)])
    assert result.exit_code == 0, result.output
    settings = home / ".config" / "dlqa" / "config.toml"
    assert settings.is_file()
    assert chosen() == (configured.resolve(), f"from the index setting in {settings}")

    assert chosen({"DLQA_INDEX": str(from_env)}) == (from_env.resolve(), "from $DLQA_INDEX")
    assert chosen({"DLQA_INDEX": str(from_env)}, "--index", str(given)) == (given.resolve(), "from --index")

    human = runner.invoke(app, ["stats"], env={"DLQA_INDEX": str(from_env)})
    assert f"index: {from_env.resolve()}" in human.stdout and "chosen: from $DLQA_INDEX" in human.stdout


def test_config_shows_sets_and_unsets(home):
    shown = runner.invoke(app, ["config"])
    settings = home / ".config" / "dlqa" / "config.toml"
    assert shown.exit_code == 0
    assert shown.stdout.splitlines()[0] == f"settings file: {settings} (not created yet)"
    assert "index = (not set)" in shown.stdout
    assert runner.invoke(app, ["config", "index"]).exit_code == 1  # unset, like `git config NAME`

    assert runner.invoke(app, ["config", "index", "~/library"]).exit_code == 0
    assert runner.invoke(app, ["config", "index"]).stdout == f"{home / 'library'}\n"
    assert f"index = {home / 'library'}" in runner.invoke(app, ["config"]).stdout

    assert runner.invoke(app, ["config", "--unset", "index"]).exit_code == 0
    assert runner.invoke(app, ["config", "index"]).exit_code == 1

    bad = runner.invoke(app, ["config", "colour", "always"])
    assert bad.exit_code == 2 and bad.stderr == "dlqa: unknown setting 'colour'; known settings: index\n"


def test_commands_without_an_index_say_where_they_looked(home):
    for argv in (["search", "过拟合"], ["stats"], ["show", "8262a860"], ["similar", "8262a860"]):
        result = runner.invoke(app, argv)
        assert result.exit_code == 2, argv
        line = result.stderr.strip()
        assert "\n" not in line and line.startswith("dlqa: no index found:")
        assert str(Path.cwd()) in line and "dlqa config index DIR" in line


def test_a_set_index_that_is_missing_says_how_it_was_chosen(home):
    result = runner.invoke(app, ["search", "过拟合"], env={"DLQA_INDEX": str(home / "gone")})
    assert result.exit_code == 2
    assert result.stderr == f"dlqa: no index at {home / 'gone'} (from $DLQA_INDEX); make one with `dlqa ingest FOLDER`\n"


def test_a_damaged_settings_file_is_one_line_for_every_command(home):
    settings = home / ".config" / "dlqa" / "config.toml"
    settings.parent.mkdir(parents=True)
    settings.write_text("index = \n", encoding="utf-8")
    result = runner.invoke(app, ["search", "过拟合"])
    assert result.exit_code == 2 and result.stderr.startswith(f"dlqa: the settings file {settings} is not valid TOML")
    assert "Traceback" not in result.output


def test_ingest_with_nothing_set_creates_index_here(home):
    page = home / "one.txt"
    page.write_text("过拟合怎么办?\n\n多加数据,再加正则化。\n", encoding="utf-8")
    result = runner.invoke(app, ["ingest", str(page)])
    assert result.exit_code == 0, result.output
    assert (Path.cwd() / "index").is_dir()
    os.chdir(Path.cwd() / "..")  # from a parent folder the new index is not found: it is below
    assert runner.invoke(app, ["stats"]).exit_code == 2
    os.chdir(home / "notes" / "deep")
    assert chosen()[1] == "the nearest index/ (in the current folder)"


def test_ingest_from_a_subfolder_adds_to_the_nearest_index_above(home):
    first, second = home / "one.txt", home / "two.txt"
    first.write_text("过拟合怎么办?\n\n多加数据,再加正则化。\n", encoding="utf-8")
    second.write_text("欠拟合怎么办?\n\n加大模型,多训练几轮。\n", encoding="utf-8")
    assert runner.invoke(app, ["ingest", str(first), "--index", str(home / "index")]).exit_code == 0
    added = runner.invoke(app, ["ingest", str(second)])  # from home/notes/deep: home/index is nearest
    assert added.exit_code == 0, added.output
    assert f"index: {home / 'index'} (2 answers)" in added.stdout
    assert not (Path.cwd() / "index").exists()
