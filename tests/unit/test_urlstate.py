"""View state in the URL: round trips, and malformed values fall back to defaults."""

import pytest

from dashboard import urlstate


def test_points_round_trip():
    q = urlstate.query_string({"model": "gan-2d", "z": [0.5, -0.25]})
    assert q == "?model=gan-2d&z=0.5%2C-0.25"
    assert urlstate.point_from_text("0.5,-0.25", 2) == [0.5, -0.25]


@pytest.mark.parametrize("bad", ["", "a,b", "0.5", "2,0", "nan,0", "inf,0", None, "1," * 500])
def test_malformed_points_are_dropped(bad):
    assert urlstate.point_from_text(bad, 2) is None


def test_waypoints_and_edits_round_trip():
    via = [[0.1, 0.2], [-0.3, 0.4]]
    edits = [{"layer": "conv1_act", "kind": "rows", "indices": [2], "region": None, "value": 0.0}]
    q = urlstate.query_string({"via": via, "edits": edits})
    from urllib.parse import parse_qs

    parsed = {k: v[0] for k, v in parse_qs(q[1:]).items()}
    assert urlstate.points_from_text(parsed["via"]) == via
    assert urlstate.parse_edits(parsed["edits"]) == edits
    assert urlstate.parse_edits('[{"layer": 1}, "x", {"layer": "a", "kind": "rm -rf"}]') == []
    assert urlstate.parse_edits("{not json") == []


def test_ints_and_choices_are_range_checked():
    assert urlstate.parse_int("7", 0, 9) == 7
    assert urlstate.parse_int("12", 0, 9) is None and urlstate.parse_int("x", 0, 9) is None
    assert urlstate.parse_choice("slerp", ("linear", "slerp")) == "slerp"
    assert urlstate.parse_choice("cubic", ("linear", "slerp")) is None
    assert urlstate.or_default(0, 8) == 0 and urlstate.or_default(None, 8) == 8


def test_grid_indices_are_whole_numbers_and_few():
    assert urlstate.parse_indices("3,5", 2) == [3, 5] and urlstate.parse_indices("0", 2) == [0]
    for bad in ("3,5,1", "-1", "1.5", "a", "", "3,", None, 3, "9" * 50):
        assert urlstate.parse_indices(bad, 2) is None, bad


@pytest.mark.parametrize(
    "spec",
    ["random:7", "axes:3,41", "points:seed=1;seed=2;seed=3", "principal:0,1",
     "points:0;seed=1;seed=2", "random:0@v=" + ",".join(["0.125", "-1.5e-05"] * 50)],
)  # fmt: skip
def test_slice_specs_round_trip_through_the_url_to_the_same_plane(spec):
    from urllib.parse import parse_qs

    import numpy as np

    from gan_core.priors import NORMAL
    from gan_core.slices import parse_slice

    q = urlstate.query_string({"slice": spec, "z": [2.5, -1.75]})
    parsed = {k: v[0] for k, v in parse_qs(q[1:]).items()}
    back = urlstate.parse_spec(parsed["slice"])
    assert back == spec
    assert urlstate.point_from_text(parsed["z"], 2, bound=1e4) == [2.5, -1.75]
    if not spec.startswith("principal"):  # (that one needs the model: tests/unit/test_slices.py)
        a, b = parse_slice(spec, 100, NORMAL), parse_slice(back, 100, NORMAL)
        np.testing.assert_array_equal(a.origin, b.origin)
        np.testing.assert_array_equal(a.basis, b.basis)


@pytest.mark.parametrize("bad", [None, 7, "x" * 20_001, "random:1\nrandom:2"])
def test_a_malformed_slice_spec_in_the_url_is_dropped(bad):
    assert urlstate.parse_spec(bad) is None
