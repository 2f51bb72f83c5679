"""Pages above 4-D other than the explorer: the point /invert finds (its text, the plane
through it), /compare's shared plane, the training replay's slice maps, the explorer's
downloads on a plane."""

from __future__ import annotations

import base64
import json
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest

from dashboard import planes, slicing
from dashboard.payloads import PayloadError
from gan_core.priors import NORMAL, UNIFORM, Prior
from gan_core.slices import parse_slice
from tests.conftest import HIGH_D


# ---- /invert: the found point ------------------------------------------------------------
def test_a_small_models_point_reads_as_it_always_did():
    assert planes.point_summary([0.4, -0.25, 1.0], UNIFORM) == "(+0.40, -0.25, +1.00)"
    assert planes.full_point([0.4, -0.25]) == ""
    href = planes.explore_link("gan-3d", [0.123, -0.456, 0.9], None, False, UNIFORM)
    assert href == "/explore?model=gan-3d&z=0.12%2C-0.46%2C0.9"
    assert planes.explore_link("cgan-3d", [0.1, 0.2, 0.3], 4, True, UNIFORM) == (
        "/cgan?model=cgan-3d&z=0.1%2C0.2%2C0.3&label=4&map=4"
    )


def test_a_long_point_shows_its_first_coordinates_and_norm_and_copies_whole():
    z = np.random.default_rng(0).normal(size=100)
    text = planes.point_summary(z, NORMAL)
    assert text.startswith(f"({z[0]:+.2f}, {z[1]:+.2f}") and "… 92 more; 100-D)" in text
    assert text.count(",") == 8 + 1  # 8 coordinates shown, not 100
    lo, hi = NORMAL.norm_interval(100)
    assert f"|z| = {np.linalg.norm(z):.2f}" in text and f"{lo:.1f} to {hi:.1f}" in text
    copied = planes.full_point(z)
    np.testing.assert_allclose(slicing.parse_full_point(copied, 100), z, atol=1e-6)


def test_the_link_explores_the_plane_through_the_found_point():
    z = np.random.default_rng(1).normal(size=100)
    href = planes.explore_link(HIGH_D, z, None, False, NORMAL)
    parts = urlsplit(href)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert parts.path == "/explore" and query["model"] == HIGH_D and query["z"] == "0,0"
    assert query["slice"].startswith("random:0@v=")
    plane = parse_slice(query["slice"], 100, NORMAL)
    np.testing.assert_allclose(plane.origin, z, atol=1e-7)  # 9 significant digits
    np.testing.assert_allclose(plane.points(np.zeros(2)), z, atol=1e-6)  # t = (0, 0) is z
    default = parse_slice("random:0", 100, NORMAL)
    np.testing.assert_array_equal(plane.basis, default.basis)  # random:0's directions
    assert planes.found_plane(z, NORMAL).spec == query["slice"]
    with pytest.raises(PayloadError, match="no plane"):
        planes.plane_through(np.full(100, np.nan), NORMAL)


# ---- the search under a prior ------------------------------------------------------------
def test_start_points_follow_the_prior_and_keep_the_boxs_old_numbers():
    from gan_core.inversion import start_points

    old = np.random.default_rng(3).uniform(-0.9, 0.9, (16, 3)).astype(np.float32)
    np.testing.assert_array_equal(start_points(UNIFORM, 16, 3, np.random.default_rng(3)), old)
    box = start_points(Prior("uniform", 2.0), 500, 5, np.random.default_rng(0))
    assert np.abs(box).max() <= 1.8 and np.abs(box).max() > 1.7
    normal = start_points(NORMAL, 2000, 100, np.random.default_rng(0))
    norms = np.linalg.norm(normal, axis=1)
    assert abs(np.median(norms) - 10.0) < 0.2 and normal.dtype == np.float32


