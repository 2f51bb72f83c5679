"""Training writes every record, resumes exactly and survives kill -9."""

import json
import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from gan_core.training import (
    STATE_FILE,
    GanTrainer,
    TrainingError,
    load_history,
    native_bfloat16,
)
from tests.unit.tiny_runs import tiny_settings


@pytest.mark.slow
def test_tiny_gan_trains_and_writes_every_history_file(tmp_path, small_mnist, classifier):
    trainer = GanTrainer(tiny_settings(tmp_path), small_mnist, classifier)
    records = trainer.train(2, progress=False)
    assert [r["epoch"] for r in records] == [1, 2]
    assert all(np.isfinite(r["g_loss"]) and np.isfinite(r["d_loss"]) for r in records)
    folder = tmp_path / "tiny"
    for name in ("generator.keras", "discriminator.keras", "config.json", STATE_FILE):
        assert (folder / name).is_file(), name
    hist = load_history(folder)
    assert [int(r["epoch"]) for r in hist["losses"]] == [1, 2]
    assert [int(r["epoch"]) for r in hist["weak"]] == [2]
    assert 0.0 <= float(hist["weak"][0]["accuracy"]) <= 1.0
    assert hist["samples"]["images"].shape == (2, 36, 28, 28)
    assert hist["samples"]["images"].dtype == np.uint8
    assert hist["class_maps"]["classes"].shape == (2, 6, 6)
    assert list((folder / "history" / "tensorboard").iterdir())
    cfg = json.loads((folder / "config.json").read_text())
    assert cfg["epochs_trained"] == 2 and cfg["prior"] == "uniform[-1,1]" and cfg["latent_dim"] == 2


@pytest.mark.slow
def test_conditional_training_maps_one_cube_per_label(tmp_path, small_mnist, classifier):
    s = tiny_settings(
        tmp_path, model_id="ctiny", latent_dim=3, conditional=True, weak_every=0, map_points=3
    )
    GanTrainer(s, small_mnist, classifier).train(1, progress=False)
    hist = load_history(tmp_path / "ctiny")
    assert hist["class_maps"]["classes"].shape == (1, 10, 3, 3, 3)
    np.testing.assert_array_equal(hist["samples"]["labels"], np.arange(36) % 10)


@pytest.mark.slow
def test_resume_continues_from_saved_epoch_with_same_state(tmp_path, small_mnist):
    first = GanTrainer(tiny_settings(tmp_path), small_mnist)  # bf16 only where it is native
    first.train(1, progress=False)
    weights = [w.copy() for w in first.generator.get_weights()]
    opt_vars = [np.asarray(v) for v in first.g_opt.variables]
    resumed = GanTrainer(tiny_settings(tmp_path), small_mnist, resume=True)
    assert resumed.epoch == 1
    assert resumed.s.mixed_precision == first.s.mixed_precision  # "auto" keeps the saved one
    assert resumed.notes == []
    np.testing.assert_array_equal(resumed.fixed_noise, first.fixed_noise)
    for a, b in zip(weights, resumed.generator.get_weights()):
        np.testing.assert_array_equal(a, b)
    for a, b in zip(opt_vars, resumed.g_opt.variables):
        np.testing.assert_array_equal(a, np.asarray(b))
    resumed.train(2, progress=False)
    assert [int(r["epoch"]) for r in load_history(tmp_path / "tiny")["losses"]] == [1, 2]


@pytest.mark.slow
def test_a_resumed_run_keeps_its_class_map_grid(tmp_path, small_mnist, classifier):
    GanTrainer(tiny_settings(tmp_path), small_mnist, classifier).train(1, progress=False)
    with pytest.raises(TrainingError, match="have 6 points per axis, not 5"):
        GanTrainer(tiny_settings(tmp_path, map_points=5), small_mnist, classifier, resume=True)
    resumed = GanTrainer(
        tiny_settings(tmp_path, map_points=None), small_mnist, classifier, resume=True
    )
    resumed.train(2, progress=False)
    assert load_history(tmp_path / "tiny")["class_maps"]["classes"].shape == (2, 6, 6)
    with pytest.raises(TrainingError, match="at least 2 points per axis, not 1"):
        GanTrainer(tiny_settings(tmp_path / "new", map_points=1), small_mnist)


