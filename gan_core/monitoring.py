"""The study's per-epoch monitoring, as callbacks the training loop calls after each epoch.

Like keras-io's ``GANMonitor`` (a ``keras.callbacks.Callback`` whose ``on_epoch_end``
draws a fixed noise batch), each record is one :class:`EpochMonitor`; the loop calls
``on_epoch_end(run, epoch, record, shared)`` on each in order, where ``run`` is the trainer
(its served generator, fixed noise, settings, history folder), ``record`` the epoch's
JSON record (a monitor may add to it) and ``shared`` a dict the monitors of one epoch
share (the fixed-noise images). :func:`default_monitors` gives the study's list:

- :class:`FixedNoiseSamples`: ``samples.npz``, images of the fixed noise batch;
- :class:`ClassMaps`: ``class_maps.npz``, the digit class at every point of the
  monitoring grid (:func:`monitor_grid`), with a digit classifier;
- :class:`WeakClassifier`: ``weak_classifier.csv`` every ``weak_every`` epochs;
- :class:`LossRecords`: ``losses.csv``;
- :class:`TensorBoardLog`: loss scalars and sample images under ``tensorboard/``
  (TensorFlow only).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from gan_core.grids import classify_latents, generate_images, grid_points
from gan_core.history import append_csv, append_npz
from gan_core.priors import UNIFORM, Prior
from gan_core.slices import default_spec, parse_slice

LOSS_COLUMNS = ("epoch", "g_loss", "d_loss", "d_real_acc", "d_fake_acc", "seconds")


def monitor_grid(
    latent_dim: int, conditional: bool, points: int | None = None, prior: Prior = UNIFORM
):
    """The per-epoch class-map grid: (latents, labels or None, shape, description).

    2D: the full 100 x 100 map. 3D: the full 16^3 cube. 4D: a coarser 8^4 grid (every 4th
    coordinate value has its own 8^3 cube). CGAN: an 8^3 cube per label, shape (10, 8, 8, 8).
    Above 4-D: a 100 x 100 map on the model's default slice (gan_core.slices).
    Higher resolutions are the explorer's job (gan_core.explorer); these keep monitoring under ~10 s/epoch.
    """
    if latent_dim > 4 and not conditional:
        n = points or 100
        plane = parse_slice(default_spec(latent_dim), latent_dim, prior)
        return plane.grid(n), None, (n, n), plane.describe(n)
    if conditional:
        n = points or 8
        cube = grid_points(n, latent_dim)
        latents = np.tile(cube, (10, 1))
        labels = np.repeat(np.arange(10, dtype=np.int32), len(cube))
        return (
            latents,
            labels,
            (10,) + (n,) * latent_dim,
            f"label x {n}^{latent_dim} cube on [-1,1]",
        )
    if latent_dim == 2:
        n = points or 100
    elif latent_dim == 3:
        n = points or 16
    else:
        n = points or 8
    return grid_points(n, latent_dim), None, (n,) * latent_dim, f"{n}^{latent_dim} grid on [-1,1]"


def to_uint8(images: np.ndarray) -> np.ndarray:
    """Images (N, 28, 28, 1) in [-1, 1] as uint8 grey levels (N, 28, 28)."""
    return np.clip((images[..., 0] + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)


class EpochMonitor:
    """One per-epoch record; see the module's docstring."""

    def on_epoch_end(self, run, epoch: int, record: dict[str, Any], shared: dict) -> None:
        raise NotImplementedError


class FixedNoiseSamples(EpochMonitor):
    def on_epoch_end(self, run, epoch, record, shared) -> None:
        samples = generate_images(
            run.served_generator, run.fixed_noise, run.fixed_labels if run.s.conditional else None
        )
        shared["samples"] = samples
        append_npz(
            run.hist,
            "samples.npz",
            epoch,
            images=to_uint8(samples),
            static={"noise": run.fixed_noise, "labels": run.fixed_labels},
        )


class ClassMaps(EpochMonitor):
    def on_epoch_end(self, run, epoch, record, shared) -> None:
        if run.classifier is None:
            return
        probs = classify_latents(
            run.served_generator, run.classifier, run.map_latents, run.map_labels
        )
        classes = probs.argmax(1).astype(np.uint8).reshape(run.map_shape)
        conf = probs.max(1).astype(np.float16).reshape(run.map_shape)
        append_npz(
            run.hist,
            "class_maps.npz",
            epoch,
            classes=classes,
            confidence=conf,
            static={"description": np.array(run.map_desc)},
        )
        counts = np.bincount(classes.reshape(-1), minlength=10)
        record["map_classes_present"] = int((counts > 0).sum())


class WeakClassifier(EpochMonitor):
    def on_epoch_end(self, run, epoch, record, shared) -> None:
        every = run.s.weak_every
        if not every or epoch % every:
            return
        from gan_core.evaluation import weak_classifier_accuracy

        acc = weak_classifier_accuracy(
            run.x,
            run.served_generator,
            run.s.latent_dim,
            run.s.conditional,
            seed=epoch,
            prior=run.s.prior,
        )
        record["weak_classifier_acc"] = round(acc, 4)
        append_csv(run.hist, "weak_classifier.csv", {"epoch": epoch, "accuracy": round(acc, 4)})


class LossRecords(EpochMonitor):
    def on_epoch_end(self, run, epoch, record, shared) -> None:
        append_csv(run.hist, "losses.csv", {k: record[k] for k in LOSS_COLUMNS})


class TensorBoardLog(EpochMonitor):
    """Loss scalars and the fixed-noise samples as one 6 x 6 image (TensorFlow only)."""

    def __init__(self) -> None:
        self._writer = None

    def on_epoch_end(self, run, epoch, record, shared) -> None:
        import tensorflow as tf

        if self._writer is None:
            self._writer = tf.summary.create_file_writer(str(run.hist / "tensorboard"))
        with self._writer.as_default(step=epoch):
            tf.summary.scalar("loss/generator", record["g_loss"])
            tf.summary.scalar("loss/discriminator", record["d_loss"])
            if "weak_classifier_acc" in record:
                tf.summary.scalar("weak_classifier_accuracy", record["weak_classifier_acc"])
            grid = (shared["samples"][:36, ..., 0] + 1) / 2
            rows = [np.concatenate(list(grid[r * 6 : r * 6 + 6]), axis=1) for r in range(6)]
            tf.summary.image(
                "fixed_noise_samples", np.concatenate(rows)[None, ..., None], step=epoch
            )
        self._writer.flush()


def default_monitors(tensorboard: bool = True) -> list[EpochMonitor]:
    """The study's records, in the order they are written."""
    monitors = [FixedNoiseSamples(), ClassMaps(), WeakClassifier(), LossRecords()]
    return monitors + [TensorBoardLog()] if tensorboard else monitors


def run_monitors(monitors, run, epoch: int, record: dict[str, Any]) -> None:
    """Call each monitor's ``on_epoch_end`` in order (the history folder made first)."""
    run.hist.mkdir(parents=True, exist_ok=True)
    shared: dict[str, Any] = {}
    for monitor in monitors:
        monitor.on_epoch_end(run, epoch, record, shared)
