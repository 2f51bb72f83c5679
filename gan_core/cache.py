"""Persistent cache of class maps, keyed by what they were computed from.

The key is a SHA-256 of the generator file, the classifier file, the map kind and its
parameters: a retrained model (new file content) never shows a stale map. The store is a
``diskcache.Cache`` (SQLite + files), safe for several processes. A corrupt or unreadable
entry is dropped and recomputed, never fatal.

The store is bounded: 1 GiB by default, $GAN_EXPLORER_CACHE_LIMIT_MB (MiB) or the
``size_limit`` argument otherwise. Past it, diskcache's own least-recently-used eviction
drops the maps read or written longest ago (a map is a few kB to a few MB: a 100x100 map
with its probabilities ~0.4 MB, a 63^3 cube ~10 MB).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from gan_core.latent import ClassMap

CACHE_ENV = "GAN_EXPLORER_CACHE"
CACHE_LIMIT_ENV = "GAN_EXPLORER_CACHE_LIMIT_MB"
DEFAULT_SIZE_LIMIT = 2**30  # 1 GiB
EVICTION_POLICY = "least-recently-used"  # diskcache's: a read counts as a use
DEFAULT_CACHE_DIR = Path(__file__).resolve().parent.parent / ".cache" / "maps"
FORMAT_VERSION = 1
_DB_NAME = "cache.db"  # diskcache's database file inside the folder

_file_hashes: dict[tuple[str, int, int], str] = {}
_hash_lock = threading.Lock()


def cache_dir(directory: str | os.PathLike | None = None) -> Path:
    return Path(directory or os.environ.get(CACHE_ENV) or DEFAULT_CACHE_DIR)


def cache_size_limit(size_limit: int | None = None) -> int:
    """The store's limit in bytes: ``size_limit``, else $GAN_EXPLORER_CACHE_LIMIT_MB MiB,
    else 1 GiB (an unusable value of the variable is reported and the default used)."""
    if size_limit is not None:
        value = int(size_limit)
        if value <= 0:
            raise ValueError(f"the map cache's size limit must be positive, not {size_limit!r}")
        return value
    text = os.environ.get(CACHE_LIMIT_ENV, "").strip()
    if not text:
        return DEFAULT_SIZE_LIMIT
    try:
        mb = float(text)
        if not 0 < mb < 2**40:
            raise ValueError
    except ValueError:
        warnings.warn(
            f"${CACHE_LIMIT_ENV}={text!r} is not a positive number of MiB; using "
            f"{DEFAULT_SIZE_LIMIT // 2**20} MiB",
            stacklevel=2,
        )
        return DEFAULT_SIZE_LIMIT
    return max(1, int(mb * 2**20))


def file_digest(path: Path) -> str:
    """SHA-256 of a file's content, memoised by (path, size, mtime)."""
    path = Path(path)
    st = path.stat()
    key = (str(path.resolve()), st.st_size, st.st_mtime_ns)
    with _hash_lock:
        if key in _file_hashes:
            return _file_hashes[key]
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    digest = h.hexdigest()
    with _hash_lock:
        _file_hashes[key] = digest
    return digest


