"""Find the latent point whose generated image is closest to a given digit.

Projected gradient descent on z (Adam, z clipped to the prior's box [-1, 1]^d after every
step) from several random starts at once; the best start wins. For a CGAN the label is
held fixed, or several labels are searched at once (the same starts for each) and the
best label wins with its point.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class InversionError(ValueError):
    """The target image or the settings are unusable."""


@dataclass
class InversionResult:
    """Outcome of :func:`invert_image`.

    Attributes:
        z: (d,) best latent point, inside [-1, 1]^d.
        image: (28, 28) the generator's image at z, in [-1, 1].
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


def prepare_target(image: np.ndarray) -> np.ndarray:
    """A (28, 28) float32 in [-1, 1] from uint8, [0, 1] or [-1, 1] input (also (28, 28, 1))."""
    arr = np.asarray(image)
    if arr.ndim == 3 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.shape != (28, 28):
        raise InversionError(f"target must be a 28x28 image, got shape {arr.shape}")
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


def invert_image(
    generator,
    target: np.ndarray,
    latent_dim: int,
    label: int | list[int] | None = None,
    steps: int = 200,
    restarts: int = 16,
    learning_rate: float = 0.05,
    seed: int = 0,
) -> InversionResult:
    """Latent point whose image best matches ``target`` (see module doc).

    Args:
        generator: Keras generator (CGAN generators need ``label``).
        target: 28x28 image (uint8, [0, 1] or [-1, 1]).
        latent_dim: d of the generator's input.
        label: a CGAN label, or a list of labels to search (``restarts`` starts each).
    """
    import keras
    import tensorflow as tf

    searched = _labels(label)
    per_label = len(searched) if searched else 1
    if not 1 <= int(steps) <= 5000 or not 1 <= int(restarts) * per_label <= 256:
        raise InversionError("steps must be in [1, 5000] and all starts together in [1, 256]")
    tgt = tf.constant(prepare_target(target)[None, ..., None])
    rng = np.random.default_rng(seed)
    starts = rng.uniform(-0.9, 0.9, (int(restarts), latent_dim)).astype(np.float32)
    z = tf.Variable(np.tile(starts, (per_label, 1)))  # the same starts for every label
    start_labels = None if searched is None else np.repeat(searched, int(restarts))
    labels = None if searched is None else tf.constant(start_labels[:, None], tf.int32)
    opt = keras.optimizers.Adam(learning_rate)
    opt.build([z])

    def render(latents):
        inputs = latents if labels is None else [latents, labels]
        return generator(inputs, training=False)

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            per_start = tf.reduce_mean(tf.square(render(z) - tgt), axis=[1, 2, 3])
            loss = tf.reduce_sum(per_start)
        opt.apply_gradients([(tape.gradient(loss, z), z)])
        z.assign(tf.clip_by_value(z, -1.0, 1.0))
        return per_start

    history = np.empty(int(steps), np.float32)
    for i in range(int(steps)):
        history[i] = float(tf.reduce_min(step()))
    final = tf.reduce_mean(tf.square(render(z) - tgt), axis=[1, 2, 3]).numpy()
    best = int(np.argmin(final))
    z_best = z.numpy()[best]
    image = np.asarray(render(z)[best, ..., 0])
    best_label = None if searched is None else int(start_labels[best])
    label_mse = (
        None
        if searched is None or len(searched) == 1
        else {lab: float(final[start_labels == lab].min()) for lab in searched}
    )
    return InversionResult(z=z_best, image=image, mse=float(final[best]), loss_history=history,
                           label=best_label, label_mse=label_mse)  # fmt: skip
