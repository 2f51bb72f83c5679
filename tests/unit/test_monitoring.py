"""The per-epoch monitors (gan_core.monitoring) on a stand-in run, and the monitor grid."""

from types import SimpleNamespace

import numpy as np
import pytest

from gan_core.history import load_history
from gan_core.monitoring import (
    ClassMaps,
    EpochMonitor,
    FixedNoiseSamples,
    LossRecords,
    TensorBoardLog,
    WeakClassifier,
    default_monitors,
    monitor_grid,
    run_monitors,
    to_uint8,
)
from gan_core.priors import NORMAL


@pytest.mark.parametrize(
    "dim, conditional, points, shape",
    [(2, False, None, (100, 100)), (3, False, None, (16, 16, 16)), (4, False, None, (8,) * 4),
     (3, True, None, (10, 8, 8, 8)), (3, True, 4, (10, 4, 4, 4)), (6, False, 5, (5, 5))],
)  # fmt: skip
def test_the_monitor_grid_of_each_kind_of_model(dim, conditional, points, shape):
    latents, labels, got, desc = monitor_grid(dim, conditional, points)
    assert got == shape and latents.shape == (int(np.prod(shape)), dim)
    assert (labels is not None) == conditional
    if conditional:
        assert desc.startswith("label") and list(np.unique(labels)) == list(range(10))
    if dim > 4:
        assert "random:0" in desc
        plane, _, _, _ = monitor_grid(dim, False, points, NORMAL)
        assert not np.allclose(plane, latents)  # the slice follows the prior
    else:
        assert np.abs(latents).max() == pytest.approx(1.0)


def test_images_become_grey_levels():
    images = np.array([-1.0, -1.0 + 2 / 255, 0.0, 1.0, 1.5], np.float32).reshape(1, 5, 1, 1)
    assert to_uint8(images).ravel().tolist() == [0, 1, 128, 255, 255]


def _run(tmp_path, weak_every=0):
    return SimpleNamespace(
        hist=tmp_path / "history",
        served_generator=lambda inputs, training=False: np.zeros((len(inputs), 28, 28, 1)),
        fixed_noise=np.zeros((36, 2), np.float32),
        fixed_labels=(np.arange(36) % 10).astype(np.int32),
        classifier=None,
        s=SimpleNamespace(conditional=False, weak_every=weak_every),
    )


def test_the_monitors_write_their_records_in_order(tmp_path):
    class Spy(EpochMonitor):
        def on_epoch_end(self, run, epoch, record, shared):
            record["saw_samples"] = shared["samples"].shape

    record = {"epoch": 1, "g_loss": 1.0, "d_loss": 2.0, "d_real_acc": 0.5, "d_fake_acc": 0.5,
              "seconds": 3.0}  # fmt: skip
    monitors = [FixedNoiseSamples(), ClassMaps(), WeakClassifier(), LossRecords(), Spy()]
    run = _run(tmp_path)
    run_monitors(monitors, run, 1, record)
    hist = load_history(tmp_path)
    assert hist["losses"][0]["g_loss"] == "1.0" and hist["class_maps"] is None
    assert hist["weak"] == [] and "map_classes_present" not in record  # no classifier
    assert hist["samples"]["images"].shape == (1, 36, 28, 28)
    assert int(hist["samples"]["images"].max()) == 128  # mid-grey zeros
    assert record["saw_samples"] == (36, 28, 28, 1)


def test_the_default_monitors_and_the_jax_runs_without_tensorboard():
    kinds = [type(m) for m in default_monitors()]
    assert kinds == [FixedNoiseSamples, ClassMaps, WeakClassifier, LossRecords, TensorBoardLog]
    assert TensorBoardLog not in [type(m) for m in default_monitors(tensorboard=False)]
