"""Every factory reproduces the study's architecture: shapes and exact parameter counts."""

import numpy as np
import pytest

from gan_core.models import (
    ACTIVATIONS,
    build_conditional_discriminator,
    build_conditional_generator,
    build_discriminator,
    build_generator,
    count_params,
)


@pytest.mark.parametrize(("latent_dim", "total"), [(2, 1_101_632), (3, 1_114_176), (4, 1_126_720)])
def test_generator_parameter_counts_match_the_study(latent_dim, total):
    counts = count_params(build_generator(latent_dim))
    assert counts["total"] == total
    assert counts["non_trainable"] == 25_472


def test_conditional_generator_parameter_count():
    assert count_params(build_conditional_generator(3))["total"] == 1_114_206


def test_discriminator_parameter_counts():
    assert count_params(build_discriminator())["total"] == 212_865
    assert count_params(build_conditional_discriminator())["total"] == 220_705


@pytest.mark.parametrize("latent_dim", [2, 3, 4])
def test_generator_maps_latent_batch_to_images_in_tanh_range(latent_dim):
    g = build_generator(latent_dim)
    assert tuple(g.inputs[0].shape) == (None, latent_dim)
    z = np.random.default_rng(0).uniform(-1, 1, (5, latent_dim)).astype(np.float32)
    out = np.asarray(g(z, training=False))
    assert out.shape == (5, 28, 28, 1)
    assert out.min() >= -1.0 and out.max() <= 1.0


def test_conditional_generator_depends_on_label():
    g = build_conditional_generator(3)
    z = np.full((2, 3), 0.5, np.float32)
    out = np.asarray(g([z, np.array([[1], [7]], np.int32)], training=False))
    assert out.shape == (2, 28, 28, 1)
    assert not np.allclose(out[0], out[1])


def test_discriminators_output_one_logit():
    x = np.zeros((3, 28, 28, 1), np.float32)
    assert np.asarray(build_discriminator()(x)).shape == (3, 1)
    y = np.array([[0], [1], [2]], np.int32)
    assert np.asarray(build_conditional_discriminator()([x, y])).shape == (3, 1)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_hidden_activation_is_selectable_and_last_layer_is_tanh(activation):
    g = build_generator(3, activation)
    assert g.get_layer("image").activation.__name__ == "tanh"
    names = [layer.__class__.__name__ for layer in g.layers]
    expected = {"relu": "ReLU", "leaky_relu": "LeakyReLU", "prelu": "PReLU", "elu": "ELU"}[
        activation
    ]
    assert names.count(expected) == 3
    if activation != "prelu":  # PReLU adds its slopes as parameters
        assert count_params(g)["total"] == 1_114_176


def test_unknown_activation_and_bad_latent_dim_are_refused():
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        build_generator(2, "swish")
    with pytest.raises(ValueError, match="latent_dim"):
        build_generator(0)
