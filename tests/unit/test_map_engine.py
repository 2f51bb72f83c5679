"""The ONNX Runtime map engine: the TensorFlow path's numbers on slice maps (trained 2-D,
untrained 100-D, a CGAN label), batches with progress, and the fallback to TensorFlow
where it cannot run."""

from __future__ import annotations

import builtins

import numpy as np
import pytest

from gan_core.cache import MapCache
from gan_core.explorer import LatentExplorer
from gan_core.latent import class_area_slice
from gan_core.map_engine import ENGINE_ENV, MapEngineError, OnnxMapEngine
from tests.conftest import BUNDLED, HIGH_D

MAX_PROB_DIFF = 1e-4
MIN_CLASS_AGREEMENT = 0.999


def assert_agrees(engine_map, tf_map):
    diff = float(np.abs(engine_map.probs - tf_map.probs).max())
    agreement = float((engine_map.classes == tf_map.classes).mean())
    assert diff <= MAX_PROB_DIFF, f"max |prob difference| {diff:.2e}"
    assert agreement >= MIN_CLASS_AGREEMENT, f"classes agree on {agreement:.2%} of the points"
    np.testing.assert_array_equal(engine_map.axes[0], tf_map.axes[0])


def engine_and_tf_maps(explorer, spec, n, label=None):
    plane = explorer.latent_slice(spec)
    engine_map = explorer.slice_map(plane, n, label=label)
    assert explorer.map_engine() is not None, explorer.map_engine_error
    tf_map = class_area_slice(explorer.generator, explorer.classifier, plane, n, label=label)
    return engine_map, tf_map


def test_a_trained_2d_models_axes_plane_matches_tensorflow(tmp_path):
    explorer = LatentExplorer.from_checkpoint("gan-2d", BUNDLED, cache=MapCache(tmp_path / "c"))
    engine_map, tf_map = engine_and_tf_maps(explorer, "axes:0,1", 20)
    assert len(np.unique(tf_map.classes)) > 1  # a varied map, not one digit everywhere
    assert_agrees(engine_map, tf_map)


def test_a_random_plane_of_a_100d_generator_matches_tensorflow(test_checkpoints, tmp_path):
    explorer = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache=MapCache(tmp_path))
    engine_map, tf_map = engine_and_tf_maps(explorer, "random:5", 12)
    assert_agrees(engine_map, tf_map)


def test_a_cgan_label_reaches_the_graph(test_checkpoints, tmp_path):
    explorer = LatentExplorer.from_checkpoint("cgan-3d", test_checkpoints, cache=MapCache(tmp_path))
    engine_map, tf_map = engine_and_tf_maps(explorer, "random:2", 6, label=7)
    assert_agrees(engine_map, tf_map)
    engine = explorer.map_engine()
    z = explorer.latent_slice("random:2").grid(3)
    other = engine.probs(z, np.full(len(z), 1))
    assert np.abs(other - engine.probs(z, np.full(len(z), 7))).max() > 0  # the label matters
    with pytest.raises(ValueError, match="needs one label per latent point"):
        engine.probs(z)


def test_batches_report_progress_and_check_their_input(test_checkpoints, tmp_path):
    explorer = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache=MapCache(tmp_path))
    model = explorer.browser_model()
    engine = OnnxMapEngine(model.path, model.manifest, threads=1, batch_size=7)
    z = explorer.prior.sample(20, 100, 1)
    calls = []
    probs = engine.probs(z, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(7, 20), (14, 20), (20, 20)]
    whole = OnnxMapEngine(model.path, model.manifest, batch_size=64).probs(z)
    np.testing.assert_allclose(probs, whole, atol=1e-6)  # the batch size changes nothing
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert engine.probs(np.zeros((0, 100))).shape == (0, 10)
    with pytest.raises(ValueError, match=r"latents must be \(N, 100\)"):
        engine.probs(z[:, :3])
    with pytest.raises(ValueError, match="takes no labels"):
        engine.probs(z, np.zeros(20))


