"""`dlqa.colour`: --color auto|always|never, NO_COLOR and FORCE_COLOR."""

from __future__ import annotations

import pytest

from dlqa.colour import use_colour


@pytest.mark.parametrize(("choice", "environ", "terminal", "expected"), [
    ("auto", {}, True, True),
    ("auto", {}, False, False),
    ("auto", {"NO_COLOR": "1"}, True, False),
    ("auto", {"NO_COLOR": ""}, True, True),  # an empty NO_COLOR does not count
    ("auto", {"FORCE_COLOR": "1"}, False, True),
    ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),
    ("auto", {"TERM": "dumb"}, True, False),
    ("always", {"NO_COLOR": "1"}, False, True),
    ("never", {"FORCE_COLOR": "1"}, True, False),
])
def test_colour_decision(choice, environ, terminal, expected):
    assert use_colour(choice, environ, terminal) is expected


def test_unknown_choice_is_an_error():
    with pytest.raises(ValueError, match="auto, always, never"):
        use_colour("sometimes", {}, True)
