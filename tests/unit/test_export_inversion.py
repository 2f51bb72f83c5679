"""Exports (GIF, MP4, PNG, JSON), latent inversion and the map-change signal."""

import io
import json

import numpy as np
import pytest
from PIL import Image

from gan_core import export
from gan_core.history import map_change_fraction
from gan_core.inversion import InversionError, invert_image, prepare_target


def _frames(n=5):
    return np.linspace(-1, 1, n * 28 * 28, dtype=np.float32).reshape(n, 28, 28)


def test_gif_has_one_frame_per_image_and_the_scaled_size():
    data = export.frames_to_gif(_frames(5), scale=3, fps=10, progress_bar=False)
    img = Image.open(io.BytesIO(data))
    assert img.format == "GIF" and img.size == (84, 84) and img.n_frames == 5


def test_gif_keeps_identical_frames_apart_with_a_progress_bar():
    data = export.frames_to_gif(np.zeros((6, 28, 28), np.float32), scale=2)
    img = Image.open(io.BytesIO(data))
    assert img.n_frames == 6 and img.size == (56, 58)
    img.seek(2)
    bar = np.asarray(img.convert("L"))[-1]
    assert (bar > 0).sum() == round(3 / 6 * 56)


def test_gif_refuses_bad_frames():
    with pytest.raises(export.ExportError, match="NaN"):
        export.frames_to_gif(np.full((2, 28, 28), np.nan, np.float32))
    with pytest.raises(export.ExportError, match="non-empty"):
        export.frames_to_gif(np.zeros((0, 28, 28), np.float32))


@pytest.mark.skipif(not export.mp4_available(), reason="imageio-ffmpeg not installed")
def test_mp4_is_a_real_video_with_all_frames(tmp_path):
    import imageio.v2 as imageio

    path = tmp_path / "m.mp4"
    data = export.frames_to_mp4(_frames(6), path=path, scale=4, fps=6)
    assert data[4:8] == b"ftyp" and path.read_bytes() == data
    reader = imageio.get_reader(path)
    frames = [f for f in reader]
    reader.close()
    assert len(frames) == 6 and frames[0].shape[:2] == (112, 112)


def test_class_map_png_colours_each_digit_and_orients_y_up():
    classes = np.zeros((4, 4), int)
    classes[:, 3] = 7  # top row on screen (y = hi)
    png = Image.open(io.BytesIO(export.class_map_png(classes, scale=1)))
    arr = np.asarray(png)
    assert png.size == (4, 4)
    assert tuple(arr[0, 0]) == export._hex_to_rgb(export.DIGIT_COLORS[7])
    assert tuple(arr[3, 0]) == export._hex_to_rgb(export.DIGIT_COLORS[0])


def test_cube_png_tiles_every_slice():
    png = Image.open(io.BytesIO(export.cube_png(np.zeros((4, 4, 9), int), scale=1)))
    assert png.size == (3 * 6, 3 * 6)


def test_state_json_turns_arrays_into_lists_and_nan_into_null():
    out = json.loads(
        export.state_json({"z": np.array([0.5, -1.0]), "p": float("nan"), "n": np.int64(3)})
    )
    assert out == {"z": [0.5, -1.0], "p": None, "n": 3}


def test_map_change_fraction_counts_changed_points():
    maps = np.array([[[0, 0], [0, 0]], [[0, 1], [0, 0]], [[0, 1], [0, 0]]])
    change = map_change_fraction(maps)
    assert np.isnan(change[0]) and change[1] == 0.25 and change[2] == 0.0


def test_prepare_target_accepts_uint8_unit_and_tanh_ranges():
    assert prepare_target(np.full((28, 28), 255, np.uint8)).max() == 1.0
    assert prepare_target(np.full((28, 28, 1), 0.5, np.float32)).max() == 0.0
    with pytest.raises(InversionError, match="28x28"):
        prepare_target(np.zeros((32, 32)))
    with pytest.raises(InversionError, match="NaN"):
        prepare_target(np.full((28, 28), np.nan))


@pytest.mark.slow
def test_inversion_recovers_a_generated_point(test_checkpoints):
    """The image of a known z is inverted back to a z whose image is within 1e-3 MSE."""
    from gan_core.checkpoints import load_generator

    g = load_generator("gan-2d", test_checkpoints).generator
    z0 = np.array([[0.3, -0.6]], np.float32)
    target = np.asarray(g(z0, training=False))[0, ..., 0]
    result = invert_image(g, target, 2, steps=150, restarts=8)
    assert result.mse < 1e-3
    assert np.all(np.abs(result.z) <= 1.0)
    np.testing.assert_allclose(result.z, z0[0], atol=0.05)
    # ...and that is not because every point looks alike: random points are far worse.
    others = np.random.default_rng(0).uniform(-1, 1, (32, 2)).astype(np.float32)
    random_mse = np.mean((np.asarray(g(others, training=False))[..., 0] - target) ** 2, axis=(1, 2))
    assert result.mse < 0.01 * np.median(random_mse)
    assert result.loss_history[-1] <= result.loss_history[0]


@pytest.mark.slow
def test_inversion_of_a_conditional_generator_keeps_the_label(test_checkpoints):
    from gan_core.checkpoints import load_generator

    g = load_generator("cgan-3d", test_checkpoints).generator
    z0 = np.array([[0.2, 0.5, -0.4]], np.float32)
    target = np.asarray(g([z0, np.array([[4]])], training=False))[0, ..., 0]
    result = invert_image(g, target, 3, label=4, steps=150, restarts=8)
    assert result.mse < 1e-2


@pytest.mark.slow
def test_a_label_search_finds_the_label_that_made_the_image():
    """On the bundled (trained) CGAN: the label that generated an image reproduces it, and
    the labels reported as just as good really are (the study's Embedding x noise lets
    several labels reach the same generator input)."""
    from gan_core.checkpoints import load_generator
    from tests.conftest import BUNDLED

    g = load_generator("cgan-3d", BUNDLED).generator
    for label, z0 in ((7, (-0.3, 0.8, 0.4)), (2, (0.5, 0.5, -0.6))):
        target = np.asarray(g([np.array([z0], np.float32), np.array([[label]])], training=False))
        result = invert_image(g, target[0, ..., 0], 3, label=list(range(10)), steps=150, restarts=4)
        assert result.mse < 1e-3 and sorted(result.label_mse) == list(range(10))
        assert result.label_mse[label] < 1e-3  # the true label reproduces the image
        winners = {result.label, *result.equally_good_labels()}
        assert label in winners and len(winners) < 10
        for other in set(range(10)) - winners:
            assert result.label_mse[other] > result.mse + 1e-4
        # the reported point and label really make the reported image
        again = g([result.z[None].astype(np.float32), np.array([[result.label]])], training=False)
        np.testing.assert_allclose(np.asarray(again)[0, ..., 0], result.image, atol=1e-5)


def test_label_search_arguments_are_checked(test_checkpoints):
    from gan_core.checkpoints import load_generator

    g = load_generator("cgan-3d", test_checkpoints).generator
    target = np.zeros((28, 28), np.float32)
    for bad in ([], [3, 10], [True], ["1"]):
        with pytest.raises(InversionError, match="digits"):
            invert_image(g, target, 3, label=bad, steps=1, restarts=1)
    with pytest.raises(InversionError, match="starts"):
        invert_image(g, target, 3, label=list(range(10)), steps=1, restarts=26)
