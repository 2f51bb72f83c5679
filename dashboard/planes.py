"""Pages other than the explorer on models above 4-D: the point /invert found (its text and
the plane through it to explore), which plane /compare shows two models on, and the
page's view of a found or shared point.

Models of 2-4 latent dimensions keep their whole-space views; above 4-D a page shows a
plane through the latent space (gan_core.slices, dashboard.slicing).
"""

from __future__ import annotations

import numpy as np

from dashboard import slicing, urlstate
from dashboard.payloads import PayloadError
from gan_core.slices import LatentSlice, SliceError, default_spec, format_vector, parse_slice

SHOWN_COORDINATES = 8  # a long z's text shows its first 8 coordinates and its norm
EXPLORE_PLANE = "random:0"  # the plane /invert offers to explore, recentred on the found z


def point_summary(z, prior) -> str:
    """The point as the page's result text shows it: every coordinate up to 4-D (as the
    study's pages always did); above, the first 8, how many more and the norm next to the
    prior's central 99% of norms."""
    z = np.asarray(z, np.float64).reshape(-1)
    if not slicing.sliced(z.size):
        return "(" + ", ".join(f"{v:+.2f}" for v in z) + ")"
    head = ", ".join(f"{v:+.2f}" for v in z[:SHOWN_COORDINATES])
    lo, hi = prior.norm_interval(z.size, 0.99)
    return (f"({head}, … {z.size - SHOWN_COORDINATES} more; {z.size}-D), |z| = "
            f"{np.linalg.norm(z):.2f} (the prior's samples: {lo:.1f} to {hi:.1f})")  # fmt: skip


def plane_through(z, prior, base: str = EXPLORE_PLANE) -> str:
    """The spec of plane ``base`` recentred on ``z``: ``base@v=x1,...,xd`` (9 significant
    digits), which parses back to that plane with ``z`` at t = (0, 0)."""
    z = np.asarray(z, np.float64).reshape(-1)
    try:
        plane = parse_slice(base, z.size, prior)
        if not hasattr(plane, "recentred"):  # the spec format gan_core.slices reads
            return f"{plane.spec}@v={format_vector(z)}"
        return plane.recentred(z).spec
    except SliceError as exc:
        raise PayloadError(f"no plane through this point: {exc}") from exc


def found_plane(z, prior) -> LatentSlice:
    """The plane :func:`plane_through` names (the page's latent view shows it)."""
    z = np.asarray(z, np.float64).reshape(-1)
    try:
        return parse_slice(plane_through(z, prior), z.size, prior)
    except SliceError as exc:
        raise PayloadError(f"no plane through this point: {exc}") from exc


def explore_link(model_id: str, z, label, conditional: bool, prior) -> str:
    """Where "open this point" goes: up to 4-D the explorer (the CGAN page for a CGAN) at
    z rounded to 2 decimals; above, the explorer on the plane through z, at t = (0, 0)."""
    page = "/cgan" if conditional else "/explore"
    z = np.asarray(z, np.float64).reshape(-1)
    if not slicing.sliced(z.size):
        point = [round(float(v), 2) for v in z]
        return page + urlstate.query_string({"model": model_id, "z": point, "label": label,
                                             "map": label})  # fmt: skip
    spec = plane_through(z, prior)
    return page + urlstate.query_string({"model": model_id, "slice": spec, "z": [0.0, 0.0],
                                         "label": label, "map": label})  # fmt: skip


def full_point(z) -> str:
    """The whole point to copy ("" up to 4-D, where the text shows it all)."""
    z = np.asarray(z, np.float64).reshape(-1)
    return format_vector(z).replace(",", ", ") if slicing.sliced(z.size) else ""


# ---- two models on one picture -----------------------------------------------------------
def describe_space(explorer) -> str:
    return f"{explorer.model_id} is {explorer.latent_dim}-D with prior {explorer.prior.spec}"


def compare_plane(left, right) -> LatentSlice | None:
    """The plane two models are compared on: None when both have 4 or fewer latent
    dimensions (shown whole; a smaller model uses the first coordinates, as always); the
    default plane of their space when both are above 4-D with the same dimension and
    prior; else PayloadError saying why the two cannot share a picture."""
    sliced = (slicing.sliced(left.latent_dim), slicing.sliced(right.latent_dim))
    if not any(sliced):
        return None
    if all(sliced) and left.latent_dim == right.latent_dim and left.prior == right.prior:
        return left.latent_slice(default_spec(left.latent_dim))
    raise PayloadError(
        f"{describe_space(left)}, {describe_space(right)}: above 4-D two models are "
        "compared on the same plane, so they need the same latent dimension and prior. "
        "Pick two such models, or two of 4 or fewer dimensions."
    )


