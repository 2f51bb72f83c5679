"""One training step's arithmetic, written once for both Keras backends (``keras.ops``).

A backend's trainer keeps only what differs between TensorFlow and JAX: how it takes the
gradients, how the optimisers apply them and how it draws its random numbers (the noise
z and, for a matching-aware CGAN, the wrong-label shift). Everything else, from the
recipe's options to the losses, the accuracies, the averaged generator and the R1
penalty, is a function here of tensors of either backend:

- :class:`StepSpec`: the recipe unpacked once into what a step reads;
- :func:`step_losses`: the forward pass of a main step (one generator call serves both
  losses) through D's view of its inputs, the wrong labels and the label margin;
- :func:`adversarial_losses` (the logistic GAN loss, as compare_gan's ``loss_lib``: one
  function chosen once), :func:`d_accuracies`, :func:`ema_update`;
- :func:`r1_view`, :func:`logit_sum`, :func:`r1_penalty`: the lazy R1 step's pieces
  around the backend's input gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np


def discriminator_view(images, gain: float, linear: float = 0.0):
    """What the discriminator sees of images in [-1, 1]: with ``gain`` g > 0 the intensity
    p = (x + 1) / 2 becomes (1 - a) log(1 + g p) / log(1 + g) + a p, a = ``linear`` (back
    in [-1, 1]); g = 0 keeps them.

    g = 15 shows grey level 1/255 as 2% grey (5x) and keeps black, white and the order of
    every level. Works on NumPy arrays and tensors of either backend alike.
    """
    if not gain:
        return images
    from keras import ops

    p = (ops.cast(images, "float32") + 1.0) * 0.5
    curve = ops.log1p(gain * p) / float(np.log1p(gain))
    if linear:
        curve = (1.0 - linear) * curve + linear * p
    return ops.cast(2.0 * curve - 1.0, images.dtype)


def adversarial_losses(real_logits, fake_logits, wrong_logits=None):
    """(D's loss, G's loss) from D's logits on real and generated images of one batch, and
    for a matching-aware CGAN on the real images paired with wrong labels (``None``: off).

    D pays ``softplus(-real) + softplus(fake)`` (with wrong labels, the fake and wrong terms
    share half a weight each), G ``softplus(-fake)``. Works on tensors of either backend
    and NumPy arrays alike (float32 logits).
    """
    from keras import ops

    def softplus(x):  # as the logistic loss: TensorFlow's sigmoid cross-entropy, bit for bit
        return ops.binary_crossentropy(ops.ones_like(x), -x, from_logits=True)

    d_real, d_fake = ops.mean(softplus(-real_logits)), ops.mean(softplus(fake_logits))
    if wrong_logits is None:
        d_loss = d_real + d_fake
    else:
        d_loss = d_real + 0.5 * (d_fake + ops.mean(softplus(wrong_logits)))
    return d_loss, ops.mean(softplus(-fake_logits))


@dataclass(frozen=True)
class StepSpec:
    """What one step reads of a run's settings and recipe (unpacked once, not per step)."""

    conditional: bool
    latent_dim: int
    matching_aware: bool = False
    margin: float = 0.0
    margin_weight: float = 0.0  # 0: no label-margin penalty
    gain: float = 0.0
    linear: float = 0.0
    r1_weight: float = 0.0  # r1_every * gamma / 2; 0: no R1 step
    r1_every: int = 1

    @classmethod
    def of(cls, settings) -> StepSpec:
        """From a run's ``TrainSettings``."""
        r, conditional = settings.recipe, settings.conditional
        return cls(
            conditional=conditional,
            latent_dim=settings.latent_dim,
            matching_aware=conditional and r.matching_aware,
            margin=r.label_margin,
            margin_weight=r.label_margin_weight if conditional else 0.0,
            gain=r.d_input_gain,
            linear=r.d_input_linear,
            r1_weight=0.5 * r.r1_gamma * r.r1_every,
            r1_every=r.r1_every,
        )


def model_inputs(spec: StepSpec, x, labels):
    """A model's inputs: ``[x, labels]`` for a CGAN, ``x`` alone otherwise."""
    return [x, labels] if spec.conditional else x


def discriminator_logits(discriminate, images, labels, spec: StepSpec):
    """D's float32 logits on ``images`` as D sees them (``discriminate``: inputs -> D's
    output in training mode, the backend's call)."""
    from keras import ops

    view = discriminator_view(images, spec.gain, spec.linear)
    return ops.cast(discriminate(model_inputs(spec, view, labels)), "float32")


def wrong_labels(labels, shift):
    """Labels moved by ``shift`` in 1..9: every one differs from its own."""
    return (labels + shift) % 10


def label_margin_penalty(embedding, margin: float):
    """Mean shortfall of the label embedding's magnitudes below ``margin``."""
    from keras import ops

    return ops.mean(ops.relu(margin - ops.abs(embedding)))


class StepLosses(NamedTuple):
    g_total: Any  # what G's gradient is taken of: its loss and the label margin
    d_loss: Any
    g_loss: Any
    real_logits: Any
    fake_logits: Any


def step_losses(
    spec: StepSpec, generate, discriminate, real, labels, z, shift=None, embedding=None
):
    """The forward pass of a main step: one generator call (``generate``) on the noise
    ``z`` serves both losses; D (``discriminate``) sees the real, the generated and, for a
    matching-aware CGAN, the real images with the labels moved by ``shift``, in that order
    (its dropout masks are drawn in it). ``embedding``: G's label embedding (the margin)."""
    fake = generate(model_inputs(spec, z, labels))
    real_logits = discriminator_logits(discriminate, real, labels, spec)
    fake_logits = discriminator_logits(discriminate, fake, labels, spec)
    wrong_logits = None
    if spec.matching_aware:
        wrong_logits = discriminator_logits(discriminate, real, wrong_labels(labels, shift), spec)
    d_loss, g_loss = adversarial_losses(real_logits, fake_logits, wrong_logits)
    g_total = g_loss
    if spec.margin_weight:
        g_total = g_total + spec.margin_weight * label_margin_penalty(embedding, spec.margin)
    return StepLosses(g_total, d_loss, g_loss, real_logits, fake_logits)


def d_accuracies(real_logits, fake_logits):
    """D's accuracy on the real and on the generated images of a batch."""
    from keras import ops

    real_acc = ops.mean(ops.cast(ops.greater(real_logits, 0), "float32"))
    fake_acc = ops.mean(ops.cast(ops.less(fake_logits, 0), "float32"))
    return real_acc, fake_acc


def ema_update(average, weights, beta):
    """The averaged generator's next value of one variable: ``beta`` of the average, the
    rest of the trained weights (float32)."""
    from keras import ops

    return beta * average + (1.0 - beta) * ops.cast(weights, "float32")


def r1_view(images, spec: StepSpec):
    """The real images as D sees them, float32: the input the R1 gradient is taken at."""
    from keras import ops

    return discriminator_view(ops.cast(images, "float32"), spec.gain, spec.linear)


def logit_sum(discriminate, view, labels, spec: StepSpec):
    """The sum of D's float32 logits on an already viewed batch (its input gradient is
    each image's own)."""
    from keras import ops

    return ops.sum(ops.cast(discriminate(model_inputs(spec, view, labels)), "float32"))


def r1_penalty(input_gradient):
    """E|grad_x D(x)|^2 over a batch, from the gradient of :func:`logit_sum`."""
    from keras import ops

    grad = ops.cast(input_gradient, "float32")
    return ops.mean(ops.sum(ops.square(grad), axis=(1, 2, 3)))
