"""One step definition, two backends: a main step and an R1 step under TensorFlow and under
JAX, from the same weights, batch, noise and wrong labels (D's dropout off, float32),
give the same losses and the same updated weights.

Keras picks its backend at import, so the JAX side runs this file as a script in a
subprocess (``KERAS_BACKEND=jax``) that writes its results to an npz.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
BATCH = 64
BETA = 0.9  # the average's decay in the compared step


class _Data:
    def __init__(self, x, y):
        self.x_train, self.y_train, self.source = x, y, "mnist.pkl.gz"


def _inputs(conditional: bool):
    """A batch of real-looking images, labels, noise and wrong-label shifts."""
    rng = np.random.default_rng(7)
    real = np.tanh(rng.normal(-1.5, 1.5, (BATCH, 28, 28, 1))).astype(np.float32)
    labels = (np.arange(BATCH) % 10).astype(np.int32).reshape(-1, 1)
    z = rng.uniform(-1, 1, (BATCH, 3 if conditional else 2)).astype(np.float32)
    shift = rng.integers(1, 10, (BATCH, 1)).astype(np.int32)
    return real, labels, z, shift


def _trainer(conditional: bool, root: Path, trainer_class):
    from gan_core.recipe import Recipe
    from gan_core.training import TrainSettings

    recipe = Recipe(r1_every=4, label_margin_weight=5.0)  # EMA, R1, CGAN extras on
    settings = TrainSettings(model_id="parity", latent_dim=3 if conditional else 2,
                             conditional=conditional, recipe=recipe, mixed_precision="float32",
                             weak_every=0, map_points=2, root=str(root))  # fmt: skip
    real, labels, _, _ = _inputs(conditional)
    trainer = trainer_class(settings, _Data(real, labels.ravel()))
    for layer in trainer.discriminator.layers:  # the two backends draw other masks
        if layer.__class__.__name__ == "Dropout":
            layer.rate = 0.0
    return trainer


def _start_from(trainer, init: dict) -> None:
    g = [init[f"g{i}"] for i in range(len(trainer.generator.weights))]
    trainer.generator.set_weights(g)
    trainer.discriminator.set_weights([init[f"d{i}"] for i in range(len(init) - len(g))])
    trainer.ema.set_weights(g)


def _weights(trainer, prefix: str) -> dict:
    """The models' weights and both optimisers' first moments, keyed by variable path.

    An embedding table's weights are left out: on TensorFlow its gradient is sparse and
    Keras' Adam squares each lookup's row before summing the repeated labels into its
    second moment, where JAX's dense gradient sums first, so the two Adam steps differ
    there by design of Keras, not of the step. Its gradient is compared through the first
    moment (the gradient times 1 - beta_1), which both backends sum alike."""
    out = {}
    for tag, model in (("g", trainer.generator), ("d", trainer.discriminator), ("e", trainer.ema)):
        for w in model.weights:
            if "embedding" not in w.path:
                out[f"{prefix}{tag}:{w.path}"] = np.asarray(w, np.float32)
    for tag, opt in (("g", trainer.g_opt), ("d", trainer.d_opt)):
        for v in opt.variables:  # by role: the optimisers' own names count up per process
            if v.path.endswith("_momentum"):
                out[f"{prefix}m{tag}:{v.path.split('/', 1)[1]}"] = np.asarray(v, np.float32)
    return out


def run_tensorflow(conditional: bool, root: Path, init_path: Path) -> dict:
    import tensorflow as tf

    from gan_core.training import GanTrainer, tf_r1_update, tf_update

    trainer = _trainer(conditional, root, GanTrainer)
    init = {f"g{i}": w for i, w in enumerate(trainer.generator.get_weights())}
    init.update({f"d{i}": w for i, w in enumerate(trainer.discriminator.get_weights())})
    np.savez(init_path, **init)
    real, labels, z, shift = _inputs(conditional)
    update, r1 = tf.function(tf_update(trainer)), tf.function(tf_r1_update(trainer))
    metrics = update(real, labels, z, shift, tf.constant(BETA))
    out = {"metrics": np.array([float(v) for v in metrics], np.float32)}
    out.update(_weights(trainer, "main_"))
    out["penalty"] = np.float32(r1(real, labels))
    out.update(_weights(trainer, "r1_"))
    return out


def run_jax(conditional: bool, root: Path, init_path: Path) -> dict:
    import jax

    from gan_core.training_jax import JaxGanTrainer, jax_r1_update, jax_update

    trainer = _trainer(conditional, root, JaxGanTrainer)
    with np.load(init_path) as f:
        _start_from(trainer, {k: f[k] for k in f.files})
    real, labels, z, shift = _inputs(conditional)
    groups = trainer._variables()

    def assign(state):
        for group, values in zip(groups, state):
            for var, value in zip(group, values):
                var.assign(value)

    state = tuple([v.value for v in group] for group in groups)
    state, metrics = jax.jit(jax_update(trainer))(state, real, labels, z, shift, 1.0, BETA)
    assign(state)
    out = {"metrics": np.asarray(metrics, np.float32)}
    out.update(_weights(trainer, "main_"))
    assign(jax.jit(jax_r1_update(trainer))(state, real, labels, 1.0))
    out.update(_weights(trainer, "r1_"))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("conditional", [False, True], ids=["gan", "cgan"])
def test_one_step_and_one_r1_step_agree_under_tensorflow_and_jax(conditional, tmp_path):
    init = tmp_path / "init.npz"
    tf_out = run_tensorflow(conditional, tmp_path / "tf", init)
    jax_file = tmp_path / "jax.npz"
    env = {**os.environ, "KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "PYTHONPATH": str(ROOT)}
    run = subprocess.run(
        [sys.executable, __file__, str(int(conditional)), str(tmp_path / "jax"), str(init),
         str(jax_file)], env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr[-3000:]
    with np.load(jax_file) as f:
        jax_out = {k: f[k] for k in f.files}
    assert set(jax_out) == set(tf_out) - {"penalty"}
    # (G loss, D loss, D accuracy on real, on fake)
    np.testing.assert_allclose(jax_out["metrics"], tf_out["metrics"], atol=1e-5)
    assert tf_out["penalty"] > 0
    moved = 0
    for key, value in tf_out.items():
        if key in ("metrics", "penalty"):
            continue
        tight = ":" in key and key.split(":")[0].endswith(("mg", "md"))  # gradients' moments
        np.testing.assert_allclose(jax_out[key], value, atol=1e-5 if tight else 1e-4, err_msg=key)
        moved += key.startswith("r1_d") and not np.array_equal(value, tf_out["main_" + key[3:]])
    assert moved > 0  # the R1 step moved D (the same way on both)
    if conditional:  # the embeddings' gradients, through Adam's first moment
        assert any("embedding" in key and key.startswith("r1_md") for key in tf_out)


if __name__ == "__main__":  # the JAX side: CONDITIONAL ROOT INIT OUT
    sys.path.insert(0, str(ROOT))
    conditional, root, init_path, out_path = sys.argv[1:5]
    np.savez(out_path, **run_jax(bool(int(conditional)), Path(root), Path(init_path)))
