"""What callbacks receive is validated: points, labels, clicks, boxes and uploads."""

import numpy as np
import pytest

from dashboard.payloads import (
    PayloadError,
    parse_point,
    record_fields,
    safe_label,
    selection_to_edit,
    values_and_label,
)


@pytest.mark.parametrize(
    ("payload", "message"),
    [("abc", "list"), ([0.1, "x"], "number"), ([0.1, float("nan")], "finite"), ([0.1, 3.0], "outside"),
     ([True, 0.0], "number"), ([0.0] * 100, "short list"), ([0.1], "missing"), ([0.1, 0.2, 0.3], "expected 2")],
)  # fmt: skip
def test_malformed_points_are_refused(payload, message):
    with pytest.raises(PayloadError, match=message):
        parse_point(payload, 2)


def test_valid_point_and_defaults():
    np.testing.assert_allclose(parse_point([0.5, -1], 2), [0.5, -1.0])
    np.testing.assert_allclose(parse_point([], 3, default=0.0), [0, 0, 0])


@pytest.mark.parametrize("bad", [None, -1, 10, 2.5, "3", True, float("inf")])
def test_labels_must_be_digits(bad):
    with pytest.raises(PayloadError):
        safe_label(bad)


def test_clicks_move_the_coordinates_of_the_clicked_view():
    from dashboard.payloads import clicked_point, projection_axes

    values = [0.1, 0.2, 0.3, 0.4]
    on_map = {"points": [{"x": 0.567, "y": -3.0, "curveNumber": 0}]}
    assert clicked_point(on_map, values[:2]) == [0.57, -1.0]  # clamped to the prior's box
    on_cube = {"points": [{"x": -0.5, "y": 0.25, "z": 0.75, "curveNumber": 4}]}
    assert clicked_point(on_cube, values, (0, 1, 2)) == [-0.5, 0.25, 0.75, 0.4]  # w stays
    # the projections figure: traces 2k / 2k+1 are face k = xy, xz, yz
    faces = [projection_axes({"points": [{"curveNumber": c}]}) for c in range(6)]
    assert faces == [(0, 1), (0, 1), (0, 2), (0, 2), (1, 2), (1, 2)]
    on_xz = {"points": [{"x": 0.9, "y": -0.9, "curveNumber": 2}]}
    assert clicked_point(on_xz, values[:3], projection_axes(on_xz)) == [0.9, 0.2, -0.9]
    for bad in (None, {}, {"points": []}, {"points": [{"x": "a", "y": 1}]},
                {"points": [{"x": float("nan"), "y": 0}]}, {"points": [{"x": 0}]}):  # fmt: skip
        assert clicked_point(bad, values) is None
    assert clicked_point(on_cube, values[:2], (0, 1, 2)) is None  # a 2D point has no z
    assert clicked_point(on_map, "xy") is None and clicked_point(on_map, None) is None
    for bad in (None, {"points": [{"curveNumber": 6}]}, {"points": [{"curveNumber": True}]},
                {"points": [{"curveNumber": "1"}]}, {"points": [{}]}):  # fmt: skip
        assert projection_axes(bad) is None


def test_a_stored_click_sets_only_its_coordinates():
    import json

    from dashboard.payloads import apply_click, click_coordinates

    on_cube = click_coordinates({"points": [{"x": -0.5, "y": 0.25, "z": 1.7}]}, (0, 1, 2))
    stored = json.loads(json.dumps(on_cube))  # as the page's Store gives it back
    assert apply_click(stored, [0.1, 0.2, 0.3, 0.4]) == [-0.5, 0.25, 1.0, 0.4]
    assert apply_click({"axes": [1, 2], "values": [0.5, -0.5]}, [0, 0, 0]) == [0, 0.5, -0.5]
    for bad in (None, {}, {"axes": [0], "values": []}, {"axes": [5], "values": [0.1]},
                {"axes": [-1], "values": [0.1]}, {"axes": ["a"], "values": [0.1]},
                {"axes": [0], "values": [float("nan")]}, "x"):  # fmt: skip
        assert apply_click(bad, [0.1, 0.2]) is None, bad
    assert apply_click(stored, None) is None and apply_click(stored, [0.1, 0.2]) is None


