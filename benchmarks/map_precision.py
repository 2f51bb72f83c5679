"""Class-map inference: float32 against mixed_bfloat16, and the batch size.

Usage: python benchmarks/map_precision.py [--model gan-2d] [--n 100] [--json]

Generates and classifies the model's 2D grid (n x n; the first two coordinates, the rest
at 0) with the bundled generator and digit classifier, once per precision and batch size,
and reports images/s, GFLOP/s (130 M FLOPs per generated-and-classified image, see
README.md) and, for bf16, the share of grid points whose class agrees with float32.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FLOPS_PER_POINT = 130e6


def copy_in(policy: str, model):
    """``model`` rebuilt under a Keras dtype policy with the same weights."""
    import keras

    keras.mixed_precision.set_global_policy(policy)
    try:
        clone = keras.models.clone_model(model)
    finally:
        keras.mixed_precision.set_global_policy("float32")
    clone.set_weights(model.get_weights())
    return clone


def main() -> int:
    import numpy as np

    from gan_core.checkpoints import load_classifier, load_generator
    from gan_core.grids import classify_latents, grid_points

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", default="gan-2d")
    p.add_argument("--n", type=int, default=100)
    p.add_argument("--batches", default="256,1024,4096")
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    ckpt = load_generator(a.model)
    clf = load_classifier()
    d = ckpt.config.latent_dim
    z = grid_points(a.n, 2, fixed=(0.0,) * (d - 2))
    labels = np.zeros(len(z), np.int32) if ckpt.config.conditional else None
    rows, reference = [], None
    for policy in ("float32", "mixed_bfloat16"):
        g = ckpt.generator if policy == "float32" else copy_in(policy, ckpt.generator)
        c = clf if policy == "float32" else copy_in(policy, clf)
        for batch in (int(b) for b in a.batches.split(",")):
            classify_latents(g, c, z[:batch], labels if labels is None else labels[:batch], batch)
            start = time.perf_counter()
            probs = classify_latents(g, c, z, labels, batch)
            dt = time.perf_counter() - start
            classes = probs.argmax(1)
            if reference is None:
                reference = classes
            rows.append({"precision": policy, "batch": batch, "seconds": round(dt, 2),
                         "images_per_s": round(len(z) / dt), "gflops": round(len(z) * FLOPS_PER_POINT / dt / 1e9, 1),
                         "agree_percent": round(100 * float((classes == reference).mean()), 2)})  # fmt: skip
    if a.json:
        print(json.dumps(rows))
    else:
        print(f"{a.model}, {len(z):,} points")
        print(f"{'precision':<16}{'batch':>6}{'s':>7}{'img/s':>8}{'GFLOP/s':>9}{'agree %':>9}")
        for r in rows:
            print(f"{r['precision']:<16}{r['batch']:>6}{r['seconds']:>7}{r['images_per_s']:>8}"
                  f"{r['gflops']:>9}{r['agree_percent']:>9}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
