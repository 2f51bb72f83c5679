"""What colours a model's maps: its classifier, its class names and its image shape.

A generator's images are (H, W, C) with 16 <= H, W <= 128 and C in {1, 3} (grey or
colour). Its maps are coloured by

1. its own classifier, ``classifier.keras`` in its folder (an upload or import that brought
   one), with the class names in its config.json; else
2. the bundled classifier of its dataset (config.json's ``dataset``, MNIST by default),
   when its images have that dataset's shape.

A generator with neither cannot be mapped and is refused with that reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from gan_core.checkpoints import (  # noqa: F401 (image shapes: imported from here too)
    CHANNELS,
    DEFAULT_CHECKPOINTS,
    MAX_SIDE,
    MIN_SIDE,
    OWN_CLASSIFIER,
    CheckpointError,
    ModelConfig,
    classifier_path,
    image_shape_of,
)

MIN_CLASSES, MAX_CLASSES = 2, 20
MAX_CLASS_NAME = 40
MAX_CLASSIFIER_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Labelling:
    """The classifier a model's maps use and how to speak of its classes.

    Attributes:
        classifier_file: the ``.keras`` file.
        class_names: one name per classifier output.
        note: who colours the maps, for the page ("its own classifier (3 classes)").
        dataset: the bundled dataset whose classifier it is, or None for an own one.
    """

    classifier_file: Path
    class_names: tuple[str, ...]
    note: str
    dataset: str | None

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def own(self) -> bool:
        return self.dataset is None


def parse_class_names(value) -> list[str]:
    """Class names from a list, a JSON text (a list, or {"class_names": [...]}) or a plain
    text (one name per line, or comma-separated on one line). Names are stripped; empty,
    repeated or over-long names are refused with the reason (CheckpointError)."""
    if isinstance(value, bytes):
        try:
            value = value.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError("class names must be UTF-8 text") from exc
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(("[", "{")):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as exc:
                raise CheckpointError(f"class names: malformed JSON: {exc}") from exc
            value = data.get("class_names") if isinstance(data, dict) else data
            if not isinstance(value, list):
                raise CheckpointError('class names JSON must be a list or {"class_names": [...]}')
        elif "\n" in text:  # one per line; blank lines are skipped
            value = [line for line in text.splitlines() if line.strip()]
        else:
            value = text.split(",")
    if not isinstance(value, (list, tuple)):
        raise CheckpointError("class names must be a list of texts")
    names = []
    for i, name in enumerate(value):
        if not isinstance(name, str) or not name.strip():
            raise CheckpointError(f"class name {i + 1} is empty or not a text: {name!r}")
        name = name.strip()
        if len(name) > MAX_CLASS_NAME:
            raise CheckpointError(
                f"class name {i + 1} is longer than {MAX_CLASS_NAME} characters: {name[:50]!r}"
            )
        names.append(name)
    if len(set(names)) != len(names):
        repeated = sorted({n for n in names if names.count(n) > 1})
        raise CheckpointError(f"class names must differ; repeated: {', '.join(repeated)}")
    return names


DIGITS = tuple(str(d) for d in range(10))  # MNIST's class names


def default_class_names(n: int) -> list[str]:
    """The names of an own classifier's ``n`` classes given none: "class 0", "class 1", ..."""
    return [f"class {i}" for i in range(n)]


def class_names_or_default(class_names=None, n_classes: int = 10) -> list[str]:
    """``class_names`` as texts, or when none are given those of ``n_classes`` classes: the
    digits "0".."9" for 10 (the bundled digit classifier's), else "class 0", "class 1", ..."""
    if class_names is None or len(class_names) == 0:
        n = int(n_classes)
        return list(DIGITS) if n == 10 else default_class_names(n)
    return [str(name) for name in class_names]


def class_name(index, class_names=None, n_classes: int = 10) -> str:
    """The name of class ``index`` ("3", "Sandal", "red"; see :func:`class_names_or_default`),
    or its number when the names do not reach it."""
    names = class_names_or_default(class_names, n_classes)
    k = int(index)
    return names[k] if 0 <= k < len(names) else str(k)


def classifier_note(dataset: str | None) -> str:
    """Who colours a model's maps, in a sentence: "its own classifier" (``dataset`` None) or
    "the bundled Fashion-MNIST classifier"."""
    if dataset is None:
        return "its own classifier"
    from gan_core.datasets import dataset_title

    return f"the bundled {dataset_title(dataset)} classifier"


def check_classifier(model, image_shape, class_names=None, source: object = "classifier"):
    """The class names of a classifier for images of ``image_shape`` (H, W, C): one input
    (None, H, W, C), one output (None, K) with 2 <= K <= 20, and ``class_names`` (or
    "class 0".. when None) of length K. Anything else: CheckpointError with the reason."""
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise CheckpointError(
            f"{source}: a classifier takes one image and gives one output; this one has "
            f"{len(model.inputs)} input(s) and {len(model.outputs)} output(s)"
        )
    got_in = tuple(model.inputs[0].shape)
    want_in = (None, *image_shape)
    if got_in != want_in:
        raise CheckpointError(f"{source}: takes images {got_in}, but the generator makes {want_in}")
    out = tuple(model.outputs[0].shape)
    if len(out) != 2 or not isinstance(out[1], int) or not MIN_CLASSES <= out[1] <= MAX_CLASSES:
        raise CheckpointError(
            f"{source}: output {out} is not (None, K) with K = {MIN_CLASSES}..{MAX_CLASSES} classes"
        )
    k = out[1]
    names = default_class_names(k) if class_names is None else parse_class_names(class_names)
    if len(names) != k:
        raise CheckpointError(
            f"{source}: it has {k} classes but {len(names)} class names were given"
        )
    return names


def model_labelling(model_dir: Path, cfg: ModelConfig, image_shape, root=None) -> Labelling:
    """How the maps of the generator in ``model_dir`` are coloured (see the module doc)."""
    from gan_core.data import DataSourceError
    from gan_core.datasets import dataset_info

    own = Path(model_dir) / OWN_CLASSIFIER
    if own.is_file():
        return Labelling(own, tuple(cfg.class_names or ()), classifier_note(None), None)
    try:
        info = dataset_info(cfg.dataset)
    except DataSourceError as exc:
        raise CheckpointError(f"{model_dir / 'config.json'}: {exc}") from exc
    if tuple(image_shape) != info.image_shape:
        h, w, c = image_shape
        raise CheckpointError(
            f"{model_dir.name} makes {h}x{w}x{c} images and has no classifier of its own; "
            f"the bundled {info.title} classifier takes {'x'.join(map(str, info.image_shape))}: "
            "bring a classifier for its images"
        )
    path = classifier_path(root, info.name)
    if not path.exists():
        path = classifier_path(DEFAULT_CHECKPOINTS, info.name)
    names = tuple(cfg.class_names) if cfg.class_names else info.class_names
    return Labelling(path, names, classifier_note(info.name), info.name)
