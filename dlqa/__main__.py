"""`python -m dlqa` runs the command-line interface."""

from dlqa.cli import main

main()
