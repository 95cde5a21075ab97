"""`python -m dlqa` runs the command-line interface."""

from dlqa.cli import entry_point

entry_point()
