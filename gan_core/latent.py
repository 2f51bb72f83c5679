"""Class-area maps of a latent space: 2D grids, 3D cubes, slices, projections, 4D snapping.

Grid axis order follows the latent coordinates: axis 0 is z[0] ("x"), axis 1 is z[1]
("y"), axis 2 is z[2] ("z"); arrays are indexed [i0, i1, (i2)].

4D models: a cube over (x, y, z) is computed for each of the ``n`` grid values of the 4th
coordinate w (16 by default, the study's resolution). A w between two grid values snaps
to the nearest one (:func:`snap_fourth`); nothing is interpolated, so every map shows
classifications of real generated images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from gan_core.grids import (
    CUBE_POINTS,
    LATENT_RANGE,
    MAP_2D_POINTS,
    axis_values,
    classify_latents,
    grid_points,
)

RANGE_TOLERANCE = 1e-6


class LatentInputError(ValueError):
    """A latent point, label, layer or grid parameter is unusable; the message says why."""


@dataclass
class ClassMap:
    """Classes on a grid of latent points, over the K classes of the classifier that drew
    it (K = 10 digits for the digit classifier; names are the model's ``class_names``).

    Attributes:
        classes: uint8, grid shape: the most probable class (its index) at each point.
        probs: float32, grid shape + (K,): the classifier's probabilities.
        axes: coordinate values of each grid axis.
        fixed: values of the latent coordinates not on the grid (e.g. w of a 4D cube).
        label: the CGAN label the images were generated with, or None.
    """

    classes: np.ndarray
    probs: np.ndarray
    axes: list[np.ndarray]
    fixed: tuple = ()
    label: int | None = None
    meta: dict = field(default_factory=dict)

    @property
    def confidence(self) -> np.ndarray:
        return self.probs.max(-1)

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(self.classes.shape)

    @property
    def n_classes(self) -> int:
        """K, the classifier's number of classes (from ``probs``' last axis)."""
        return n_classes_of(self)

    def class_counts(self) -> np.ndarray:
        """(K,) grid points per class."""
        return np.bincount(self.classes.reshape(-1).astype(int), minlength=self.n_classes)


def n_classes_of(cmap: ClassMap) -> int:
    """The number of classes of a map: ``probs``' last axis, or (for a map built without
    probabilities) one more than its largest class."""
    probs, classes = np.asarray(cmap.probs), np.asarray(cmap.classes)
    if probs.ndim == classes.ndim + 1 and probs.shape[-1] > 0:
        return max(int(probs.shape[-1]), int(classes.max()) + 1 if classes.size else 0)
    return int(classes.max()) + 1 if classes.size else 0


def validate_point(
    z, latent_dim: int, lo: float = LATENT_RANGE[0], hi: float = LATENT_RANGE[1]
) -> np.ndarray:
    """``z`` as a float32 (latent_dim,) vector inside [lo, hi], or LatentInputError."""
    try:
        arr = np.asarray(z, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise LatentInputError(f"latent point must be {latent_dim} numbers, got {z!r}") from exc
    if arr.shape != (latent_dim,):
        raise LatentInputError(f"latent point must have {latent_dim} coordinates, got {arr.size}")
    if not np.isfinite(arr).all():
        raise LatentInputError(f"latent point has NaN or infinite coordinates: {arr.tolist()}")
    if (arr < lo - RANGE_TOLERANCE).any() or (arr > hi + RANGE_TOLERANCE).any():
        raise LatentInputError(
            f"latent point {np.round(arr, 4).tolist()} is outside [{lo}, {hi}]^{latent_dim}"
        )
    return np.clip(arr, lo, hi).astype(np.float32)


def validate_label(label, conditional: bool) -> int | None:
    """The CGAN label as an int 0..9 (None for unconditional models), or LatentInputError."""
    if not conditional:
        if label is not None:
            raise LatentInputError("this model is not conditional: it takes no label")
        return None
    if isinstance(label, bool) or label is None:
        raise LatentInputError("a conditional model needs a digit label 0..9")
    try:
        value = int(label)
    except (TypeError, ValueError) as exc:
        raise LatentInputError(f"label must be a digit 0..9, got {label!r}") from exc
    if value != label or not 0 <= value <= 9:
        raise LatentInputError(f"label must be a digit 0..9, got {label!r}")
    return value


def _check_grid(n: int, lo: float, hi: float, max_points: int) -> None:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 2 <= n <= max_points:
        raise LatentInputError(f"grid size must be an int in [2, {max_points}], got {n!r}")
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise LatentInputError(f"grid range must be finite with lo < hi, got ({lo}, {hi})")


def _map(
    generator, classifier, n, dims, lo, hi, fixed, label, batch_size, progress=None
) -> ClassMap:
    latent_dim = int(generator.inputs[0].shape[1])
    fixed = tuple(float(v) for v in fixed)
    if dims + len(fixed) != latent_dim:
        raise LatentInputError(
            f"a {dims}D map of a {latent_dim}D latent space needs {latent_dim - dims} fixed "
            f"coordinate(s), got {len(fixed)}"
        )
    if fixed:
        validate_point(fixed, len(fixed))
    label = validate_label(label, len(generator.inputs) > 1)
    points = grid_points(n, dims, lo, hi, fixed)
    labels = None if label is None else np.full(len(points), int(label), np.int32)
    probs = classify_latents(generator, classifier, points, labels, batch_size, progress)
    grid = (int(n),) * dims
    return ClassMap(
        classes=probs.argmax(1).astype(np.uint8).reshape(grid),
        probs=probs.reshape(grid + (probs.shape[-1],)),
        axes=[axis_values(n, lo, hi) for _ in range(dims)],
        fixed=fixed,
        label=label,
    )


def class_area_grid(
    generator, classifier, n: int = MAP_2D_POINTS, lo: float = -1.0, hi: float = 1.0,
    fixed=(), label: int | None = None, batch_size: int = 1024, progress=None,
) -> ClassMap:  # fmt: skip
    """2D class map over (z[0], z[1]) with ``fixed`` values for the remaining coordinates.

    ``progress(done, total)`` is called after each generated-and-classified chunk.
    """
    _check_grid(n, lo, hi, 1000)
    return _map(generator, classifier, n, 2, lo, hi, fixed, label, batch_size, progress)


def class_area_cube(
    generator, classifier, n: int = CUBE_POINTS, lo: float = -1.0, hi: float = 1.0,
    fixed=(), label: int | None = None, batch_size: int = 1024, progress=None,
) -> ClassMap:  # fmt: skip
    """3D class cube over (z[0], z[1], z[2]); 4D models pass ``fixed=(w,)``."""
    _check_grid(n, lo, hi, 64)
    return _map(generator, classifier, n, 3, lo, hi, fixed, label, batch_size, progress)


MAX_SLICE_POINTS = 250_000  # a 500^2 map or a 63^3 cube: a request past it is refused


def class_area_slice(
    generator, classifier, latent_slice, n: int, label: int | None = None,
    batch_size: int = 1024, progress=None, classify=None,
) -> ClassMap:  # fmt: skip
    """The class map on a latent slice (gan_core.slices): an n x n map for a plane, an n^3
    cube for a 3-D slice; ``classes[i][j]`` is the class at origin + a[i] basis[0] + a[j]
    basis[1] with a = linspace(lo, hi, n). ``meta["slice"]`` holds the slice.

    ``classify(latents, labels, progress)`` -> (N, K) probabilities replaces the
    TensorFlow calls (e.g. ``OnnxMapEngine.probs``, gan_core.map_engine)."""
    latent_dim = int(generator.inputs[0].shape[1])
    if latent_slice.latent_dim != latent_dim:
        raise LatentInputError(
            f"the slice is in {latent_slice.latent_dim}-D, the model's latent space is {latent_dim}-D"
        )
    k = latent_slice.k
    if (
        not isinstance(n, (int, np.integer))
        or isinstance(n, bool)
        or n < 2
        or n**k > MAX_SLICE_POINTS
    ):
        raise LatentInputError(
            f"a {k}-D slice's grid size must be an int >= 2 with n^{k} <= {MAX_SLICE_POINTS:,}, "
            f"got {n!r}"
        )
    label = validate_label(label, len(generator.inputs) > 1)
    points = latent_slice.grid(int(n))
    labels = None if label is None else np.full(len(points), int(label), np.int32)
    if classify is None:
        probs = classify_latents(generator, classifier, points, labels, batch_size, progress)
    else:
        probs = classify(points, labels, progress)
    grid = (int(n),) * k
    return ClassMap(
        classes=probs.argmax(1).astype(np.uint8).reshape(grid),
        probs=probs.reshape(grid + (probs.shape[-1],)),
        axes=[latent_slice.axis_values(n).astype(np.float32) for _ in range(k)],
        label=label,
        meta={"slice": latent_slice.to_dict()},
    )


def cube_slice(cmap: ClassMap, axis: int, index: int) -> ClassMap:
    """The 2D map at ``index`` along ``axis`` of a cube (remaining axes keep their order)."""
    if cmap.classes.ndim != 3:
        raise LatentInputError(f"cube_slice needs a 3D map, got {cmap.classes.ndim}D")
    if axis not in (0, 1, 2):
        raise LatentInputError(f"axis must be 0, 1 or 2, got {axis!r}")
    n = cmap.classes.shape[axis]
    if not isinstance(index, (int, np.integer)) or not 0 <= index < n:
        raise LatentInputError(f"slice index must be in [0, {n - 1}], got {index!r}")
    keep = [a for a in range(3) if a != axis]
    return ClassMap(
        classes=np.take(cmap.classes, index, axis=axis),
        probs=np.take(cmap.probs, index, axis=axis),
        axes=[cmap.axes[a] for a in keep],
        fixed=cmap.fixed + (float(cmap.axes[axis][index]),),
        label=cmap.label,
        meta={"slice_axis": axis, "slice_index": int(index)},
    )


def nearest_index(axis_vals: np.ndarray, value: float) -> int:
    """Index of the grid value nearest to ``value``."""
    return int(np.argmin(np.abs(np.asarray(axis_vals) - float(value))))


def point_projections(point) -> dict[str, tuple[float, float]]:
    """The 2D coordinates of a 3D point on the cube's three faces: xy, xz and yz."""
    x, y, z = (float(v) for v in np.asarray(point, dtype=np.float64).reshape(-1)[:3])
    return {"xy": (x, y), "xz": (x, z), "yz": (y, z)}


