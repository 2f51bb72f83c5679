"""The step's arithmetic shared by both backends (gan_core.steps), on NumPy inputs."""

import numpy as np
import pytest

from gan_core.recipe import Recipe, RecipeError
from gan_core.steps import (
    StepSpec,
    d_accuracies,
    ema_update,
    label_margin_penalty,
    logit_sum,
    r1_penalty,
    r1_view,
    step_losses,
    wrong_labels,
)


def _np(x):
    return np.asarray(x, np.float32)


def test_the_spec_unpacks_the_recipe_once():
    from gan_core.training import TrainSettings

    plain = StepSpec.of(TrainSettings(model_id="x", recipe=Recipe(r1_gamma=0.01, r1_every=16)))
    assert not plain.conditional and not plain.matching_aware and plain.margin_weight == 0.0
    assert plain.r1_weight == pytest.approx(0.5 * 0.01 * 16) and plain.r1_every == 16
    assert (plain.gain, plain.linear) == (1000.0, 0.5)
    cgan = StepSpec.of(TrainSettings(model_id="x", latent_dim=3, conditional=True))
    assert cgan.matching_aware and cgan.margin_weight == 1.0 and cgan.margin == 0.3
    off = StepSpec.of(TrainSettings(model_id="x", conditional=True, recipe=Recipe.legacy()))
    assert not off.matching_aware and off.margin_weight == 0.0 and off.r1_weight == 0.0


def test_wrong_labels_differ_from_every_label():
    labels = np.arange(10).reshape(-1, 1)
    for shift in range(1, 10):
        moved = wrong_labels(labels, np.full_like(labels, shift))
        assert np.all(moved != labels) and moved.min() >= 0 and moved.max() <= 9


def test_label_margin_penalty_is_the_mean_shortfall_below_the_margin():
    e = np.array([[0.0, 0.1], [-0.5, 0.3]], np.float32)
    assert float(label_margin_penalty(e, 0.3)) == pytest.approx((0.3 + 0.2) / 4)
    assert float(label_margin_penalty(np.full((2, 2), 2.0, np.float32), 0.3)) == 0.0


def test_accuracies_and_the_average():
    real, fake = _np([1.0, -1.0, 2.0, 0.5]), _np([-1.0, -2.0, 3.0, -0.1])
    assert [float(a) for a in d_accuracies(real, fake)] == [0.75, 0.75]
    avg = ema_update(_np([1.0, 2.0]), _np([3.0, 4.0]), 0.75)
    np.testing.assert_allclose(_np(avg), [1.5, 2.5])
    np.testing.assert_allclose(_np(ema_update(_np([1.0]), _np([3.0]), 1.0)), [1.0])  # holds


def test_r1_penalty_is_the_mean_squared_input_gradient():
    grad = np.zeros((2, 28, 28, 1), np.float32)
    grad[0, 0, 0, 0], grad[1, 3, 4, 0] = 3.0, 4.0
    assert float(r1_penalty(grad)) == pytest.approx((9.0 + 16.0) / 2)
    spec = StepSpec(conditional=False, latent_dim=2, gain=15.0)
    images = np.full((2, 28, 28, 1), -1.0, np.float32)
    assert _np(r1_view(images, spec)).min() == pytest.approx(-1.0)
    assert float(logit_sum(lambda x: np.full((2, 1), 0.25), images, None, spec)) == 0.5


def test_step_losses_call_g_once_and_d_on_real_fake_and_wrong_in_order():
    spec = StepSpec(conditional=True, latent_dim=3, matching_aware=True, margin=0.3,
                    margin_weight=2.0)  # fmt: skip
    calls = []
    real = np.zeros((4, 28, 28, 1), np.float32)
    labels = np.arange(4).reshape(-1, 1)

    def generate(inputs):
        calls.append("g")
        z, lab = inputs
        assert z.shape == (4, 3) and np.array_equal(lab, labels)
        return np.ones((4, 28, 28, 1), np.float32)

    def discriminate(inputs):
        images, lab = inputs
        kind = "fake" if np.asarray(images).mean() > 0 else "real"
        kind = "wrong" if kind == "real" and not np.array_equal(lab, labels) else kind
        calls.append(kind)
        return np.full((4, 1), {"real": 2.0, "fake": -1.0, "wrong": -3.0}[kind], np.float32)

    embedding = np.zeros((10, 3), np.float32)
    z, shift = np.zeros((4, 3), np.float32), np.ones((4, 1), np.int64)
    out = step_losses(spec, generate, discriminate, real, labels, z, shift, embedding)
    assert calls == ["g", "real", "fake", "wrong"]
    sp = np.log1p(np.exp(np.float32([-2.0, -1.0, -3.0, 1.0])))  # softplus(-r), (f), (w), (-f)
    assert float(out.d_loss) == pytest.approx(sp[0] + 0.5 * (sp[1] + sp[2]), rel=1e-5)
    assert float(out.g_loss) == pytest.approx(sp[3], rel=1e-5)
    assert float(out.g_total) == pytest.approx(sp[3] + 2.0 * 0.3, rel=1e-5)


