"""Small, hand-set Keras models for tests of colour images and own classifiers.

``colour_generator`` maps z to a (H, W, 3) image whose red, green and blue levels follow
z0, z1 and -(z0 + z1); ``colour_classifier`` names the dominant colour. Together they give a
map of three clear areas ("red", "green", "blue") with no training, and both load in
Keras' safe mode (no Lambda layers).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

COLOUR_NAMES = ["red", "green", "blue"]


def colour_generator(latent_dim: int = 2, shape=(32, 32, 3), gain: float = 3.0):
    """z (None, d) -> (None, H, W, C) in [-1, 1]: channel c is tanh(gain * v_c . z), with
    v = (e0, e1, -(e0 + e1)) (the first two coordinates; the rest only shade a gradient)."""
    import keras

    h, w, c = shape
    z = keras.Input(shape=(latent_dim,), name="z")
    dense = keras.layers.Dense(h * w * c, activation="tanh", name="pixels")
    x = dense(z)
    img = keras.layers.Reshape((h, w, c), name="image")(x)
    model = keras.Model(z, img, name="colour_generator")
    kernel = np.zeros((latent_dim, h, w, c), np.float32)
    dirs = [(1.0, 0.0), (0.0, 1.0), (-1.0, -1.0)]
    for ch in range(c):
        a, b = dirs[ch % 3]
        kernel[0, ..., ch], kernel[1, ..., ch] = gain * a, gain * b
    if latent_dim > 2:  # a faint left-right gradient from the other coordinates
        ramp = np.linspace(-0.3, 0.3, w, dtype=np.float32)[None, :, None]
        kernel[2:] += ramp[None]
    dense.set_weights([kernel.reshape(latent_dim, -1), np.zeros(h * w * c, np.float32)])
    return model


def colour_classifier(shape=(32, 32, 3), n_classes: int = 3):
    """(None, H, W, C) -> (None, n_classes) softmax of the mean level of each channel."""
    import keras

    x_in = keras.Input(shape=shape, name="image")
    pooled = keras.layers.GlobalAveragePooling2D(name="mean")(x_in)
    dense = keras.layers.Dense(n_classes, activation="softmax", name="probs")
    out = dense(pooled)
    model = keras.Model(x_in, out, name="colour_classifier")
    kernel = np.zeros((shape[-1], n_classes), np.float32)
    for i in range(min(shape[-1], n_classes)):
        kernel[i, i] = 8.0
    dense.set_weights([kernel, np.zeros(n_classes, np.float32)])
    return model


def save(model, path: Path) -> bytes:
    """Save ``model`` to ``path`` (a .keras file) and return the file's bytes."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return path.read_bytes()


def write_colour_model(
    folder: Path, model_id: str, latent_dim: int = 2, shape=(32, 32, 3), names=None
) -> Path:
    """A model folder as an upload with its own classifier leaves it: generator.keras,
    classifier.keras and config.json (the class names, default red/green/blue)."""
    import json

    names = list(COLOUR_NAMES if names is None else names)
    target = Path(folder) / model_id
    save(colour_generator(latent_dim, shape), target / "generator.keras")
    save(colour_classifier(shape, len(names)), target / "classifier.keras")
    config = {"latent_dim": latent_dim, "data_source": "imported", "dataset": "mnist",
              "class_names": names}  # fmt: skip
    (target / "config.json").write_text(json.dumps(config, indent=2))
    return target
