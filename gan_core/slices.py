"""Latent slices: planes and cubes through a latent space of any dimension.

A slice is an origin c in R^d, an orthonormal basis U (k rows of d numbers, k = 2 for a
map, 3 for a cube) and a coordinate range [lo, hi]; slice coordinates t map to the latent
point z = c + t @ U. The study's maps are the case c = 0 (or the fixed coordinates),
U = the first axes, range = the prior's box.

A slice is named by a short text spec:
- ``axes:I,J[,K]``: coordinates I, J (and K) through the origin (the default for d <= 4);
- ``random:SEED``: a seeded random orthonormal plane through a seeded prior sample,
  orthogonal to that sample so every point keeps at least its norm (the default above 4-D).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gan_core.priors import Prior

MAX_SEED = 2**32 - 1


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


def parse_slice(spec: str, latent_dim: int, prior: Prior, k: int = 2) -> LatentSlice:
    """The slice a spec names in a ``latent_dim``-D space under ``prior``."""
    if not isinstance(spec, str) or ":" not in spec:
        raise SliceError(f"a slice spec is 'axes:I,J' or 'random:SEED', not {spec!r}")
    kind, _, rest = spec.strip().partition(":")
    try:
        if kind == "axes":
            axes = tuple(int(a) for a in rest.split(","))
            if len(axes) != k:
                raise SliceError(
                    f"axes:{rest} names {len(axes)} coordinates, a {k}-D slice needs {k}"
                )
            return axes_slice(latent_dim, axes, prior)
        if kind == "random":
            return random_slice(latent_dim, int(rest), prior, k)
    except ValueError as exc:
        if isinstance(exc, SliceError):
            raise
        raise SliceError(f"malformed slice spec {spec!r}: {exc}") from exc
    raise SliceError(f"unknown slice kind {kind!r} in {spec!r}: use axes or random")
