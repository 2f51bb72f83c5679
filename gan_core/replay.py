"""Training replay: a model's per-epoch records as arrays ready to plot."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from gan_core.checkpoints import CheckpointError
from gan_core.evaluation import faint_level_share
from gan_core.grids import axis_values
from gan_core.history import load_history, map_change_fraction
from gan_core.latent import LatentInputError

# gan_core.monitoring's description of a map on a slice (LatentSlice.describe), e.g.
# "100^2 grid on [-3,3] of slice random:0"
_PLANE_RE = re.compile(r"^(\d+)\^2 grid on \[([^,\]]+),([^\]]+)\] of slice (\S.*)$")


@dataclass(frozen=True)
class MonitorPlane:
    """The plane a model above 4-D records its monitor maps on: an n x n grid of slice
    coordinates t0, t1 in [lo, hi] on slice ``spec`` (gan_core.slices)."""

    spec: str
    lo: float
    hi: float
    n: int

    def axis_values(self) -> np.ndarray:
        """The n coordinate values of each grid axis (as LatentSlice.axis_values)."""
        return np.linspace(self.lo, self.hi, self.n, dtype=np.float64)

    @property
    def text(self) -> str:
        return f"slice {self.spec}: t0, t1 in [{self.lo:g}, {self.hi:g}]"


def monitor_plane(description) -> MonitorPlane | None:
    """The plane a class_maps.npz description names, or None (a grid on [-1, 1]^d)."""
    if description is None:
        return None
    m = _PLANE_RE.match(str(np.asarray(description).item()).strip())
    if m is None:
        return None
    try:
        lo, hi = float(m.group(2)), float(m.group(3))
    except ValueError:
        return None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        return None
    return MonitorPlane(m.group(4).strip(), lo, hi, int(m.group(1)))


@dataclass
class TrainingReplay:
    """Everything the training view shows, indexed by position in ``epochs``.

    Attributes:
        epochs: (E,) epoch numbers with losses.
        g_loss, d_loss: (E,) mean losses per epoch.
        weak_epochs, weak_acc: weak independent classifier accuracy (every 10 epochs).
        sample_epochs: (S,) epochs with fixed-noise images; samples: (S, 36, H, W) uint8
            (grey; (S, 36, H, W, 3) for colour), (S, 36, 28, 28) for the MNIST models.
        map_epochs: (M,) epochs with class maps; maps: (M, *grid) uint8 classes.
        map_change: (M,) share of grid points whose class changed since the previous map.
        label_fidelity: CGAN only, (M, 10) share of each label's monitor cube classified
            as that label (empty for unconditional models).
        faint_pixels: (S,) percent of the fixed-noise images' pixels at grey levels 1..10
            of 255 (the haze ``gan-explorer evaluate`` measures on 10,000 samples).
        map_plane: above 4-D, the plane the maps were recorded on (None: a grid on
            [-1, 1] per axis).
    """

    epochs: np.ndarray
    g_loss: np.ndarray
    d_loss: np.ndarray
    weak_epochs: np.ndarray
    weak_acc: np.ndarray
    sample_epochs: np.ndarray
    samples: np.ndarray
    map_epochs: np.ndarray
    maps: np.ndarray
    map_change: np.ndarray
    label_fidelity: np.ndarray = field(default_factory=lambda: np.zeros((0, 10)))
    faint_pixels: np.ndarray = field(default_factory=lambda: np.zeros(0))
    map_plane: MonitorPlane | None = None

    @property
    def last_epoch(self) -> int:
        candidates = [a[-1] for a in (self.epochs, self.sample_epochs, self.map_epochs) if len(a)]
        return int(max(candidates)) if candidates else 0

    def samples_at(self, epoch: int) -> np.ndarray | None:
        """The fixed-noise images of the latest recorded epoch <= ``epoch`` (36, H, W[, 3])."""
        idx = _index_at(self.sample_epochs, epoch)
        return None if idx is None else self.samples[idx]

    def slice_sizes(self) -> tuple[int, ...]:
        """Grid points along each axis of the class map that one 2D view holds fixed: () for
        a 2D map, (z,) for a 3D or CGAN cube, (z, w) for a 4D grid."""
        if not len(self.maps):
            return ()
        shape = self.maps.shape[1:]
        return tuple((shape[1:] if _is_label_cubes(shape) else shape)[2:])

    def map_at(
        self, epoch: int, label: int = 0, z_index: int | None = None, w_index: int | None = None
    ) -> np.ndarray | None:
        """A 2D view of the class map at ``epoch``, axis 0 = x, axis 1 = y.

        2D: the whole map. 3D: the z slice at grid index ``z_index`` (default the middle,
        nearest 0). 4D: that slice at the w grid index ``w_index`` (default the middle).
        CGAN: label's cube, sliced as a 3D one.
        """
        idx = _index_at(self.map_epochs, epoch)
        if idx is None:
            return None
        grid = self.maps[idx]
        if _is_label_cubes(grid.shape):
            grid = grid[int(label)]
        if grid.ndim == 2:
            return grid
        if grid.ndim not in (3, 4):
            raise CheckpointError(f"unexpected class-map shape {grid.shape}")
        picks = _slice_indices(grid.shape[2:], (z_index, w_index))
        return grid[(slice(None), slice(None), *picks)]

    def map_axes(self) -> dict:
        """What a figure of ``map_at`` puts on its axes: {"axes": (x values, y values),
        "names": (x name, y name)}: x, y over [-1, 1], or a plane's t0, t1 over its range."""
        n = self.maps.shape[-1] if len(self.maps) else 1
        if self.map_plane is not None and self.map_plane.n == n:
            a = self.map_plane.axis_values()
            return {"axes": (a, a), "names": ("t0", "t1")}
        return {"axes": (axis_values(n), axis_values(n)), "names": ("x", "y")}

    def map_view_text(
        self, label: int = 0, z_index: int | None = None, w_index: int | None = None
    ) -> str:
        """Which part of the grid ``map_at`` shows, e.g. "slice z = +0.07" for a 3D model
        (the monitor grid spans [-1, 1] on every axis); "" for a 2D map; above 4-D the
        plane, e.g. "slice random:0: t0, t1 in [-3, 3]"."""
        sizes = self.slice_sizes()
        if not sizes:
            return self.map_plane.text if self.map_plane is not None else ""
        picks = _slice_indices(sizes, (z_index, w_index))
        parts = [f"label {int(label)}"] if _is_label_cubes(self.maps.shape[1:]) else []
        parts.append(f"slice z = {slice_coordinate(sizes[0], picks[0]):+.2f}")
        if len(sizes) == 2:
            parts.append(f"w = {slice_coordinate(sizes[1], picks[1]):+.2f}")
        return ", ".join(parts)


