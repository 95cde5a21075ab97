"""A reader that goes away (`dlqa search … | head`) ends the command quietly.

Without this, click turns the broken pipe into exit status 1 (grep's "nothing matched") and
Python may print "Exception ignored … BrokenPipeError" at exit. With it, the command ends
with the status it would have had, and nothing is printed.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def ends_quietly(status: int) -> Iterator[None]:
    """Run output code; if standard output's reader is gone, exit with `status` silently."""
    try:
        yield
    except BrokenPipeError:
        _discard_stdout()
        raise SystemExit(status) from None


def _discard_stdout() -> None:
    """Point standard output at the null device, so no later flush fails again."""
    with contextlib.suppress(OSError, ValueError, AttributeError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
