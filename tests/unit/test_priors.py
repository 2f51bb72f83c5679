"""Latent priors (gan_core.priors): parsing, refusals, sampling."""

import numpy as np
import pytest

from gan_core.priors import NORMAL, UNIFORM, Prior, PriorError, model_prior


@pytest.mark.parametrize(
    "text, kind, scale",
    [("uniform[-1,1]", "uniform", 1.0), ("uniform", "uniform", 1.0), (" Uniform[-2, 2] ",
     "uniform", 2.0), ("normal", "normal", 1.0), ("normal(0,0.5)", "normal", 0.5),
     ("normal(0, 1e-1)", "normal", 0.1)],
)  # fmt: skip
def test_prior_texts_parse_and_write_back(text, kind, scale):
    prior = Prior.parse(text)
    assert (prior.kind, prior.scale) == (kind, scale)
    assert Prior.parse(prior.spec) == prior and str(prior) == prior.spec
    assert Prior.parse(prior) is prior


def test_the_legacy_text_is_the_studys_prior():
    assert Prior.parse("uniform[-1,1]") == UNIFORM and UNIFORM.spec == "uniform[-1,1]"
    assert NORMAL.spec == "normal(0,1)"

    class Old:  # a config.json written before the prior was recorded
        prior = None

    assert model_prior(Old()) == UNIFORM


@pytest.mark.parametrize(
    "bad",
    ["uniform[0,1]", "normal(1,1)", "cauchy", "uniform[-1,1", "", "normal(0,0)",
     "normal(0,-1)", "uniform[-1e9,1e9]", 3, None],
)  # fmt: skip
def test_bad_prior_texts_are_refused(bad):
    with pytest.raises(PriorError):
        Prior.parse(bad)


def test_bad_prior_values_are_refused():
    with pytest.raises(PriorError, match="prior must be one of"):
        Prior("laplace")
    for scale in (0.0, -1.0, float("nan"), float("inf")):
        with pytest.raises(PriorError, match="scale"):
            Prior("normal", scale)


def test_samples_have_the_priors_shape_and_statistics():
    z = Prior("uniform", 2.0).sample(20_000, 3, 0)
    assert z.shape == (20_000, 3) and z.dtype == np.float32
    assert np.abs(z).max() <= 2.0 and z.std() == pytest.approx(2 / np.sqrt(3), rel=0.02)
    n = Prior("normal", 0.5).sample(20_000, 4, np.random.default_rng(1))
    assert abs(n.mean()) < 0.01 and n.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_array_equal(UNIFORM.sample(5, 2, 7), UNIFORM.sample(5, 2, 7))  # seeded
    assert UNIFORM.contains(np.array([[1.0, -1.0], [1.01, 0.0]])).tolist() == [True, False]
    assert NORMAL.contains(np.array([[1e6, 0.0]])).tolist() == [True]
    lo, hi = NORMAL.norm_interval(100)
    assert lo < 10.0 < hi and hi - lo < 4.0  # chi with 100 degrees of freedom: ~10 +- 1.8
    assert NORMAL.default_morph_mode == "slerp" and UNIFORM.default_morph_mode == "linear"
    assert Prior("normal", 2.0).default_half_range == 6.0 and UNIFORM.default_half_range == 1.0
