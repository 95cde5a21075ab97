"""`dlqa.pager`: which pager, and only on a terminal for text taller than the screen."""

from __future__ import annotations

from dlqa.pager import DEFAULT_PAGER, pager_command


def decide(environ=None, *, terminal=True, no_pager=False, lines=100, screen=40):
    return pager_command(environ or {}, is_terminal=terminal, no_pager=no_pager,
                         text_lines=lines, screen_lines=screen)


def test_long_text_on_a_terminal_goes_to_less_by_default():
    assert decide() == DEFAULT_PAGER.split() == ["less", "-FRX"]


def test_never_when_piped_short_or_refused():
    assert decide(terminal=False) is None
    assert decide(lines=10) is None
    assert decide(lines=39) is None and decide(lines=40) is not None  # the prompt needs a line too
    assert decide(no_pager=True) is None


def test_dlqa_pager_wins_over_pager():
    assert decide({"PAGER": "more", "DLQA_PAGER": "most -s"}) == ["most", "-s"]
    assert decide({"PAGER": "more"}) == ["more"]


def test_empty_or_cat_means_no_pager():
    assert decide({"PAGER": ""}) is None
    assert decide({"DLQA_PAGER": "cat", "PAGER": "less"}) is None
    assert decide({"DLQA_PAGER": "", "PAGER": "less"}) is None


def test_the_command_is_split_never_given_to_a_shell():
    assert decide({"PAGER": "less -R; rm -rf ~"}) == ["less", "-R;", "rm", "-rf", "~"]
    assert decide({"PAGER": 'less "unbalanced'}) is None
