"""Bring-your-own generators: accepted when valid, refused with a reason otherwise."""

import keras
import numpy as np
import pytest

from gan_core.checkpoints import CheckpointError, list_model_ids, load_generator
from gan_core.uploaded_generators import MAX_UPLOAD_BYTES, import_generator, upload_id


def _save(model, tmp_path, name="g.keras"):
    path = tmp_path / name
    model.save(path)
    return path.read_bytes()


def _mlp_generator(latent_dim, out_shape=(28, 28, 1)):
    z = keras.Input((latent_dim,))
    x = keras.layers.Dense(int(np.prod(out_shape)), activation="tanh")(z)
    return keras.Model(z, keras.layers.Reshape(out_shape)(x))


def test_valid_foreign_generator_is_imported_and_loads(tmp_path):
    data = _save(_mlp_generator(5), tmp_path)
    uploads = tmp_path / "uploads"
    model_id = import_generator(data, "My Generator!.keras", uploads)
    assert model_id.startswith("upload-my-generator-")
    assert list_model_ids(uploads) == [model_id]
    loaded = load_generator(model_id, uploads)
    assert loaded.config.latent_dim == 5
    assert np.asarray(loaded.generator(np.zeros((2, 5), np.float32))).shape == (2, 28, 28, 1)


def test_output_without_channel_axis_gets_one(tmp_path):
    data = _save(_mlp_generator(3, (28, 28)), tmp_path)
    model_id = import_generator(data, "flat.keras", tmp_path / "up")
    out = load_generator(model_id, tmp_path / "up").generator(np.zeros((1, 3), np.float32))
    assert np.asarray(out).shape == (1, 28, 28, 1)


def test_wrong_output_shape_is_refused_and_nothing_is_left(tmp_path):
    data = _save(_mlp_generator(3, (8, 8, 2)), tmp_path)
    uploads = tmp_path / "uploads"
    with pytest.raises(
        CheckpointError, match=r"output shape \(None, 8, 8, 2\) is not an image HxWxC with H and W"
    ):
        import_generator(data, "big.keras", uploads)
    assert list(uploads.iterdir()) == []


@pytest.mark.parametrize("dim", [1, 513])
def test_latent_dims_outside_2_to_512_are_refused(tmp_path, dim):
    data = _save(_mlp_generator(dim), tmp_path)
    with pytest.raises(CheckpointError, match="2 <= d <= 512"):
        import_generator(data, "g.keras", tmp_path / "up")
    assert not any(p.name.startswith("upload-") for p in (tmp_path / "up").iterdir())


def test_the_prior_is_recorded_and_a_bad_prior_refused(tmp_path):
    from gan_core.priors import model_prior

    data = _save(_mlp_generator(40), tmp_path)
    up = tmp_path / "up"
    plain = import_generator(data, "g.keras", up)  # the default: the study's box
    normal = import_generator(data, "g.keras", up, prior="normal")
    wide = import_generator(data, "g.keras", up, prior="normal(0,2)")
    assert len({plain, normal, wide}) == 3  # the same file with another prior: another model
    assert plain == upload_id("g.keras", data)  # ids of earlier uploads do not change
    assert [model_prior(load_generator(m, up).config).spec for m in (plain, normal, wide)] == [
        "uniform[-1,1]", "normal(0,1)", "normal(0,2)"]  # fmt: skip
    assert load_generator(normal, up).config.latent_dim == 40
    for bad in ("cauchy", "normal(1,1)", "uniform[0,1]", 3):
        with pytest.raises(CheckpointError, match="bad prior"):
            import_generator(data, "h.keras", up, prior=bad)
    assert sorted(list_model_ids(up)) == sorted([plain, normal, wide])


def test_uploaded_ids_are_found_in_the_uploads_folder(tmp_path, monkeypatch):
    from gan_core.checkpoints import checkpoints_root
    from gan_core.uploaded_generators import UPLOADS_ENV, model_root, uploads_root

    up = tmp_path / "up"
    model_id = import_generator(_save(_mlp_generator(3), tmp_path), "g.keras", up)
    assert model_root(model_id, tmp_path / "ck", up) == up
    assert model_root("upload-missing-00000000", tmp_path / "ck", up) == checkpoints_root(
        tmp_path / "ck"
    )
    assert model_root("gan-2d", tmp_path / "ck", up) == checkpoints_root(tmp_path / "ck")
    assert model_root("upload-../x", tmp_path / "ck", up) == checkpoints_root(tmp_path / "ck")
    monkeypatch.setenv(UPLOADS_ENV, str(up))
    assert uploads_root() == up and model_root(model_id, tmp_path / "ck") == up


def test_lambda_layer_is_refused_by_safe_mode(tmp_path):
    z = keras.Input((2,))
    x = keras.layers.Lambda(lambda t: t * 3.0)(keras.layers.Dense(784)(z))
    data = _save(keras.Model(z, keras.layers.Reshape((28, 28, 1))(x)), tmp_path)
    with pytest.raises(CheckpointError, match="cannot load"):
        import_generator(data, "lam.keras", tmp_path / "up")


def test_size_name_and_format_limits(tmp_path):
    up = tmp_path / "up"
    with pytest.raises(CheckpointError, match="empty"):
        import_generator(b"", "a.keras", up)
    with pytest.raises(CheckpointError, match="limit"):
        import_generator(b"x" * (MAX_UPLOAD_BYTES + 1), "a.keras", up)
    with pytest.raises(CheckpointError, match=".keras"):
        import_generator(b"PK..", "a.h5", up)
    with pytest.raises(CheckpointError, match="not a Keras archive"):
        import_generator(b"not a zip", "a.keras", up)


def test_upload_ids_never_escape_the_folder():
    assert upload_id("../../etc/passwd.keras", b"x").startswith("upload-passwd-")
    assert "/" not in upload_id("a/b\\..\\c.keras", b"x")


def test_folder_of_foreign_generators_uses_the_bundled_classifier(tmp_path):
    from gan_core.checkpoints import load_classifier

    (tmp_path / "mine").mkdir()
    _mlp_generator(4).save(tmp_path / "mine" / "generator.keras")
    assert list_model_ids(tmp_path) == ["mine"]
    assert load_generator("mine", tmp_path).config.latent_dim == 4
    assert tuple(load_classifier(tmp_path).outputs[0].shape) == (None, 10)
