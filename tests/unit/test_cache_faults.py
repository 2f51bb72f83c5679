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


def test_a_full_cache_evicts_the_least_recently_used_maps(tmp_path):
    """Past its size limit the store drops the maps used longest ago (diskcache's own
    least-recently-used eviction); a map read often stays, the newest stay, nothing fails."""
    rng = np.random.default_rng(0)

    def noisy_map(i):  # ~60 kB encoded: random probabilities do not compress
        probs = rng.random((40, 40, 10), dtype=np.float32)
        return ClassMap(classes=probs.argmax(-1).astype(np.uint8), probs=probs,
                        axes=[np.linspace(-1, 1, 40, dtype=np.float32)] * 2, label=i % 10)  # fmt: skip

    limit = 1_500_000
    cache = MapCache(tmp_path / "maps", size_limit=limit)
    assert cache._cache.eviction_policy == "least-recently-used"
    assert cache._cache.size_limit == limit
    for i in range(60):
        cache.set(f"k{i}", noisy_map(i))
        assert cache.get("k0") is not None  # a map in constant use
        assert cache._cache.volume() <= limit + 100_000  # at most one map over, never more
    kept = set(cache._cache.iterkeys())
    assert "k0" in kept and {f"k{i}" for i in range(55, 60)} <= kept
    assert "k1" not in kept and len(kept) < 40
    assert cache.get("k1") is None and cache.get("k59").label == 9  # a miss, not an error
    reopened = MapCache(tmp_path / "maps", size_limit=limit)  # the same store from another process
    assert set(reopened._cache.iterkeys()) == kept


def test_the_size_limit_defaults_to_1_gib_and_follows_the_environment(tmp_path, monkeypatch):
    import pytest

    from gan_core.cache import CACHE_LIMIT_ENV, cache_size_limit

    monkeypatch.delenv(CACHE_LIMIT_ENV, raising=False)
    assert cache_size_limit() == 2**30 == MapCache(tmp_path / "a").size_limit
    monkeypatch.setenv(CACHE_LIMIT_ENV, "64")
    assert MapCache(tmp_path / "b")._cache.size_limit == 64 * 2**20
    assert cache_size_limit(1000) == 1000
    monkeypatch.setenv(CACHE_LIMIT_ENV, "lots")
    with pytest.warns(UserWarning, match="not a positive number"):
        assert cache_size_limit() == 2**30
    with pytest.raises(ValueError, match="positive"):
        cache_size_limit(0)
