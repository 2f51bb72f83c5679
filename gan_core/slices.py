"""Latent slices: planes and cubes through a latent space of any dimension.

A slice is an origin c in R^d, an orthonormal basis U (k rows of d numbers, k = 2 for a
map, 3 for a cube) and a coordinate range [lo, hi]; slice coordinates t map to the latent
point z = c + t @ U. The study's maps are the case c = 0 (or the fixed coordinates),
U = the first axes, range = the prior's box.

A slice is named by a short text spec:
- ``axes:I,J[,K]``: coordinates I, J (and K) through the origin (the default for d <= 4);
- ``random:SEED``: a seeded random orthonormal plane through a seeded prior sample,
  orthogonal to that sample so every point keeps at least its norm (the default above 4-D);
- ``points:P;Q;R`` (a plane) or ``points:P;Q;R;S`` (a cube): the slice through the given
  points, each ``seed=N`` (the prior sample ``prior.sample(1, d, N)[0]``), ``v=x1,...,xd``
  (a literal point) or ``0`` (the origin: ``points:0;seed=1;seed=2`` is the plane that
  holds both the straight and the spherical path between two samples); origin their centroid, basis Gram-Schmidt of Q-P, R-P (, S-P), range
  [-h, h] with h = 1.25 x the points' largest |slice coordinate|, at least half the prior's
  default half-range;
- ``principal:I,J[,K]``: principal directions of the generator's first layer (GANSpace):
  PCA of that layer's activations over 2,000 seeded prior samples, components I, J (K)
  mapped back to z by least squares, orthonormalised; through random:0's prior sample.

Any spec may end with ``@v=x1,...,xd``: the same basis and range, the origin moved to that
point (:meth:`LatentSlice.recentred`). The same text is used on the command line, in URLs
and in JSON.
"""

from __future__ import annotations

import hashlib
import math
import threading
import weakref
from dataclasses import dataclass

import numpy as np

from gan_core.priors import Prior

MAX_SEED = 2**32 - 1
MAX_SPEC_CHARS = 20_000
KINDS = ("axes", "random", "points", "principal")
POINTS_MARGIN = 1.25  # a points slice's range: the points' largest coordinate times this
ORTHONORMAL_TOLERANCE = 1e-4
PRINCIPAL_SAMPLES = 2000
PRINCIPAL_SEED = 20_240_601
PRINCIPAL_COMPONENTS = 16  # computed at least (more when a spec asks for a later one)


class SliceError(ValueError):
    """A slice spec or slice that cannot be used (malformed, wrong dimension, not orthonormal)."""


@dataclass(frozen=True, eq=False)
class LatentSlice:
    """z = origin + t @ basis for t in [lo, hi]^k."""

    spec: str
    origin: np.ndarray  # (d,)
    basis: np.ndarray  # (k, d), orthonormal rows
    lo: float
    hi: float

    @property
    def latent_dim(self) -> int:
        return int(self.origin.shape[0])

    @property
    def k(self) -> int:
        return int(self.basis.shape[0])

    def axis_values(self, n: int) -> np.ndarray:
        """The n coordinate values of each grid axis."""
        return np.linspace(self.lo, self.hi, int(n), dtype=np.float64)

    def points(self, t: np.ndarray) -> np.ndarray:
        """Latent points (..., d) of slice coordinates t (..., k), float32."""
        t = np.asarray(t, np.float64)
        return (self.origin + t @ self.basis).astype(np.float32)

    def grid(self, n: int) -> np.ndarray:
        """(n^k, d) latent points of the n^k grid, first slice axis slowest."""
        a = self.axis_values(n)
        mesh = np.meshgrid(*([a] * self.k), indexing="ij")
        t = np.stack([m.reshape(-1) for m in mesh], axis=1)
        return self.points(t)

    def describe(self, n: int) -> str:
        return f"{n}^{self.k} grid on [{self.lo:g},{self.hi:g}] of slice {self.spec}"

    def coordinates(self, z) -> np.ndarray:
        """The slice coordinates (k,) of the point of the slice nearest to ``z`` (d,)."""
        return (np.asarray(z, np.float64) - self.origin) @ self.basis.T

    def to_dict(self) -> dict:
        """JSON-ready: what the page needs to compute z = origin + t @ basis itself."""
        return {
            "spec": self.spec,
            "origin": [float(v) for v in self.origin],
            "basis": [[float(v) for v in row] for row in self.basis],
            "range": [float(self.lo), float(self.hi)],
        }

    @property
    def base_spec(self) -> str:
        """The spec without its ``@v=...`` recentring suffix."""
        return self.spec.split("@", 1)[0]

    def recentred(self, z) -> LatentSlice:
        """The same basis and range with the origin moved to ``z`` (d,); the spec carries
        the point as an ``@v=...`` suffix (replacing an earlier one), so parsing it gives
        this slice again."""
        text = format_vector(_vector(z, self.latent_dim, "the new origin"))
        spec = f"{self.base_spec}@v={text}"
        _check_length(spec)
        # The origin is the point as the spec writes it: parsing the spec gives the same bits.
        origin = _parse_numbers(text, self.latent_dim, "the new origin")
        return LatentSlice(spec, origin, self.basis, self.lo, self.hi)

    def cache_params(self) -> dict:
        """What a map on this slice depends on (its cache key's parameters)."""
        return {"origin": self.origin.astype(np.float32).tobytes().hex(),
                "basis": self.basis.astype(np.float32).tobytes().hex(),
                "range": [float(self.lo), float(self.hi)]}  # fmt: skip


