"""The training recipe: every technique on top of the study's plain DCGAN loop, as options.

Each option is recorded in ``config.json`` (``recipe``) so that a resume trains exactly as
the run began. None of them changes a parameter count:

- ``ema_half_life_images``: an exponential moving average of the generator's weights with
  this half-life in images (StyleGAN2-ADA's 10k), ramped in as ``min(half_life,
  ema_rampup * images_seen)``; the EMA generator is what is monitored, saved and served,
  its BatchNorm statistics recomputed for its own weights (Yazici et al., ICLR 2019).
- ``ema_half_life_end_images`` (0 = off): during the learning-rate decay the half-life
  grows linearly from ``ema_half_life_images`` to this as the rate falls to zero, so at
  the end the average spans many more steps than the weights move in an epoch.
- ``ema_follows_lr`` (0 = off): once the learning-rate scale falls below this value
  (1 = from the start of the decay), the average's step ``1 - beta`` is scaled by
  ``lr_scale / ema_follows_lr``, so it slows and stops with the weights instead of closing
  on the final weights for the rest of the run (an average weighted by step size, as
  stochastic weight averaging under a decaying rate). A small value keeps the long average
  of the decay and only stops it at the end. Recorded as ``true``/``false`` before it took
  a value: those read as 1 and 0.
- ``g_learning_rate`` / ``d_learning_rate``: two time-scale learning rates (TTUR).
- ``lr_decay_fraction``: linear decay of both rates to zero over that last share of the
  epoch budget.
- ``r1_gamma`` / ``r1_every``: lazy R1 gradient penalty on real images (Mescheder et al.
  2018; lazy as in StyleGAN2).
- ``matching_aware`` (CGAN): real images with a wrong label count as fake (GAN-CLS, Reed
  et al. 2016).
- ``label_margin`` / ``label_margin_weight`` (CGAN): a hinge penalty on every component of
  the generator's label embedding whose magnitude is below the margin, so no label's
  conditioned input collapses onto an axis or the origin.
- ``d_input_gain``: the discriminator sees real and generated images alike through a fixed
  logarithmic intensity curve (see :func:`gan_core.steps.discriminator_view`) that
  stretches the grey levels just above black, where MNIST is exactly black and a
  generator's tanh leaves a faint haze; like DiffAugment, a fixed transform of both inputs
  of D, no new parameter.
- ``d_input_linear`` (0 = the curve alone): the share of the plain linear intensity
  mixed into that curve. At g = 1000 the curve puts mid-grey within 10% of white, so D
  barely sees stroke edges and interiors and G learns thick, saturated strokes; the
  default 0.5 keeps near-black 30x stretched and mid-grey 30% below white.

Options that were measured and retired (:data:`RETIRED`) are refused when a recorded
recipe turned them on, and dropped when it holds them at their off value.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from gan_core.steps import adversarial_losses, discriminator_view  # noqa: F401 (their old home)


class RecipeError(ValueError):
    """A recipe option is out of range."""


# Options added after recipes were first recorded, with the value a run recorded before
# them trained with (it resumes exactly as it began, whatever today's default).
ADDED_LATER = {
    "d_input_gain": 0.0,
    "ema_half_life_end_images": 0.0,
    "d_input_linear": 0.0,
    "ema_follows_lr": 0.0,
}

# Options measured and retired (docs/results.md, "Retired recipe options"), each with its
# off value: a recorded recipe that holds one at that value trained without it and loads;
# one that turned it on needs the code as it was at RETIRED_AT.
RETIRED = {
    "faint_band": 0.0,
    "tanh_gradient_floor": 0.0,
    "output_lr_scale": 1.0,
    "pixel_histogram": 0.0,
    "label_scale_min": 0.0,
    "label_scale_max": 0.0,
    "relativistic": False,
    "r2_gamma": 0.0,
}
RETIRED_AT = "bcde81e"  # the last commit with the retired options' code

# D's intensity curve stays finite, monotone and distinct on every grey level in float32
# up to here (log1p(1e8) = 18.4; levels 254 and 255 still differ by 2e-4 of the range).
MAX_D_INPUT_GAIN = 1e8


def drop_retired(data: dict[str, Any]) -> dict[str, Any]:
    """A recorded recipe without its retired options, which must be at their off values."""
    on = [k for k, off in RETIRED.items() if k in data and data[k] != off]
    if on:
        raise RecipeError(
            f"recipe option {', '.join(f'{k}={data[k]!r}' for k in on)} was retired (measured "
            "no better: docs/results.md, 'Retired recipe options'); this run turned it on, "
            f"so it trains only with the code of commit {RETIRED_AT}, where it last existed"
        )
    return {k: v for k, v in data.items() if k not in RETIRED}


@dataclass
class Recipe:
    """Training options beyond the architecture (defaults: the bundled models' recipe)."""

    g_learning_rate: float = 1e-4
    d_learning_rate: float = 4e-4
    beta_1: float = 0.5
    lr_decay_fraction: float = 0.25
    ema_half_life_images: float = 10_000.0
    ema_rampup: float = 0.05
    ema_half_life_end_images: float = 0.0
    r1_gamma: float = 0.01
    r1_every: int = 16
    matching_aware: bool = True
    label_margin: float = 0.3
    label_margin_weight: float = 1.0
    d_input_gain: float = 1000.0
    d_input_linear: float = 0.5
    ema_follows_lr: float = 0.0

    def __post_init__(self) -> None:
        for name in ("g_learning_rate", "d_learning_rate"):
            if not 0 < getattr(self, name) < 1:
                raise RecipeError(f"{name} must be in (0, 1), got {getattr(self, name)!r}")
        if not 0 <= self.beta_1 < 1:
            raise RecipeError(f"beta_1 must be in [0, 1), got {self.beta_1!r}")
        if not 0 <= self.lr_decay_fraction <= 1:
            raise RecipeError(
                f"lr_decay_fraction must be in [0, 1], got {self.lr_decay_fraction!r}"
            )
        if self.ema_half_life_images < 0 or self.ema_rampup < 0:
            raise RecipeError("ema_half_life_images and ema_rampup must be >= 0")
        if self.ema_half_life_end_images and not (
            self.ema_half_life_end_images >= self.ema_half_life_images > 0
        ):
            raise RecipeError(
                "ema_half_life_end_images is 0 (off) or at least ema_half_life_images (> 0), "
                f"got {self.ema_half_life_end_images!r}"
            )
        if self.r1_gamma < 0 or int(self.r1_every) < 1:
            raise RecipeError("r1_gamma must be >= 0 and r1_every >= 1")
        if self.label_margin < 0 or self.label_margin_weight < 0:
            raise RecipeError("label_margin and label_margin_weight must be >= 0")
        if not 0 <= self.d_input_gain <= MAX_D_INPUT_GAIN:
            raise RecipeError(
                f"d_input_gain must be in [0, {MAX_D_INPUT_GAIN:g}], got {self.d_input_gain!r}"
            )
        if not 0 <= self.d_input_linear <= 1:
            raise RecipeError(f"d_input_linear must be in [0, 1], got {self.d_input_linear!r}")
        self.r1_every = int(self.r1_every)
        try:  # true/false as recorded before it took a value: 1/0
            self.ema_follows_lr = float(self.ema_follows_lr)
        except (TypeError, ValueError) as exc:
            raise RecipeError(
                f"ema_follows_lr must be a number, got {self.ema_follows_lr!r}"
            ) from exc
        if not 0 <= self.ema_follows_lr <= 1:
            raise RecipeError(f"ema_follows_lr must be in [0, 1], got {self.ema_follows_lr!r}")

    @classmethod
    def legacy(cls, learning_rate: float = 2e-4, beta_1: float = 0.5) -> Recipe:
        """The study's plain loop: one learning rate, no decay, EMA, R1 or CGAN extras."""
        return cls(
            g_learning_rate=learning_rate,
            d_learning_rate=learning_rate,
            beta_1=beta_1,
            lr_decay_fraction=0.0,
            ema_half_life_images=0.0,
            r1_gamma=0.0,
            matching_aware=False,
            label_margin_weight=0.0,
            d_input_gain=0.0,
        )

    @classmethod
    def from_json(cls, data: Any) -> Recipe:
        if not isinstance(data, dict):
            raise RecipeError("recipe must be a JSON object")
        data = drop_retired(data)
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise RecipeError(f"unknown recipe options: {', '.join(unknown)}")
        return cls(**{**ADDED_LATER, **data})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def uses_ema(self) -> bool:
        return self.ema_half_life_images > 0

    def learning_rate_scale(self, step: int, total_steps: int) -> float:
        """Factor on both learning rates at ``step`` (0-based) of ``total_steps``: 1, then
        a linear ramp to 0 over the last ``lr_decay_fraction`` of the steps."""
        if self.lr_decay_fraction <= 0 or total_steps <= 0:
            return 1.0
        decay_steps = self.lr_decay_fraction * total_steps
        start = total_steps - decay_steps
        if step < start:
            return 1.0
        return float(max(0.0, (total_steps - step) / decay_steps))

    def ema_beta(self, images_seen: int, batch_size: int, lr_scale: float = 1.0) -> float:
        """Per-step EMA decay after ``images_seen`` images (0 when EMA is off), at
        ``lr_scale`` (:meth:`learning_rate_scale`) of the learning rates."""
        if not self.uses_ema:
            return 0.0
        half_life = self.ema_half_life_images
        if self.ema_half_life_end_images > 0:
            progress = 1.0 - min(max(float(lr_scale), 0.0), 1.0)
            half_life += (self.ema_half_life_end_images - half_life) * progress
        if self.ema_rampup > 0:
            half_life = min(half_life, self.ema_rampup * images_seen)
        beta = 0.5 ** (batch_size / max(half_life, 1e-8))
        if self.ema_follows_lr > 0:
            beta = 1.0 - (1.0 - beta) * min(max(float(lr_scale) / self.ema_follows_lr, 0.0), 1.0)
        return float(beta)


def recorded_recipe(cfg) -> Recipe:
    """The recipe a run trained with (``cfg``: its ``ModelConfig``): the recorded one, or
    the plain loop for a model trained before recipes were recorded."""
    return (
        Recipe.from_json(cfg.recipe) if cfg.recipe else Recipe.legacy(cfg.learning_rate, cfg.beta_1)
    )


def recompute_batchnorm_statistics(
    generator, latent_dim: int, conditional: bool, n: int = 4096, seed: int = 0, prior=None
) -> None:
    """Set every BatchNorm layer's moving mean and variance to the exact statistics of its
    input over ``n`` prior samples, layer by layer (each with the earlier ones already set).

    Averaged weights need their own statistics: the running ones belong to the raw weights.
    """
    import keras

    from gan_core.priors import UNIFORM

    z = (prior or UNIFORM).sample(n, latent_dim, seed)
    inputs = [z, (np.arange(n) % 10).astype(np.int32).reshape(-1, 1)] if conditional else z
    bn_layers = [
        lyr for lyr in generator.layers if isinstance(lyr, keras.layers.BatchNormalization)
    ]
    for layer in bn_layers:
        probe = keras.Model(generator.inputs if conditional else generator.input, layer.input)
        # Per-channel sums in float64, chunk by chunk: the same mean and variance as over
        # all n inputs at once, without holding them (16,384 x 14 x 14 x 64 for conv2_bn).
        total = total_sq = None
        count = 0
        for i in range(0, n, 1024):
            chunk = (
                [inputs[0][i : i + 1024], inputs[1][i : i + 1024]]
                if conditional
                else inputs[i : i + 1024]
            )
            x = np.asarray(probe(chunk, training=False), np.float64)
            axes = tuple(range(x.ndim - 1))
            part, part_sq = x.sum(axis=axes), np.square(x).sum(axis=axes)
            total = part if total is None else total + part
            total_sq = part_sq if total_sq is None else total_sq + part_sq
            count += x.size // x.shape[-1]
        mean = total / count
        layer.moving_mean.assign(mean.astype(np.float32))
        layer.moving_variance.assign(np.maximum(total_sq / count - mean**2, 0.0).astype(np.float32))
