"""What colours a model's maps: class names, image shapes, classifier checks, labelling."""

import json

import pytest

from gan_core.checkpoints import CheckpointError, ModelConfig
from gan_core.labelling import (
    check_classifier,
    image_shape_of,
    model_labelling,
    parse_class_names,
)
from tests.colour_models import colour_classifier, write_colour_model


@pytest.mark.parametrize(
    "value",
    [
        ["red", "green", "blue"],
        '["red", "green", "blue"]',
        b'{"class_names": ["red", "green", "blue"]}',
        "red\ngreen\n\nblue\n",
        " red, green ,blue ",
    ],
)
def test_class_names_come_as_a_list_json_or_text(value):
    assert parse_class_names(value) == ["red", "green", "blue"]


@pytest.mark.parametrize(
    "value, message",
    [
        ("red,,blue", "class name 2 is empty"),
        (["red", "red"], "repeated: red"),
        ('{"names": 3}', "must be a list"),
        ("[1, 2", "malformed JSON"),
        (["x" * 41], "longer than 40"),
        (b"\xff\xfe", "UTF-8"),
        (7, "list of texts"),
    ],
)
def test_bad_class_names_are_refused_with_the_reason(value, message):
    with pytest.raises(CheckpointError, match=message):
        parse_class_names(value)


@pytest.mark.parametrize(
    "shape, expected",
    [((None, 28, 28), (28, 28, 1)), ((None, 32, 32, 3), (32, 32, 3)),
     ((None, 16, 128, 1), (16, 128, 1))],
)  # fmt: skip
def test_image_shapes_within_limits_are_accepted(shape, expected):
    assert image_shape_of(shape) == expected


@pytest.mark.parametrize(
    "shape", [(None, 15, 28, 1), (None, 28, 129, 1), (None, 28, 28, 2), (None, 28, 28, 4),
              (None, 784), (None, None, 28, 1)],
)  # fmt: skip
def test_image_shapes_outside_limits_are_refused(shape):
    with pytest.raises(CheckpointError, match="output shape"):
        image_shape_of(shape, "g.keras")


def test_classifier_checks_input_class_count_and_names():
    clf = colour_classifier((32, 32, 3), 3)
    assert check_classifier(clf, (32, 32, 3), "a,b,c") == ["a", "b", "c"]
    assert check_classifier(clf, (32, 32, 3)) == ["class 0", "class 1", "class 2"]
    with pytest.raises(CheckpointError, match=r"takes images \(None, 32, 32, 3\)"):
        check_classifier(clf, (28, 28, 1), "a,b,c")
    with pytest.raises(CheckpointError, match="3 classes but 2 class names"):
        check_classifier(clf, (32, 32, 3), "a,b")


@pytest.mark.parametrize("k", [1, 21])
def test_classifiers_outside_2_to_20_classes_are_refused(k):
    with pytest.raises(CheckpointError, match="K = 2..20"):
        check_classifier(colour_classifier((32, 32, 3), k), (32, 32, 3))


def test_an_own_classifier_colours_the_maps_with_its_names(tmp_path):
    folder = write_colour_model(tmp_path, "rgb", names=["r", "g", "b"])
    cfg = ModelConfig.from_json(json.loads((folder / "config.json").read_text()))
    lab = model_labelling(folder, cfg, (32, 32, 3))
    assert lab.own and lab.class_names == ("r", "g", "b")
    assert lab.classifier_file == folder / "classifier.keras" and "own" in lab.note


def test_without_one_the_datasets_classifier_colours_a_fitting_generator(tmp_path):
    cfg = ModelConfig(latent_dim=2, dataset="fashion-mnist")
    lab = model_labelling(tmp_path, cfg, (28, 28, 1))
    assert lab.dataset == "fashion-mnist" and lab.class_names[1] == "Trouser"
    assert lab.classifier_file.parent.name == "classifier-fashion-mnist"
    assert lab.note == "the bundled Fashion-MNIST classifier"
    with pytest.raises(CheckpointError, match="32x32x3 images and has no classifier of its own"):
        model_labelling(tmp_path, ModelConfig(latent_dim=2), (32, 32, 3))


def test_a_fashion_model_explores_without_the_fashion_images(
    test_checkpoints, tmp_path, monkeypatch
):
    from gan_core.datasets import FASHION_ENV
    from gan_core.explorer import LatentExplorer
    from tests.conftest import FASHION

    monkeypatch.setenv(FASHION_ENV, str(tmp_path / "no-such-folder"))
    explorer = LatentExplorer.from_checkpoint(FASHION, test_checkpoints, cache_dir=tmp_path)
    assert explorer.dataset.title == "Fashion-MNIST"
    assert explorer.class_names[0] == "T-shirt"
    assert explorer.labelling.note == "the bundled Fashion-MNIST classifier"
    cmap = explorer.map_2d(12)
    assert cmap.classes.shape == (12, 12) and cmap.classes.max() < 10
