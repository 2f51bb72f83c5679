"""Page state: one description gives validated initial values and the URL writer's spec."""

import pytest
from dash import Input

from dashboard import urlstate
from dashboard.pagestate import Field, PageState, _js_default, parse_flag


def _state():
    return PageState(
        "t-url",
        [
            Field("model", str, None, Input("t-model", "value")),
            Field("z", urlstate.point_from_text, [0.0, 0.5], Input("t-z", "value"), fmt="point"),
            Field("n", lambda t: urlstate.parse_int(t, 0, 9), 3, Input("t-n", "value")),
            Field("on", parse_flag, False, Input("t-on", "value"), fmt="flag"),
        ],
        register=False,
    )


def test_initial_values_are_validated_and_fall_back_to_defaults():
    state = _state()
    assert state.initial({"model": "gan-2d", "z": "0.25,-1", "n": "7", "on": "1"}) == {
        "model": "gan-2d", "z": [0.25, -1.0], "n": 7, "on": True,
    }  # fmt: skip
    bad = state.initial({"z": "5,nan", "n": "12", "on": "yes", "other": "x"})
    assert bad == {"model": None, "z": [0.0, 0.5], "n": 3, "on": False}
    assert state.initial(None)["n"] == 3


def test_defaults_are_compared_as_the_page_writes_them():
    assert _js_default(Field("z", str, [0.0, 0.5, -0.126], None, fmt="point")) == "0,0.5,-0.13"
    assert _js_default(Field("via", str, [[1.0, 0.0]], None, fmt="points")) == "1,0"
    assert _js_default(Field("edits", str, [], None, fmt="json")) is None
    assert _js_default(Field("n", str, 8, None)) == "8"
    assert _js_default(Field("on", str, False, None, fmt="flag")) == "0"  # as the page writes it
    assert _js_default(Field("live", str, True, None, fmt="flag")) == "1"


def test_bad_descriptions_are_refused():
    with pytest.raises(ValueError, match="unknown URL format"):
        Field("z", str, None, None, fmt="yaml")
    with pytest.raises(ValueError, match="duplicate URL keys"):
        PageState("x", [Field("a", str, None, None), Field("a", str, None, None)], register=False)
