"""Paths through the latent space (A -> B, or through several points) and the morph along them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gan_core.grids import generate_images
from gan_core.images import squeeze
from gan_core.latent import LatentInputError, validate_label, validate_point

MODES = ("linear", "slerp")
MAX_FRAMES = 512


def _slerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Spherical interpolation between a and b (falls back to linear when it is undefined)."""
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    if na < 1e-8 or nb < 1e-8:
        return a[None] + t[:, None] * (b - a)[None]
    cos = np.clip(np.dot(a / na, b / nb), -1.0, 1.0)
    omega = np.arccos(cos)
    if omega < 1e-4 or np.pi - omega < 1e-4:  # (anti)parallel: the great circle is undefined
        return a[None] + t[:, None] * (b - a)[None]
    so = np.sin(omega)
    return (np.sin((1 - t) * omega) / so)[:, None] * a[None] + (np.sin(t * omega) / so)[
        :, None
    ] * b[None]


def interpolate_path(points, frames: int, mode: str = "linear") -> np.ndarray:
    """``frames`` latent points along the path through ``points`` (k >= 2, each (d,)).

    Frames are spread over the segments in proportion to their length; the first frame is
    exactly points[0] and the last exactly points[-1].

    Returns:
        (frames, d) float32.
    """
    pts = np.asarray(points, dtype=np.float64)
    if pts.ndim != 2 or len(pts) < 2:
        raise LatentInputError("a path needs at least two points of equal dimension")
    if not np.isfinite(pts).all():
        raise LatentInputError("path points contain NaN or inf")
    if mode not in MODES:
        raise LatentInputError(f"unknown interpolation {mode!r}; use one of {', '.join(MODES)}")
    if not isinstance(frames, (int, np.integer)) or not len(pts) <= frames <= MAX_FRAMES:
        raise LatentInputError(
            f"frames must be an int in [{len(pts)}, {MAX_FRAMES}], got {frames!r}"
        )
    lengths = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    if lengths.sum() == 0:
        return np.repeat(pts[:1], frames, axis=0).astype(np.float32)
    cum = np.concatenate([[0.0], np.cumsum(lengths)]) / lengths.sum()
    ts = np.linspace(0.0, 1.0, int(frames))
    out = np.empty((int(frames), pts.shape[1]))
    for i, t in enumerate(ts):
        seg = min(int(np.searchsorted(cum, t, side="right")) - 1, len(pts) - 2)
        span = cum[seg + 1] - cum[seg]
        local = 0.0 if span == 0 else (t - cum[seg]) / span
        a, b = pts[seg], pts[seg + 1]
        out[i] = a + local * (b - a) if mode == "linear" else _slerp(a, b, np.array([local]))[0]
    out[0], out[-1] = pts[0], pts[-1]
    return out.astype(np.float32)


@dataclass
class Crossing:
    """The path leaves the area of ``from_class`` for ``to_class`` at ``frame`` (position t)."""

    from_class: int
    to_class: int
    frame: int
    t: float


def crossed_areas(classes, t=None) -> tuple[list[int], list[Crossing]]:
    """The ordered class areas a path crosses, and where each change happens.

    Args:
        classes: (N,) class per frame.
        t: (N,) path position per frame in [0, 1] (default: evenly spaced).
    Returns:
        (sequence, crossings): e.g. ([7, 1, 8], [Crossing(7, 1, 9, 0.39), Crossing(1, 8, 15, 0.65)]).
    """
    cls = [int(c) for c in np.asarray(classes).reshape(-1)]
    if not cls:
        return [], []
    ts = np.linspace(0, 1, len(cls)) if t is None else np.asarray(t, dtype=float)
    sequence = [cls[0]]
    crossings = []
    for i in range(1, len(cls)):
        if cls[i] != cls[i - 1]:
            sequence.append(cls[i])
            crossings.append(Crossing(cls[i - 1], cls[i], i, float(ts[i])))
    return sequence, crossings


@dataclass
class MorphResult:
    """Frames of a morph: latent points, images, and what the classifier sees in each.

    Attributes:
        latents: (N, d) the path's points.
        images: (N, H, W) grey or (N, H, W, 3) colour frames in [-1, 1] (squeezed).
        classes: (N,) the most probable class of each frame (0..K-1).
        probs: (N, K) the classifier's probabilities over its K classes.
        sequence, crossings: the class areas the path crosses (:func:`crossed_areas`).
    """

    latents: np.ndarray
    images: np.ndarray
    classes: np.ndarray
    probs: np.ndarray
    sequence: list[int] = field(default_factory=list)
    crossings: list[Crossing] = field(default_factory=list)

    @property
    def sequence_text(self) -> str:
        """The crossed areas by class index, e.g. "7 → 1 → 8"."""
        return " → ".join(str(c) for c in self.sequence)

    def sequence_names(self, class_names=None) -> str:
        """The crossed areas by class name, e.g. "red → green" (with no names: the
        indices, as :attr:`sequence_text`)."""
        if not class_names:
            return self.sequence_text
        names = [str(n) for n in class_names]
        return " → ".join(names[c] if 0 <= c < len(names) else str(c) for c in self.sequence)


def morph(
    generator,
    classifier,
    points,
    frames: int = 24,
    mode: str = "linear",
    label: int | None = None,
    bounds: tuple[float, float] = (-1.0, 1.0),
) -> MorphResult:
    """Generate and classify every frame along the path through ``points`` (one batch);
    each point's coordinates in ``bounds`` (the prior's, see Prior.bounds)."""
    latent_dim = int(generator.inputs[0].shape[1])
    conditional = len(generator.inputs) > 1
    pts = [validate_point(p, latent_dim, *bounds) for p in points]
    label = validate_label(label, conditional)
    latents = interpolate_path(pts, frames, mode)
    labels = None if label is None else np.full(len(latents), label, np.int32)
    images = generate_images(generator, latents, labels)
    probs = np.asarray(classifier(images, training=False), dtype=np.float32)
    classes = probs.argmax(1)
    sequence, crossings = crossed_areas(classes)
    return MorphResult(latents, squeeze(images), classes, probs, sequence, crossings)
