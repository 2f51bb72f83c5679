"""Find the latent point whose generated image is closest to a given image (a digit for the
MNIST models; any grey or colour image of the generator's own shape).

Gradient descent on z (Adam) from several starts at once under the model's latent prior
(gan_core.priors); the best start wins:

- a uniform prior on [-a, a]^d (the study's, a = 1): starts uniform on [-0.9a, 0.9a]^d and
  z clipped to the box after every step (projected gradient descent);
- a normal prior N(0, s^2 I): starts drawn from the prior, no clipping; instead each start's
  loss adds a penalty on leaving the prior's typical norm shell (|z| ~ s sqrt(d)),
  ``norm_weight * (|z|^2 / (d s^2) - 1)^2``. Without it, z drifts off the shell in high d
  to points the generator never saw in training; the weight is small enough that the
  reconstruction error barely changes (see :data:`NORM_WEIGHT`).

For a CGAN the label is held fixed, or several labels are searched at once (the same
starts for each) and the best label wins with its point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.images import squeeze
from gan_core.priors import UNIFORM, Prior

# The normal prior's norm penalty: at 0.05 a z 10% off the typical norm costs 0.05 x 0.21^2
# ~ 0.002 (benchmarks/inversion_prior.py measures what it changes).
NORM_WEIGHT = 0.05
START_SHARE = 0.9  # a box's starts keep off its faces: uniform on 0.9 x the box


class InversionError(ValueError):
    """The target image or the settings are unusable."""


@dataclass
class InversionResult:
    """Outcome of :func:`invert_image`.

    Attributes:
        z: (d,) best latent point (inside the prior's box for a uniform prior).
        image: the generator's image at z, squeezed (grey (H, W), colour (H, W, 3)), in
            [-1, 1].
        mse: mean squared pixel error between image and target (pixels in [-1, 1]).
        loss_history: (steps,) best-start loss per step, for a convergence plot.
        label: the CGAN label of the best start (None for an unconditional generator).
        label_mse: for a label search, each searched label's best error.
    """

    z: np.ndarray
    image: np.ndarray
    mse: float
    loss_history: np.ndarray
    label: int | None = None
    label_mse: dict[int, float] | None = None

    def equally_good_labels(self, rel: float = 0.05, atol: float = 1e-4) -> list[int]:
        """The other searched labels whose best error is within ``rel`` (or ``atol``) of the
        winner's: the CGAN cannot tell those labels apart for this image."""
        if not self.label_mse:
            return []
        limit = max(self.mse * (1 + rel), self.mse + atol)
        return sorted(k for k, v in self.label_mse.items() if v <= limit and k != self.label)


def prepare_target(image: np.ndarray, shape=(28, 28, 1)) -> np.ndarray:
    """The target as float32 in [-1, 1] from uint8, [0, 1] or [-1, 1] input, squeezed for
    a generator of images ``shape`` (H, W, C): grey (H, W) (from (H, W) or (H, W, 1)),
    colour (H, W, 3)."""
    h, w, c = (int(v) for v in shape)
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    want = (h, w) if c == 1 else (h, w, c)
    if arr.shape != want:
        kind = f"{h}x{w}" if c == 1 else f"{h}x{w} colour ({h}x{w}x{c})"
        raise InversionError(f"target must be a {kind} image, got shape {arr.shape}")
    if arr.dtype == np.uint8:
        return arr.astype(np.float32) / 127.5 - 1.0
    arr = arr.astype(np.float32)
    if not np.isfinite(arr).all():
        raise InversionError("target image contains NaN or inf")
    if arr.min() >= 0.0 and arr.max() <= 1.0 and arr.max() > 0:
        # Ambiguous range: treat [0, 1] images as unit-range pixels.
        return arr * 2.0 - 1.0
    if arr.min() < -1.0 - 1e-4 or arr.max() > 1.0 + 1e-4:
        raise InversionError(
            f"float pixels must be in [0, 1] or [-1, 1], got [{arr.min()}, {arr.max()}]"
        )
    return arr


def _labels(label) -> list[int] | None:
    if label is None:
        return None
    values = [label] if isinstance(label, (int, np.integer)) else list(label)
    if not values or any(
        isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v <= 9
        for v in values
    ):
        raise InversionError("labels must be digits 0-9")
    return [int(v) for v in dict.fromkeys(values)]


def start_points(prior: Prior, restarts: int, latent_dim: int, rng) -> np.ndarray:
    """(restarts, d) float32 starting points: uniform on 0.9 x a box (for [-1, 1]: the same
    numbers as before priors were recorded), else samples of the prior."""
    if prior.kind == "uniform":
        edge = START_SHARE * prior.scale
        return rng.uniform(-edge, edge, (int(restarts), latent_dim)).astype(np.float32)
    return prior.sample(int(restarts), latent_dim, rng)


def _prior_of(prior) -> Prior:
    if prior is None:
        return UNIFORM
    try:
        return Prior.parse(prior)
    except ValueError as exc:
        raise InversionError(f"unusable prior: {exc}") from exc


def invert_image(
    generator,
    target: np.ndarray,
    latent_dim: int,
    label: int | list[int] | None = None,
    steps: int = 200,
    restarts: int = 16,
    learning_rate: float = 0.05,
    seed: int = 0,
    prior: Prior | str | None = None,
    norm_weight: float = NORM_WEIGHT,
) -> InversionResult:
    """Latent point whose image best matches ``target`` (see module doc).

    Args:
        generator: Keras generator (CGAN generators need ``label``).
        target: an image of the generator's shape (uint8, [0, 1] or [-1, 1]): 28x28 for
            the MNIST models, (H, W) or (H, W, 3) for others (see :func:`prepare_target`).
        latent_dim: d of the generator's input.
        label: a CGAN label, or a list of labels to search (``restarts`` starts each).
        prior: the model's latent prior (a Prior or its text; None: uniform[-1,1]).
        norm_weight: a normal prior's norm-shell penalty (0: none; unused for a box).
    """
    import keras
    import tensorflow as tf

    searched = _labels(label)
    per_label = len(searched) if searched else 1
    if not 1 <= int(steps) <= 5000 or not 1 <= int(restarts) * per_label <= 256:
        raise InversionError("steps must be in [1, 5000] and all starts together in [1, 256]")
    pr = _prior_of(prior)
    weight = float(norm_weight) if pr.kind == "normal" else 0.0
    if not np.isfinite(weight) or weight < 0:
        raise InversionError(f"the norm weight must be a number >= 0, not {norm_weight!r}")
    shape = tuple(int(v) for v in generator.outputs[0].shape[1:])
    if len(shape) == 2:  # a generator of (None, H, W) images
        shape = (*shape, 1)
    tgt = tf.constant(prepare_target(target, shape).reshape((1, *shape)))
    rng = np.random.default_rng(seed)
    starts = start_points(pr, restarts, latent_dim, rng)
    z = tf.Variable(np.tile(starts, (per_label, 1)))  # the same starts for every label
    start_labels = None if searched is None else np.repeat(searched, int(restarts))
    labels = None if searched is None else tf.constant(start_labels[:, None], tf.int32)
    opt = keras.optimizers.Adam(learning_rate)
    opt.build([z])

    def render(latents):
        inputs = latents if labels is None else [latents, labels]
        return tf.reshape(generator(inputs, training=False), (-1, *shape))

    box = pr.scale if pr.kind == "uniform" else None
    shell = float(pr.scale) ** 2

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            per_start = tf.reduce_mean(tf.square(render(z) - tgt), axis=[1, 2, 3])
            loss = tf.reduce_sum(per_start)
            if weight:  # |z|^2 / d against the prior's s^2, per start
                excess = tf.reduce_mean(tf.square(z), axis=1) / shell - 1.0
                loss += weight * tf.reduce_sum(tf.square(excess))
        opt.apply_gradients([(tape.gradient(loss, z), z)])
        if box is not None:
            z.assign(tf.clip_by_value(z, -box, box))
        return per_start

    history = np.empty(int(steps), np.float32)
    for i in range(int(steps)):
        history[i] = float(tf.reduce_min(step()))
    final = tf.reduce_mean(tf.square(render(z) - tgt), axis=[1, 2, 3]).numpy()
    best = int(np.argmin(final))
    z_best = z.numpy()[best]
    image = squeeze(np.asarray(render(z)[best]))
    best_label = None if searched is None else int(start_labels[best])
    label_mse = (
        None
        if searched is None or len(searched) == 1
        else {lab: float(final[start_labels == lab].min()) for lab in searched}
    )
    return InversionResult(z=z_best, image=image, mse=float(final[best]), loss_history=history,
                           label=best_label, label_mse=label_mse)  # fmt: skip
