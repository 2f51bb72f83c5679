"""The latent prior a generator was trained on: uniform on a box or normal with a scale.

Recorded in a model's ``config.json`` as ``"prior"``, a short text: ``uniform[-1,1]``
(the study's prior, every model trained before the prior was recorded) or
``normal(0,1)`` (the TensorFlow DCGAN tutorial's). Sampling, default slice ranges, the
morph mode and the norm check of a slice all follow it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

KINDS = ("uniform", "normal")
_NUMBER = r"([+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)"
_UNIFORM_RE = re.compile(rf"^uniform\[\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\]$")
_NORMAL_RE = re.compile(rf"^normal\(\s*{_NUMBER}\s*,\s*{_NUMBER}\s*\)$")
MAX_SCALE = 1e3


class PriorError(ValueError):
    """A prior text or value that names no supported prior."""


@dataclass(frozen=True)
class Prior:
    """``kind`` "uniform": every coordinate uniform on [-scale, scale]; "normal": every
    coordinate normal with mean 0 and standard deviation ``scale``."""

    kind: str = "uniform"
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PriorError(f"prior must be one of {', '.join(KINDS)}, not {self.kind!r}")
        scale = float(self.scale)
        if not np.isfinite(scale) or not 0 < scale <= MAX_SCALE:
            raise PriorError(f"the prior's scale must be in (0, {MAX_SCALE:g}], not {self.scale!r}")
        object.__setattr__(self, "scale", scale)

    @property
    def spec(self) -> str:
        """The text recorded in config.json."""
        s = f"{self.scale:g}"
        return f"uniform[-{s},{s}]" if self.kind == "uniform" else f"normal(0,{s})"

    def __str__(self) -> str:
        return self.spec

    @classmethod
    def parse(cls, text) -> Prior:
        """A prior from its recorded text, or from a bare kind ("normal" is normal(0,1))."""
        if isinstance(text, Prior):
            return text
        if not isinstance(text, str):
            raise PriorError(f"a prior is a text such as 'uniform[-1,1]', not {text!r}")
        t = text.strip().lower().replace(" ", "")
        if t in KINDS:
            return cls(t)
        m = _UNIFORM_RE.match(t)
        if m:
            lo, hi = float(m.group(1)), float(m.group(2))
            if lo != -hi:
                raise PriorError(f"a uniform prior is a box centred on 0, not [{lo:g}, {hi:g}]")
            return cls("uniform", hi)
        m = _NORMAL_RE.match(t)
        if m:
            if float(m.group(1)) != 0:
                raise PriorError(f"a normal prior has mean 0, not {m.group(1)}")
            return cls("normal", float(m.group(2)))
        raise PriorError(f"unknown prior {text!r}: use 'uniform[-a,a]' or 'normal(0,s)'")

    def sample(self, n: int, latent_dim: int, rng=0) -> np.ndarray:
        """(n, latent_dim) float32 samples; ``rng`` is a seed or a numpy Generator."""
        if not isinstance(rng, np.random.Generator):
            rng = np.random.default_rng(rng)
        if self.kind == "uniform":
            z = rng.uniform(-self.scale, self.scale, (n, latent_dim))
        else:
            z = rng.normal(0.0, self.scale, (n, latent_dim))
        return z.astype(np.float32)

    def contains(self, z: np.ndarray) -> np.ndarray:
        """Per row of ``z`` (..., d): whether the point is in the prior's support (a normal
        prior's support is everything)."""
        z = np.asarray(z)
        if self.kind == "uniform":
            return np.all(np.abs(z) <= self.scale * (1 + 1e-6), axis=-1)
        return np.all(np.isfinite(z), axis=-1)

    def norm_interval(self, latent_dim: int, mass: float = 0.99) -> tuple[float, float]:
        """The central ``mass`` of the norms |z| of prior samples in ``latent_dim`` dimensions
        (exact for a normal prior: scale times a chi distribution; estimated from 20,000
        samples for a box)."""
        if self.kind == "normal":
            from scipy.stats import chi

            lo, hi = chi.ppf([(1 - mass) / 2, (1 + mass) / 2], latent_dim)
            return float(lo * self.scale), float(hi * self.scale)
        norms = np.linalg.norm(self.sample(20_000, latent_dim, rng=12345), axis=1)
        lo, hi = np.quantile(norms, [(1 - mass) / 2, (1 + mass) / 2])
        return float(lo), float(hi)

    @property
    def bounds(self) -> tuple[float, float]:
        """Where a latent point may lie: the box of a uniform prior; for a normal prior
        +-50 standard deviations per coordinate (further out only the numbers overflow)."""
        edge = self.scale if self.kind == "uniform" else 50.0 * self.scale
        return -edge, edge

    @property
    def default_morph_mode(self) -> str:
        """slerp keeps a normal prior's typical norm along the path; a box keeps lines."""
        return "slerp" if self.kind == "normal" else "linear"

    @property
    def default_half_range(self) -> float:
        """Half-width of a slice's default coordinate range: the box itself, or three
        standard deviations of a normal prior."""
        return self.scale if self.kind == "uniform" else 3.0 * self.scale


UNIFORM = Prior("uniform", 1.0)
NORMAL = Prior("normal", 1.0)


def model_prior(cfg) -> Prior:
    """The prior of a model's ``ModelConfig`` (or anything with a ``prior`` text)."""
    return Prior.parse(getattr(cfg, "prior", None) or UNIFORM.spec)
