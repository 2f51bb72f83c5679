"""Time one GAN training step on this machine: precision x batch size (x XLA).

Usage: python benchmarks/train_step.py [--latent-dim 2] [--steps 8] [--xla]
Prints seconds per step and images per second for each setting.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from gan_core.training import GanTrainer, TrainSettings  # noqa: E402


class _FakeMnist:
    def __init__(self, n):
        rng = np.random.default_rng(0)
        self.x_train = rng.uniform(-1, 1, (n, 28, 28, 1)).astype(np.float32)
        self.y_train = rng.integers(0, 10, n).astype(np.int32)
        self.source = "random"


def time_setting(latent_dim, conditional, batch, precision, steps, tmp, xla=False):
    import tensorflow as tf

    s = TrainSettings(
        model_id=f"bench-{precision}-{batch}",
        latent_dim=latent_dim,
        conditional=conditional,
        batch_size=batch,
        mixed_precision=precision,
        root=tmp,
    )
    trainer = GanTrainer(s, _FakeMnist(batch * (steps + 2)), None)
    if xla:
        trainer._step_fn = trainer._make_step(jit_compile=True)
    batches = list(trainer.dataset(1))
    beta = tf.constant(0.999, tf.float32)  # the EMA's per-step decay
    trainer._step_fn(*batches[0], tf.constant(0, tf.int64), beta)  # trace + warm up
    trainer._step_fn(*batches[1], tf.constant(1, tf.int64), beta)
    start = time.perf_counter()
    for i, (x, y) in enumerate(batches[2 : 2 + steps]):
        out = trainer._step_fn(x, y, tf.constant(i + 2, tf.int64), beta)
    float(out[0])
    dt = (time.perf_counter() - start) / steps
    return dt, batch / dt


def main():
    import tempfile

    p = argparse.ArgumentParser()
    p.add_argument("--latent-dim", type=int, default=2)
    p.add_argument("--conditional", action="store_true")
    p.add_argument("--steps", type=int, default=8)
    p.add_argument("--batches", default="64,128,256")
    p.add_argument("--precisions", default="float32,mixed_bfloat16")
    p.add_argument(
        "--xla", action="store_true", help="also time each setting with jit_compile=True"
    )
    a = p.parse_args()
    print(f"{'precision':<16}{'xla':>5}{'batch':>6}{'s/step':>9}{'img/s':>9}{'s/epoch(60k)':>14}")
    with tempfile.TemporaryDirectory() as tmp:
        for precision in a.precisions.split(","):
            for batch in map(int, a.batches.split(",")):
                for xla in (False, True) if a.xla else (False,):
                    dt, ips = time_setting(
                        a.latent_dim, a.conditional, batch, precision, a.steps, tmp, xla
                    )
                    print(
                        f"{precision:<16}{'yes' if xla else 'no':>5}{batch:>6}{dt:>9.3f}"
                        f"{ips:>9.0f}{60000 / ips:>14.0f}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