def map_key(kind: str, params: dict, files: list[Path]) -> str:
    """Cache key of a map: its kind, parameters and the content of the files it depends on."""
    payload = {
        "v": FORMAT_VERSION,
        "kind": kind,
        "params": params,
        "files": [file_digest(Path(f)) for f in files],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def encode_map(cmap: ClassMap) -> bytes:
    buf = io.BytesIO()
    arrays = {
        "classes": cmap.classes,
        "probs": cmap.probs.astype(np.float32),
        "fixed": np.asarray(cmap.fixed, np.float32),
        "label": np.array(-1 if cmap.label is None else cmap.label, np.int32),
    }
    for i, ax in enumerate(cmap.axes):
        arrays[f"axis{i}"] = ax
    np.savez_compressed(buf, **arrays)
    return buf.getvalue()


def decode_map(data: bytes) -> ClassMap:
    with np.load(io.BytesIO(data), allow_pickle=False) as f:
        axes = [f[f"axis{i}"] for i in range(f["classes"].ndim)]
        label = int(f["label"])
        cmap = ClassMap(
            classes=f["classes"],
            probs=f["probs"],
            axes=axes,
            fixed=tuple(float(v) for v in f["fixed"]),
            label=None if label < 0 else label,
        )
    if cmap.probs.shape[:-1] != cmap.classes.shape or cmap.probs.ndim != cmap.classes.ndim + 1:
        raise ValueError("cached map arrays disagree in shape")
    return cmap


class MapCache:
    """Class maps on disk, shared by every process that opens the same folder.

    The folder may vanish (someone cleared the cache) or its database may be replaced
    or corrupted while a server runs: every operation first checks that the database it
    holds open is still the one on disk, and reopens (recreating the folder) when not.
    """

    def __init__(self, directory: str | os.PathLike | None = None, size_limit: int | None = None):
        self.directory = cache_dir(directory)
        self.size_limit = cache_size_limit(size_limit)
        self._lock = threading.Lock()
        self._cache = None
        self._db_id: tuple[int, int] | None = None
        self.hits = 0
        self.misses = 0
        self.recovered = 0
        self.reopened = 0
        # Decoded maps of recent hits: a drag on a 3D model asks for the same cube every
        # step. The store is still read (so a deleted, cleared or corrupted entry is
        # noticed), but bytes identical to the last read are not decoded again.
        self._decoded: OrderedDict[str, tuple[bytes, ClassMap]] = OrderedDict()
        self._open()

    def _db_identity(self) -> tuple[int, int] | None:
        try:
            st = (self.directory / _DB_NAME).stat()
        except OSError:
            return None
        return st.st_dev, st.st_ino

    def _open(self) -> None:
        import diskcache

        self.directory.mkdir(parents=True, exist_ok=True)
        self._cache = diskcache.Cache(
            str(self.directory), size_limit=self.size_limit, eviction_policy=EVICTION_POLICY
        )
        self._db_id = self._db_identity()

    def _reopen(self, broken: bool = False) -> None:
        """Close the store and open it again; a broken database file is moved aside first."""
        with self._lock:
            if not broken and self._db_id is not None and self._db_identity() == self._db_id:
                return  # another thread reopened it already
            old = self._cache
            try:
                old.close()
            except Exception:  # noqa: BLE001 - the old store may be gone already
                pass
            if broken:
                db = self.directory / _DB_NAME
                try:
                    os.replace(db, db.with_name(f"{_DB_NAME}.broken-{os.getpid()}"))
                except OSError:
                    pass
            self._open()
            self.reopened += 1

    def _store(self):
        """The open store, reopened first if its folder or database file was replaced."""
        if self._db_identity() != self._db_id:
            self._reopen()
        return self._cache

    def _run(self, op: Callable):
        """``op(store)``, retried once on a reopened store if the database is unusable."""
        import sqlite3

        try:
            return op(self._store())
        except sqlite3.DatabaseError as exc:
            locked = isinstance(exc, sqlite3.OperationalError) and "locked" in str(exc)
            if locked:
                raise
            self._reopen(broken=not isinstance(exc, sqlite3.OperationalError))
            return op(self._cache)

    def get(self, key: str) -> ClassMap | None:
        """The cached map, or None if absent; a corrupt entry is deleted and counts as absent."""
        try:
            data = self._run(lambda c: c.get(key, default=None))
        except Exception:  # noqa: BLE001 - unreadable store entry
            data = b"\x00corrupt"
        if data is None:
            return None
        with self._lock:
            memo = self._decoded.get(key)
        if memo is not None and memo[0] == data:  # the same bytes as last time: skip decoding
            return memo[1]
        try:
            cmap = decode_map(data)
        except Exception:  # noqa: BLE001 - anything undecodable is treated as missing
            self.recovered += 1
            try:
                self._run(lambda c: c.delete(key))
            except Exception:  # noqa: BLE001
                pass
            return None
        self._remember(key, data, cmap)
        return cmap

    def _remember(self, key: str, data: bytes, cmap: ClassMap, limit: int = 32) -> None:
        with self._lock:
            self._decoded[key] = (data, cmap)
            self._decoded.move_to_end(key)
            while len(self._decoded) > limit:
                self._decoded.popitem(last=False)

    def set(self, key: str, cmap: ClassMap) -> None:
        try:
            data = encode_map(cmap)
            self._run(lambda c: c.set(key, data))
        except Exception:  # noqa: BLE001 - a full or read-only cache must not break the app
            pass

    def get_or_compute(
        self, kind: str, params: dict, files: list[Path], compute: Callable[[], ClassMap]
    ) -> ClassMap:
        key = map_key(kind, params, files)
        cached = self.get(key)
        if cached is not None:
            self.hits += 1
            return cached
        self.misses += 1
        cmap = compute()
        self.set(key, cmap)
        return cmap

    def contains(self, kind: str, params: dict, files: list[Path]) -> bool:
        try:
            key = map_key(kind, params, files)
            return self._run(lambda c: key in c)
        except Exception:  # noqa: BLE001
            return False

    def clear(self) -> None:
        self._run(lambda c: c.clear())

    def close(self) -> None:
        self._cache.close()