def test_slice_maps_fall_back_to_tensorflow(test_checkpoints, tmp_path, monkeypatch):
    from gan_core import browser_model

    def refuse(*args, **kwargs):
        raise browser_model.BrowserModelError("not a chain")

    explorer = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache=MapCache(tmp_path))
    monkeypatch.setattr(browser_model, "export_browser_model", refuse)
    plane = explorer.latent_slice("random:3")
    cmap = explorer.slice_map(plane, 4)
    assert explorer.map_engine() is None and "not a chain" in explorer.map_engine_error
    tf_map = class_area_slice(explorer.generator, explorer.classifier, plane, 4)
    np.testing.assert_array_equal(cmap.probs, tf_map.probs)  # the TensorFlow path itself


def test_without_onnxruntime_or_when_asked_slice_maps_use_tensorflow(
    test_checkpoints, tmp_path, monkeypatch
):
    real_import = builtins.__import__

    def no_onnxruntime(name, *args, **kwargs):
        if name == "onnxruntime":
            raise ImportError("No module named 'onnxruntime'")
        return real_import(name, *args, **kwargs)

    explorer = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache=MapCache(tmp_path))
    model = explorer.browser_model()
    with monkeypatch.context() as m:
        m.setattr(builtins, "__import__", no_onnxruntime)
        with pytest.raises(MapEngineError, match="onnxruntime is not installed"):
            OnnxMapEngine(model.path, model.manifest)
        assert explorer.slice_map(explorer.latent_slice("random:6"), 3).shape == (3, 3)
        assert explorer.map_engine() is None
    assert "onnxruntime is not installed" in explorer.map_engine_error

    other = LatentExplorer.from_checkpoint(HIGH_D, test_checkpoints, cache=MapCache(tmp_path))
    monkeypatch.setenv(ENGINE_ENV, "tensorflow")
    assert other.map_engine() is None and other.map_engine_error is None
    monkeypatch.setenv(ENGINE_ENV, "gpu")
    with pytest.raises(MapEngineError, match="must be 'onnxruntime' or 'tensorflow'"):
        other.map_engine()


@pytest.mark.parametrize(
    ("shape", "names"),
    [((32, 32, 3), ["red", "green", "blue"]), ((16, 24, 1), ["dark", "light"])],
)
def test_a_colour_or_small_grey_models_map_matches_tensorflow(tmp_path, shape, names):
    from tests.colour_models import write_colour_model

    write_colour_model(tmp_path / "models", "m", shape=shape, names=names)
    explorer = LatentExplorer.from_checkpoint("m", tmp_path / "models",
                                              cache=MapCache(tmp_path / "c"))  # fmt: skip
    engine_map, tf_map = engine_and_tf_maps(explorer, "axes:0,1", 16)
    assert engine_map.probs.shape == (16, 16, len(names))
    assert explorer.map_engine().classes == len(names)
    assert sorted(np.unique(tf_map.classes).tolist()) == list(range(len(names)))  # every class
    assert_agrees(engine_map, tf_map)
    z = np.array([[0.9, -0.2], [-0.3, 0.8], [-0.6, -0.5]], np.float32)
    probs = explorer.map_engine().probs(z)
    np.testing.assert_allclose(
        probs, np.asarray(explorer.classifier(explorer.generator(z))), atol=MAX_PROB_DIFF
    )
    if shape[-1] == 3:  # red, green and blue where z0, z1 and -(z0 + z1) are largest
        assert probs.argmax(1).tolist() == [0, 1, 2]


def test_a_graph_whose_manifest_disagrees_on_the_classes_is_refused(tmp_path):
    from tests.colour_models import write_colour_model

    write_colour_model(tmp_path / "models", "rgb")
    explorer = LatentExplorer.from_checkpoint("rgb", tmp_path / "models",
                                              cache=MapCache(tmp_path / "c"))  # fmt: skip
    model = explorer.browser_model()
    with pytest.raises(MapEngineError, match="probabilities have 3 classes.*says 10"):
        OnnxMapEngine(model.path, {**model.manifest, "classes": 10})
    old = {k: v for k, v in model.manifest.items() if k != "classes"}  # an older manifest
    assert OnnxMapEngine(model.path, old).probs(np.zeros((2, 2))).shape == (2, 3)