def fourth_axis_values(n: int = CUBE_POINTS) -> np.ndarray:
    """The grid values of the 4th coordinate for which 4D cubes are computed."""
    return axis_values(n)


def snap_fourth(w: float, n: int = CUBE_POINTS) -> tuple[int, float]:
    """(index, value) of the precomputed 4th-coordinate grid value nearest to ``w``."""
    values = fourth_axis_values(n)
    w = float(validate_point([w], 1)[0])
    idx = nearest_index(values, w)
    return idx, float(values[idx])


def label_fidelity(cmap: ClassMap) -> float:
    """Percent of the map's points classified as the label they were generated with."""
    if cmap.label is None:
        raise LatentInputError("label fidelity needs a map generated with a label")
    return float(100.0 * (cmap.classes == cmap.label).mean())


def area_labels(cmap2d: ClassMap, min_share: float = 0.01) -> list[dict]:
    """One text label per class area of a 2D map: the class and the point of its largest
    piece farthest from the piece's edge (where a label has the most room, also in a
    non-convex area), largest areas first.

    Returns dicts {"class": index 0..K-1, "digit": the same index (the key the digit views
    read), "x", "y", "share", "room": the distance in grid steps from that point to the
    nearest other class or the map's edge}; callers name the class with the model's
    ``class_names``. Areas smaller than ``min_share`` of the map are skipped (too small to
    label).
    """
    from scipy import ndimage

    classes = cmap2d.classes
    if classes.ndim != 2:
        raise LatentInputError("area labels need a 2D map")
    xs, ys = cmap2d.axes
    out = []
    total = classes.size
    for index in range(n_classes_of(cmap2d)):
        mask = classes == index
        count = int(mask.sum())
        if count < max(1, min_share * total):
            continue
        pieces, n = ndimage.label(mask)
        largest = pieces == 1 + int(np.argmax(np.bincount(pieces.ravel())[1:])) if n > 1 else mask
        # distance to the nearest point outside the piece, the map's border counting as outside
        room = ndimage.distance_transform_edt(np.pad(largest, 1))[1:-1, 1:-1]
        # of the points with the most room, the one nearest the piece's centre
        ii, jj = np.nonzero(room >= room.max() - 0.5)
        ci, cj = np.argwhere(largest).mean(axis=0)
        k = int(np.argmin((ii - ci) ** 2 + (jj - cj) ** 2))
        i, j = int(ii[k]), int(jj[k])
        out.append(
            {"class": index, "digit": index, "x": float(xs[i]), "y": float(ys[j]),
             "share": count / total, "room": float(room[i, j])}
        )  # fmt: skip
    return sorted(out, key=lambda lab: -lab["share"])


