"""The classifiers that colour the class-area maps and give classifier-FID features.

One architecture for every bundled dataset: a small CNN sized by the image shape and the
number of classes.
"""

from __future__ import annotations

import time
from pathlib import Path

import keras
import numpy as np
from keras import layers

from gan_core.checkpoints import atomic_write_json, save_keras_model

FEATURES_LAYER = "features"


def build_classifier(
    image_shape: tuple[int, int, int] = (28, 28, 1), n_classes: int = 10, name: str = "classifier"
) -> keras.Model:
    """Small CNN: (None, H, W, C) in [-1, 1] -> (None, n_classes) probabilities.

    The 128-unit layer named ``features`` is the embedding used for classifier-FID.
    """
    x_in = keras.Input(shape=tuple(image_shape), name="image")
    x = layers.Conv2D(32, 3, activation="relu", name="c1")(x_in)
    x = layers.Conv2D(64, 3, activation="relu", name="c2")(x)
    x = layers.MaxPooling2D(2, name="p1")(x)
    x = layers.Conv2D(64, 3, activation="relu", name="c3")(x)
    x = layers.MaxPooling2D(2, name="p2")(x)
    x = layers.Dropout(0.25, name="drop1")(x)
    x = layers.Flatten(name="flat")(x)
    x = layers.Dense(128, activation="relu", name=FEATURES_LAYER)(x)
    x = layers.Dropout(0.4, name="drop2")(x)
    out = layers.Dense(n_classes, activation="softmax", name="probs")(x)
    return keras.Model(x_in, out, name=name)


def feature_extractor(classifier: keras.Model) -> keras.Model:
    """Model mapping images to the classifier's penultimate (``features``) activations."""
    return keras.Model(classifier.input, classifier.get_layer(FEATURES_LAYER).output)


def augment_batch(
    images: np.ndarray, rng: np.random.Generator, max_shift: int = 2, flip: bool = False
) -> np.ndarray:
    """Random integer shifts up to ``max_shift`` pixels (background -1 filled) and, with
    ``flip``, left-right mirroring of half the images."""
    out = np.full_like(images, -1.0)
    n, h, w = images.shape[:3]
    dx = rng.integers(-max_shift, max_shift + 1, n)
    dy = rng.integers(-max_shift, max_shift + 1, n)
    for i in range(n):
        src = images[i]
        sx, sy = dx[i], dy[i]
        ys = slice(max(sy, 0), h + min(sy, 0))
        xs = slice(max(sx, 0), w + min(sx, 0))
        ys_src = slice(max(-sy, 0), h + min(-sy, 0))
        xs_src = slice(max(-sx, 0), w + min(-sx, 0))
        out[i, ys, xs] = src[ys_src, xs_src]
    if flip:
        mirror = rng.random(n) < 0.5
        out[mirror] = out[mirror][:, :, ::-1]
    return out


def train_classifier(
    x_train: np.ndarray,
    y_train: np.ndarray,
    x_test: np.ndarray,
    y_test: np.ndarray,
    epochs: int = 6,
    batch_size: int = 128,
    seed: int = 0,
    out_dir: Path | None = None,
    verbose: int = 1,
    n_classes: int = 10,
    flip: bool = False,
    max_shift: int = 2,
    extra_metrics: dict | None = None,
) -> tuple[keras.Model, dict]:
    """Train the classifier; optionally save ``classifier.keras`` + ``metrics.json`` in out_dir.

    Args:
        flip, max_shift: the augmentation after the first epoch (mirroring suits clothes,
            not digits).
        extra_metrics: written into metrics.json as well (the dataset's name, class names).

    Returns:
        (model, metrics) with test accuracy and error in percent.
    """
    keras.utils.set_random_seed(seed)
    model = build_classifier(tuple(x_train.shape[1:]), n_classes)
    steps = int(np.ceil(len(x_train) / batch_size)) * epochs
    schedule = keras.optimizers.schedules.CosineDecay(1e-3, decay_steps=max(steps, 1))
    model.compile(
        optimizer=keras.optimizers.Adam(schedule),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(seed)
    start = time.time()
    for epoch in range(epochs):
        # Shift augmentation makes the classifier robust to generated images' placement.
        x_aug = augment_batch(x_train, rng, max_shift, flip) if epoch > 0 else x_train
        if verbose:
            print(f"classifier epoch {epoch + 1}/{epochs}")
        model.fit(x_aug, y_train, batch_size=batch_size, epochs=1, verbose=verbose, shuffle=True)
    _, acc = model.evaluate(x_test, y_test, batch_size=512, verbose=0)
    metrics = {
        "test_accuracy": float(acc),
        "test_error_percent": round(100.0 * (1.0 - float(acc)), 3),
        "epochs": epochs,
        "train_images": int(len(x_train)),
        "test_images": int(len(x_test)),
        "train_seconds": round(time.time() - start, 1),
        **(extra_metrics or {}),
    }
    if out_dir is not None:
        out_dir = Path(out_dir)
        save_keras_model(model, out_dir / "classifier.keras")
        atomic_write_json(out_dir / "metrics.json", metrics)
    return model, metrics


def classify(classifier: keras.Model, images: np.ndarray, batch_size: int = 1024) -> np.ndarray:
    """Class probabilities (N, K) for images (N, H, W, C) in [-1, 1]."""
    probs = [
        np.asarray(classifier(images[i : i + batch_size], training=False))
        for i in range(0, len(images), batch_size)
    ]
    if probs:
        return np.concatenate(probs)
    return np.zeros((0, int(classifier.outputs[0].shape[-1])), np.float32)
