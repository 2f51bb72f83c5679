"""Training replay: per-epoch records as the training view shows them."""

import numpy as np
import pytest

from gan_core.replay import load_replay


@pytest.mark.slow
def test_replay_has_every_epoch(test_checkpoints, trained_model):
    replay = load_replay(test_checkpoints / trained_model)
    assert list(replay.epochs) == [1, 2, 3] and replay.last_epoch == 3
    assert list(replay.weak_epochs) == [2]
    for epoch in (1, 2, 3):
        assert replay.samples_at(epoch).shape == (36, 28, 28)
        assert replay.map_at(epoch).shape == (8, 8)
    assert np.isnan(replay.map_change[0]) and 0.0 <= replay.map_change[2] <= 1.0
    # an epoch past the end shows the last one
    np.testing.assert_array_equal(replay.samples_at(99), replay.samples[-1])


def test_replay_of_a_model_without_history_is_empty(test_checkpoints):
    replay = load_replay(test_checkpoints / "gan-3d")
    assert replay.last_epoch == 0 and replay.samples_at(1) is None and replay.map_at(1) is None


def test_map_views_for_cube_4d_and_cgan_grids():
    from gan_core.replay import TrainingReplay

    def replay_with(maps):
        e = np.array([1], np.int32)
        return TrainingReplay(e, e * 0.0, e * 0.0, e[:0], e[:0] * 0.0, e, np.zeros((1, 36, 28, 28), np.uint8),
                              e, maps, np.array([np.nan]))  # fmt: skip

    cube = np.arange(4 * 4 * 4).reshape(1, 4, 4, 4) % 10
    np.testing.assert_array_equal(replay_with(cube).map_at(1), cube[0, :, :, 2])
    four = np.arange(4**4).reshape(1, 4, 4, 4, 4) % 10
    np.testing.assert_array_equal(replay_with(four).map_at(1, w_index=3), four[0, :, :, 2, 3])
    cgan = np.arange(10 * 27).reshape(1, 10, 3, 3, 3) % 10
    np.testing.assert_array_equal(replay_with(cgan).map_at(1, label=7), cgan[0, 7, :, :, 1])
    # what the title says is shown: the slice nearest 0 of grids spanning [-1, 1]
    assert replay_with(cube).map_view_text() == "slice z = +0.33"  # linspace(-1, 1, 4)[2]
    assert replay_with(four).map_view_text() == "slice z = +0.33, w = +0.33"
    assert replay_with(cgan).map_view_text(7) == "label 7, slice z = +0.00"
    assert replay_with(np.zeros((1, 5, 5), np.uint8)).map_view_text() == ""
    # any slice can be picked, and the title names it
    np.testing.assert_array_equal(replay_with(cube).map_at(1, z_index=0), cube[0, :, :, 0])
    np.testing.assert_array_equal(replay_with(four).map_at(1, 0, 1, 3), four[0, :, :, 1, 3])
    np.testing.assert_array_equal(replay_with(cgan).map_at(1, 7, 2), cgan[0, 7, :, :, 2])
    assert replay_with(cube).map_view_text(0, 0) == "slice z = -1.00"
    assert replay_with(four).map_view_text(0, 3, 0) == "slice z = +1.00, w = -1.00"
    assert replay_with(cgan).map_view_text(7, 2) == "label 7, slice z = +1.00"
    sizes = [replay_with(m).slice_sizes() for m in (cube, four, cgan, np.zeros((1, 5, 5)))]
    assert sizes == [(4,), (4, 4), (3,), ()]


@pytest.mark.parametrize("bad", [4, -1, 1.5, float("nan"), "1", True])
def test_a_slice_outside_the_grid_is_refused_with_its_range(bad):
    from gan_core.latent import LatentInputError
    from gan_core.replay import TrainingReplay

    e = np.array([1], np.int32)
    cube = np.zeros((1, 4, 4, 4), np.uint8)
    replay = TrainingReplay(e, e * 0.0, e * 0.0, e[:0], e[:0] * 0.0, e,
                            np.zeros((1, 36, 28, 28), np.uint8), e, cube, np.array([np.nan]))  # fmt: skip
    with pytest.raises(LatentInputError, match=r"z slice .* grid index 0\.\.3"):
        replay.map_at(1, z_index=bad)
    with pytest.raises(LatentInputError, match="z slice"):
        replay.map_view_text(0, bad)
    assert replay.map_at(1, z_index=3.0).shape == (4, 4)  # a whole number sent as a float


def test_grid_label_fidelity_counts_each_labels_own_class():
    from gan_core.replay import grid_label_fidelity

    maps = np.zeros((2, 10, 2, 2, 2), np.uint8)  # epoch 1: every cube shows 0
    maps[1] = np.arange(10)[:, None, None, None]  # epoch 2: every cube shows its label ...
    maps[1, 3, 0] = 8  # ... except half of label 3's
    fid = grid_label_fidelity(maps)
    np.testing.assert_allclose(fid[0], [1.0] + [0.0] * 9)
    np.testing.assert_allclose(fid[1], [1, 1, 1, 0.5, 1, 1, 1, 1, 1, 1])
    with pytest.raises(ValueError, match="10 labels"):
        grid_label_fidelity(np.zeros((2, 8, 8, 8), np.uint8))


