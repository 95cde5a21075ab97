"""The user's settings file: where it lives, reading it, and writing one setting safely.

A small TOML file in the user's config folder (platformdirs: `~/.config/dlqa/config.toml` on
Linux, `~/Library/Application Support/dlqa/` on macOS, `%APPDATA%\\dlqa\\` on Windows).
It is read only when a command needs it, and parsed only when it exists, so a search given
`--index` or `DLQA_INDEX` never pays for it, and one that looks it up pays well under a
millisecond: on Linux the XDG rule is applied here (platformdirs' import alone is ~2 ms, and a
test checks both agree), and files as dlqa writes them are read without a TOML parser.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from dlqa.errors import DlqaError

#: Settings `dlqa config` knows, with what each one means.
SETTINGS: dict[str, str] = {
    "index": "the index folder every command uses when neither --index nor DLQA_INDEX is given",
}
FILE_NAME = "config.toml"
_HEADER = "# dlqa settings; `dlqa config` shows them and `dlqa config NAME VALUE` sets one.\n"
#: A line as `write_setting` writes it: a comment, or `name = "…"` whose escapes mean the same
#: in TOML and JSON. A file of only such lines is read without importing a TOML parser (~1-2 ms
#: of every search that looks the setting up); anything else goes to tomllib.
SIMPLE_LINE = (r'[ \t]*(?:#[^\x00-\x08\x0a-\x1f\x7f]*|([A-Za-z0-9_-]+)[ \t]*=[ \t]*'
               r'("(?:[^"\\\x00-\x1f\x7f]|\\["\\bfnrt]|\\u(?![dD][89abAB])[0-9A-Fa-f]{4})*")[ \t]*)?')


@cache
def _simple_line() -> re.Pattern[str]:
    return re.compile(SIMPLE_LINE)


class ConfigError(DlqaError):
    """The settings file cannot be read or written, or a setting is unknown: a usage error."""

    exit_code = 2


def config_file(environ: Mapping[str, str] | None = None) -> Path:
    """The settings file's path (it may not exist): `$DLQA_CONFIG`, else the user config folder."""
    environ = os.environ if environ is None else environ
    if environ.get("DLQA_CONFIG"):
        return Path(environ["DLQA_CONFIG"]).expanduser()
    folder = xdg_config_home(environ)
    if folder is None:
        from platformdirs import user_config_path  # imported here: only when a lookup needs it

        return user_config_path("dlqa", appauthor=False, roaming=True) / FILE_NAME
    return folder / "dlqa" / FILE_NAME


def xdg_config_home(environ: Mapping[str, str], platform: str = sys.platform) -> Path | None:
    """On Linux, the folder platformdirs would give: an absolute `$XDG_CONFIG_HOME`, else
    `$HOME/.config` for an absolute HOME. None elsewhere and in unusual set-ups (Android, no or
    a relative HOME), which platformdirs decides."""
    if platform != "linux" or "ANDROID_DATA" in environ:
        return None
    configured = environ.get("XDG_CONFIG_HOME", "")
    if configured.startswith("/"):
        return Path(configured)
    home = environ.get("HOME", "")
    return Path(home) / ".config" if home.startswith("/") else None


def read_settings(path: Path) -> dict[str, str]:
    """The settings in `path`, `{}` when there is no file; a damaged file is a `ConfigError`."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    except OSError as error:
        raise ConfigError(f"cannot read the settings file {path}: {error.strerror or error}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ConfigError(f"the settings file {path} is not valid TOML ({error}); fix or delete it") from None
    table = simple_table(text)
    if table is None:
        try:
            import tomllib
        except ModuleNotFoundError:  # Python 3.10
            import tomli as tomllib  # type: ignore[no-redef]
        try:
            table = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise ConfigError(f"the settings file {path} is not valid TOML ({error}); fix or delete it") from None
    settings = {}
    for name, value in table.items():
        if name in SETTINGS:
            if not isinstance(value, str):
                raise ConfigError(f"the settings file {path}: {name} must be a string, like {name} = \"…\"")
            settings[name] = value
    return settings


def simple_table(text: str) -> dict[str, object] | None:
    """The file's settings when every line is a comment or `name = "string"` with distinct
    names (what dlqa writes), else None for tomllib to read (and to report errors of)."""
    table: dict[str, object] = {}
    for line in text.split("\n"):
        match = _simple_line().fullmatch(line.removesuffix("\r"))
        if match is None:
            return None
        name, value = match.groups()
        if name is not None:
            if name in table:
                return None
            table[name] = json.loads(value)
    return table


def check_name(name: str) -> None:
    """A `ConfigError` listing the known settings when `name` is not one of them."""
    if name not in SETTINGS:
        raise ConfigError(f"unknown setting {name!r}; known settings: {', '.join(SETTINGS)}")


def write_setting(path: Path, name: str, value: str | None) -> None:
    """Set (or, with `None`, remove) one setting, keeping the others; written atomically."""
    check_name(name)
    if value is not None and not value.isprintable():
        raise ConfigError(f"{name} must be printable text (it holds a control or undecodable character)")
    settings = read_settings(path)
    if value is None:
        settings.pop(name, None)
    else:
        settings[name] = value
    text = _HEADER + "".join(f"{key} = {toml_string(settings[key])}\n" for key in SETTINGS if key in settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp-{os.getpid()}")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    except OSError as error:
        raise ConfigError(f"cannot write the settings file {path}: {error.strerror or error}") from None


def toml_string(value: str) -> str:
    """`value` as a TOML basic string: quotes, backslashes and every control character escaped."""
    out = ['"']
    for char in value:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)
