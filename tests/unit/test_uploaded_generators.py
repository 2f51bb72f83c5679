"""Bring-your-own generators: accepted when valid, refused with a reason otherwise."""

import json

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


# ---- a classifier of its own, or a bundled dataset's -------------------------------------
def _listing(root):
    """Everything under ``root`` (hidden temporary files included)."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.fixture(scope="module")
def colour_files(tmp_path_factory):
    """A 32x32 RGB generator and classifiers for it (and a wrong one), as .keras bytes."""
    from tests.colour_models import colour_classifier, colour_generator, save

    folder = tmp_path_factory.mktemp("colour")
    files = {
        "generator": save(colour_generator(2, (32, 32, 3)), folder / "rgb.keras"),
        "classifier": save(colour_classifier((32, 32, 3), 3), folder / "c3.keras"),
        "grey28": save(colour_classifier((28, 28, 1), 3), folder / "g28.keras"),
        "k1": save(colour_classifier((32, 32, 3), 1), folder / "k1.keras"),
        "k21": save(colour_classifier((32, 32, 3), 21), folder / "k21.keras"),
    }
    x = keras.Input((32, 32, 3))
    pooled = keras.layers.GlobalAveragePooling2D()(x)
    two = keras.Model(x, [keras.layers.Dense(3, activation="softmax")(pooled),
                          keras.layers.Dense(3, activation="softmax")(pooled)])  # fmt: skip
    files["two_outputs"] = save(two, folder / "two.keras")
    logits = keras.Model(x, keras.layers.Dense(3)(pooled))  # no softmax: not probabilities
    files["logits"] = save(logits, folder / "logits.keras")
    return files


@pytest.fixture
def uploads(tmp_path, colour_files):
    """An uploads folder already holding one upload (refusals must leave it as it is)."""
    up = tmp_path / "up"
    import_generator(_save(_mlp_generator(3), tmp_path), "earlier.keras", up)
    return up


@pytest.mark.parametrize(
    ("clf", "names", "reason"),
    [("grey28", None, r"takes images \(None, 28, 28, 1\), but the generator makes \(None, 32, 32, 3\)"),
     ("k1", None, r"output \(None, 1\) is not \(None, K\) with K = 2..20"),
     ("k21", None, r"output \(None, 21\) is not \(None, K\) with K = 2..20"),
     ("classifier", ["red", "green"], "it has 3 classes but 2 class names were given"),
     ("classifier", "red, green, blue, cyan", "it has 3 classes but 4 class names were given"),
     ("classifier", "red\ngreen\nred", "class names must differ; repeated: red"),
     ("classifier", ["red", " ", "blue"], "class name 2 is empty"),
     ("classifier", "red,,blue", "class name 2 is empty"),
     ("classifier", '{"names": ["a"]}', "must be a list or"),
     ("two_outputs", None, r"1 input\(s\) and 2 output\(s\)"),
     ("logits", None, "not class probabilities")],
)  # fmt: skip
def test_a_classifier_that_does_not_fit_is_refused_and_nothing_written(
    colour_files, uploads, clf, names, reason
):
    before = _listing(uploads)
    with pytest.raises(CheckpointError, match=reason):
        import_generator(colour_files["generator"], "rgb.keras", uploads,
                         classifier=colour_files[clf], classifier_filename="mine.keras",
                         class_names=names)  # fmt: skip
    assert _listing(uploads) == before


@pytest.mark.parametrize(
    ("clf", "filename", "reason"),
    [(b"PK\x03\x04 not really a zip", "c.keras", "the classifier file is not a Keras archive"),
     ("zip", "c.keras", r"cannot load c.keras"),
     (b"", "c.keras", "the classifier file is empty"),
     (b"PK" + b"\0" * MAX_UPLOAD_BYTES, "c.keras", "the classifier file is 32.0 MiB; the limit is 32 MiB"),
     ("ok", "c.h5", r"the classifier file: only Keras 3 '.keras' files"),
     ("not bytes", "c.keras", "must be the bytes of a .keras file")],
)  # fmt: skip
def test_a_corrupt_oversized_or_misnamed_classifier_file_is_refused(
    colour_files, uploads, tmp_path, clf, filename, reason
):
    import zipfile

    if clf == "zip":  # a zip archive, but not a Keras model
        with zipfile.ZipFile(tmp_path / "z.zip", "w") as zf:
            zf.writestr("config.json", "{broken")
        clf = (tmp_path / "z.zip").read_bytes()
    elif clf == "ok":
        clf = colour_files["classifier"]
    before = _listing(uploads)
    with pytest.raises(CheckpointError, match=reason) as info:
        import_generator(colour_files["generator"], "rgb.keras", uploads, classifier=clf,
                         classifier_filename=filename)  # fmt: skip
    assert str(uploads) not in str(info.value)  # the reason names the file, not a temp path
    assert _listing(uploads) == before


def test_own_classifier_with_names_as_list_json_or_text_is_stored_and_explored(
    colour_files, uploads
):
    from gan_core.explorer import LatentExplorer
    from gan_core.uploaded_generators import labelling_note
    from tests.colour_models import COLOUR_NAMES

    forms = [COLOUR_NAMES, '["red", "green", "blue"]', b'{"class_names": ["red", "green", "blue"]}',
             "red\ngreen\nblue\n", " red, green , blue"]  # fmt: skip
    ids = {import_generator(colour_files["generator"], "RGB gen.keras", uploads,
                            classifier=colour_files["classifier"], classifier_filename="rgb-clf.keras",
                            class_names=names) for names in forms}  # fmt: skip
    assert len(ids) == 1  # the same names however written: the same model, stored once
    model_id = ids.pop()
    assert model_id.startswith("upload-rgb-gen-")
    folder = uploads / model_id
    assert sorted(p.name for p in folder.iterdir()) == ["classifier.keras", "config.json",
                                                        "generator.keras"]  # fmt: skip
    assert (folder / "classifier.keras").read_bytes() == colour_files["classifier"]
    config = json.loads((folder / "config.json").read_text())
    assert config["class_names"] == COLOUR_NAMES
    assert config["extra"]["uploaded_name"] == "RGB gen.keras"
    assert config["extra"]["uploaded_classifier_name"] == "rgb-clf.keras"
    assert labelling_note(model_id, uploads) == "its own classifier: red, green, blue"
    explorer = LatentExplorer.from_checkpoint(model_id, uploads)
    assert explorer.class_names == COLOUR_NAMES and explorer.image_shape == (32, 32, 3)
    assert explorer.dataset is None and explorer.labelling.own
    # its classifier colours its points: z0 drives red, z1 green, -(z0 + z1) blue
    for z, name in (([0.9, -0.2], "red"), ([-0.2, 0.9], "green"), ([-0.7, -0.7], "blue")):
        assert explorer.class_names[int(np.argmax(explorer.probe_point(z).probs))] == name
    assert not [p for p in uploads.iterdir() if p.name.startswith(".")]  # no temp files left


def test_the_id_changes_with_the_classifier_and_its_names(colour_files, uploads):
    gen = colour_files["generator"]
    plain_names = import_generator(gen, "g.keras", uploads, classifier=colour_files["classifier"])
    named = import_generator(gen, "g.keras", uploads, classifier=colour_files["classifier"],
                             class_names="r,g,b")  # fmt: skip
    assert plain_names != named
    assert json.loads((uploads / plain_names / "config.json").read_text())["class_names"] == [
        "class 0", "class 1", "class 2"]  # fmt: skip
    data = _save(_mlp_generator(3), uploads.parent, "m.keras")
    assert import_generator(data, "m.keras", uploads, dataset="mnist") == upload_id("m.keras", data)
    assert import_generator(data, "m.keras", uploads, dataset="fashion-mnist") != upload_id(
        "m.keras", data
    )


def test_a_grey_28x28_generator_without_classifier_uses_the_chosen_dataset(tmp_path, uploads):
    import shutil

    from gan_core.checkpoints import DEFAULT_CHECKPOINTS
    from gan_core.datasets import dataset_info
    from gan_core.explorer import LatentExplorer
    from gan_core.uploaded_generators import labelling_note
    from tests.colour_models import colour_classifier, save

    fashion = dataset_info("fashion-mnist")
    data = _save(_mlp_generator(2, (28, 28)), tmp_path, "shoes.keras")
    model_id = import_generator(data, "shoes.keras", uploads, dataset="fashion-mnist")
    folder = uploads / model_id
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "generator.keras"]
    config = json.loads((folder / "config.json").read_text())
    assert config["dataset"] == "fashion-mnist" and config["class_names"] == []
    assert labelling_note(model_id, uploads) == "the bundled Fashion-MNIST classifier"
    # The Fashion-MNIST classifier: the bundled one, else a stand-in of its shape beside it.
    bundled = DEFAULT_CHECKPOINTS / fashion.classifier_id
    if bundled.is_dir():
        shutil.copytree(bundled, uploads / fashion.classifier_id)
    else:
        save(
            colour_classifier((28, 28, 1), 10), uploads / fashion.classifier_id / "classifier.keras"
        )
    explorer = LatentExplorer.from_checkpoint(model_id, uploads)
    assert explorer.class_names == list(fashion.class_names)
    assert explorer.dataset.name == "fashion-mnist"
    assert explorer.labelling.note == "the bundled Fashion-MNIST classifier"
    mnist_id = import_generator(data, "shoes.keras", uploads)
    assert labelling_note(mnist_id, uploads) == "the bundled MNIST classifier"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [({}, "rgb.keras makes 32x32x3 images; the bundled MNIST classifier takes 28x28x1: bring a "
          "classifier of your own"),
     ({"dataset": "fashion-mnist"}, "the bundled Fashion-MNIST classifier takes 28x28x1"),
     ({"class_names": "red,green,blue"}, "class names need a classifier of your own"),
     ({"dataset": "cifar"}, "unknown dataset 'cifar'"),
     ({"classifier": "ok", "dataset": "mnist"}, "leave it out when you bring a classifier")],
)  # fmt: skip
def test_without_a_fitting_classifier_the_upload_is_refused(colour_files, uploads, kwargs, reason):
    if kwargs.get("classifier") == "ok":
        kwargs["classifier"] = colour_files["classifier"]
    before = _listing(uploads)
    with pytest.raises(CheckpointError, match=reason):
        import_generator(colour_files["generator"], "rgb.keras", uploads, **kwargs)
    assert _listing(uploads) == before


def test_a_grey_generator_with_its_own_classifier(tmp_path, uploads):
    from gan_core.explorer import LatentExplorer
    from tests.colour_models import colour_classifier, save

    gen = _save(_mlp_generator(4, (20, 24)), tmp_path, "grey.keras")  # (None, 20, 24): no C axis
    clf = save(colour_classifier((20, 24, 1), 2), tmp_path / "two.keras")
    model_id = import_generator(
        gen, "grey.keras", uploads, classifier=clf, class_names="dark\nlight"
    )
    explorer = LatentExplorer.from_checkpoint(model_id, uploads)
    assert explorer.class_names == ["dark", "light"] and explorer.image_shape == (20, 24, 1)
