"""Time the /invert search: gradient descent on z for real MNIST test digits.

Usage: python benchmarks/inversion.py [--digits 5] [--steps 150] [--checkpoints DIR] [--json]

For each bundled model, the same settings the dashboard uses (150 steps, 16 starts; a CGAN
with the digit's own label, and a CGAN searching all 10 labels with 4 starts each) on the
first ``--digits`` MNIST test images: wall time per inversion (the first call, which
traces the graph, reported apart) and the reconstruction error (MSE, pixels in [-1, 1]).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CASES = (  # (name, model id, label mode, starts per label)
    ("gan-2d", "gan-2d", None, 16),
    ("gan-3d", "gan-3d", None, 16),
    ("gan-4d", "gan-4d", None, 16),
    ("cgan-3d, the digit's label", "cgan-3d", "own", 16),
    ("cgan-3d, all 10 labels", "cgan-3d", "all", 4),
)


def run(digits: int, steps: int, checkpoints: Path) -> list[dict]:
    from gan_core.checkpoints import load_generator
    from gan_core.data import load_mnist
    from gan_core.inversion import invert_image

    mnist = load_mnist()
    x, y = mnist.x_test[:digits, ..., 0], mnist.y_test[:digits]
    rows = []
    for name, model_id, mode, starts in CASES:
        loaded = load_generator(model_id, checkpoints)
        g, d = loaded.generator, loaded.config.latent_dim
        first, times, errors, right = None, [], [], 0
        for target, digit in zip(x, y, strict=True):
            label = {None: None, "own": int(digit), "all": list(range(10))}[mode]
            t0 = time.perf_counter()
            result = invert_image(g, target, d, label=label, steps=steps, restarts=starts)
            dt = time.perf_counter() - t0
            if first is None:
                first = dt
            times.append(dt)
            errors.append(result.mse)
            right += int(mode == "all" and result.label == int(digit))
        row = {
            "case": name,
            "starts": starts * (10 if mode == "all" else 1),
            "first_call_s": round(first, 2),
            "median_s": round(float(np.median(times[1:] or times)), 2),
            "mse_median": round(float(np.median(errors)), 4),
        }
        if mode == "all":
            row["best_label_is_the_digit"] = f"{right} of {len(y)}"
        rows.append(row)
    return rows


def main(argv=None) -> int:
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS

    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--digits", type=int, default=5, help="MNIST test digits to invert")
    p.add_argument("--steps", type=int, default=150, help="gradient steps (the page uses 150)")
    p.add_argument("--checkpoints", type=Path, default=DEFAULT_CHECKPOINTS)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    if not 1 <= args.digits <= 10000:
        raise SystemExit("--digits must be in [1, 10000]")
    rows = run(args.digits, args.steps, args.checkpoints)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print(f"{args.digits} MNIST test digits, {args.steps} steps each")
    for r in rows:
        extra = f", best label = the digit for {r['best_label_is_the_digit']}" if (
            "best_label_is_the_digit" in r) else ""  # fmt: skip
        print(f"{r['case']:28s} {r['starts']:3d} starts: median {r['median_s']:.2f} s "
              f"(first {r['first_call_s']:.2f} s), MSE median {r['mse_median']:.4f}{extra}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