@pytest.mark.slow
def test_cgan_replay_label_fidelity_matches_the_generator(tmp_path, small_mnist, classifier):
    """Train a tiny CGAN for real; its replay's per-label fidelity is what the saved
    generator and the digit classifier give on the monitor grid."""
    import keras

    from dashboard import figures
    from gan_core.classifier import classify
    from gan_core.monitoring import monitor_grid
    from gan_core.training import GanTrainer, TrainSettings
    from tests.conftest import copy_classifier

    copy_classifier(tmp_path)
    settings = TrainSettings(model_id="tiny-cgan", latent_dim=3, conditional=True, batch_size=64,
                             limit_images=256, bn_samples=1024, weak_every=0, map_points=4, root=str(tmp_path))  # fmt: skip
    GanTrainer(settings, small_mnist, classifier).train(2, progress=False)
    replay = load_replay(tmp_path / "tiny-cgan")
    assert replay.label_fidelity.shape == (2, 10)
    latents, labels, _, _ = monitor_grid(3, True, 4)
    g = keras.saving.load_model(tmp_path / "tiny-cgan" / "generator.keras", safe_mode=True)
    images = np.asarray(g([latents, labels[:, None]], training=False))
    pred = classify(classifier, images).argmax(1)
    expected = [(pred[labels == k] == k).mean() for k in range(10)]
    np.testing.assert_allclose(replay.label_fidelity[-1], expected, atol=2 / 64)
    fig = figures.map_change_figure(replay, 2, label=4)
    assert [t.name for t in fig.data] == [
        "map changed",
        "faint pixels (real MNIST 0.75%)",
        "label fidelity (all labels)",
        "label fidelity (4)",
    ]
    np.testing.assert_allclose(fig.data[3].y, 100 * replay.label_fidelity[:, 4])


@pytest.mark.slow
def test_unconditional_replay_has_no_label_fidelity(test_checkpoints, trained_model):
    from dashboard import figures

    replay = load_replay(test_checkpoints / trained_model)
    assert replay.label_fidelity.shape == (0, 10)
    names = [t.name for t in figures.map_change_figure(replay, 1).data]
    assert names == ["map changed", "faint pixels (real MNIST 0.75%)"]


@pytest.mark.slow
def test_replay_faint_pixels_are_the_fixed_noise_images_haze(test_checkpoints, trained_model):
    """Each epoch's faint share is what the saved generator's fixed-noise images measure."""
    import keras

    from dashboard import figures
    from gan_core.evaluation import faint_pixel_share
    from gan_core.grids import generate_images

    folder = test_checkpoints / trained_model
    replay = load_replay(folder)
    assert replay.faint_pixels.shape == (3,) and (replay.faint_pixels >= 0).all()
    with np.load(folder / "history" / "samples.npz") as f:
        noise = f["noise"]
    g = keras.saving.load_model(folder / "generator.keras", safe_mode=True)
    expected = faint_pixel_share(generate_images(g, noise))
    assert abs(replay.faint_pixels[-1] - expected) < 0.05
    fig = figures.map_change_figure(replay, 3)
    np.testing.assert_allclose(fig.data[1].y, replay.faint_pixels)
    np.testing.assert_array_equal(fig.data[1].x, replay.sample_epochs)


def test_faint_level_share_counts_levels_1_to_10():
    from gan_core.evaluation import faint_level_share, faint_pixel_share

    assert faint_level_share(np.array([0, 1, 10, 11, 255], np.uint8)) == 40.0
    # the same count as on images in [-1, 1]: level k is -1 + k / 127.5
    levels = np.arange(256)
    assert faint_pixel_share(-1 + levels / 127.5) == faint_level_share(levels)
    with pytest.raises(ValueError, match="no pixels"):
        faint_level_share(np.zeros(0))


def test_slice_sliders_start_at_the_middle_and_mark_coordinates():
    from dashboard.components import slice_slider_props

    assert slice_slider_props(16) == (15, 8, {0: "-1.00", 8: "+0.07", 15: "+1.00"}, False)
    assert slice_slider_props(3) == (2, 1, {0: "-1.00", 1: "+0.00", 2: "+1.00"}, False)
    assert slice_slider_props(0) == (1, None, {}, True)  # no such axis: hidden, no value
    # a slice from a shared URL when it is on the grid, else the middle
    assert slice_slider_props(16, 3)[1] == 3 and slice_slider_props(16, 0)[1] == 0
    for off_grid in (16, -1, 2.0, True, "3", None):
        assert slice_slider_props(16, off_grid)[1] == 8


def test_slice_outputs_answer_every_slider_the_page_holds():
    from dashboard.components import slice_outputs

    def component(axis):
        return {"id": {"type": "train-slice", "axis": axis}, "property": "max"}

    page = [[component("z"), component("w")] for _ in range(4)]
    maxes, values, marks, hidden = slice_outputs({"z": 16}, page)  # a 3D model
    assert maxes == [15, 1] and values == [8, None] and hidden == [False, True]
    assert marks[0][15] == "+1.00" and marks[1] == {}
    _, values, _, _ = slice_outputs({"z": 16, "w": 16}, page, {"z": 2, "w": 99})
    assert values == [2, 8]  # w's pick is off the grid
    # however many components a request names, each gets an answer; unknown axes hide
    odd = [[component("z"), component("q"), component(["z"]), {"id": "x"}]] * 4
    maxes, values, marks, hidden = slice_outputs({"z": 4, "w": 4}, odd)
    assert maxes == [3, 1, 1, 1] and hidden == [False, True, True, True]
    assert slice_outputs({"z": 4}, [[], [], [], []]) == [[], [], [], []]
