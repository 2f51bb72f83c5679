"""The training state of a run, ``train_state.npz``: everything an exact resume needs.

Keys: ``epoch``, ``fixed_noise``, ``fixed_labels`` and one ``<prefix>/<index>`` array per
variable of each group of :func:`state_groups`, in that fixed order: ``g`` (the generator's
weights), ``d`` (the discriminator's), ``gopt``/``dopt`` (both Adam optimisers), ``ema``
(the averaged generator, empty without EMA) and ``rng`` (the dropout layers' seed
generators). The file is written atomically, uncompressed, under either Keras backend.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from gan_core.history import write_npz

STATE_FILE = "train_state.npz"
RNG_PREFIX = "rng"
N_FIXED = 36  # images in the fixed-noise batch monitored every epoch


class TrainingError(RuntimeError):
    """Training cannot start or resume as asked."""


def rng_states(model) -> list:
    """A model's random-number state variables (its dropout layers' seed generators), which
    ``model.weights`` leaves out."""
    weights = {id(v) for v in model.weights}
    return [v for v in model.variables if id(v) not in weights]


def state_groups(generator, discriminator, g_opt, d_opt, ema=None):
    """(prefix, variables) of everything an exact resume needs, in a fixed order."""
    return (
        ("g", generator.weights),
        ("d", discriminator.weights),
        ("gopt", g_opt.variables),
        ("dopt", d_opt.variables),
        ("ema", ema.weights if ema is not None else []),
        # The dropout layers' random-number state: without it a resumed run would draw
        # other dropout masks than the run that went on (a state saved before it was
        # kept resumes with fresh ones).
        (RNG_PREFIX, rng_states(generator) + rng_states(discriminator)),
    )


def save_state(path: Path, epoch: int, fixed_noise, fixed_labels, groups) -> None:
    """Write the state of ``groups`` (see :func:`state_groups`) after ``epoch`` epochs."""
    arrays: dict[str, np.ndarray] = {
        "epoch": np.array(epoch, np.int64),
        "fixed_noise": fixed_noise,
        "fixed_labels": fixed_labels,
    }
    for prefix, variables in groups:
        for i, v in enumerate(variables):
            arrays[f"{prefix}/{i:04d}"] = np.asarray(v.numpy())
    write_npz(Path(path), arrays)


def load_state(path: Path, groups) -> tuple[int, np.ndarray, np.ndarray, list[str]]:
    """Assign the saved arrays to ``groups``' variables; returns (epoch, fixed noise, fixed
    labels, notes for a person). Counts and shapes must match the model."""
    try:
        with np.load(path, allow_pickle=False) as f:
            data = {k: f[k] for k in f.files}
    except Exception as exc:  # noqa: BLE001
        raise TrainingError(f"corrupt training state {path}: {exc}") from exc
    notes = []
    for prefix, variables in groups:
        keys = sorted(k for k in data if k.startswith(prefix + "/"))
        if prefix == RNG_PREFIX and not keys:
            notes.append(
                "the saved state predates the dropout random-number state: from here on "
                "the run draws other dropout masks than an uninterrupted one would"
            )
            continue
        if len(keys) != len(variables):
            raise TrainingError(
                f"{path}: {prefix} has {len(keys)} tensors, model expects {len(variables)} "
                "(was it trained with other settings?)"
            )
        for key, var in zip(keys, variables):
            if tuple(data[key].shape) != tuple(var.shape):
                raise TrainingError(f"{path}: {key} shape {data[key].shape} != {tuple(var.shape)}")
            var.assign(data[key])
    return int(data["epoch"]), data["fixed_noise"], data["fixed_labels"], notes


def saved_generator_weights(path: Path) -> list[np.ndarray]:
    """The trained generator's arrays (``g/...``) of a state file, in order."""
    try:
        with np.load(path, allow_pickle=False) as f:
            return [f[k] for k in sorted(k for k in f.files if k.startswith("g/"))]
    except Exception as exc:  # noqa: BLE001
        raise TrainingError(f"cannot read the training state {path}: {exc}") from exc