def _orthonormal_rows(vectors: np.ndarray, avoid: np.ndarray | None = None) -> np.ndarray:
    """Gram-Schmidt of ``vectors`` (k, d) in float64, after removing ``avoid``'s direction."""
    out = []
    extra = [] if avoid is None or not np.linalg.norm(avoid) else [avoid / np.linalg.norm(avoid)]
    for v in vectors.astype(np.float64):
        for u in extra + out:
            v = v - (v @ u) * u
        norm = np.linalg.norm(v)
        if norm < 1e-9:
            raise SliceError("the directions of the slice are not independent")
        out.append(v / norm)
    return np.stack(out)


def axes_slice(latent_dim: int, axes: tuple[int, ...], prior: Prior, origin=None) -> LatentSlice:
    """The plane or cube over coordinates ``axes`` through ``origin`` (default 0)."""
    if len(set(axes)) != len(axes) or any(not 0 <= a < latent_dim for a in axes):
        raise SliceError(
            f"axes {','.join(map(str, axes))} must be distinct coordinates in 0..{latent_dim - 1}"
        )
    basis = np.zeros((len(axes), latent_dim))
    for row, a in enumerate(axes):
        basis[row, a] = 1.0
    c = np.zeros(latent_dim) if origin is None else np.asarray(origin, np.float64)
    h = prior.default_half_range
    return LatentSlice(f"axes:{','.join(map(str, axes))}", c, basis, -h, h)


def random_slice(latent_dim: int, seed: int, prior: Prior, k: int = 2) -> LatentSlice:
    """A seeded random orthonormal plane (k = 2) or cube (k = 3) through a seeded prior
    sample, its directions orthogonal to that sample."""
    if not 0 <= int(seed) <= MAX_SEED:
        raise SliceError(f"a random slice's seed must be in 0..{MAX_SEED}, not {seed!r}")
    if latent_dim < k + 1:
        raise SliceError(f"a random {k}-D slice needs a latent space of at least {k + 1}-D")
    rng = np.random.default_rng(int(seed))
    origin = prior.sample(1, latent_dim, rng)[0].astype(np.float64)
    basis = _orthonormal_rows(rng.standard_normal((k, latent_dim)), avoid=origin)
    h = prior.default_half_range
    return LatentSlice(f"random:{int(seed)}", origin, basis, -h, h)


def default_spec(latent_dim: int) -> str:
    """``axes:0,1`` up to 4-D (the study's maps), ``random:0`` above."""
    return "axes:0,1" if latent_dim <= 4 else "random:0"


# ---- numbers and points ------------------------------------------------------------------
def format_vector(v) -> str:
    """Comma-separated numbers with 9 significant digits (float32-exact; within 1e-6 of
    float64 values of the prior's scale)."""
    return ",".join(f"{float(x):.9g}" for x in np.asarray(v, np.float64).reshape(-1))


def _check_length(spec: str) -> None:
    if len(spec) > MAX_SPEC_CHARS:
        raise SliceError(
            f"a slice spec is at most {MAX_SPEC_CHARS:,} characters, this one has {len(spec):,}"
        )


def _vector(z, latent_dim: int, what: str) -> np.ndarray:
    try:
        arr = np.asarray(z, dtype=np.float64).reshape(-1)
    except (TypeError, ValueError) as exc:
        raise SliceError(f"{what} must be {latent_dim} numbers, not {z!r}") from exc
    if arr.shape != (latent_dim,):
        raise SliceError(f"{what} has {arr.size} coordinates, the latent space is {latent_dim}-D")
    if not np.isfinite(arr).all():
        raise SliceError(f"{what} has NaN or infinite coordinates")
    return arr


