"""The slice a page shows of a latent space above 4-D, and its sliders' coordinates.

Models of 2-4 latent dimensions are shown whole (a map, a cube, a cube per w). Above 4-D
a page shows a plane through the space (gan_core.slices): its sliders hold the slice
coordinates t, the latent point is z = origin + t @ basis, and the map is the class map of
that plane. The page keeps the slice as its spec text (in the URL too), and the resolved
slice as a JSON record (:func:`slice_record`) which the page's script reads to compute z
itself on every drag step.
"""

from __future__ import annotations

import numpy as np

from dashboard.payloads import PayloadError, parse_point
from gan_core.slices import LatentSlice, SliceError, default_spec

MAX_WHOLE_DIM = 4  # up to this dimension the space is shown whole, as the study does
MAX_RANGE = 1e4  # the widest slice coordinate a URL may hold (checked against the slice later)


def sliced(latent_dim: int) -> bool:
    """Whether a model's pages show a slice of its latent space (above 4-D)."""
    return int(latent_dim) > MAX_WHOLE_DIM


def view_dims(latent_dim: int) -> int:
    """How many coordinates a page's latent sliders hold: all of z, or a plane's two."""
    return 2 if sliced(latent_dim) else int(latent_dim)


def resolve(explorer, spec, default: str | None = None) -> LatentSlice:
    """The plane ``spec`` names in the model's latent space (for an empty spec ``default``,
    else the model's default slice), or PayloadError saying why not."""
    if spec is not None and not isinstance(spec, str):
        raise PayloadError("a slice spec is a text such as 'random:0'")
    text = (spec or "").strip() or default or default_spec(explorer.latent_dim)
    try:
        return explorer.latent_slice(text, k=2)
    except SliceError as exc:
        raise PayloadError(f"slice: {exc}") from exc


def slice_record(latent_slice: LatentSlice) -> dict:
    """What the page holds of a slice: spec, origin, basis and range (JSON)."""
    return latent_slice.to_dict()


def from_record(record, explorer) -> LatentSlice:
    """The slice a page's record holds, re-derived from its spec in the model's latent
    space (a record is never trusted for the numbers), or PayloadError."""
    if not isinstance(record, dict) or not isinstance(record.get("spec"), str):
        raise PayloadError("no slice chosen")
    try:
        return explorer.latent_slice(record["spec"], k=2)
    except SliceError as exc:
        raise PayloadError(f"slice: {exc}") from exc


def slice_coordinates(
    latent_slice: LatentSlice, values, default: float | None = None
) -> np.ndarray:
    """Slider values -> slice coordinates t inside the slice's range (PayloadError if not)."""
    return parse_point(values, latent_slice.k, default=default, lo=latent_slice.lo,
                       hi=latent_slice.hi)  # fmt: skip


MORPH_PLANE = "points:0;seed=1;seed=2"  # the morph's plane: holds both paths from A to B


def default_ends(latent_slice: LatentSlice, prior) -> tuple[list, list]:
    """A morph's A and B on a plane: the prior's samples of seeds 1 and 2 as the plane
    shows them (exactly them on MORPH_PLANE), to the sliders' 0.01, inside the range."""
    out = []
    for seed in (1, 2):
        t = latent_slice.coordinates(prior.sample(1, latent_slice.latent_dim, seed)[0])
        out.append([round(float(np.clip(v, latent_slice.lo, latent_slice.hi)), 2) for v in t])
    return out[0], out[1]


def latent_point(latent_slice: LatentSlice, t) -> np.ndarray:
    """z = origin + t @ basis (float32)."""
    return latent_slice.points(np.asarray(t, np.float64))


def parse_full_point(text, latent_dim: int) -> np.ndarray:
    """A pasted latent point: ``latent_dim`` numbers separated by commas, spaces or new
    lines (brackets allowed), or PayloadError."""
    if not isinstance(text, str) or len(text) > 40 * max(latent_dim, 1) + 200:
        raise PayloadError(f"paste {latent_dim} numbers")
    parts = text.replace("[", " ").replace("]", " ").replace(",", " ").split()
    try:
        z = np.array([float(p) for p in parts], np.float64)
    except ValueError as exc:
        raise PayloadError(f"the pasted point is not {latent_dim} numbers: {exc}") from exc
    if z.shape != (latent_dim,):
        raise PayloadError(f"the pasted point has {z.size} numbers; this model takes {latent_dim}")
    if not np.isfinite(z).all():
        raise PayloadError("the pasted point has NaN or infinite numbers")
    return z.astype(np.float32)


def full_point_text(z) -> str:
    """The latent point as text a person can copy and paste back (4 decimals)."""
    return ", ".join(f"{float(v):.4f}" for v in np.asarray(z).reshape(-1))


def recentre_spec(latent_slice: LatentSlice, z) -> str:
    """The spec of the same plane moved to pass through ``z`` (at t = 0)."""
    try:
        return latent_slice.recentred(np.asarray(z, np.float64)).spec
    except (AttributeError, SliceError) as exc:
        raise PayloadError(f"cannot recentre the slice: {exc}") from exc


def slice_note(latent_slice: LatentSlice, prior, n: int) -> str:
    """How typical the plane's points are: the share of its map's n x n points whose norm
    lies in the prior's central 99% (in 100-D a normal sample's norm is ~10, the origin's 0:
    a plane through the origin holds few points like the ones the generator learnt from)."""
    from gan_core.slices import slice_norm_report

    report = slice_norm_report(latent_slice, prior, n)
    lo, hi = report["interval"]
    return (f"{report['share']:.0%} of this plane's {report['total']:,} map points have a norm "
            f"like the prior's samples ({lo:.1f} to {hi:.1f}).")  # fmt: skip


def moved_spec(explorer, action: str, spec, record, values, pasted) -> str:
    """The spec after a plane picker's button: ``action`` "random" (the next random plane),
    "recentre" (the plane through the sliders' point, at t = 0) or "go" (through the
    pasted point)."""
    if action == "random":
        return next_random_spec(spec)
    plane = from_record(record, explorer)
    if action == "go":
        z = parse_full_point(pasted, explorer.latent_dim)
    elif action == "recentre":
        z = latent_point(plane, slice_coordinates(plane, values))
    else:
        raise PayloadError(f"unknown plane action {action!r}")
    return recentre_spec(plane, z)


def next_random_spec(spec) -> str:
    """The next random plane after ``spec`` (random:N -> random:N+1; else random:1)."""
    text = (spec or "").split("@", 1)[0].strip()
    if text.startswith("random:"):
        try:
            return f"random:{int(text[7:]) + 1}"
        except ValueError:
            pass
    return "random:1"
