"""A training run's per-epoch records under ``checkpoints/<id>/history/``.

- ``losses.csv``: epoch, mean G and D loss, D accuracy on real and fake, seconds;
- ``weak_classifier.csv``: epoch, accuracy of the weak real-vs-fake classifier;
- ``samples.npz``: images of one fixed noise batch (uint8, E x 36 x 28 x 28), with the
  noise and labels as static arrays;
- ``class_maps.npz``: the digit class (and its probability) at every point of the
  monitoring grid, per epoch, with the grid's description.

Each file is rewritten atomically, one epoch at a time; a record of an epoch already
there replaces it (and every later one), so a resumed run never doubles an epoch.
Reading needs neither Keras nor TensorFlow.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

from gan_core.checkpoints import CheckpointError, atomic_write_bytes

CSV_FILES = ("losses.csv", "weak_classifier.csv")
NPZ_FILES = ("samples.npz", "class_maps.npz")
# Arrays of samples.npz written once for the run, not per epoch.
STATIC_KEYS = ("noise", "labels")


def write_npz(path: Path, arrays: dict[str, np.ndarray], compressed: bool = False) -> None:
    """``arrays`` as one .npz file, written atomically."""
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, **arrays)
    atomic_write_bytes(path, buf.getvalue())


def read_npz(path: Path) -> dict[str, np.ndarray]:
    with np.load(path, allow_pickle=False) as f:
        return {k: f[k] for k in f.files}


def read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with open(path, newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise CheckpointError(f"cannot read {path}: {exc}") from exc


def _write_csv(path: Path, fieldnames: list[str], rows: list[dict[str, Any]]) -> None:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fieldnames)
    writer.writeheader()
    for r in rows:
        writer.writerow({k: r.get(k, "") for k in fieldnames})
    atomic_write_bytes(path, buf.getvalue().encode())


def append_csv(hist: Path, name: str, row: dict[str, Any]) -> None:
    """Add ``row`` (with an ``epoch``) to ``hist/name``, dropping rows of that epoch and later."""
    path = hist / name
    rows = read_csv(path) if path.exists() else []
    rows = [r for r in rows if int(r["epoch"]) < int(row["epoch"])] + [row]
    _write_csv(path, list(row.keys()), rows)


def append_npz(
    hist: Path, name: str, epoch: int, static: dict | None = None, **arrays: np.ndarray
) -> None:
    """Add one epoch's ``arrays`` to ``hist/name`` (epochs from ``epoch`` on are replaced);
    ``static`` arrays are stored as they are."""
    path = hist / name
    old = read_npz(path) if path.exists() else {}
    keep = old["epochs"] < epoch if "epochs" in old else None
    out = {
        "epochs": np.append(old["epochs"][keep], epoch).astype(np.int32)
        if keep is not None
        else np.array([epoch], np.int32)
    }
    for key, value in arrays.items():
        value = np.asarray(value)[None]
        out[key] = np.concatenate([old[key][keep], value]) if key in old else value
    for key, value in (static or {}).items():
        out[key] = np.asarray(value)
    write_npz(path, out, compressed=True)


def truncate_history(hist: Path, epoch: int) -> None:
    """Drop records of epochs after ``epoch`` (written just before a kill)."""
    for name in CSV_FILES:
        path = hist / name
        if path.exists():
            rows = read_csv(path)
            if any(int(r["epoch"]) > epoch for r in rows):
                kept = [r for r in rows if int(r["epoch"]) <= epoch]
                _write_csv(path, list(rows[0].keys()), kept)
    for name in NPZ_FILES:
        path = hist / name
        if path.exists():
            data = read_npz(path)
            keep = data["epochs"] <= epoch
            if not keep.all():
                for k, v in list(data.items()):
                    if v.ndim and len(v) == len(keep) and k not in STATIC_KEYS:
                        data[k] = v[keep]
                write_npz(path, data, compressed=True)


def saved_map_points(hist: Path) -> int | None:
    """Points per axis of the class maps already recorded (None: none yet)."""
    path = hist / "class_maps.npz"
    if not path.exists():
        return None
    with np.load(path, allow_pickle=False) as f:
        return int(f["classes"].shape[-1])


def load_history(model_dir: Path) -> dict[str, Any]:
    """All training records of a model folder as arrays (missing files give empty entries)."""
    hist = Path(model_dir) / "history"
    out: dict[str, Any] = {"losses": [], "weak": [], "samples": None, "class_maps": None}
    if (hist / "losses.csv").exists():
        out["losses"] = read_csv(hist / "losses.csv")
    if (hist / "weak_classifier.csv").exists():
        out["weak"] = read_csv(hist / "weak_classifier.csv")
    for key, name in (("samples", "samples.npz"), ("class_maps", "class_maps.npz")):
        if (hist / name).exists():
            try:
                out[key] = read_npz(hist / name)
            except Exception as exc:  # noqa: BLE001
                raise CheckpointError(f"corrupt history file {hist / name}: {exc}") from exc
    return out


def map_change_fraction(classes: np.ndarray) -> np.ndarray:
    """Share of grid points whose class differs from the previous epoch (the study's
    convergence signal); the first epoch has no predecessor and gets NaN.

    Args:
        classes: (E, ...) per-epoch class maps as stored in class_maps.npz.
    Returns:
        (E,) float array in [0, 1] (NaN for the first entry).
    """
    classes = np.asarray(classes)
    out = np.full(len(classes), np.nan)
    if len(classes) > 1:
        flat = classes.reshape(len(classes), -1)
        out[1:] = (flat[1:] != flat[:-1]).mean(axis=1)
    return out