def test_discriminator_view_stretches_near_black_and_keeps_the_ends_and_order():
    from gan_core.steps import discriminator_view

    levels = np.arange(256, dtype=np.float32) / 127.5 - 1.0  # grey levels 0..255 in [-1, 1]
    seen = np.asarray(discriminator_view(levels, 15.0))
    assert seen[0] == pytest.approx(-1.0) and seen[-1] == pytest.approx(1.0)
    assert np.all(np.diff(seen) > 0)  # every level stays distinct and in order
    # Grey level 1 moves from 0.39% to ~2% of the range above black: 5x easier to see.
    assert (seen[1] + 1) / (levels[1] + 1) == pytest.approx(15 / np.log1p(15), rel=0.05)
    assert discriminator_view(levels, 0.0) is levels
    with pytest.raises(RecipeError):
        Recipe(d_input_gain=-1)
    # the steepest curve allowed still keeps every level distinct and in order
    steep = np.asarray(discriminator_view(levels, 1e8))
    assert steep[0] == pytest.approx(-1.0) and np.all(np.diff(steep) > 0)
    assert (steep[1] + 1) / 2 > 0.6  # grey level 1 shown brighter than mid-grey
    with pytest.raises(RecipeError, match="d_input_gain must be in"):
        Recipe(d_input_gain=1e9)


def test_a_linear_share_in_the_discriminator_view_keeps_grey_levels_near_white_apart():
    from gan_core.steps import discriminator_view

    levels = np.arange(256, dtype=np.float32) / 127.5 - 1.0
    curve = (np.asarray(discriminator_view(levels, 1000.0)) + 1) / 2
    mixed = (np.asarray(discriminator_view(levels, 1000.0, 0.5)) + 1) / 2
    assert mixed[0] == pytest.approx(0.0, abs=1e-6) and mixed[-1] == pytest.approx(1.0)
    assert np.all(np.diff(mixed) > 0)
    mid = 128  # p = 0.5: the curve alone puts it 10% below white, the mix 30%
    assert 1 - curve[mid] == pytest.approx(0.10, abs=0.01)
    assert 1 - mixed[mid] == pytest.approx(0.30, abs=0.01)
    assert mixed == pytest.approx(0.5 * curve + 0.5 * (levels + 1) / 2, abs=1e-6)
    assert mixed[1] / (1 / 255) > 25  # grey level 1 still stretched ~30x
    for bad in (-0.1, 1.5):
        with pytest.raises(RecipeError, match="d_input_linear"):
            Recipe(d_input_linear=bad)
    recorded = Recipe(d_input_linear=0.5).to_json()
    assert Recipe.from_json(recorded).d_input_linear == 0.5
    del recorded["d_input_linear"]  # recorded before the option: resumes with the curve alone
    assert Recipe.from_json(recorded).d_input_linear == 0.0
    assert Recipe().d_input_linear == 0.5  # today's default, measured best on the strong classifier


def test_adversarial_losses_standard_and_matching_aware():
    from gan_core.steps import adversarial_losses

    rng = np.random.default_rng(0)
    real, fake, wrong = (rng.normal(0, 2, 64).astype(np.float32) for _ in range(3))

    def softplus(x):
        return np.log1p(np.exp(x))

    d, g = (float(v) for v in adversarial_losses(real, fake))
    assert d == pytest.approx(softplus(-real).mean() + softplus(fake).mean(), rel=1e-5)
    assert g == pytest.approx(softplus(-fake).mean(), rel=1e-5)
    d, g = (float(v) for v in adversarial_losses(real, fake, wrong))
    want = softplus(-real).mean() + 0.5 * (softplus(fake).mean() + softplus(wrong).mean())
    assert d == pytest.approx(want, rel=1e-5)
