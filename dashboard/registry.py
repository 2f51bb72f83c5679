"""Loaded models, shared by every callback of one server process."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from gan_core.cache import MapCache
from gan_core.checkpoints import (
    CheckpointError,
    checkpoints_root,
    describe_checkpoints,
    list_model_ids,
)
from gan_core.engine import LatentExplorer


@dataclass
class Settings:
    """Where the models and the cache live, and the grid sizes the views use."""

    checkpoints: Path = field(default_factory=checkpoints_root)
    cache_dir: Path | None = None
    grid_2d: int = 100
    cube_n: int = 16
    morph_frames: int = 24


SETTINGS = Settings()
_explorers: dict[tuple[str, str], LatentExplorer] = {}
_lock = threading.Lock()
_cache: MapCache | None = None


def configure(checkpoints=None, cache_dir=None, grid_2d: int = 100, cube_n: int = 16) -> Settings:
    global _cache
    SETTINGS.checkpoints = checkpoints_root(checkpoints)
    SETTINGS.cache_dir = Path(cache_dir) if cache_dir else None
    SETTINGS.grid_2d, SETTINGS.cube_n = int(grid_2d), int(cube_n)
    with _lock:
        _explorers.clear()
        _cache = None
    return SETTINGS


def cache() -> MapCache:
    global _cache
    with _lock:
        if _cache is None:
            _cache = MapCache(SETTINGS.cache_dir or os.environ.get("GAN_EXPLORER_CACHE"))
        return _cache


def model_ids(conditional: bool | None = None) -> list[str]:
    """Loadable model ids, optionally only the (un)conditional ones."""
    ids = list_model_ids(SETTINGS.checkpoints)
    if conditional is None:
        return ids
    out = []
    for model_id in ids:
        try:
            if get(model_id).conditional == conditional:
                out.append(model_id)
        except CheckpointError:
            continue
    return out


def default_model(ids: list[str]) -> str | None:
    """The model a view opens with: the 2D GAN when present (the study's main model)."""
    for preferred in ("gan-2d", "gan-3d"):
        if preferred in ids:
            return preferred
    return ids[0] if ids else None


def get(model_id: str) -> LatentExplorer:
    """The explorer for ``model_id`` (loaded once per process); CheckpointError if unusable."""
    if not isinstance(model_id, str):
        raise CheckpointError(f"invalid model id {model_id!r}")
    key = (str(SETTINGS.checkpoints), model_id)
    with _lock:
        if key in _explorers:
            return _explorers[key]
    explorer = LatentExplorer.from_checkpoint(model_id, SETTINGS.checkpoints, cache=cache())
    with _lock:
        _explorers.setdefault(key, explorer)
        return _explorers[key]


def describe() -> list[dict]:
    return describe_checkpoints(SETTINGS.checkpoints)
