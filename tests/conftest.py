"""Shared fixtures: small real data and small checkpoint folders built on the fly.

Generators here have the study's architecture with fresh (untrained, seeded) weights, so
tests exercise the same layers the bundled models have without depending on training.
The digit classifier is the committed one (it is part of the product).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent
BUNDLED = REPO / "checkpoints"

# (model id, latent dim, conditional) of the folders every test checkpoint root holds.
TEST_MODELS = (
    ("gan-2d", 2, False),
    ("gan-3d", 3, False),
    ("gan-4d", 4, False),
    ("cgan-3d", 3, True),
)
# Activation variants of gan-3d (id, activation), same seed as gan-3d: the comparison table.
TEST_VARIANTS = (("gan-3d-relu", "relu"),)
REAL_3D = "bundled-3d"  # a copy of the bundled gan-3d generator
HIGH_D = "gan-100d"  # a 100-D generator with a normal prior: the bundled one where it exists
FASHION = "fashion-2d"  # a Fashion-MNIST model (see test_checkpoints)


def make_checkpoint(
    root: Path,
    model_id: str,
    latent_dim: int,
    conditional: bool = False,
    seed: int = 0,
    activation: str = "leaky_relu",
    prior: str = "uniform[-1,1]",
) -> Path:
    """Write checkpoints/<model_id>/ with seeded untrained G and D and a config.json."""
    import keras

    from gan_core.checkpoints import ModelConfig, atomic_write_json, save_keras_model
    from gan_core.models import build_gan_pair

    keras.utils.set_random_seed(seed)
    generator, discriminator = build_gan_pair(latent_dim, conditional, activation)
    folder = Path(root) / model_id
    save_keras_model(generator, folder / "generator.keras")
    save_keras_model(discriminator, folder / "discriminator.keras")
    cfg = ModelConfig(
        latent_dim=latent_dim,
        conditional=conditional,
        activation=activation,
        epochs_trained=0,
        seed=seed,
        data_source="untrained test model",
        prior=prior,
    )
    atomic_write_json(folder / "config.json", cfg.to_json())
    return folder


@pytest.fixture(autouse=True)
def _dashboard_registry_restored():
    """The dashboard's registry is one per process: a test that configures its own app
    (``create_app``) must not change what a live server started before it serves."""
    import dataclasses
    import sys

    reg = sys.modules.get("dashboard.registry")
    saved = None
    if reg is not None:
        with reg._lock:
            saved = (dataclasses.replace(reg.SETTINGS), dict(reg._explorers), reg._cache)
    yield
    if saved is not None:
        settings, explorers, cache = saved
        with reg._lock:
            for f in dataclasses.fields(settings):
                setattr(reg.SETTINGS, f.name, getattr(settings, f.name))
            reg._explorers.clear()
            reg._explorers.update(explorers)
            reg._cache = cache


def copy_classifier(root: Path, dataset: str = "mnist") -> Path:
    """The bundled classifier of ``dataset`` copied into ``root``."""
    from gan_core.datasets import dataset_info

    folder = dataset_info(dataset).classifier_id
    dst = Path(root) / folder
    shutil.copytree(BUNDLED / folder, dst, dirs_exist_ok=True)
    return dst


@pytest.fixture(scope="session")
def test_checkpoints(tmp_path_factory) -> Path:
    """A read-only-by-convention checkpoints root with the four model kinds + the classifier."""
    root = tmp_path_factory.mktemp("checkpoints")
    for i, (model_id, dim, cond) in enumerate(TEST_MODELS):
        make_checkpoint(root, model_id, dim, cond, seed=i)
    for model_id, activation in TEST_VARIANTS:
        make_checkpoint(root, model_id, 3, False, seed=1, activation=activation)
    copy_classifier(root)
    # One real trained generator: views whose behaviour only shows on a varied class map
    # (the untrained ones map every point to the same digit).
    (root / REAL_3D).mkdir()
    for name in ("config.json", "generator.keras"):
        shutil.copy2(BUNDLED / "gan-3d" / name, root / REAL_3D / name)
    if (BUNDLED / HIGH_D / "generator.keras").is_file():
        (root / HIGH_D).mkdir()
        for name in ("config.json", "generator.keras"):
            shutil.copy2(BUNDLED / HIGH_D / name, root / HIGH_D / name)
    else:
        make_checkpoint(root, HIGH_D, 100, False, seed=7, prior="normal(0,1)")
    # A Fashion-MNIST model: the bundled fashion-2d, or (until it exists) gan-2d's generator
    # labelled as one, so its maps are drawn by the Fashion-MNIST classifier.
    copy_classifier(root, "fashion-mnist")
    (root / FASHION).mkdir()
    source = BUNDLED / (FASHION if (BUNDLED / FASHION).is_dir() else "gan-2d")
    shutil.copy2(source / "generator.keras", root / FASHION / "generator.keras")
    config = json.loads((source / "config.json").read_text())
    config["dataset"] = "fashion-mnist"
    (root / FASHION / "config.json").write_text(json.dumps(config))
    return root


@pytest.fixture
def fresh_checkpoints(tmp_path) -> Path:
    """A private checkpoints root a test may modify (classifier + a 2D model)."""
    root = tmp_path / "checkpoints"
    make_checkpoint(root, "gan-2d", 2, False, seed=0)
    copy_classifier(root)
    return root


@pytest.fixture(scope="session")
def classifier():
    from gan_core.checkpoints import load_classifier

    return load_classifier(BUNDLED)


class SmallMnist:
    """The first images of real MNIST, for tests that need real data but not all of it."""

    def __init__(self, n_train: int, n_test: int):
        from gan_core.data import load_mnist

        full = load_mnist()
        self.x_train, self.y_train = full.x_train[:n_train], full.y_train[:n_train]
        self.x_test, self.y_test = full.x_test[:n_test], full.y_test[:n_test]
        self.source = full.source


@pytest.fixture(scope="session")
def small_mnist() -> SmallMnist:
    return SmallMnist(2048, 1000)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def _train_small(root: Path, data, classifier, model_id: str, epochs: int, **settings) -> str:
    """Train ``model_id`` for a few short epochs (256 images) inside ``root``, with full
    history; ``settings`` are the rest of its ``TrainSettings``."""
    from gan_core.training import GanTrainer, TrainSettings

    config = TrainSettings(model_id=model_id, batch_size=64, limit_images=256, bn_samples=1024,
                           root=str(root), **settings)  # fmt: skip
    GanTrainer(config, data, classifier).train(epochs, progress=False)
    return model_id


@pytest.fixture(scope="session")
def trained_model(test_checkpoints, small_mnist, classifier) -> str:
    """A 2D GAN trained for 3 short epochs inside test_checkpoints, with full history."""
    return _train_small(test_checkpoints, small_mnist, classifier, "trained-2d", 3,
                        latent_dim=2, weak_every=2, map_points=8)  # fmt: skip


@pytest.fixture(scope="session")
def trained_cgan(test_checkpoints, small_mnist, classifier) -> str:
    """A 3D CGAN trained for 2 short epochs inside test_checkpoints, with full history."""
    return _train_small(test_checkpoints, small_mnist, classifier, "trained-cgan", 2,
                        latent_dim=3, conditional=True, weak_every=0, map_points=4)  # fmt: skip
