"""Where the discriminator pushes a trained generator's pixels, by grey level.

Prints :func:`discriminator_push_by_grey_level` for a model's trained
(not averaged) generator, the one its discriminator was trained against, with the D input
view its recipe recorded:

    .venv/bin/python scripts/pixel_gradients.py gan-2d [--root checkpoints] [--samples 512]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

GREY_BANDS = (("black", 0, 0), ("halo", 1, 10), ("grey", 11, 244), ("white", 245, 255))


def discriminator_push_by_grey_level(
    generator, discriminator, latents: np.ndarray, gain: float, linear: float
) -> list[dict]:
    """Where an unconditional generator's loss ``softplus(-D(view(tanh(logits))))`` pushes
    its pixels, per grey-level band of :data:`GREY_BANDS` (after rounding to uint8), for
    the images of ``latents``; ``gain`` / ``linear`` give D's input view (the recipe's).

    Each row: the band's share of the pixels (``pixel_percent``), the mean |dL/dlogit| on
    the logits before tanh and the band's share of their sum (what reaches G's weights),
    the mean |dL/dy| on the pixel values, and ``toward_black``: the share of the band's
    pixels that a gradient step would darken. A band without pixels has only its share.
    """
    import tensorflow as tf

    from gan_core.recipe import discriminator_view

    _, logits = generator_with_logits(generator)(tf.constant(latents, tf.float32))
    logits = tf.constant(np.asarray(logits, np.float32))
    with tf.GradientTape() as tape:
        tape.watch(logits)
        view = discriminator_view(tf.tanh(logits), gain, linear)
        loss = tf.reduce_sum(tf.nn.softplus(-tf.cast(discriminator(view), tf.float32)))
    g_logit = np.asarray(tape.gradient(loss, logits), np.float64).ravel()
    y = np.tanh(np.asarray(logits, np.float64).ravel())
    g_y = g_logit / np.maximum(1.0 - y**2, 1e-300)
    levels = np.rint((y + 1.0) * 127.5)
    total = max(float(np.abs(g_logit).sum()), 1e-300)
    rows = []
    for name, lo, hi in GREY_BANDS:
        m = (levels >= lo) & (levels <= hi)
        row = {"band": f"{name} ({lo}-{hi})", "pixel_percent": round(100.0 * float(m.mean()), 3)}
        if m.any():
            row.update(
                logit_gradient_mean=float(np.abs(g_logit[m]).mean()),
                logit_gradient_share=float(np.abs(g_logit[m]).sum() / total),
                pixel_gradient_mean=float(np.abs(g_y[m]).mean()),
                toward_black=float((g_y[m] > 0).mean()),
            )
        rows.append(row)
    return rows


def generator_with_logits(generator):
    """A function of the generator's inputs returning (image, logits) in training mode:
    the same forward pass as ``generator(inputs, training=True)``, with the output layer's
    pre-tanh logits kept (its convolution has no bias and tanh as activation)."""
    import keras
    from keras import ops

    head = generator.get_layer("image")
    body = keras.Model(generator.input, head.input)

    def forward(inputs):
        h = body(inputs, training=True)
        logits = ops.conv_transpose(
            h,
            ops.cast(head.kernel, h.dtype),
            strides=list(head.strides),
            padding=head.padding,
            output_padding=head.output_padding,
            dilation_rate=head.dilation_rate,
            data_format=head.data_format,
        )
        if head.use_bias:
            logits = logits + ops.cast(head.bias, h.dtype)
        return ops.tanh(logits), logits

    return forward


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("model_id")
    p.add_argument("--root", default="checkpoints")
    p.add_argument("--samples", type=int, default=512)
    p.add_argument("--seed", type=int, default=3)
    args = p.parse_args(argv)

    from gan_core.branching import raw_generator
    from gan_core.checkpoints import CheckpointError, load_config, load_discriminator
    from gan_core.evaluation import sample_prior
    from gan_core.recipe import recorded_recipe
    from gan_core.train_state import TrainingError

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
