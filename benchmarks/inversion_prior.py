"""The /invert search under a normal prior: reconstruction error and the norm of the found z.

Usage: python benchmarks/inversion_prior.py [--model gan-100d] [--digits 5] [--steps 150]
       [--checkpoints DIR] [--weights 0,0.05] [--json]

For a model with a normal prior N(0, s^2 I), each norm-penalty weight (0: plain gradient
descent, no penalty) inverts the first ``--digits`` MNIST test images with the page's
settings (150 steps, 16 starts drawn from the prior) and reports the median reconstruction
error (MSE, pixels in [-1, 1]), the found z's norm (median, min, max) and the prior's
central 99% of norms (s times a chi distribution with d degrees of freedom).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def run(model_id: str, digits: int, steps: int, checkpoints: Path, weights) -> list[dict]:
    from gan_core.checkpoints import load_generator
    from gan_core.data import load_mnist
    from gan_core.inversion import invert_image
    from gan_core.priors import model_prior

    mnist = load_mnist()
    x = mnist.x_test[:digits, ..., 0]
    loaded = load_generator(model_id, checkpoints)
    g, d, prior = loaded.generator, loaded.config.latent_dim, model_prior(loaded.config)
    lo, hi = prior.norm_interval(d, 0.99)
    rows = []
    for weight in weights:
        errors, norms, t0 = [], [], time.perf_counter()
        for target in x:
            result = invert_image(g, target, d, steps=steps, restarts=16, prior=prior,
                                  norm_weight=weight)  # fmt: skip
            errors.append(result.mse)
            norms.append(float(np.linalg.norm(result.z)))
        rows.append({
            "model": model_id, "latent_dim": d, "prior": prior.spec, "norm_weight": weight,
            "mse_median": round(float(np.median(errors)), 4),
            "mse": [round(e, 4) for e in errors],
            "norm_median": round(float(np.median(norms)), 2),
            "norm_range": [round(min(norms), 2), round(max(norms), 2)],
            "prior_norm_99": [round(lo, 2), round(hi, 2)],
            "seconds_per_digit": round((time.perf_counter() - t0) / len(x), 2),
        })  # fmt: skip
    return rows


def main(argv=None) -> int:
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS
    from gan_core.inversion import NORM_WEIGHT

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--model", default="gan-100d")
    p.add_argument("--digits", type=int, default=5, help="MNIST test digits to invert")
    p.add_argument("--steps", type=int, default=150, help="gradient steps (the page uses 150)")
    p.add_argument("--checkpoints", type=Path, default=DEFAULT_CHECKPOINTS)
    p.add_argument("--weights", default=f"0,{NORM_WEIGHT}", help="comma-separated weights")
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.digits <= 10000:
        raise SystemExit("--digits must be in [1, 10000]")
    try:
        weights = [float(w) for w in args.weights.split(",")]
    except ValueError as exc:
        raise SystemExit(f"--weights: {exc}") from exc
    rows = run(args.model, args.digits, args.steps, args.checkpoints, weights)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for r in rows:
        print(f"{r['model']} ({r['latent_dim']}-D, {r['prior']}), weight {r['norm_weight']}: "
              f"MSE median {r['mse_median']} {r['mse']}; |z| median {r['norm_median']} "
              f"(range {r['norm_range'][0]}-{r['norm_range'][1]}; prior 99%: "
              f"{r['prior_norm_99'][0]}-{r['prior_norm_99'][1]}); {r['seconds_per_digit']} s/digit")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
