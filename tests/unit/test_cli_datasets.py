"""The command line's --dataset: training and classifiers on Fashion-MNIST, clear refusals."""

import json

import pytest

from gan_core import datasets
from gan_explorer.cli import main
from tests.conftest import copy_classifier
from tests.unit.test_datasets import _write_fashion


@pytest.fixture
def small_fashion(tmp_path, monkeypatch):
    """A 160-image Fashion-MNIST folder (random pixels, real file format) as the source."""
    folder = tmp_path / "fashion"
    _write_fashion(folder, n_train=160, n_test=40)
    monkeypatch.setenv(datasets.FASHION_ENV, str(folder))
    return folder


def test_train_classifier_writes_the_datasets_classifier(tmp_path, small_fashion, capsys):
    root = tmp_path / "ckpt"
    args = ["--checkpoints", str(root), "train-classifier", "--dataset", "fashion-mnist",
            "--epochs", "1"]  # fmt: skip
    assert main(args) == 0
    out = root / "classifier-fashion-mnist"
    assert (out / "classifier.keras").is_file() and not (root / "classifier").exists()
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["dataset"] == "fashion-mnist" and metrics["test_images"] == 40
    assert metrics["class_names"][9] == "Ankle boot"


def test_train_on_fashion_records_the_dataset_and_resume_keeps_it(
    fresh_checkpoints, small_fashion, capsys
):
    copy_classifier(fresh_checkpoints, "fashion-mnist")
    base = ["--checkpoints", str(fresh_checkpoints), "train", "shoes"]
    small = ["--batch-size", "32", "--map-points", "4", "--bn-samples", "32", "--quiet"]
    assert main([*base, "--dataset", "fashion-mnist", "--epochs", "1", *small]) == 0
    assert "on Fashion-MNIST" in capsys.readouterr().out
    config = json.loads((fresh_checkpoints / "shoes" / "config.json").read_text())
    assert config["dataset"] == "fashion-mnist"
    assert (fresh_checkpoints / "shoes" / "history" / "class_maps.npz").is_file()
    assert main([*base, "--resume", "--dataset", "mnist", "--epochs", "2", "--quiet"]) == 2
    assert "was trained on fashion-mnist" in capsys.readouterr().err
    assert main([*base, "--resume", "--epochs", "2", "--quiet"]) == 0  # keeps its dataset
    config = json.loads((fresh_checkpoints / "shoes" / "config.json").read_text())
    assert config["dataset"] == "fashion-mnist" and config["epochs_trained"] == 2


def test_missing_fashion_files_stop_training_with_how_to_install(
    fresh_checkpoints, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv(datasets.FASHION_ENV, str(tmp_path / "nowhere"))
    args = ["--checkpoints", str(fresh_checkpoints), "train", "x", "--dataset", "fashion-mnist"]
    assert main(args) == 2
    assert "apt-get install dataset-fashion-mnist" in capsys.readouterr().err
    assert not (fresh_checkpoints / "x").exists()