def test_clicks_and_boxes_become_edits():
    shape = (14, 14, 64)
    click = {"points": [{"x": 3, "y": 5}]}
    assert selection_to_edit(click, "conv2_act", "mean", "rows", 0, shape).indices == [5]
    assert selection_to_edit(click, "conv2_act", "mean", "columns", 0, shape).indices == [3]
    assert selection_to_edit(click, "conv2_act", "mean", "channels", 0, shape) is None
    tile = {"points": [{"x": 15 + 2, "y": 15 * 2 + 4, "customdata": 17}]}
    e = selection_to_edit(tile, "conv2_act", "channels", "units", 1.5, shape)
    assert (e.kind, e.indices, e.value) == ("units", [[4, 2, 17]], 1.5)
    assert selection_to_edit(tile, "conv2_act", "channels", "channels", 0, shape).indices == [17]
    box = {"range": {"x": [1.6, 4.2], "y": [0.4, 2.6]}}
    assert selection_to_edit(box, "conv2_act", "mean", "region", 0, shape).region == (1, 3, 2, 5)
    for junk in (None, "x", {"points": []}, {"points": [{"x": "a"}]}, {"range": {"x": "bad"}},
                 {"points": [{"x": 99, "y": 0}]}):  # fmt: skip
        assert selection_to_edit(junk, "conv2_act", "mean", "rows", 0, shape) is None
    with pytest.raises(PayloadError):
        selection_to_edit(click, "conv2_act", "mean", "rows", float("nan"), shape)


def test_uploads_are_decoded_checked_and_polarity_fixed():
    import base64
    import io

    from PIL import Image

    from dashboard.payloads import decode_upload

    def data_url(img, fmt="PNG"):
        buf = io.BytesIO()
        img.save(buf, format=fmt)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()

    dark_on_light = np.full((28, 28), 255, np.uint8)
    dark_on_light[10:18, 12:16] = 0
    arr = decode_upload(data_url(Image.fromarray(dark_on_light)))
    assert arr.shape == (28, 28) and arr[0, 0] == -1.0 and arr[12, 13] == 1.0
    with pytest.raises(PayloadError, match="28x28"):  # far from the model's proportions
        decode_upload(data_url(Image.new("L", (60, 20))))
    with pytest.raises(PayloadError, match="readable image"):
        decode_upload("data:image/png;base64," + base64.b64encode(b"not an image").decode())
    with pytest.raises(PayloadError):
        decode_upload("no comma here")


def test_a_point_record_gives_its_values_and_label():
    assert values_and_label({"values": [0.1, 0.2], "label": 3}) == ([0.1, 0.2], 3)
    assert values_and_label({"values": []}) == ([], None)  # sliders not rendered yet
    for bad in (None, [0.1, 0.2], {"values": "0.1,0.2"}, {"label": 3}):
        with pytest.raises(PayloadError, match="record"):
            values_and_label(bad)


def test_a_record_gives_its_fields_in_order():
    assert record_fields({"a": [0.1], "frames": 24}, ("a", "b", "frames")) == ([0.1], None, 24)
    for bad in (None, [1, 2], "a=1"):
        with pytest.raises(PayloadError, match="record"):
            record_fields(bad, ("a",))


def test_projection_points_follow_the_request_and_then_the_waiting_cubes():
    from dashboard.payloads import projection_points

    assert projection_points(["b"], None, polled=False) == ["b"]
    assert projection_points(None, ["a"], polled=False) == ["a", "b"]
    assert projection_points(["a", "x", 3], None, polled=False) == ["a"]
    assert projection_points(["a", "b"], ["b"], polled=True) == ["b"]
    assert projection_points(["a", "b"], None, polled=True) == []
    assert projection_points(["a"], ["c", "a"], polled=True) == ["a"]