def numbers_from_text(text, most: int = 4, limit: float = 1000.0) -> list[float] | None:
    """Up to ``most`` comma-separated finite numbers within +-``limit`` (a plane's slice
    coordinates may lie outside [-1, 1]), or None."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    try:
        values = [float(p) for p in text.split(",")]
    except ValueError:
        return None
    if not 1 <= len(values) <= most or not all(abs(v) <= limit for v in values):
        return None  # NaN fails the test too
    return values


def plane_numbers(text, plane: LatentSlice, what: str) -> np.ndarray:
    """A path end typed on a plane: its 2 slice coordinates (t0, t1) inside the plane's
    range, or PayloadError."""
    point = numbers_from_text(text)
    bound = f"[{plane.lo:g}, {plane.hi:g}]"
    if point is None or len(point) != plane.k:
        raise PayloadError(f"{what} is {plane.k} slice coordinates (t0, t1) in {bound}, "
                           f"such as '{plane.lo / 3:g},0'")  # fmt: skip
    t = np.asarray(point, np.float64)
    if not np.all((t >= plane.lo) & (t <= plane.hi)):
        raise PayloadError(f"{what}'s slice coordinates must lie in {bound}")
    return t


PATH_ENDS = {False: ("-1,0,0,0", "1,0,0,0"), True: ("-1,0", "1,0")}  # whole / on a plane
POINT_TITLES = {False: "Latent point (x, y, z, w)", True: "Slice coordinates (t0, t1)"}


def compare_controls(left, right, current, init=None) -> dict:
    """What /compare's controls become for two models (see :func:`compare_plane`):

    - ``record``: the plane's record, None for a whole-space pair or two models that
      cannot share a picture (the sides say why);
    - ``views``: each side's latent view's slice record (its model's default plane above
      4-D, so each map shows its own model even when the pair cannot be compared);
    - ``note``: the plane in words ("" when there is none);
    - ``changed``: whether the controls change kind (record differs from ``current``):
      then ``plane`` (LatentSlice or None), ``values`` (the sliders' start: a shared URL's
      slice coordinates when ``init`` was for these models), ``a``, ``b`` and ``title``.
    """
    try:
        plane = compare_plane(left, right)
    except PayloadError:
        plane = None
    record = None if plane is None else slicing.slice_record(plane)
    views = tuple(slicing.slice_record(e.latent_slice()) if slicing.sliced(e.latent_dim) else None
                  for e in (left, right))  # fmt: skip
    note = "" if plane is None else (
        f"Both models are {left.latent_dim}-D with prior {left.prior.spec}: the point and the "
        f"path A → B lie on their plane {plane.spec}, slice coordinates t0, t1 in "
        f"[{plane.lo:g}, {plane.hi:g}]."
    )  # fmt: skip
    out = {"record": record, "views": views, "note": note, "changed": record != current}
    if out["changed"]:
        on_plane = plane is not None
        a, b = PATH_ENDS[on_plane]
        values = None
        if on_plane and isinstance(init, dict) and (init.get("left"), init.get("right")) == (
            left.model_id, right.model_id):  # fmt: skip
            values = _on_plane(init.get("z"), plane)
            ends = [_on_plane(init.get(key), plane, text=True) for key in ("a", "b")]
            a, b = (",".join(f"{v:g}" for v in t) if t else d for t, d in zip(ends, (a, b)))
        out.update(plane=plane, values=values, a=a, b=b, title=POINT_TITLES[on_plane])
    return out


def _on_plane(value, plane: LatentSlice, text: bool = False):
    """A shared URL's point as slice coordinates on ``plane`` (its first 2 numbers, the rest
    0), or None."""
    numbers = numbers_from_text(value) if text else value
    if not isinstance(numbers, (list, tuple)) or len(numbers) < plane.k:
        return None
    t, rest = list(numbers[: plane.k]), list(numbers[plane.k :])
    if any(v != 0 for v in rest) or not all(plane.lo <= v <= plane.hi for v in t):
        return None
    return [float(v) for v in t]