@pytest.mark.slow
def test_refuses_to_overwrite_and_to_resume_nothing(tmp_path, small_mnist):
    with pytest.raises(TrainingError, match="nothing to resume"):
        GanTrainer(tiny_settings(tmp_path), small_mnist, resume=True)
    GanTrainer(tiny_settings(tmp_path), small_mnist).train(1, progress=False)
    with pytest.raises(TrainingError, match="already holds a model"):
        GanTrainer(tiny_settings(tmp_path), small_mnist)


def test_batchnorm_statistics_need_a_prior_sample(tmp_path, small_mnist):
    with pytest.raises(TrainingError, match="at least 1 prior sample, not 0"):
        GanTrainer(tiny_settings(tmp_path, bn_samples=0), small_mnist)
    assert not (tmp_path / "tiny").exists()


@pytest.mark.slow
def test_corrupt_training_state_is_a_clear_error(tmp_path, small_mnist):
    GanTrainer(tiny_settings(tmp_path), small_mnist).train(1, progress=False)
    (tmp_path / "tiny" / STATE_FILE).write_bytes(b"truncated")
    with pytest.raises(TrainingError, match="corrupt training state"):
        GanTrainer(tiny_settings(tmp_path), small_mnist, resume=True)


@pytest.mark.slow
def test_records_written_after_the_last_saved_state_are_dropped_on_resume(tmp_path, small_mnist):
    trainer = GanTrainer(tiny_settings(tmp_path, weak_every=1), small_mnist)
    trainer.train(1, progress=False)
    state = (tmp_path / "tiny" / STATE_FILE).read_bytes()
    trainer.train(2, progress=False)
    (tmp_path / "tiny" / STATE_FILE).write_bytes(state)  # as if killed before epoch 2's state
    resumed = GanTrainer(tiny_settings(tmp_path, weak_every=1), small_mnist, resume=True)
    hist = load_history(tmp_path / "tiny")
    assert resumed.epoch == 1
    assert [int(r["epoch"]) for r in hist["losses"]] == [1]
    assert [int(r["epoch"]) for r in hist["weak"]] == [1]
    assert list(hist["samples"]["epochs"]) == [1]


@pytest.mark.slow
def test_kill_9_mid_epoch_loses_at_most_that_epoch(tmp_path):
    """A real `gan-explorer train` process killed with SIGKILL resumes from its last epoch."""
    root = tmp_path / "ck"
    root.mkdir()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    cmd = [
        sys.executable,
        "-m",
        "gan_explorer.cli",
        "--checkpoints",
        str(root),
        "train",
        "k9",
        "--limit",
        "512",
        "--batch-size",
        "64",
        "--weak-every",
        "0",
        "--bn-samples",
        "1024",
        "--map-points",
        "6",
        "--quiet",
    ]
    proc = subprocess.Popen(
        cmd + ["--epochs", "50"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        deadline = time.time() + 240
        epochs_seen = 0
        while time.time() < deadline and epochs_seen < 2:
            line = proc.stdout.readline()
            if line.startswith("{"):
                epochs_seen = json.loads(line)["epoch"]
        assert epochs_seen >= 2, "training did not reach epoch 2 in time"
        time.sleep(0.3)  # somewhere inside the next epoch
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    saved = json.loads((root / "k9" / "config.json").read_text())["epochs_trained"]
    assert saved >= 2
    hist = load_history(root / "k9")
    assert len(hist["losses"]) >= saved and hist["samples"]["images"].shape[0] >= saved
    out = subprocess.run(
        cmd + ["--resume", "--epochs", str(saved + 1)],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert f"from epoch {saved} to {saved + 1}" in out.stdout
    hist = load_history(root / "k9")
    assert [int(r["epoch"]) for r in hist["losses"]] == list(range(1, saved + 2))


@pytest.mark.slow
def test_a_new_run_records_the_precision_it_trained_in(tmp_path, small_mnist):
    t = GanTrainer(tiny_settings(tmp_path, model_id="auto"), small_mnist)
    assert t.s.mixed_precision == ("mixed_bfloat16" if native_bfloat16() else "float32")
    with pytest.raises(TrainingError, match="precision must be one of"):
        GanTrainer(tiny_settings(tmp_path, model_id="bad", mixed_precision="fp8"), small_mnist)