@pytest.mark.slow
def test_inversion_under_a_normal_prior_keeps_the_typical_norm(test_checkpoints):
    """On the 100-D model: no clipping to [-1, 1] (coordinates beyond it), the found z's
    norm in the prior's central 99%, while without the penalty it drifts off."""
    from gan_core.checkpoints import load_generator
    from gan_core.inversion import InversionError, invert_image
    from gan_core.priors import model_prior

    loaded = load_generator(HIGH_D, test_checkpoints)
    g, prior = loaded.generator, model_prior(loaded.config)
    assert prior.kind == "normal"
    z0 = prior.sample(1, 100, 5)
    target = np.asarray(g(z0, training=False))[0, ..., 0]
    result = invert_image(g, target, 100, steps=40, restarts=4, prior=prior)
    lo, hi = prior.norm_interval(100, 0.99)
    assert lo <= np.linalg.norm(result.z) <= hi and np.abs(result.z).max() > 1.0
    free = invert_image(g, target, 100, steps=40, restarts=4, prior=prior, norm_weight=0.0)
    assert abs(np.linalg.norm(result.z) - 10) < abs(np.linalg.norm(free.z) - 10)
    assert result.mse <= 1.1 * free.mse + 1e-3  # the penalty costs little reconstruction
    with pytest.raises(InversionError, match="prior"):
        invert_image(g, target, 100, steps=1, restarts=1, prior="cauchy")
    with pytest.raises(InversionError, match="norm weight"):
        invert_image(g, target, 100, steps=1, restarts=1, prior=prior, norm_weight=-1)


def test_a_box_prior_clips_to_its_box_and_the_studys_box_is_unchanged(test_checkpoints):
    from gan_core.checkpoints import load_generator
    from gan_core.inversion import invert_image

    g = load_generator("gan-2d", test_checkpoints).generator
    target = np.full((28, 28), 1.0, np.float32)  # unreachable: z runs into the box
    before = invert_image(g, target, 2, steps=30, restarts=4)
    same = invert_image(g, target, 2, steps=30, restarts=4, prior="uniform[-1,1]")
    np.testing.assert_array_equal(before.z, same.z)
    np.testing.assert_array_equal(before.loss_history, same.loss_history)
    wide = invert_image(g, target, 2, steps=30, restarts=4, prior=Prior("uniform", 0.5))
    assert np.abs(wide.z).max() <= 0.5


# ---- /compare ----------------------------------------------------------------------------
def _space(model_id, d, prior=NORMAL):
    return SimpleNamespace(
        model_id=model_id, latent_dim=d, prior=prior,
        latent_slice=lambda spec=None: parse_slice(spec or ("random:0" if d > 4 else "axes:0,1"),
                                                   d, prior),
    )  # fmt: skip


def test_two_models_share_a_plane_only_with_the_same_dimension_and_prior():
    assert planes.compare_plane(_space("a", 2, UNIFORM), _space("b", 4, UNIFORM)) is None
    plane = planes.compare_plane(_space("a", 100), _space("b", 100))
    assert plane.spec == "random:0" and (plane.lo, plane.hi) == (-3.0, 3.0)
    for left, right, said in (
        (_space("big", 100), _space("small", 3, UNIFORM), "small is 3-D"),
        (_space("big", 100), _space("other", 64), "other is 64-D"),
        (_space("big", 100), _space("box", 100, UNIFORM), "prior uniform[-1,1]"),
    ):
        with pytest.raises(PayloadError, match="same latent dimension and prior") as err:
            planes.compare_plane(left, right)
        assert said in str(err.value) and "big is 100-D with prior normal(0,1)" in str(err.value)