def _parse_numbers(text: str, latent_dim: int, what: str) -> np.ndarray:
    try:
        values = [float(t) for t in text.split(",")]
    except ValueError as exc:
        raise SliceError(f"{what}: expected {latent_dim} comma-separated numbers ({exc})") from exc
    return _vector(values, latent_dim, what)


def _parse_int(text: str, what: str, lo: int, hi: int) -> int:
    t = text.strip()
    if not t.lstrip("+-").isdigit():
        raise SliceError(f"{what} must be a whole number in {lo}..{hi}, not {text!r}")
    value = int(t)
    if not lo <= value <= hi:
        raise SliceError(f"{what} must be in {lo}..{hi}, not {value}")
    return value


def _parse_point(token: str, latent_dim: int, prior: Prior, index: int) -> np.ndarray:
    """``seed=N`` (the prior sample of seed N), ``v=x1,...,xd`` (a literal point) or ``0``
    (the origin)."""
    name, sep, value = token.strip().partition("=")
    what = f"point {index + 1} ({token.strip()[:40]!r})"
    if token.strip() == "0":
        return np.zeros(latent_dim)
    if sep and name.strip() == "seed":
        seed = _parse_int(value, f"the seed of point {index + 1}", 0, MAX_SEED)
        return prior.sample(1, latent_dim, seed)[0].astype(np.float64)
    if sep and name.strip() == "v":
        return _parse_numbers(value, latent_dim, what)
    raise SliceError(f"{what} is neither 'seed=N', 'v=x1,...,x{latent_dim}' nor '0'")


# ---- the kinds of slice ------------------------------------------------------------------
def points_slice(points, prior: Prior, spec: str | None = None) -> LatentSlice:
    """The plane through 3 points or the cube through 4 (rows of ``points``): origin their
    centroid, basis Gram-Schmidt of Q-P, R-P (, S-P), range symmetric, wide enough to show
    every point with a margin."""
    pts = np.asarray(points, np.float64)
    if pts.ndim != 2 or pts.shape[0] not in (3, 4):
        raise SliceError("a points slice goes through 3 points (a plane) or 4 (a cube)")
    k = pts.shape[0] - 1
    if pts.shape[1] < k:
        raise SliceError(f"a {k}-D slice needs a latent space of at least {k}-D")
    try:
        basis = _orthonormal_rows(pts[1:] - pts[0])
    except SliceError as exc:
        raise SliceError(
            f"the {k + 1} points of a points slice must not lie on one "
            f"{'line' if k == 2 else 'plane'} (or coincide)"
        ) from exc
    origin = pts.mean(axis=0)
    coords = (pts - origin) @ basis.T
    h = max(POINTS_MARGIN * float(np.abs(coords).max()), prior.default_half_range / 2)
    if spec is None:
        spec = "points:" + ";".join(f"v={format_vector(p)}" for p in pts)
    return LatentSlice(spec, origin, basis, -h, h)


_principal_cache: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_principal_lock = threading.Lock()


def _first_layer(generator):
    """The generator's first layer on the path from z: its first layer with a kernel (Dense
    or convolution), else its first layer that is not an input."""
    import keras

    layers = [la for la in generator.layers if not isinstance(la, keras.layers.InputLayer)]
    for layer in layers:
        if hasattr(layer, "kernel"):
            return layer
    if not layers:
        raise SliceError("the generator has no layers: no principal directions")
    return layers[0]


def _weights_digest(model) -> str:
    h = hashlib.sha256()
    for w in model.weights:
        h.update(np.ascontiguousarray(np.asarray(w)).tobytes())
    return h.hexdigest()