def slice_coordinate(n: int, index: int) -> float:
    """The latent coordinate of grid index ``index`` of ``n`` points spanning [-1, 1]."""
    return float(axis_values(n)[index])


def _slice_indices(sizes: tuple[int, ...], wanted: tuple[int | None, ...]) -> list[int]:
    """One grid index per held axis: the middle where ``wanted`` has None; an index
    outside the axis is refused with the axis's range."""
    picks = []
    for axis, n, index in zip("zw", sizes, wanted):
        if index is None:
            picks.append(n // 2)
            continue
        whole = isinstance(index, (int, float, np.integer)) and not isinstance(index, bool)
        if not whole or not 0 <= index < n or index != int(index):
            raise LatentInputError(f"{axis} slice {index!r} is not a grid index 0..{n - 1}")
        picks.append(int(index))
    return picks


def _is_label_cubes(shape: tuple) -> bool:
    """A CGAN's monitor grid, one cube per label: (10, x, y, z)."""
    return len(shape) == 4 and shape[0] == 10


def grid_label_fidelity(maps: np.ndarray) -> np.ndarray:
    """Per epoch and label, the share of that label's cube classified as the label.

    ``maps`` is a CGAN's (M, 10, *cube). The mean over labels is the monitor grid's label
    fidelity (the metric in metrics.json uses 10,000 prior samples instead of the grid).
    """
    maps = np.asarray(maps)
    if maps.ndim < 3 or maps.shape[1] != 10:
        raise ValueError(f"expected (epochs, 10 labels, *cube) class maps, got {maps.shape}")
    flat = maps.reshape(maps.shape[0], 10, -1)
    return (flat == np.arange(10)[None, :, None]).mean(axis=2)


def _is_conditional(class_maps: dict) -> bool:
    """CGAN monitor maps say so in their description ("label x 8^3 cube on [-1,1]")."""
    desc = class_maps.get("description")
    return str(desc if desc is None else np.asarray(desc).item()).startswith("label")


def _index_at(epochs: np.ndarray, epoch: int) -> int | None:
    if not len(epochs):
        return None
    pos = int(np.searchsorted(epochs, epoch, side="right")) - 1
    return max(pos, 0)


def load_replay(model_dir: str | Path) -> TrainingReplay:
    """Read ``history/`` of a model folder (missing files give empty series)."""
    hist = load_history(Path(model_dir))
    losses = hist["losses"]
    epochs = np.array([int(r["epoch"]) for r in losses], np.int32)
    g = np.array([float(r["g_loss"]) for r in losses], np.float32)
    d = np.array([float(r["d_loss"]) for r in losses], np.float32)
    weak_e = np.array([int(r["epoch"]) for r in hist["weak"]], np.int32)
    weak_a = np.array([float(r["accuracy"]) for r in hist["weak"]], np.float32)
    s = hist["samples"] or {}
    m = hist["class_maps"] or {}
    maps = m.get("classes", np.zeros((0, 1, 1), np.uint8))
    samples = s.get("images", np.zeros((0, 36, 28, 28), np.uint8))
    return TrainingReplay(
        epochs=epochs,
        g_loss=g,
        d_loss=d,
        weak_epochs=weak_e,
        weak_acc=weak_a,
        sample_epochs=s.get("epochs", np.zeros(0, np.int32)),
        samples=samples,
        map_epochs=m.get("epochs", np.zeros(0, np.int32)),
        maps=maps,
        map_change=map_change_fraction(maps) if len(maps) else np.zeros(0),
        label_fidelity=grid_label_fidelity(maps)
        if len(maps) and _is_conditional(m)
        else np.zeros((0, 10)),
        faint_pixels=np.array([faint_level_share(im) for im in samples], np.float32),
        map_plane=monitor_plane(m.get("description")),
    )
