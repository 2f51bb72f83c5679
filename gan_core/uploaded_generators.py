"""Bring your own generator (and classifier): validate uploaded ``.keras`` files and store
them safely.

A generator is accepted only if it is a Keras archive of at most ``MAX_UPLOAD_BYTES``, loads
in safe mode (no Lambda layers or other arbitrary code), takes one (None, d) input with
2 <= d <= 512 and outputs an image (None, H, W[, C]) with H and W in 16..128 and C = 1
(grey) or 3 (colour) (:func:`gan_core.labelling.image_shape_of`).

Its maps need a classifier for its images, either

- its own: a second ``.keras`` file (at most ``MAX_CLASSIFIER_BYTES``, safe mode) taking
  exactly the generator's images and giving K = 2..20 class probabilities, with K class
  names (a list, JSON or plain text; :func:`gan_core.labelling.parse_class_names`), or
- the bundled classifier of a dataset (MNIST by default, or Fashion-MNIST), when its images
  have that dataset's shape (28x28 grey).

A generator with neither is refused with that reason. The files are written only inside
the uploads folder, under a fresh id derived from the generator's name and content hash
(and, when given, its prior other than the default uniform[-1,1], its classifier, class
names and a dataset other than MNIST), with config.json recording its latent prior, dataset
and class names; anything else is refused with the reason and leaves nothing behind.

The uploads folder is $GAN_EXPLORER_UPLOADS, else ``.cache/uploads`` in the project: the
dashboard stores uploads there and the command line (``gan-explorer import``) too, and
every command finds an ``upload-...`` id there (:func:`model_root`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import zipfile
from pathlib import Path

import numpy as np

from gan_core.checkpoints import (
    CheckpointError,
    atomic_write_bytes,
    atomic_write_json,
    checkpoints_root,
    infer_config,
    load_keras_model,
    read_json,
    resolve_model_dir,
)
from gan_core.labelling import (
    MAX_CLASSIFIER_BYTES,
    OWN_CLASSIFIER,
    check_classifier,
    classifier_note,
    image_shape_of,
    parse_class_names,
)

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
UPLOADS_ENV = "GAN_EXPLORER_UPLOADS"
DEFAULT_UPLOADS = Path(__file__).resolve().parent.parent / ".cache" / "uploads"
UPLOAD_PREFIX = "upload-"
PROBABILITY_CHECK_POINTS = 8  # generated images a classifier's outputs are checked on


def uploads_root(root: str | os.PathLike | None = None) -> Path:
    """The uploads folder: ``root``, else $GAN_EXPLORER_UPLOADS, else .cache/uploads."""
    return Path(root or os.environ.get(UPLOADS_ENV) or DEFAULT_UPLOADS)


def model_root(model_id, checkpoints=None, uploads=None) -> Path:
    """The folder ``model_id`` lives in: the uploads folder for an uploaded id found there,
    else the checkpoints folder (``checkpoints``, $GAN_EXPLORER_CHECKPOINTS or the bundled)."""
    if isinstance(model_id, str) and model_id.startswith(UPLOAD_PREFIX):
        folder = uploads_root(uploads)
        try:
            if resolve_model_dir(model_id, folder).is_dir():
                return folder
        except CheckpointError:
            pass  # a malformed id: the checkpoints folder reports it
    return checkpoints_root(checkpoints)


def upload_id(
    filename: str,
    data: bytes,
    prior: str | None = None,
    classifier: bytes | None = None,
    class_names=None,
    dataset: str | None = None,
) -> str:
    """A safe model id: the file's stem reduced to [a-z0-9-] plus 8 hex digits of its hash.

    The hash covers the generator's bytes and, when given, its prior other than the default,
    its classifier's bytes, its class names and a dataset other than MNIST: the same file
    uploaded with another prior, classifier, names or dataset is another model, while the
    ids of plain uploads stay what they always were.
    """
    stem = Path(str(filename).replace("\\", "/")).name.rsplit(".", 1)[0].lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:40] or "generator"
    h = hashlib.sha256(data)
    if prior is not None and prior != "uniform[-1,1]":
        h.update(b"\0prior=" + prior.encode())
    if classifier is not None:
        h.update(b"\0classifier=" + hashlib.sha256(classifier).digest())
    if class_names:
        h.update(b"\0class_names=" + json.dumps(list(class_names)).encode())
    if dataset is not None and dataset != "mnist":
        h.update(b"\0dataset=" + dataset.encode())
    return f"{UPLOAD_PREFIX}{stem}-{h.hexdigest()[:8]}"


def _parse_prior(prior):
    from gan_core.priors import UNIFORM, Prior

    try:
        return Prior.parse(UNIFORM if prior is None or prior == "" else prior)
    except ValueError as exc:
        raise CheckpointError(f"bad prior: {exc}") from exc


def _dataset(name):
    from gan_core.data import DataSourceError
    from gan_core.datasets import dataset_info

    try:
        return dataset_info(name)
    except DataSourceError as exc:
        raise CheckpointError(str(exc)) from exc


def _check_file(data, filename, what: str, limit: int) -> None:
    """Refuse ``data`` that is not the non-empty bytes of a .keras file of at most ``limit``."""
    if not isinstance(data, (bytes, bytearray)):
        raise CheckpointError(f"{what} must be the bytes of a .keras file")
    if len(data) == 0:
        raise CheckpointError(f"{what} is empty")
    if len(data) > limit:
        raise CheckpointError(
            f"{what} is {len(data) / 2**20:.1f} MiB; the limit is {limit // 2**20} MiB"
        )
    if not str(filename).lower().endswith(".keras"):
        raise CheckpointError(f"{what}: only Keras 3 '.keras' files are accepted")


def _load(path: Path, data: bytes, what: str, name: str):
    """Write ``data`` to ``path`` and load it in safe mode; errors name ``name``, not the
    temporary path."""
    path.write_bytes(bytes(data))
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{what} is not a Keras archive (.keras is a zip file)")
    try:
        return load_keras_model(path)  # safe mode: refuses Lambda / custom code
    except CheckpointError as exc:
        raise CheckpointError(str(exc).replace(str(path), name)) from exc


def _check_probabilities(generator, classifier, prior, latent_dim, image_shape, source) -> None:
    """The classifier's outputs on a few generated images must be class probabilities (finite,
    in [0, 1], summing to 1: a softmax), as the maps and the pages read them."""
    z = prior.sample(PROBABILITY_CHECK_POINTS, latent_dim, rng=0)
    try:
        images = np.asarray(generator(z, training=False), np.float32)
        probs = np.asarray(classifier(images.reshape(-1, *image_shape), training=False))
    except Exception as exc:  # noqa: BLE001 - a model may fail in many ways
        raise CheckpointError(
            f"{source}: cannot classify the generator's images: {type(exc).__name__}: {exc}"
        ) from exc
    ok = (
        np.all(np.isfinite(probs))
        and probs.min() >= -1e-6
        and probs.max() <= 1 + 1e-6
        and np.allclose(probs.sum(axis=1), 1.0, atol=1e-3)
    )
    if not ok:
        raise CheckpointError(
            f"{source}: its outputs are not class probabilities (each row in [0, 1], summing "
            "to 1); end it with a softmax"
        )


def import_generator(
    data: bytes,
    filename: str,
    uploads_root: str | Path,
    prior=None,
    classifier: bytes | None = None,
    classifier_filename: str = OWN_CLASSIFIER,
    class_names=None,
    dataset: str | None = None,
) -> str:
    """Validate ``data`` (a .keras file's bytes) and store it as uploads_root/<id>/.

    Args:
        prior: the latent prior it was trained on, a Prior or a text such as 'normal',
            'uniform[-1,1]' or 'normal(0,2)' (default uniform[-1,1]); kept in config.json.
        classifier: the bytes of its own classifier's .keras file (named
            ``classifier_filename``), for its images (None, H, W, C) -> (None, K),
            K = 2..20 probabilities; stored as classifier.keras.
        class_names: with ``classifier``, its K class names: a list, JSON text or bytes (a
            list or {"class_names": [...]}) or plain text, one per line or comma-separated
            (default "class 0", "class 1", ...).
        dataset: without ``classifier``, the bundled dataset whose classifier colours its
            maps: "mnist" (default) or "fashion-mnist"; its images must have that shape.

    Returns:
        The new model id (loadable with ``LatentExplorer.from_checkpoint(id, uploads_root)``).
    Raises:
        CheckpointError: with the reason the upload is refused; nothing is left behind then.
    """
    prior = _parse_prior(prior)
    _check_file(data, filename, "the uploaded file", MAX_UPLOAD_BYTES)
    if classifier is not None:
        _check_file(classifier, classifier_filename, "the classifier file", MAX_CLASSIFIER_BYTES)
        if dataset not in (None, ""):
            raise CheckpointError(
                "a dataset chooses a bundled classifier; leave it out when you bring a "
                "classifier of your own"
            )
        info = None
    else:
        info = _dataset(dataset)
        if class_names is not None:
            raise CheckpointError(
                "class names need a classifier of your own (without one the maps use the "
                f"bundled {info.title} classifier and its class names)"
            )
    names = None if class_names is None else parse_class_names(class_names)
    uploads_root = Path(uploads_root)
    uploads_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads_root, prefix=".incoming-") as tmp:
        tmp = Path(tmp)
        gen_name = Path(str(filename).replace("\\", "/")).name[:100]
        generator = _load(tmp / "generator.keras", data, "the uploaded file", gen_name)
        cfg = infer_config(generator, Path(gen_name), prior)
        shape = image_shape_of(generator.outputs[0].shape, gen_name)
        clf_name = Path(str(classifier_filename).replace("\\", "/")).name[:100]
        if classifier is not None:
            model = _load(tmp / OWN_CLASSIFIER, classifier, "the classifier file", clf_name)
            names = check_classifier(model, shape, names, clf_name)
            _check_probabilities(generator, model, prior, cfg.latent_dim, shape, clf_name)
            cfg.class_names = list(names)
            cfg.extra["uploaded_classifier_name"] = clf_name
        elif shape != info.image_shape:
            raise CheckpointError(
                f"{gen_name} makes {'x'.join(map(str, shape))} images; the bundled {info.title} "
                f"classifier takes {'x'.join(map(str, info.image_shape))}: bring a classifier of "
                "your own for its images"
            )
        else:
            cfg.dataset = info.name
        model_id = upload_id(filename, bytes(data), prior.spec,
                             None if classifier is None else bytes(classifier),
                             names if classifier is not None else None,
                             None if info is None else info.name)  # fmt: skip
        target = resolve_model_dir(model_id, uploads_root)
        if target.exists():
            return model_id  # the same upload was made before
        staging = tmp / "model"
        staging.mkdir()
        atomic_write_bytes(staging / "generator.keras", bytes(data))
        if classifier is not None:
            atomic_write_bytes(staging / OWN_CLASSIFIER, bytes(classifier))
        cfg.extra["uploaded_name"] = gen_name
        atomic_write_json(staging / "config.json", cfg.to_json())
        try:
            os.rename(staging, target)  # atomic; fails if another upload of it got there first
        except OSError:
            if not target.is_dir():
                raise
    return model_id


def labelling_note(model_id: str, uploads_root: str | Path) -> str:
    """Which classifier colours an uploaded model's maps, from its folder alone (no model is
    loaded): "its own classifier: red, green, blue" or "the bundled Fashion-MNIST classifier"."""
    from gan_core.checkpoints import ModelConfig

    folder = resolve_model_dir(model_id, uploads_root)
    cfg = ModelConfig.from_json(read_json(folder / "config.json"), f"{model_id}/config.json")
    if (folder / OWN_CLASSIFIER).is_file():
        return f"{classifier_note(None)}: {', '.join(cfg.class_names)}"
    return classifier_note(_dataset(cfg.dataset).name)
