"""Time what a training run does after every epoch, stage by stage, on a bundled model.

Usage: python benchmarks/epoch_monitoring.py [--model gan-2d] [--repeat 2]
Prints seconds for: the EMA generator's BatchNorm statistics (16,384 prior samples), the
class map of the monitor grid (generate + classify), and the fixed-noise samples. The
epoch's training steps are timed by benchmarks/train_step.py.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="gan-2d")
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()

    import numpy as np

    from gan_core.checkpoints import load_classifier, load_generator
    from gan_core.constants import BN_SAMPLES
    from gan_core.grids import classify_latents, generate_images
    from gan_core.monitoring import monitor_grid
    from gan_core.recipe import recompute_batchnorm_statistics
    from gan_core.train_state import N_FIXED

    loaded = load_generator(args.model)
    g, cfg = loaded.generator, loaded.config
    classifier = load_classifier()
    latents, labels, _, desc = monitor_grid(cfg.latent_dim, cfg.conditional)
    fixed = np.random.default_rng(0).uniform(-1, 1, (N_FIXED, cfg.latent_dim)).astype(np.float32)
    fixed_labels = (np.arange(N_FIXED) % 10).astype(np.int32) if cfg.conditional else None
    stages = {
        f"BatchNorm statistics ({BN_SAMPLES:,} samples)": lambda: recompute_batchnorm_statistics(
            g, cfg.latent_dim, cfg.conditional, n=BN_SAMPLES
        ),
        f"class map ({desc}, {len(latents):,} points)": lambda: classify_latents(
            g, classifier, latents, labels
        ),
        f"fixed-noise samples ({N_FIXED})": lambda: generate_images(g, fixed, fixed_labels),
    }
    print(f"{args.model}: seconds per stage, best of {args.repeat}")
    for name, run in stages.items():
        best = float("inf")
        for _ in range(args.repeat):
            start = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - start)
        print(f"  {name}: {best:.2f} s")


if __name__ == "__main__":
    main()
