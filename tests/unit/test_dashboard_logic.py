"""Callback logic and figure builders, without a browser."""

import numpy as np
import pytest

from dashboard import figures
from dashboard.logic import PayloadError, parse_point, safe_label, selection_to_edit, user_error
from gan_core.checkpoints import CheckpointError
from gan_core.latent import ClassMap


def _cmap2d(n=5):
    classes = np.zeros((n, n), np.uint8)
    classes[n // 2 :, :] = 7
    probs = np.full((n, n, 10), 0.05, np.float32)
    axes = [np.linspace(-1, 1, n, dtype=np.float32)] * 2
    return ClassMap(classes, probs, axes)


def _cube(n=4):
    classes = np.arange(n**3).reshape(n, n, n) % 3
    return ClassMap(classes.astype(np.uint8), np.full((n, n, n, 10), 0.1, np.float32),
                    [np.linspace(-1, 1, n, dtype=np.float32)] * 3)  # fmt: skip


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


def test_user_errors_never_leak_internals():
    assert user_error(CheckpointError("missing file: x")) == "missing file: x"
    msg = user_error(RuntimeError("secret /path/trace"))
    assert "secret" not in msg and "RuntimeError" in msg


def test_map_figure_has_areas_marker_and_labels():
    fig = figures.class_map_figure(_cmap2d(), point=(0.25, -0.5))
    assert fig.data[0].type == "heatmap" and fig.data[1].x == (0.25,) and fig.data[1].y == (-0.5,)
    # heatmap rows are y: z is the transposed class array
    np.testing.assert_array_equal(np.asarray(fig.data[0].z), _cmap2d().classes.T)
    assert {a.text for a in fig.layout.annotations} == {"<b>0</b>", "<b>7</b>"}


def test_cube_figure_marker_first_and_slice_filter():
    cube = _cube()
    fig = figures.cube_figure(cube, point=(0.1, 0.2, 0.3))
    assert fig.data[0].name == "point" and fig.data[0].x == (0.1,)
    assert sum(len(t.x) for t in fig.data[1:]) == 64
    sliced = figures.cube_figure(cube, slice_axis=2, slice_index=1)
    assert sum(len(t.x) for t in sliced.data[1:]) == 16
    assert all(set(t.z) == {float(cube.axes[2][1])} for t in sliced.data[1:])
    only = figures.cube_figure(cube, only_classes=[2])
    assert [t.name for t in only.data[1:]] == ["2"]


def test_projections_pass_through_the_point():
    cube = _cube()
    slices = figures.projection_slices(cube, (1.0, -1.0, 1.0))
    np.testing.assert_array_equal(slices["xy"], cube.classes[:, :, 3].T)
    np.testing.assert_array_equal(slices["yz"], cube.classes[0, :, :].T)
    fig = figures.projections_figure(cube, (1.0, -1.0, 1.0))
    assert [len(fig.data), fig.data[1].x, fig.data[1].y] == [6, (1.0,), (-1.0,)]


def test_projection_key_changes_only_with_the_grid_cell_or_the_cube():
    import dataclasses
    import json

    from dashboard.logic import projection_key

    cube = _cube()  # 4 values per axis on [-1, 1]: cells change at -2/3, 0, 2/3
    key = projection_key("gan-3d", cube, (0.1, 0.2, 0.3))
    assert json.loads(json.dumps(key)) == key  # what the page's Store gives back
    assert projection_key("gan-3d", cube, (0.3, 0.1, 0.2)) == key  # same slices
    for moved in ((-0.1, 0.2, 0.3), (0.1, 0.7, 0.3), (0.1, 0.2, -0.3)):
        assert projection_key("gan-3d", cube, moved) != key, moved
    assert projection_key("gan-4d", cube, (0.1, 0.2, 0.3)) != key
    other_label = dataclasses.replace(cube, label=4)
    other_w = dataclasses.replace(cube, fixed=(0.5,))
    for other in (other_label, other_w):
        assert projection_key("gan-3d", other, (0.1, 0.2, 0.3)) != key


def test_clicks_move_the_coordinates_of_the_clicked_view():
    from dashboard.logic import clicked_point, projection_axes

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


def test_strip_probs_activations_and_layer_figures():
    strip = figures.strip_figure(np.zeros((5, 28, 28)), classes=[1, 1, 7, 7, 8], current=2)
    assert np.asarray(strip.data[0].z).shape == (28, 150) and len(strip.layout.shapes) == 1
    assert list(figures.probs_figure(np.eye(10)[3]).data[0].y) == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    acts = {"a": np.ones((7, 7, 4)), "b": np.ones((14, 14, 2))}
    assert len(figures.activations_figure(acts).data) == 2
    grid = figures.layer_figure(np.random.rand(14, 14, 64), "channels")
    z, chan = np.asarray(grid.data[0].z, dtype=float), np.asarray(grid.data[0].customdata)
    assert z.shape == (8 * 15, 8 * 15) and chan[0, 0] == 0 and chan[0, 15] == 1 and chan[15, 0] == 8


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


def test_morph_downloads_gif_mp4_and_json():
    import base64
    import json

    from dashboard.logic import morph_download

    result = {
        "images": np.zeros((5, 28, 28)).tolist(),
        "classes": [1] * 5,
        "model": "gan-2d",
        "sequence": [1],
    }
    gif = morph_download("morph-dl-gif", result, 8)
    assert (
        gif["filename"] == "morph-gan-2d.gif" and base64.b64decode(gif["content"])[:6] == b"GIF89a"
    )
    data = json.loads(base64.b64decode(morph_download("morph-dl-json", result, 8)["content"]))
    assert data["sequence"] == [1] and "images" not in data
    with pytest.raises(PayloadError):
        morph_download("morph-dl-gif", {"images": []}, 8)
    with pytest.raises(PayloadError):
        morph_download("morph-dl-gif", {"images": [[1, 2]]}, 8)
    # what the page shows when a download cannot be made: the reason, not a traceback
    with pytest.raises(PayloadError) as err:
        morph_download("morph-dl-gif", None, 8)
    assert user_error(err.value) == "no morph to download yet"
    nan = dict(result, images=np.full((5, 28, 28), np.nan).tolist())
    with pytest.raises(Exception) as err:
        morph_download("morph-dl-gif", nan, 8)
    assert "NaN" in user_error(err.value)


def test_uploads_are_decoded_checked_and_polarity_fixed():
    import base64
    import io

    from PIL import Image

    from dashboard.logic import decode_upload

    def data_url(img, fmt="PNG"):
        buf = io.BytesIO()
        img.save(buf, format=fmt)
        return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()

    dark_on_light = np.full((28, 28), 255, np.uint8)
    dark_on_light[10:18, 12:16] = 0
    arr = decode_upload(data_url(Image.fromarray(dark_on_light)))
    assert arr.shape == (28, 28) and arr[0, 0] == -1.0 and arr[12, 13] == 1.0
    with pytest.raises(PayloadError, match="28x28"):
        decode_upload(data_url(Image.new("L", (32, 32))))
    with pytest.raises(PayloadError, match="readable image"):
        decode_upload("data:image/png;base64," + base64.b64encode(b"not an image").decode())
    with pytest.raises(PayloadError):
        decode_upload("no comma here")


def test_metric_text_formats_what_a_table_shows():
    from dashboard.logic import metric_text

    m = {
        "strong_classifier_error_percent": 0.15,
        "strong_classifier_heldout_images": 4000,
        "classifier_fid": 86.0296,
        "classes_present": 10,
        "label_fidelity_percent": 67.31,
    }
    assert metric_text(m, "strong_classifier_error_percent") == "0.15% (6 of 4,000)"
    assert metric_text(m, "classifier_fid") == "86.0"
    assert metric_text(m, "classes_present") == "10"
    assert metric_text(m, "label_fidelity_percent") == "67.31%"
    # Older metrics without the held-out count, missing or malformed values.
    assert (
        metric_text({"strong_classifier_error_percent": 0.0}, "strong_classifier_error_percent")
        == "0%"
    )
    assert metric_text(m, "min_class_share_percent") == "–"
    assert metric_text(None, "classifier_fid") == "–"
    assert metric_text({"classifier_fid": "86"}, "classifier_fid") == "–"
    assert metric_text({"classes_present": True}, "classes_present") == "–"


def test_epochs_text_says_when_metrics_are_older_than_the_model():
    from dashboard.logic import epochs_text

    assert epochs_text(12, {"epochs_trained": 12}) == "12"
    assert epochs_text(13, {"epochs_trained": 12}) == "13 (metrics from epoch 12)"
    assert epochs_text(13, {}) == "13"
    assert epochs_text(13, None) == "13"


def test_home_models_table_flags_stale_metrics_and_rounds_fid():
    from dashboard.components.tables import models_table

    described = [
        {"id": "fresh", "latent_dim": 2, "conditional": False, "activation": "leaky_relu", "epochs": 12,
         "metrics": {"epochs_trained": 12, "classifier_fid": 195.7896, "strong_classifier_error_percent": 0.025,
                     "strong_classifier_heldout_images": 4000, "classes_present": 9,
                     "faint_pixel_percent": 1.234, "map_change_last_epoch_percent": 7.5}},
        {"id": "stale", "latent_dim": 3, "conditional": True, "activation": "relu", "epochs": 20,
         "metrics": {"epochs_trained": 12, "label_fidelity_percent": 67.31}},
        {"id": "broken", "error": "generator.keras is truncated"},
    ]  # fmt: skip

    def cells(component):
        if isinstance(component, (str, int, float)):
            return [str(component)]
        children = getattr(component, "children", None)
        if children is None:
            return []
        if not isinstance(children, (list, tuple)):
            children = [children]
        out = []
        for child in children:
            out.extend(cells(child))
        return out

    body = models_table(described).children[1].children
    fresh, stale, broken = (cells(row) for row in body)
    assert fresh == [
        "fresh",
        "2",
        "no",
        "LeakyReLU",
        "12",
        "0.025% (1 of 4,000)",
        "195.8",
        "9",
        "–",
        "1.234%",
        "7.5%",
    ]
    assert stale[4] == "20 (metrics from epoch 12)" and stale[-3] == "67.31%"
    assert stale[5] == "–" and stale[3] == "ReLU"
    assert broken == ["broken", "unusable: generator.keras is truncated"]


def test_explore_downloads_the_map_png_and_the_view_json(test_checkpoints, tmp_path):
    """The explorer's exports on real (small) models: the PNG is the map the engine made,
    the JSON carries the point, its digit and probabilities and the view."""
    import base64
    import io
    import json

    from PIL import Image

    from dashboard.logic import explore_download
    from gan_core import export
    from gan_core.explorer import LatentExplorer

    def explorer(model_id):
        return LatentExplorer.from_checkpoint(model_id, test_checkpoints, cache_dir=tmp_path / "c")

    e2 = explorer("gan-2d")
    png = explore_download("explore-dl-png", e2, [0.5, -0.5], None, None, "none", 0, 10, 4)
    assert png["filename"] == "gan-2d-map.png"
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(png["content"]))).convert("RGB"))
    assert img.shape == (40, 40, 3)  # a 10x10 grid at 4 px per point
    expected = export.class_map_rgb(e2.map_2d(10).classes, e2.map_2d(10).confidence)
    np.testing.assert_array_equal(img[::4, ::4], np.flipud(np.transpose(expected, (1, 0, 2))))

    e4 = explorer("gan-4d")
    png = explore_download("explore-dl-png", e4, [0, 0, 0, 0.9], None, None, "none", 0, 10, 4)
    assert png["filename"] == "gan-4d-cube.png"
    assert Image.open(io.BytesIO(base64.b64decode(png["content"]))).format == "PNG"

    ec = explorer("cgan-3d")
    out = explore_download("explore-dl-json", ec, [0.1, 0.2, 0.3], 4, 7, "2", 3, 10, 4)
    assert out["filename"] == "cgan-3d_+0.10_+0.20_+0.30.json"
    data = json.loads(base64.b64decode(out["content"]))
    probe = ec.probe_point([0.1, 0.2, 0.3], 4)
    assert data["model"] == "cgan-3d" and data["label"] == 4 and data["map_label"] == 7
    assert data["point"] == pytest.approx([0.1, 0.2, 0.3])
    assert data["slice"] == {"axis": "z", "index": 3} and data["digit"] == probe.digit
    assert sum(data["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    assert np.asarray(data["image"]).shape == (28, 28)
    png = explore_download("explore-dl-png", ec, [0.1, 0.2, 0.3], 4, 7, "none", 0, 10, 4)
    assert png["filename"] == "cgan-3d-cube-label7.png"

    with pytest.raises(PayloadError):
        explore_download("explore-dl-json", e2, [3.0, 0.0], None, None, "none", 0, 10, 4)
    with pytest.raises(PayloadError):
        explore_download("explore-dl-json", ec, [0.1, 0.2, 0.3], "x", 7, "none", 0, 10, 4)
    with pytest.raises(PayloadError):
        explore_download("explore-dl-zip", e2, [0.0, 0.0], None, None, "none", 0, 10, 4)


def test_convergence_text_names_the_last_map_change_and_the_faint_haze():
    import numpy as np

    from dashboard.logic import convergence_text

    metrics = {"faint_pixel_percent": 6.8, "real_faint_pixel_percent": 0.752}
    text = convergence_text(np.array([np.nan, 0.6, 0.084]), metrics)
    assert text == (
        "Class map changed 8.4% in the last epoch; faint pixels (grey 1-10 of 255) 6.8% of "
        "pixels, real MNIST 0.752%."
    )
    assert convergence_text(np.array([np.nan]), {}) == ""  # one epoch: nothing to compare
    assert convergence_text(None, metrics).startswith("Faint pixels")