def principal_directions(
    generator, prior: Prior, components: int = PRINCIPAL_COMPONENTS,
    n_samples: int = PRINCIPAL_SAMPLES,
) -> np.ndarray:  # fmt: skip
    """(c, d) latent directions of the first ``components`` principal components of the
    generator's first layer's activations, GANSpace's way: PCA (scikit-learn, randomized,
    seeded) of the flattened activations of ``n_samples`` seeded prior samples, then a
    least-squares regression of z on the PCA coordinates; row i is component i's direction
    in z (not normalised). c is at most d. Cached per generator object and weights.

    The PCA coordinates are uncorrelated, so a component's regression row does not depend
    on how many other components are computed: asking for more later extends the rows."""
    import keras
    from sklearn.decomposition import PCA

    latent_dim = int(generator.inputs[0].shape[1])
    c = max(1, min(int(components), latent_dim, n_samples - 1))
    key = (_weights_digest(generator), prior.spec, int(n_samples))
    with _principal_lock:
        cached = _principal_cache.get(generator, {}).get(key)
    if cached is not None and cached.shape[0] >= c:
        return cached[:c]
    probe = keras.Model(generator.inputs, _first_layer(generator).output)
    z = prior.sample(n_samples, latent_dim, PRINCIPAL_SEED)
    inputs = [z]
    if len(generator.inputs) > 1:  # a CGAN: every label in turn
        inputs.append((np.arange(n_samples) % 10).astype(np.int32).reshape(-1, 1))
    acts = np.asarray(probe(inputs, training=False), np.float64).reshape(n_samples, -1)
    c = min(c, acts.shape[1])
    pca = PCA(n_components=c, svd_solver="randomized", random_state=0).fit(acts)
    coords = pca.transform(acts)  # (N, c)
    directions, *_ = np.linalg.lstsq(coords, z.astype(np.float64), rcond=None)  # (c, d)
    with _principal_lock:
        _principal_cache.setdefault(generator, {})[key] = directions
    return directions


def principal_slice(generator, components: tuple[int, ...], prior: Prior) -> LatentSlice:
    """The plane (cube) along principal directions ``components`` of the generator's first
    layer, through random:0's prior sample, over the prior's default range."""
    latent_dim = int(generator.inputs[0].shape[1])
    c = min(latent_dim, PRINCIPAL_SAMPLES - 1)
    if len(set(components)) != len(components) or any(not 0 <= i < c for i in components):
        raise SliceError(
            f"principal components {','.join(map(str, components))} must be distinct "
            f"numbers in 0..{c - 1}"
        )
    directions = principal_directions(
        generator, prior, max(PRINCIPAL_COMPONENTS, max(components) + 1)
    )
    if max(components) >= directions.shape[0]:
        raise SliceError(f"the first layer has only {directions.shape[0]} principal components")
    basis = _orthonormal_rows(directions[list(components)])
    origin = prior.sample(1, latent_dim, 0)[0].astype(np.float64)
    h = prior.default_half_range
    return LatentSlice(f"principal:{','.join(map(str, components))}", origin, basis, -h, h)


# ---- specs -------------------------------------------------------------------------------
def _parse_indices(rest: str, kind: str, k: int) -> tuple[int, ...]:
    parts = rest.split(",")
    if len(parts) != k:
        raise SliceError(
            f"{kind}:{rest[:40]} names {len(parts)} coordinates, a {k}-D slice needs {k}"
        )
    return tuple(_parse_int(p, f"{kind}: index", 0, 10**6) for p in parts)


def _parse_base(kind: str, rest: str, spec: str, latent_dim: int, prior: Prior, k: int,
                generator) -> LatentSlice:  # fmt: skip
    if kind == "axes":
        return axes_slice(latent_dim, _parse_indices(rest, kind, k), prior)
    if kind == "random":
        return random_slice(
            latent_dim, _parse_int(rest, "a random slice's seed", 0, MAX_SEED), prior, k
        )
    if kind == "points":
        tokens = rest.split(";")
        if len(tokens) != k + 1:
            raise SliceError(
                f"a {k}-D points slice goes through {k + 1} points, {spec[:60]!r} names {len(tokens)}"
            )
        pts = [_parse_point(t, latent_dim, prior, i) for i, t in enumerate(tokens)]
        return points_slice(pts, prior, spec=f"points:{rest}")
    if kind == "principal":
        if generator is None:
            raise SliceError("principal slices need the model (its generator)")
        if int(generator.inputs[0].shape[1]) != latent_dim:
            raise SliceError(
                f"the generator's latent space is {int(generator.inputs[0].shape[1])}-D, not {latent_dim}-D"
            )
        return principal_slice(generator, _parse_indices(rest, kind, k), prior)
    raise SliceError(f"unknown slice kind {kind[:40]!r}: use one of {', '.join(KINDS)}")


