"""The map cache survives its folder being deleted or its database being corrupted."""

from __future__ import annotations

import shutil

import numpy as np

from gan_core.cache import MapCache
from gan_core.explorer import LatentExplorer
from gan_core.latent import ClassMap


def small_map(label=None) -> ClassMap:
    classes = np.arange(16, dtype=np.int32).reshape(4, 4) % 10
    probs = np.full((4, 4, 10), 0.1, np.float32)
    axes = [np.linspace(-1, 1, 4, dtype=np.float32)] * 2
    return ClassMap(classes=classes, probs=probs, axes=axes, fixed=(), label=label)


def test_deleted_folder_is_recreated(tmp_path):
    cache = MapCache(tmp_path / "maps")
    cache.set("k", small_map())
    assert cache.get("k") is not None
    shutil.rmtree(tmp_path / "maps")
    assert cache.get("k") is None  # gone with the folder: a miss, not an error
    assert (tmp_path / "maps").is_dir()
    assert cache.reopened == 1
    cache.set("k", small_map())
    np.testing.assert_array_equal(cache.get("k").classes, small_map().classes)
    # a second process opening the folder sees the new entry (it is on disk, not in a ghost)
    assert MapCache(tmp_path / "maps").get("k") is not None


def test_garbage_database_is_moved_aside(tmp_path):
    cache = MapCache(tmp_path / "maps")
    cache.set("k", small_map())
    db = tmp_path / "maps" / "cache.db"
    db.unlink()
    db.write_bytes(b"this is not a database" * 100)
    assert cache.get("k") is None
    cache.set("k", small_map(label=3))
    assert cache.get("k").label == 3
    assert any(p.name.startswith("cache.db.broken-") for p in db.parent.iterdir())


def test_corrupt_entry_is_dropped_and_counted(tmp_path):
    cache = MapCache(tmp_path / "maps")
    cache.set("k", small_map())
    cache._cache.set("k", b"not an npz")
    assert cache.get("k") is None
    assert cache.recovered == 1
    assert "k" not in cache._cache


def test_explorer_recomputes_a_map_after_the_folder_vanished(fresh_checkpoints, tmp_path):
    explorer = LatentExplorer.from_checkpoint(
        "gan-2d", fresh_checkpoints, cache=MapCache(tmp_path / "c")
    )
    first = explorer.map_2d(6)
    assert explorer.is_cached("grid2d", 6)
    shutil.rmtree(tmp_path / "c")
    assert not explorer.is_cached("grid2d", 6)
    misses = explorer.cache.misses
    again = explorer.map_2d(6)
    assert explorer.cache.misses == misses + 1
    np.testing.assert_array_equal(first.classes, again.classes)
    assert explorer.is_cached("grid2d", 6)