def test_the_compare_controls_change_kind_only_when_the_pair_does():
    small = planes.compare_controls(_space("a", 2, UNIFORM), _space("b", 3, UNIFORM), None)
    assert not small["changed"] and small["record"] is None and small["views"] == (None, None)
    big = planes.compare_controls(_space("a", 100), _space("b", 100), None)
    assert big["changed"] and big["record"]["spec"] == "random:0"
    assert (big["a"], big["b"], big["values"]) == ("-1,0", "1,0", None)
    assert big["title"] == "Slice coordinates (t0, t1)" and "[-3, 3]" in big["note"]
    assert big["views"][0]["spec"] == "random:0"
    again = planes.compare_controls(_space("a", 100), _space("b", 100), big["record"])
    assert not again["changed"]
    back = planes.compare_controls(_space("a", 3, UNIFORM), _space("b", 2, UNIFORM),
                                   big["record"])  # fmt: skip
    assert back["changed"] and (back["a"], back["b"]) == ("-1,0,0,0", "1,0,0,0")
    # a pair that cannot be compared: whole-space controls, each view on its own model
    odd = planes.compare_controls(_space("a", 100), _space("b", 3, UNIFORM), big["record"])
    assert odd["record"] is None and odd["views"][0]["spec"] == "random:0"
    assert odd["views"][1] is None and odd["note"] == ""
    # a shared URL's slice coordinates, for the models it named
    init = {"left": "a", "right": "b", "z": [2.5, -1.0, 0.0, 0.0], "a": "-2.5,1", "b": "7,0"}
    shared = planes.compare_controls(_space("a", 100), _space("b", 100), None, init)
    assert shared["values"] == [2.5, -1.0] and (shared["a"], shared["b"]) == ("-2.5,1", "1,0")
    other = planes.compare_controls(_space("c", 100), _space("b", 100), None, init)
    assert other["values"] is None


def test_path_ends_on_a_plane_are_two_slice_coordinates_in_its_range():
    plane = parse_slice("random:0", 100, NORMAL)
    np.testing.assert_array_equal(planes.plane_numbers("-2.5, 1", plane, "A"), [-2.5, 1.0])
    for bad in ("1,0,0,0", "4,0", "x", "", None, "nan,0"):
        with pytest.raises(PayloadError, match="A"):
            planes.plane_numbers(bad, plane, "A")
    assert planes.numbers_from_text("1e400,0") is None


# ---- /training: maps recorded on a slice --------------------------------------------------
def test_a_high_d_models_monitor_maps_are_drawn_on_their_slice(tmp_path):
    """A tiny history as the trainer writes it for the 100-D normal-prior model: the replay
    knows the plane and the figure has t0, t1 axes over its range, titled with the slice."""
    from dashboard import figures
    from gan_core.history import append_csv, append_npz
    from gan_core.monitoring import monitor_grid
    from gan_core.replay import load_replay, monitor_plane

    _, _, shape, desc = monitor_grid(100, False, 6, NORMAL)
    assert desc == "6^2 grid on [-3,3] of slice random:0"
    hist = tmp_path / HIGH_D / "history"
    for epoch in (1, 2):
        classes = (np.arange(36).reshape(shape) + epoch) % 10
        append_npz(hist, "class_maps.npz", epoch, classes=classes.astype(np.uint8),
                   static={"description": np.array(desc)})  # fmt: skip
        append_csv(hist, "losses.csv", {"epoch": epoch, "g_loss": 1.0, "d_loss": 0.5})
    replay = load_replay(tmp_path / HIGH_D)
    assert replay.map_plane == monitor_plane(desc)
    assert (replay.map_plane.spec, replay.map_plane.lo, replay.map_plane.hi) == ("random:0", -3, 3)
    assert replay.slice_sizes() == () and replay.map_at(2).shape == (6, 6)
    assert replay.map_view_text() == "slice random:0: t0, t1 in [-3, 3]"
    fig = figures.class_grid_figure(replay.map_at(2), "Class map after epoch 2 (slice random:0)",
                                    **replay.map_axes())  # fmt: skip
    heat = fig.data[0]
    assert list(heat.x) == pytest.approx(list(np.linspace(-3, 3, 6)))
    assert list(heat.y) == pytest.approx(list(np.linspace(-3, 3, 6)))
    assert fig.layout.xaxis.title.text == "t0" and fig.layout.yaxis.title.text == "t1"
    assert tuple(fig.layout.xaxis.range) == (-3, 3) and "t0=" in heat.hovertemplate
    np.testing.assert_array_equal(np.asarray(heat.z), replay.map_at(2).T)  # z[row=t1][col=t0]


