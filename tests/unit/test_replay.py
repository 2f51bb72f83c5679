"""Training replay: per-epoch records as the training view shows them."""

import numpy as np
import pytest

from gan_core.replay import load_replay

pytestmark = pytest.mark.slow


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
