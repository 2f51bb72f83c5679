"""Checkpoint layout, validation, safe loading and its errors."""

import json
import zipfile

import numpy as np
import pytest

from gan_core import checkpoints as ck
from tests.conftest import make_checkpoint


def test_loads_a_valid_generator_with_its_config(fresh_checkpoints):
    loaded = ck.load_generator("gan-2d", fresh_checkpoints)
    assert loaded.config.latent_dim == 2 and not loaded.config.conditional
    out = np.asarray(loaded.generator(np.zeros((1, 2), np.float32)))
    assert out.shape == (1, 28, 28, 1)


@pytest.mark.parametrize("bad_id", ["../etc", "..", "a/b", "/abs", "", "x" * 80, "name with space"])
def test_ids_outside_the_checkpoints_folder_are_refused(fresh_checkpoints, bad_id):
    with pytest.raises(ck.CheckpointError):
        ck.resolve_model_dir(bad_id, fresh_checkpoints)


def test_symlink_escaping_the_root_is_refused(fresh_checkpoints, tmp_path):
    (fresh_checkpoints / "escape").symlink_to(tmp_path)
    with pytest.raises(ck.CheckpointError, match="outside"):
        ck.resolve_model_dir("escape", fresh_checkpoints)


def test_unknown_model_lists_the_known_ones(fresh_checkpoints):
    with pytest.raises(ck.CheckpointError, match=r"unknown model 'nope' \(known: gan-2d\)"):
        ck.load_generator("nope", fresh_checkpoints)


def test_missing_generator_file_is_named(fresh_checkpoints):
    (fresh_checkpoints / "gan-2d" / "generator.keras").unlink()
    with pytest.raises(ck.CheckpointError, match="missing file: .*generator.keras"):
        ck.load_generator("gan-2d", fresh_checkpoints)


def test_truncated_generator_file_is_named(fresh_checkpoints):
    path = fresh_checkpoints / "gan-2d" / "generator.keras"
    path.write_bytes(path.read_bytes()[:1000])
    with pytest.raises(ck.CheckpointError, match="generator.keras"):
        ck.load_generator("gan-2d", fresh_checkpoints)


def test_corrupt_config_is_named(fresh_checkpoints):
    (fresh_checkpoints / "gan-2d" / "config.json").write_text("{not json")
    with pytest.raises(ck.CheckpointError, match="corrupt JSON in .*config.json"):
        ck.load_generator("gan-2d", fresh_checkpoints)


def test_config_disagreeing_with_the_model_input_is_refused(fresh_checkpoints):
    path = fresh_checkpoints / "gan-2d" / "config.json"
    cfg = json.loads(path.read_text())
    cfg["latent_dim"] = 3
    path.write_text(json.dumps(cfg))
    with pytest.raises(ck.CheckpointError, match=r"wrong input shape \(None, 2\)"):
        ck.load_generator("gan-2d", fresh_checkpoints)


def test_unsafe_lambda_layer_is_refused_in_safe_mode(fresh_checkpoints):
    import keras

    z = keras.Input((2,))
    x = keras.layers.Dense(784)(z)
    x = keras.layers.Lambda(lambda t: t * 2.0)(x)
    x = keras.layers.Reshape((28, 28, 1))(x)
    model = keras.Model(z, x)
    target = fresh_checkpoints / "gan-2d" / "generator.keras"
    model.save(target)
    assert zipfile.is_zipfile(target)
    with pytest.raises(ck.CheckpointError, match="generator.keras"):
        ck.load_generator("gan-2d", fresh_checkpoints)


def test_classifier_loads_and_is_accurate_on_real_digits(classifier, small_mnist):
    from gan_core.classifier import classify

    probs = classify(classifier, small_mnist.x_test)
    assert probs.shape == (1000, 10)
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-4)
    assert (probs.argmax(1) == small_mnist.y_test).mean() > 0.98


def test_committed_classifier_metrics_meet_the_target():
    metrics = json.loads((ck.DEFAULT_CHECKPOINTS / "classifier" / "metrics.json").read_text())
    assert metrics["test_error_percent"] <= 1.0


def test_describe_reports_models_and_broken_ones_without_raising(fresh_checkpoints):
    make_checkpoint(fresh_checkpoints, "broken", 2)
    (fresh_checkpoints / "broken" / "generator.keras").write_bytes(b"garbage")
    rows = {r["id"]: r for r in ck.describe_checkpoints(fresh_checkpoints)}
    assert rows["gan-2d"]["params"] == 1_101_632 and rows["gan-2d"]["latent_dim"] == 2
    assert "corrupt model file" in rows["broken"]["error"]
    assert rows["classifier"]["metrics"]["test_error_percent"] <= 1.0


def test_atomic_write_leaves_no_temp_files(tmp_path):
    target = tmp_path / "x.json"
    ck.atomic_write_json(target, {"a": 1})
    ck.atomic_write_json(target, {"a": 2})
    assert json.loads(target.read_text()) == {"a": 2}
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]
