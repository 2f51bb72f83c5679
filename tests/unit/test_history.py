"""A run's per-epoch history files (gan_core.history): append, replace, truncate, read."""

import numpy as np
import pytest

from gan_core.checkpoints import CheckpointError
from gan_core.history import (
    append_csv,
    append_npz,
    load_history,
    read_csv,
    saved_map_points,
    truncate_history,
)


def test_an_epoch_written_again_replaces_itself_and_every_later_one(tmp_path):
    for epoch in (1, 2, 3):
        append_csv(tmp_path, "losses.csv", {"epoch": epoch, "g_loss": epoch / 10})
    append_csv(tmp_path, "losses.csv", {"epoch": 2, "g_loss": 9.0})  # a resume redoing epoch 2
    assert [(r["epoch"], r["g_loss"]) for r in read_csv(tmp_path / "losses.csv")] == [
        ("1", "0.1"), ("2", "9.0"),
    ]  # fmt: skip
    noise = np.arange(4.0)
    for epoch in (1, 2, 3):
        append_npz(tmp_path, "samples.npz", epoch, images=np.full((2, 2), epoch, np.uint8),
                   static={"noise": noise})  # fmt: skip
    append_npz(tmp_path, "samples.npz", 3, images=np.full((2, 2), 7, np.uint8),
               static={"noise": noise})  # fmt: skip
    with np.load(tmp_path / "samples.npz") as f:
        assert list(f["epochs"]) == [1, 2, 3] and f["epochs"].dtype == np.int32
        assert [int(im[0, 0]) for im in f["images"]] == [1, 2, 7]
        np.testing.assert_array_equal(f["noise"], noise)


def test_truncation_drops_the_epochs_after_the_saved_state_and_keeps_static_arrays(tmp_path):
    labels = np.arange(3, dtype=np.int32)  # as long as the epochs: still static
    for epoch in (1, 2, 3):
        append_csv(tmp_path, "losses.csv", {"epoch": epoch, "g_loss": 1.0})
        append_csv(tmp_path, "weak_classifier.csv", {"epoch": epoch, "accuracy": 0.5})
        append_npz(tmp_path, "samples.npz", epoch, images=np.zeros((2, 2), np.uint8),
                   static={"noise": np.zeros((3, 2)), "labels": labels})  # fmt: skip
        append_npz(tmp_path, "class_maps.npz", epoch, classes=np.zeros((5, 5), np.uint8),
                   static={"description": np.array("5^2 grid")})  # fmt: skip
    truncate_history(tmp_path, 1)
    assert [r["epoch"] for r in read_csv(tmp_path / "losses.csv")] == ["1"]
    assert [r["epoch"] for r in read_csv(tmp_path / "weak_classifier.csv")] == ["1"]
    with np.load(tmp_path / "samples.npz") as f:
        assert list(f["epochs"]) == [1] and len(f["images"]) == 1
        np.testing.assert_array_equal(f["labels"], labels)
    assert saved_map_points(tmp_path) == 5
    truncate_history(tmp_path, 5)  # nothing later: unchanged
    assert [r["epoch"] for r in read_csv(tmp_path / "losses.csv")] == ["1"]


def test_load_history_reads_a_model_folder_and_refuses_a_corrupt_file(tmp_path):
    hist = tmp_path / "m" / "history"
    hist.mkdir(parents=True)
    assert saved_map_points(hist) is None
    assert load_history(tmp_path / "m") == {
        "losses": [], "weak": [], "samples": None, "class_maps": None,
    }  # fmt: skip
    append_csv(hist, "losses.csv", {"epoch": 1, "g_loss": 0.5})
    out = load_history(tmp_path / "m")
    assert out["losses"] == [{"epoch": "1", "g_loss": "0.5"}] and out["samples"] is None
    (hist / "samples.npz").write_bytes(b"not a zip")
    with pytest.raises(CheckpointError, match="corrupt history file"):
        load_history(tmp_path / "m")
    with pytest.raises(CheckpointError, match="cannot read"):
        read_csv(hist / "missing.csv")
