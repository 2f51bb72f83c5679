"""The JAX trainer (KERAS_BACKEND=jax): what it writes reads, resumes and serves under
TensorFlow, and what it cannot do it refuses clearly."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gan_core.training import GanTrainer, TrainingError, TrainSettings


def _train_on_jax(root, model_id, *extra):
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu"}
    cmd = [sys.executable, "-m", "gan_explorer.cli", "--checkpoints", str(root), "train", model_id,
           "--limit", "128", "--map-points", "4", "--bn-samples", "256", "--weak-every", "0",
           "--precision", "float32", "--quiet", *extra]  # fmt: skip
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)


def _records(stdout):
    return [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]


@pytest.mark.slow
def test_a_cgan_trained_on_jax_resumes_under_tensorflow(tmp_path, small_mnist, classifier):
    run = _train_on_jax(tmp_path, "cj", "--conditional", "--latent-dim", "3", "--epochs", "2")
    assert run.returncode == 0, run.stderr[-3000:]
    assert "JAX backend" in run.stdout
    records = _records(run.stdout)
    assert [r["epoch"] for r in records] == [1, 2]
    assert all(np.isfinite([r["g_loss"], r["d_loss"]]).all() for r in records)
    assert all(0.0 <= r["d_real_acc"] <= 1.0 for r in records)

    config = json.loads((tmp_path / "cj" / "config.json").read_text())
    assert config["extra"]["trained_with"] == ["jax/cpu"]
    with np.load(tmp_path / "cj" / "train_state.npz") as f:
        state = {k: f[k] for k in f.files}
    assert int(state["epoch"]) == 2
    g = sorted(k for k in state if k.startswith("g/"))
    ema = sorted(k for k in state if k.startswith("ema/"))
    assert len(g) == len(ema) > 0
    # The average moved with the weights but is not them.
    assert any(not np.array_equal(state[a], state[b]) for a, b in zip(g, ema))
    assert all(np.isfinite(state[k]).all() for k in g + ema)
    # Two epochs of two steps: 4 Adam steps for G; for D 4 and the lazy R1 update of step 0
    # (every 16th step).
    opt_steps = {k: int(state[k]) for k in ("gopt/0000", "dopt/0000")}
    assert opt_steps["gopt/0000"] == 4
    assert opt_steps["dopt/0000"] == 4 + 1

    # TensorFlow takes the state up exactly where JAX left it (counts and shapes checked).
    settings = TrainSettings(model_id="cj", limit_images=128, bn_samples=256, weak_every=0,
                             root=str(tmp_path), mixed_precision="float32")  # fmt: skip
    trainer = GanTrainer(settings, small_mnist, classifier, resume=True)
    assert trainer.epoch == 2 and trainer.s.conditional and trainer.s.latent_dim == 3
    trainer.train(3, progress=False)
    config = json.loads((tmp_path / "cj" / "config.json").read_text())
    assert config["extra"]["trained_with"] == ["jax/cpu", "tensorflow/cpu"]
    with np.load(tmp_path / "cj" / "history" / "class_maps.npz") as f:
        assert list(f["epochs"]) == [1, 2, 3]
        assert f["classes"].shape == (3, 10, 4, 4, 4)


def test_the_jax_trainer_needs_the_jax_backend(tmp_path, small_mnist):
    from gan_core.training_jax import JaxGanTrainer, make_trainer

    settings = TrainSettings(model_id="x", limit_images=128, root=str(tmp_path))
    with pytest.raises(TrainingError, match="KERAS_BACKEND=jax"):
        JaxGanTrainer(settings, small_mnist)
    assert type(make_trainer(settings, small_mnist)) is GanTrainer
