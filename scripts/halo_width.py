"""How wide the faint haze around each model's strokes is, beside real MNIST.

For each model: the faint-pixel share (grey 1..10 of 255), then the strokes
(:func:`gan_core.evaluation.stroke_statistics`): pixels at 11..255 per image, the faint
pixels per such pixel, the share of saturated pixels and of broken digits. The faint share
is the product of the first two: a thinner stroke has less haze without a sharper edge.

    .venv/bin/python scripts/halo_width.py gan-2d gan-3d [--root checkpoints] [--samples 3000]
"""

from __future__ import annotations

import argparse
import sys


def row(name: str, images) -> str:
    from gan_core.evaluation import (
        FAINT_TOP_LEVEL,
        faint_pixel_share,
        grey_levels,
        stroke_statistics,
    )

    s = stroke_statistics(images)
    visible = float((grey_levels(images) > FAINT_TOP_LEVEL).sum() / len(images))
    return (
        f"{name:24} {faint_pixel_share(images):6.2f}% {visible:8.1f} "
        f"{s['faint_per_stroke_pixel']:8.3f} {s['saturated_pixel_percent']:6.2f}% "
        f"{s['broken_digit_percent']:6.1f}%"
    )


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_ids", nargs="+")
    p.add_argument("--root", default="checkpoints")
    p.add_argument("--samples", type=int, default=3000)
    args = p.parse_args(argv)

    from gan_core.checkpoints import CheckpointError, load_generator
    from gan_core.data import DataSourceError, load_mnist
    from gan_core.evaluation import generate_samples

    try:
        real = load_mnist().x_test[: args.samples]
        models = [load_generator(m, args.root) for m in args.model_ids]
    except (CheckpointError, DataSourceError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'':24} {'faint':>7} {'visible':>8} {'per vis.':>8} {'sat.':>7} {'broken':>7}")
    print(row("MNIST test", real))
    for ck in models:
        images, _ = generate_samples(
            ck.generator, args.samples, ck.config.latent_dim, ck.config.conditional
        )
        print(row(ck.model_id, images), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