def test_grids_on_the_box_keep_their_axes_and_bad_descriptions_are_no_plane():
    from gan_core.replay import monitor_plane

    assert monitor_plane("8^3 grid on [-1,1]") is None
    assert monitor_plane(None) is None and monitor_plane("6^2 grid on [3,-3] of slice x") is None
    plane = monitor_plane(np.array("50^2 grid on [-1.5,1.5] of slice random:7@v=1,2"))
    assert plane.spec == "random:7@v=1,2" and plane.n == 50 and plane.hi == 1.5
    from gan_core.replay import TrainingReplay

    e = np.array([1], np.int32)
    flat = TrainingReplay(e, e * 0.0, e * 0.0, e[:0], e[:0] * 0.0, e, np.zeros((1, 36, 28, 28)),
                          e, np.zeros((1, 5, 5), np.uint8), np.array([np.nan]))  # fmt: skip
    axes = flat.map_axes()
    assert axes["names"] == ("x", "y") and axes["axes"][0][0] == -1.0


# ---- the explorer's downloads on a plane ---------------------------------------------------
def test_explore_downloads_the_plane_map_and_the_slice_in_the_json(test_checkpoints, tmp_path):
    import io

    from PIL import Image

    from dashboard.downloads import explore_download
    from gan_core import export
    from gan_core.explorer import LatentExplorer

    e = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache_dir=tmp_path / "c")
    plane = e.latent_slice("random:3")
    record = slicing.slice_record(plane)
    png = explore_download("explore-dl-png", e, [0.5, -1.5], None, None, "none", 0, 8, 4, record)
    assert png["filename"] == f"{HIGH_D}-slice.png"
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(png["content"]))).convert("RGB"))
    cmap = e.slice_map(plane, 8)
    expected = export.class_map_rgb(cmap.classes, cmap.confidence)
    np.testing.assert_array_equal(img[::4, ::4], np.flipud(np.transpose(expected, (1, 0, 2))))

    out = explore_download("explore-dl-json", e, [0.5, -1.5], None, None, "none", 0, 8, 4, record)
    assert out["filename"] == f"{HIGH_D}_t+0.50_-1.50.json"
    data = json.loads(base64.b64decode(out["content"]))
    assert data["slice"]["spec"] == "random:3" and data["slice"]["range"] == [-3.0, 3.0]
    np.testing.assert_allclose(data["slice"]["origin"], plane.origin)
    np.testing.assert_allclose(data["slice"]["basis"], plane.basis)
    assert data["t"] == [0.5, -1.5] and data["latent_dim"] == 100
    np.testing.assert_allclose(data["point"], plane.points(np.array([0.5, -1.5])), atol=1e-6)
    assert data["digit"] == e.probe_point(plane.points(np.array([0.5, -1.5]))).digit

    with pytest.raises(PayloadError, match="no slice chosen"):
        explore_download("explore-dl-json", e, [0.5, -1.5], None, None, "none", 0, 8, 4)
    with pytest.raises(PayloadError):  # outside the plane's range
        explore_download("explore-dl-json", e, [3.5, 0], None, None, "none", 0, 8, 4, record)
    with pytest.raises(PayloadError, match="slice"):  # a record is re-derived from its spec
        bad = dict(record, spec="random:x")
        explore_download("explore-dl-json", e, [0, 0], None, None, "none", 0, 8, 4, bad)


def test_the_map_change_figure_of_a_history_without_samples():
    """Maps recorded without fixed-noise samples: the change curve alone, no right axis."""
    from dashboard import figures
    from gan_core.replay import TrainingReplay

    e = np.array([1, 2], np.int32)
    maps = np.zeros((2, 4, 4), np.uint8)
    replay = TrainingReplay(e, e * 0.0, e * 0.0, e[:0], e[:0] * 0.0, e[:0],
                            np.zeros((0, 36, 28, 28)), e, maps, np.array([np.nan, 0.0]))  # fmt: skip
    fig = figures.map_change_figure(replay, 2, 0)
    assert len(fig.data) == 1 and fig.layout.margin.r == 10
