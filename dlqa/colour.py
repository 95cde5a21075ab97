"""Whether output is coloured: `--color auto|always|never`, then NO_COLOR and FORCE_COLOR.

`always` and `never` win over the environment (`dlqa search … --color always | less -R`);
`auto` follows the conventions: NO_COLOR (https://no-color.org) turns colour off, FORCE_COLOR
turns it on, a dumb terminal gets none, otherwise colour only on a terminal.
"""

from __future__ import annotations

from collections.abc import Mapping

CHOICES = ("auto", "always", "never")


def use_colour(choice: str, environ: Mapping[str, str], is_terminal: bool) -> bool:
    """The colour decision for one output stream."""
    if choice == "always":
        return True
    if choice == "never":
        return False
    if choice != "auto":
        raise ValueError(f"--color must be one of: {', '.join(CHOICES)}")
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_terminal and environ.get("TERM") != "dumb"