def area_statistics(cmap2d: ClassMap, min_share: float = 0.01) -> dict:
    """How a 2D map is divided: the classes holding at least ``min_share`` of it, and how
    fragmented their areas are (the connected pieces of each class, 4-neighbourhood), over
    the map's K classes (the digits for the digit classifier).

    Returns {"classes": sorted class indices present, "digits": the same list (the key the
    digit views read), "pieces": {class: pieces}, "total_pieces", "largest_share": the share
    of the map held by the largest single piece}.
    """
    from scipy import ndimage

    classes = np.asarray(cmap2d.classes)
    if classes.ndim != 2:
        raise LatentInputError("area statistics need a 2D map")
    k = n_classes_of(cmap2d)
    counts = np.bincount(classes.reshape(-1).astype(int), minlength=k)
    present = [d for d in range(k) if counts[d] >= max(1, min_share * classes.size)]
    pieces, largest = {}, 0
    for d in range(k):
        if not counts[d]:
            continue
        labels, n = ndimage.label(classes == d)
        pieces[d] = int(n)
        largest = max(largest, int(np.bincount(labels.reshape(-1))[1:].max()))
    return {"classes": present, "digits": list(present), "pieces": pieces,
            "total_pieces": int(sum(pieces.values())),
            "largest_share": largest / classes.size}  # fmt: skip
