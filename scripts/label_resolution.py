"""How finely a CGAN's generator tells its labels' inputs apart, and what that allows.

The generator sees only z * e_label. With a generator that resolves inputs down to a
share ``r`` of the largest embedding component (inputs seen through Gaussian noise of that
size), the best label fidelity its embedding allows is
``gan_core.evaluation.embedding_fidelity_bound(e, resolution=r)``. This script finds the
``r`` at which that bound equals the model's measured fidelity (``metrics.json``), sets the
per-label bound at that ``r`` beside the measured per-label fidelity, and searches for the
embedding with the highest bound at the same ``r``: the best any embedding allows a
generator of that resolution.

    python scripts/label_resolution.py cgan-3d [--root checkpoints] [--search 250]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def best_embedding(resolution: float, labels: int, dim: int, steps: int, seed: int = 0):
    """(bound, embedding): a multiplicative random search over magnitudes in [1e-3, 1]
    (the bound depends only on magnitudes, relative to the largest), four restarts."""
    from gan_core.evaluation import embedding_fidelity_bound

    rng = np.random.default_rng(seed)
    best = (-1.0, None)
    for _ in range(4):
        e = np.exp(rng.uniform(np.log(0.01), 0.0, (labels, dim)))
        score = embedding_fidelity_bound(e, 1000, seed=1, resolution=resolution)
        for _ in range(steps):
            move = rng.normal(0.0, 0.3, e.shape) * (rng.random(e.shape) < 0.2)
            trial = np.clip(e * np.exp(move), 1e-3, 1.0)
            trial_score = embedding_fidelity_bound(trial, 1000, seed=1, resolution=resolution)
            if trial_score >= score:
                e, score = trial, trial_score
        final = embedding_fidelity_bound(e, 4000, seed=7, resolution=resolution)
        if final > best[0]:
            best = (final, e)
    return best


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_id")
    parser.add_argument("--root", default=None, help="checkpoints folder (the bundled one)")
    parser.add_argument("--search", type=int, default=250, help="search steps per restart")
    args = parser.parse_args(argv)

    from gan_core.checkpoints import CheckpointError, load_generator
    from gan_core.evaluation import (
        embedding_fidelity_bound,
        embedding_fidelity_by_label,
        fitted_input_resolution,
    )

    try:
        ckpt = load_generator(args.model_id, args.root)
    except CheckpointError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not ckpt.config.conditional:
        print(f"error: {args.model_id} is not a conditional model", file=sys.stderr)
        return 2
    metrics_path = ckpt.path / "metrics.json"
    try:
        metrics = json.loads(metrics_path.read_text())
        measured = float(metrics["label_fidelity_percent"])
        by_label = metrics["label_fidelity_by_label_percent"]
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: no label fidelity in {metrics_path} (run evaluate): {exc}", file=sys.stderr)
        return 2
    e = ckpt.generator.get_layer("label_embedding").get_weights()[0]
    r = fitted_input_resolution(e, measured)
    predicted = embedding_fidelity_by_label(e, 4000, resolution=r)
    print(f"{args.model_id}: label fidelity {measured:.1f}%, exact bound "
          f"{embedding_fidelity_bound(e):.1f}%")  # fmt: skip
    print(f"fitted resolution: {r:.4f} of the largest component ({r * np.abs(e).max():.4f})")
    for k in range(len(e)):
        print(f"  label {k}: measured {by_label[str(k)]:5.1f}%  bound at that resolution "
              f"{predicted[k]:5.1f}%")  # fmt: skip
    measured_by_label = np.array([by_label[str(k)] for k in range(len(e))])
    print(f"correlation of the two: {np.corrcoef(measured_by_label, predicted)[0, 1]:.2f}")
    for scale in (1.0, 0.5, 1 / 3):
        bound = embedding_fidelity_bound(e, 4000, resolution=r * scale)
        print(f"this embedding at {scale:.2f}x that resolution: {bound:.1f}%")
    bound, best = best_embedding(r, *e.shape, steps=args.search)
    print(f"best embedding found at the fitted resolution: {bound:.1f}%")
    print(np.array2string(np.sort(best, 1), precision=3, suppress_small=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
