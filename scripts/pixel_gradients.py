"""Where the discriminator pushes a trained generator's pixels, by grey level.

Prints :func:`gan_core.evaluation.discriminator_push_by_grey_level` for a model's trained
(not averaged) generator, the one its discriminator was trained against, with the D input
view its recipe recorded:

    .venv/bin/python scripts/pixel_gradients.py gan-2d [--root checkpoints] [--samples 512]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_id")
    p.add_argument("--root", default="checkpoints")
    p.add_argument("--samples", type=int, default=512)
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args(argv)

    from gan_core.checkpoints import CheckpointError, load_config, load_discriminator
    from gan_core.evaluation import discriminator_push_by_grey_level, sample_prior
    from gan_core.recipe import recorded_recipe
    from gan_core.training import TrainingError, raw_generator

    model_dir = Path(args.root) / args.model_id
    try:
        cfg = load_config(model_dir)
        if cfg.conditional:
            raise CheckpointError(f"{args.model_id} is conditional; this takes a plain GAN")
        generator = raw_generator(model_dir)
        discriminator = load_discriminator(args.model_id, args.root)
    except (CheckpointError, TrainingError, OSError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    recipe = recorded_recipe(cfg)
    rows = discriminator_push_by_grey_level(
        generator,
        discriminator,
        sample_prior(args.samples, cfg.latent_dim, seed=args.seed),
        recipe.d_input_gain,
        recipe.d_input_linear,
    )
    print(f"{args.model_id}: D view gain {recipe.d_input_gain:g}, linear {recipe.d_input_linear:g}")
    print(
        f"{'band':16} {'pixels':>7} {'|dL/dlogit|':>12} {'share':>6} {'|dL/dy|':>9} {'to black':>9}"
    )
    for r in rows:
        if "toward_black" not in r:
            print(f"{r['band']:16} {r['pixel_percent']:6.2f}%")
            continue
        print(
            f"{r['band']:16} {r['pixel_percent']:6.2f}% {r['logit_gradient_mean']:12.2e} "
            f"{r['logit_gradient_share']:6.3f} {r['pixel_gradient_mean']:9.2e} "
            f"{r['toward_black']:9.2f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
