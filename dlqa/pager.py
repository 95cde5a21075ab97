"""Paging long output the way git does: `$DLQA_PAGER`, `$PAGER`, else `less -FRX`.

Only when standard output is a terminal and the text is taller than the screen; never when
piped, and never with `--no-pager`. The pager is run directly (its command split like a shell
would, but no shell ever sees it), with `LESS=FRX` when LESS is unset so colour and links pass
through and a short text does not wait for `q`. An empty pager or `cat` means no pager.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
from collections.abc import Mapping

DEFAULT_PAGER = "less -FRX"


def pager_command(environ: Mapping[str, str], *, is_terminal: bool, no_pager: bool,
                  text_lines: int, screen_lines: int) -> list[str] | None:
    """The pager to run for this output, or None to print it directly."""
    if no_pager or not is_terminal or text_lines < screen_lines:
        return None
    for name in ("DLQA_PAGER", "PAGER"):
        if name in environ:
            chosen = environ[name]
            break
    else:
        chosen = DEFAULT_PAGER
    try:
        command = shlex.split(chosen)
    except ValueError:  # an unbalanced quote in $PAGER
        return None
    if not command or command == ["cat"]:
        return None
    return command


def show_paged(text: str, command: list[str] | None, environ: Mapping[str, str] | None = None) -> None:
    """Send `text` to the pager `command`, or to standard output when None or it cannot start."""
    if command is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    env = dict(os.environ if environ is None else environ)
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    sys.stdout.flush()
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError:  # not installed, not executable: the text is still worth reading
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    data = text.encode(sys.stdout.encoding or "utf-8", errors="replace")
    if pager.stdin is not None:
        with contextlib.suppress(BrokenPipeError):  # the user quit before the end
            pager.stdin.write(data)
        with contextlib.suppress(BrokenPipeError):
            pager.stdin.close()
    while True:
        try:
            pager.wait()
            return
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager (less uses it); wait for it
            continue
