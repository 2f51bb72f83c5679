"""Model factories reproducing the study's generators and discriminators exactly.

Parameter counts (hidden activation without parameters, e.g. leaky_relu):
generator d=2/3/4: 1,101,632 / 1,114,176 / 1,126,720 (25,472 non-trainable);
conditional generator d=3: 1,114,206; discriminator 212,865; conditional 220,705.
"""

from __future__ import annotations

import keras
from keras import layers

from gan_core.constants import ACTIVATIONS, DEFAULT_ACTIVATION  # noqa: F401 - re-exported

IMAGE_SHAPE = (28, 28, 1)
NUM_CLASSES = 10

# Names of the generator's layers whose outputs the explorer shows and edits.
GENERATOR_BLOCKS = ("dense", "conv1", "conv2", "image")


def hidden_activation(name: str, layer_name: str) -> layers.Layer:
    """The hidden activation layer ``name`` (one of ACTIVATIONS)."""
    if name == "relu":
        return layers.ReLU(name=layer_name)
    if name == "leaky_relu":
        return layers.LeakyReLU(negative_slope=0.3, name=layer_name)
    if name == "prelu":
        # One slope per channel, shared over the spatial axes, to stay close to the study.
        return layers.PReLU(
            shared_axes=[1, 2] if layer_name != "dense_act" else None, name=layer_name
        )
    if name == "elu":
        return layers.ELU(name=layer_name)
    raise ValueError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")


def _generator_body(z, activation: str):
    """The shared DCGAN-tutorial stack from a (None, d) tensor to a (None, 28, 28, 1) image."""
    x = layers.Dense(7 * 7 * 256, use_bias=False, name="dense")(z)
    x = layers.BatchNormalization(name="dense_bn")(x)
    x = hidden_activation(activation, "dense_act")(x)
    x = layers.Reshape((7, 7, 256), name="reshape")(x)
    assert tuple(x.shape[1:]) == (7, 7, 256)
    x = layers.Conv2DTranspose(128, 5, strides=1, padding="same", use_bias=False, name="conv1")(x)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = hidden_activation(activation, "conv1_act")(x)
    assert tuple(x.shape[1:]) == (7, 7, 128)
    x = layers.Conv2DTranspose(64, 5, strides=2, padding="same", use_bias=False, name="conv2")(x)
    x = layers.BatchNormalization(name="conv2_bn")(x)
    x = hidden_activation(activation, "conv2_act")(x)
    assert tuple(x.shape[1:]) == (14, 14, 64)
    x = layers.Conv2DTranspose(
        1, 5, strides=2, padding="same", use_bias=False, activation="tanh", name="image"
    )(x)
    assert tuple(x.shape[1:]) == IMAGE_SHAPE
    return x


def build_generator(latent_dim: int, activation: str = DEFAULT_ACTIVATION) -> keras.Model:
    """Unconditional generator: (None, latent_dim) noise -> (None, 28, 28, 1) in [-1, 1]."""
    if not isinstance(latent_dim, int) or latent_dim < 1:
        raise ValueError(f"latent_dim must be a positive int, got {latent_dim!r}")
    hidden_activation(activation, "check")  # validate the name early
    z = keras.Input(shape=(latent_dim,), name="z")
    return keras.Model(z, _generator_body(z, activation), name=f"generator_{latent_dim}d")


def build_conditional_generator(
    latent_dim: int = 3, activation: str = DEFAULT_ACTIVATION
) -> keras.Model:
    """CGAN generator: [noise (None, d), label (None, 1) int] -> image.

    The label's Embedding(10, d) is multiplied element-wise with the noise.
    """
    hidden_activation(activation, "check")
    z = keras.Input(shape=(latent_dim,), name="z")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    emb = layers.Embedding(NUM_CLASSES, latent_dim, name="label_embedding")(label)
    emb = layers.Flatten(name="label_flat")(emb)
    x = layers.Multiply(name="conditioned_z")([z, emb])
    return keras.Model([z, label], _generator_body(x, activation), name=f"cgenerator_{latent_dim}d")


def _discriminator_body(image):
    x = layers.Conv2D(64, 5, strides=2, padding="same", name="d_conv1")(image)
    x = layers.LeakyReLU(negative_slope=0.3, name="d_act1")(x)
    x = layers.Dropout(0.3, name="d_drop1")(x)
    x = layers.Conv2D(128, 5, strides=2, padding="same", name="d_conv2")(x)
    x = layers.LeakyReLU(negative_slope=0.3, name="d_act2")(x)
    x = layers.Dropout(0.3, name="d_drop2")(x)
    x = layers.Flatten(name="d_flat")(x)
    return layers.Dense(1, name="logit")(x)


def build_discriminator() -> keras.Model:
    """Discriminator: (None, 28, 28, 1) -> (None, 1) real/fake logit."""
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    return keras.Model(image, _discriminator_body(image), name="discriminator")


def build_conditional_discriminator() -> keras.Model:
    """CGAN discriminator: the image times a label Embedding(10, 784) reshaped to 28x28x1."""
    image = keras.Input(shape=IMAGE_SHAPE, name="image")
    label = keras.Input(shape=(1,), dtype="int32", name="label")
    emb = layers.Embedding(NUM_CLASSES, 28 * 28, name="label_embedding")(label)
    emb = layers.Reshape(IMAGE_SHAPE, name="label_map")(emb)
    x = layers.Multiply(name="conditioned_image")([image, emb])
    return keras.Model([image, label], _discriminator_body(x), name="cdiscriminator")


def build_gan_pair(latent_dim: int, conditional: bool, activation: str = DEFAULT_ACTIVATION):
    """(generator, discriminator) for the given configuration."""
    if conditional:
        return build_conditional_generator(
            latent_dim, activation
        ), build_conditional_discriminator()
    return build_generator(latent_dim, activation), build_discriminator()


def count_params(model: keras.Model) -> dict[str, int]:
    """Total, trainable and non-trainable parameter counts."""
    trainable = sum(int(v.numpy().size) for v in model.trainable_weights)
    non_trainable = sum(int(v.numpy().size) for v in model.non_trainable_weights)
    return {
        "total": trainable + non_trainable,
        "trainable": trainable,
        "non_trainable": non_trainable,
    }
