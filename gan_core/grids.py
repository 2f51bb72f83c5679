"""Latent grids and batched generate-and-classify, shared by training monitoring and the maps."""

from __future__ import annotations

import numpy as np

MAP_2D_POINTS = 100  # the study's 100 x 100 grid on [-1, 1]^2
CUBE_POINTS = 16  # the study's 16 points per axis for 3D/4D/CGAN cubes
LATENT_RANGE = (-1.0, 1.0)


def axis_values(n: int, lo: float = LATENT_RANGE[0], hi: float = LATENT_RANGE[1]) -> np.ndarray:
    """``n`` evenly spaced values from ``lo`` to ``hi`` inclusive (float32)."""
    if not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"grid size must be an int >= 2, got {n!r}")
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"grid range must be finite with lo < hi, got ({lo}, {hi})")
    return np.linspace(lo, hi, int(n), dtype=np.float32)


def grid_points(n: int, dims: int, lo: float = -1.0, hi: float = 1.0, fixed=()) -> np.ndarray:
    """All points of an n^dims grid, then the ``fixed`` trailing coordinates appended.

    Returns:
        (n**dims, dims + len(fixed)) float32, first axis varying slowest (C order), so
        ``reshape((n,) * dims)`` of per-point values gives an array indexed [i0, i1, ...].
    """
    values = axis_values(n, lo, hi)
    mesh = np.meshgrid(*([values] * dims), indexing="ij")
    pts = np.stack([m.reshape(-1) for m in mesh], axis=1)
    if len(fixed):
        tail = np.broadcast_to(np.asarray(fixed, np.float32), (len(pts), len(fixed)))
        pts = np.concatenate([pts, tail], axis=1)
    return pts.astype(np.float32)


def output_shape(model) -> tuple[int, ...]:
    """A Keras model's output shape without the batch axis, e.g. (28, 28, 1) for an MNIST
    generator or (K,) for a classifier of K classes."""
    return tuple(int(v) for v in model.outputs[0].shape[1:])


def generate_images(
    generator, latents: np.ndarray, labels=None, batch_size: int = 1024
) -> np.ndarray:
    """Generator outputs (N, H, W, C) for latents (N, d), one forward pass per chunk (an
    empty ``latents`` gives (0, H, W, C) of the generator's own image shape)."""
    out = []
    for i in range(0, len(latents), batch_size):
        z = latents[i : i + batch_size]
        inputs = z if labels is None else [z, np.asarray(labels[i : i + batch_size]).reshape(-1, 1)]
        out.append(np.asarray(generator(inputs, training=False), dtype=np.float32))
    return np.concatenate(out) if out else np.zeros((0, *output_shape(generator)), np.float32)


def classify_latents(
    generator, classifier, latents: np.ndarray, labels=None, batch_size: int = 1024, progress=None
) -> np.ndarray:
    """Class probabilities (N, K) of the images generated at ``latents`` (K: the
    classifier's outputs, 10 for the digit classifier).

    Generation and classification run chunk by chunk so memory stays bounded;
    ``progress(done, total)`` is called after each chunk.
    """
    probs = []
    for i in range(0, len(latents), batch_size):
        lab = None if labels is None else labels[i : i + batch_size]
        images = generate_images(generator, latents[i : i + batch_size], lab, batch_size)
        probs.append(np.asarray(classifier(images, training=False), dtype=np.float32))
        if progress is not None:
            progress(min(i + batch_size, len(latents)), len(latents))
    return np.concatenate(probs) if probs else np.zeros((0, *output_shape(classifier)), np.float32)
