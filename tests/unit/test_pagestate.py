"""Page state: one description gives validated initial values and the URL writer's spec."""

import pytest
from dash import Input

from dashboard import urlstate
from dashboard.pagestate import (
    Field,
    PageState,
    _js_default,
    parse_flag,
    restored_point,
    restored_points,
)


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
    assert _js_default(Field("slice", str, None, None, fmt="indices")) is None  # always written


def test_bad_descriptions_are_refused():
    with pytest.raises(ValueError, match="unknown URL format"):
        Field("z", str, None, None, fmt="yaml")
    with pytest.raises(ValueError, match="duplicate URL keys"):
        PageState("x", [Field("a", str, None, None), Field("a", str, None, None)], register=False)


def test_sliders_restore_a_shared_point_only_for_its_own_model():
    state = _state()
    init = state.initial({"model": "gan-3d", "z": "0.25,-1,0.1"})
    assert restored_point(init, "z", 3, "gan-3d") == [0.25, -1.0, 0.1]
    assert restored_point(init, "z", 3, "gan-2d") is None  # the URL was for another model
    assert restored_point(init, "z", 2, "gan-3d") is None  # wrong number of coordinates
    assert restored_point(init, "z", 3) == [0.25, -1.0, 0.1]  # a page without a model field
    assert restored_point({"z": [0.5, float("nan")]}, "z", 2) is None
    assert restored_point({"z": [0.5, True]}, "z", 2) is None
    assert restored_point({"z": [0.5, 1.5]}, "z", 2) is None
    assert restored_point(None, "z", 2) is None
    assert restored_point({"z": [0.1 + 0.2, 0]}, "z", 2) == [0.3, 0.0]  # no float artefacts


def test_waypoints_keep_the_valid_points_up_to_a_limit():
    init = {"model": "m", "via": [[0.1, 0.2], [2.0, 0.0], "x", [0.3, -0.3]] + [[0, 0]] * 100}
    assert restored_points(init, "via", 2, "m")[:2] == [[0.1, 0.2], [0.3, -0.3]]
    assert (
        len(restored_points(init, "via", 2, "m")) == 64 - 2
    )  # the first 64 read, 2 malformed dropped
    assert restored_points(init, "via", 2, "other") == []
    assert restored_points({"model": "m", "via": "1,2"}, "via", 2, "m") == []
