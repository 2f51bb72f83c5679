"""Named datasets: IDX reading, Fashion-MNIST from Debian's files, missing-file messages."""

import gzip
import struct

import numpy as np
import pytest

from gan_core import datasets
from gan_core.data import DataSourceError

FASHION_PRESENT = (datasets.FASHION_DIR / datasets.FASHION_FILES["y_test"]).is_file()


def _idx_bytes(array: np.ndarray, type_byte: int = 0x08) -> bytes:
    header = bytes([0, 0, type_byte, array.ndim]) + b"".join(
        struct.pack(">I", n) for n in array.shape
    )
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def _write_fashion(folder, n_train=12, n_test=6, shape=(28, 28)):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    arrays = {
        "x_train": rng.integers(0, 256, (n_train, *shape)).astype(np.uint8),
        "y_train": (np.arange(n_train) % 10).astype(np.uint8),
        "x_test": rng.integers(0, 256, (n_test, *shape)).astype(np.uint8),
        "y_test": (np.arange(n_test) % 10).astype(np.uint8),
    }
    for key, name in datasets.FASHION_FILES.items():
        (folder / name).write_bytes(gzip.compress(_idx_bytes(arrays[key])))
    return arrays


def test_idx_files_read_back_with_their_type_and_shape(tmp_path):
    images = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.idx").write_bytes(_idx_bytes(images))
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "a.idx"), images)
    ints = np.array([[1, -2], [300000, 4]], np.int32)
    (tmp_path / "b.idx.gz").write_bytes(gzip.compress(_idx_bytes(ints, 0x0C)))
    np.testing.assert_array_equal(datasets.read_idx(tmp_path / "b.idx.gz"), ints)


@pytest.mark.parametrize(
    "content, message",
    [
        (b"\x00\x00\x08", "bad magic number"),
        (b"PK\x03\x04xxxx", "bad magic number"),
        (bytes([0, 0, 8, 2]) + struct.pack(">II", 3, 3) + bytes(5), "holds 5 bytes"),
        (bytes([0, 0, 8, 3]) + struct.pack(">I", 3), "truncated IDX header"),
    ],
)
def test_malformed_idx_files_are_refused_with_the_reason(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(DataSourceError, match=message):
        datasets.read_idx(path)


def test_a_corrupt_gzip_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "x.idx.gz"
    path.write_bytes(b"\x1f\x8b\x08\x00garbage")
    with pytest.raises(DataSourceError, match="x.idx.gz"):
        datasets.read_idx(path)


def test_fashion_mnist_loads_from_a_folder_of_idx_files(tmp_path, monkeypatch):
    arrays = _write_fashion(tmp_path / "fm")
    monkeypatch.setenv(datasets.FASHION_ENV, str(tmp_path / "fm"))
    data = datasets.load_dataset("fashion-mnist")
    assert data.x_train.shape == (12, 28, 28, 1) and data.x_test.shape == (6, 28, 28, 1)
    np.testing.assert_allclose(data.x_train[..., 0], arrays["x_train"] / 127.5 - 1, atol=1e-6)
    np.testing.assert_array_equal(data.y_test, arrays["y_test"])
    assert data.y_train.dtype == np.int32


def test_missing_fashion_files_say_how_to_install_them(tmp_path, monkeypatch):
    _write_fashion(tmp_path / "fm")
    (tmp_path / "fm" / datasets.FASHION_FILES["y_test"]).unlink()
    monkeypatch.setenv(datasets.FASHION_ENV, str(tmp_path / "fm"))
    with pytest.raises(DataSourceError) as info:
        datasets.load_dataset("fashion-mnist")
    text = str(info.value)
    assert "apt-get install dataset-fashion-mnist" in text
    assert datasets.FASHION_ENV in text and "t10k-labels-idx1-ubyte.gz" in text


def test_fashion_files_of_the_wrong_image_size_are_refused(tmp_path, monkeypatch):
    _write_fashion(tmp_path / "fm", shape=(32, 32))
    monkeypatch.setenv(datasets.FASHION_ENV, str(tmp_path / "fm"))
    with pytest.raises(DataSourceError, match="not N 28x28 images"):
        datasets.load_fashion_mnist()


def test_datasets_name_their_classes_shape_and_classifier():
    mnist, fashion = datasets.dataset_info(None), datasets.dataset_info("Fashion-MNIST")
    assert mnist.name == "mnist" and mnist.class_names == tuple("0123456789")
    assert mnist.classifier_id == "classifier" and mnist.noun == "digit"
    assert fashion.n_classes == 10 and fashion.image_shape == (28, 28, 1)
    assert fashion.class_names[0] == "T-shirt" and fashion.class_names[9] == "Ankle boot"
    assert fashion.classifier_id == "classifier-fashion-mnist"
    with pytest.raises(DataSourceError, match="known datasets: fashion-mnist, mnist"):
        datasets.dataset_info("cifar10")


@pytest.mark.skipif(not FASHION_PRESENT, reason="Debian's dataset-fashion-mnist is not installed")
def test_debians_fashion_mnist_has_its_60000_and_10000_images():
    data = datasets.load_dataset("fashion-mnist")
    assert data.x_train.shape == (60_000, 28, 28, 1) and data.x_test.shape == (10_000, 28, 28, 1)
    assert data.x_train.min() == -1.0 and data.x_train.max() == 1.0
    assert np.bincount(data.y_test).tolist() == [1000] * 10


def test_a_models_classes_are_named_by_its_dataset_or_its_own_classifier():
    from gan_core.datasets import dataset_label, dataset_title
    from gan_core.labelling import classifier_note

    assert dataset_label("fashion-mnist", 10) == "Fashion-MNIST"
    assert dataset_label(None, 3) == "own classifier (3 classes)"
    assert dataset_title("mnist") == "MNIST" and dataset_title("emnist") == "emnist"
    assert classifier_note("fashion-mnist") == "the bundled Fashion-MNIST classifier"
    assert classifier_note(None) == "its own classifier"
