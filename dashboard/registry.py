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
    listed_config,
)
from gan_core.explorer import LatentExplorer
from gan_core.uploaded_generators import uploads_root


@dataclass
class Settings:
    """Where the models and the cache live, and the grid sizes the views use."""

    checkpoints: Path = field(default_factory=checkpoints_root)
    cache_dir: Path | None = None
    grid_2d: int = 100
    cube_n: int = 16
    morph_frames: int = 24
    uploads: Path = field(default_factory=uploads_root)  # $GAN_EXPLORER_UPLOADS or .cache/uploads


SETTINGS = Settings()
_explorers: dict[tuple[str, str], LatentExplorer] = {}
_lock = threading.Lock()
_cache: MapCache | None = None


def configure(
    checkpoints=None, cache_dir=None, grid_2d: int = 100, cube_n: int = 16, uploads=None
) -> Settings:
    global _cache
    SETTINGS.checkpoints = checkpoints_root(checkpoints)
    if uploads is not None:
        SETTINGS.uploads = Path(uploads)
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
    ids = list_model_ids(SETTINGS.checkpoints) + uploaded_ids()
    if conditional is None:
        return ids
    out = []
    for model_id in ids:
        try:  # config.json alone: listing models must not wait for them to load
            if listed_config(root_for(model_id) / model_id).conditional == conditional:
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


def uploaded_ids() -> list[str]:
    """Generators uploaded through the home page (only ever stored in SETTINGS.uploads)."""
    return [m for m in list_model_ids(SETTINGS.uploads) if m.startswith("upload-")]


def root_for(model_id: str) -> Path:
    """The folder a model id lives in: the uploads folder for uploaded ones."""
    if isinstance(model_id, str) and model_id.startswith("upload-") and model_id in uploaded_ids():
        return SETTINGS.uploads
    return SETTINGS.checkpoints


def pick_model(requested, ids: list[str]) -> str | None:
    """``requested`` (e.g. from a URL) when it is one of ``ids``, else the default model."""
    return requested if isinstance(requested, str) and requested in ids else default_model(ids)


def get(model_id: str) -> LatentExplorer:
    """The explorer for ``model_id`` (loaded once per process); CheckpointError if unusable."""
    if not isinstance(model_id, str):
        raise CheckpointError(f"invalid model id {model_id!r}")
    root = root_for(model_id)
    key = (str(root), model_id)
    with _lock:
        if key in _explorers:
            return _explorers[key]
    explorer = LatentExplorer.from_checkpoint(model_id, root, cache=cache())
    with _lock:
        _explorers.setdefault(key, explorer)
        return _explorers[key]


def describe() -> list[dict]:
    rows = describe_checkpoints(SETTINGS.checkpoints, load=False)
    if SETTINGS.uploads.is_dir():
        uploads = describe_checkpoints(SETTINGS.uploads, load=False)
        rows += [r for r in uploads if r["id"].startswith("upload-")]
    return rows
