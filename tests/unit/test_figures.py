"""Values the drag callbacks send: rounded for the wire, faithful for the eye."""

import json

import numpy as np
import pytest

from dashboard import figures
from gan_core.latent import ClassMap


def test_image_values_are_rounded_to_three_decimals():
    rng = np.random.default_rng(0)
    image = np.tanh(rng.normal(size=(28, 28))).astype(np.float32)
    sent = figures.image_values(image)
    assert np.asarray(sent).shape == (28, 28)
    assert np.abs(np.asarray(sent) - image).max() <= 5e-4 + 1e-7
    assert len(json.dumps(sent)) < 0.5 * len(json.dumps(image.tolist()))


def test_heatmap_values_keep_three_significant_digits_at_every_scale():
    values = np.array([[1.23456e-4, -0.0456789, 7.891234], [123.456, 0.0, -9.87654e-6]])
    sent = np.asarray(figures.heatmap_values(values))
    np.testing.assert_allclose(sent, [[1.23e-4, -0.0457, 7.89], [123.0, 0.0, -9.88e-6]], rtol=1e-9)
    assert sent.shape == values.shape


def test_heatmap_values_replace_nan_and_inf_with_zero():
    sent = figures.heatmap_values(np.array([np.nan, np.inf, -np.inf, 2.0]))
    assert sent == [0.0, 0.0, 0.0, 2.0]
    json.dumps(sent, allow_nan=False)  # valid JSON for the browser


def test_rounded_values_have_short_json_representations():
    rng = np.random.default_rng(1)
    act = (rng.normal(size=(14, 14)) * 0.01).astype(np.float32)
    text = json.dumps(figures.heatmap_values(act))
    assert len(text) < 0.5 * len(json.dumps(act.tolist()))
    assert max(len(tok) for tok in text.replace("[", "").replace("]", "").split(",")) <= 12


def test_explore_map_marker_lives_in_the_layout():
    from gan_core.latent import ClassMap

    n = 6
    cmap = ClassMap(np.zeros((n, n), np.uint8), np.full((n, n, 10), 0.1, np.float32),
                    [np.linspace(-1, 1, n, dtype=np.float32)] * 2)  # fmt: skip
    fig = figures.class_map_figure(cmap, (0.25, -0.5), marker_as="shapes")
    assert [t.type for t in fig.data] == ["heatmap"]
    layout = fig.to_plotly_json()["layout"]
    assert figures.marker_position(layout) == pytest.approx((0.25, -0.5))
    moved = figures.marker_shapes((-1.0, 1.0))
    assert figures.marker_position({"shapes": moved}) == pytest.approx((-1.0, 1.0))
    assert {s["line"]["color"] for s in moved} == {"black", "white"}
    # The default keeps the marker as trace 1 for views that add traces after it.
    assert figures.class_map_figure(cmap, (0.25, -0.5)).data[1].x == (0.25,)
    assert figures.marker_position({}) is None


def test_morph_strip_travels_as_8_bit_grey_levels():
    import plotly

    images = np.stack([np.full((28, 28), v, np.float32) for v in (-1.0, 0.0, 1.0)])
    fig = figures.strip_figure(images, classes=[1, 1, 7], current=1)
    z = np.asarray(fig.data[0].z)
    assert z.dtype == np.uint8 and z.shape == (28, 90)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 255)
    assert [z[0, 0], z[0, 30], z[0, 60], z[0, 28]] == [0, 128, 255, 0]  # frames, then a gap
    as_json = json.dumps(fig, cls=plotly.utils.PlotlyJSONEncoder)
    assert '"dtype":"u1"' in as_json.replace(" ", "")


def test_rounded_float32_images_do_not_carry_float32_noise():
    image = np.full((2, 2), 0.123456, np.float32)
    assert json.dumps(figures.image_values(image)) == "[[0.123, 0.123], [0.123, 0.123]]"


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


def test_strip_probs_activations_and_layer_figures():
    strip = figures.strip_figure(np.zeros((5, 28, 28)), classes=[1, 1, 7, 7, 8], current=2)
    assert np.asarray(strip.data[0].z).shape == (28, 150) and len(strip.layout.shapes) == 1
    assert list(figures.probs_figure(np.eye(10)[3]).data[0].y) == [0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
    acts = {"a": np.ones((7, 7, 4)), "b": np.ones((14, 14, 2))}
    assert len(figures.activations_figure(acts).data) == 2
    grid = figures.layer_figure(np.random.rand(14, 14, 64), "channels")
    z, chan = np.asarray(grid.data[0].z, dtype=float), np.asarray(grid.data[0].customdata)
    assert z.shape == (8 * 15, 8 * 15) and chan[0, 0] == 0 and chan[0, 15] == 1 and chan[15, 0] == 8