def parse_slice(
    spec: str, latent_dim: int, prior: Prior, k: int = 2, generator=None
) -> LatentSlice:
    """The slice a spec names in a ``latent_dim``-D space under ``prior`` (``generator``:
    the model, for principal slices), or SliceError saying what is wrong."""
    if not isinstance(spec, str) or ":" not in spec:
        raise SliceError(
            f"a slice spec is 'axes:I,J', 'random:SEED', 'points:P;Q;R' or 'principal:I,J', "
            f"not {str(spec)[:60]!r}"
        )
    _check_length(spec)
    if k not in (2, 3):
        raise SliceError(f"a slice is a plane (k=2) or a cube (k=3), not k={k!r}")
    text = spec.strip()
    base, at, centre = text.partition("@")
    kind, _, rest = base.partition(":")
    kind = kind.strip()
    s = _parse_base(kind, rest.strip(), text, latent_dim, prior, k, generator)
    if not at:
        return s
    name, sep, value = centre.strip().partition("=")
    if not sep or name.strip() != "v":
        raise SliceError(
            f"a recentred spec ends with '@v=x1,...,x{latent_dim}', not '@{centre[:40]}'"
        )
    origin = _parse_numbers(value, latent_dim, "the recentring point")
    return LatentSlice(f"{s.spec}@v={value.strip()}", origin, s.basis, s.lo, s.hi)


def slice_from_dict(data, latent_dim: int, k: int | None = None) -> LatentSlice:
    """A slice from its JSON form ``{"spec", "origin", "basis", "range"}``
    (:meth:`LatentSlice.to_dict`), checked: d and k, finite numbers, an orthonormal basis,
    lo < hi."""
    if not isinstance(data, dict):
        raise SliceError("a slice is a JSON object with spec, origin, basis and range")
    missing = [key for key in ("spec", "origin", "basis", "range") if key not in data]
    if missing:
        raise SliceError(f"the slice lacks {', '.join(missing)}")
    spec = data["spec"]
    if not isinstance(spec, str) or not spec:
        raise SliceError("the slice's spec must be a non-empty text")
    _check_length(spec)
    origin = _vector(data["origin"], latent_dim, "the slice's origin")
    try:
        basis = np.asarray(data["basis"], dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SliceError(f"the slice's basis must be rows of {latent_dim} numbers") from exc
    if basis.ndim != 2 or basis.shape[1] != latent_dim or basis.shape[0] not in (2, 3):
        raise SliceError(
            f"the slice's basis must be 2 or 3 rows of {latent_dim} numbers, not shape {basis.shape}"
        )
    if k is not None and basis.shape[0] != k:
        raise SliceError(f"the slice has {basis.shape[0]} directions, a {k}-D slice is needed")
    if not np.isfinite(basis).all():
        raise SliceError("the slice's basis has NaN or infinite numbers")
    error = float(np.abs(basis @ basis.T - np.eye(basis.shape[0])).max())
    if error > ORTHONORMAL_TOLERANCE:
        raise SliceError(f"the slice's basis is not orthonormal (off by {error:.3g})")
    rng = data["range"]
    try:
        lo, hi = (float(v) for v in rng)
    except (TypeError, ValueError) as exc:
        raise SliceError("the slice's range must be two numbers [lo, hi]") from exc
    if not (math.isfinite(lo) and math.isfinite(hi) and lo < hi):
        raise SliceError(f"the slice's range must be finite with lo < hi, not [{lo}, {hi}]")
    return LatentSlice(spec, origin, basis, lo, hi)


def slice_norm_report(latent_slice: LatentSlice, prior: Prior, n: int) -> dict:
    """How many of the slice's n^k grid points have a norm inside the prior's central 99%
    of norms: {"inside", "total", "share", "interval": [lo, hi]}."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 2:
        raise SliceError(f"the grid size must be an int >= 2, not {n!r}")
    lo, hi = prior.norm_interval(latent_slice.latent_dim, 0.99)
    a = latent_slice.axis_values(int(n))
    # |c + t U|^2 = |c|^2 + 2 t.(U c) + |t|^2 for orthonormal U: no (n^k, d) array needed.
    uc = latent_slice.basis @ latent_slice.origin
    mesh = np.meshgrid(*([a] * latent_slice.k), indexing="ij")
    sq = float(latent_slice.origin @ latent_slice.origin) + sum(
        2 * m * u + m * m for m, u in zip(mesh, uc)
    )
    norms = np.sqrt(np.maximum(sq, 0.0))
    inside = int(np.count_nonzero((norms >= lo) & (norms <= hi)))
    total = int(norms.size)
    return {"inside": inside, "total": total, "share": inside / total, "interval": [lo, hi]}
