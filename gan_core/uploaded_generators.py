"""Bring your own generator: validate an uploaded ``.keras`` file and store it safely.

An upload is accepted only if it is a Keras archive of at most ``MAX_UPLOAD_BYTES``, loads
in safe mode (no Lambda layers or other arbitrary code), takes one (None, d) input with
2 <= d <= 512 and outputs a 28x28 image. It is written only inside the uploads folder,
under a fresh id derived from its name and content hash (and its prior, when not the
default uniform[-1,1]), with the latent prior it was trained on recorded in its
config.json; anything else is refused with the reason and leaves nothing behind.

The uploads folder is $GAN_EXPLORER_UPLOADS, else ``.cache/uploads`` in the project: the
dashboard stores uploads there and the command line (``gan-explorer import``) too, and
every command finds an ``upload-...`` id there (:func:`model_root`).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from gan_core.checkpoints import (
    CheckpointError,
    atomic_write_bytes,
    atomic_write_json,
    checkpoints_root,
    infer_config,
    load_keras_model,
    resolve_model_dir,
)

MAX_UPLOAD_BYTES = 32 * 1024 * 1024
UPLOADS_ENV = "GAN_EXPLORER_UPLOADS"
DEFAULT_UPLOADS = Path(__file__).resolve().parent.parent / ".cache" / "uploads"
UPLOAD_PREFIX = "upload-"


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


def upload_id(filename: str, data: bytes, prior: str | None = None) -> str:
    """A safe model id: the file's stem reduced to [a-z0-9-] plus 8 hex digits of its hash
    (and of its prior's text when that is not the default, so the same file uploaded with
    another prior is another model)."""
    stem = Path(str(filename).replace("\\", "/")).name.rsplit(".", 1)[0].lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:40] or "generator"
    h = hashlib.sha256(data)
    if prior is not None and prior != "uniform[-1,1]":
        h.update(b"\0prior=" + prior.encode())
    return f"{UPLOAD_PREFIX}{stem}-{h.hexdigest()[:8]}"


def _parse_prior(prior):
    from gan_core.priors import UNIFORM, Prior

    try:
        return Prior.parse(UNIFORM if prior is None or prior == "" else prior)
    except ValueError as exc:
        raise CheckpointError(f"bad prior: {exc}") from exc


def import_generator(data: bytes, filename: str, uploads_root: str | Path, prior=None) -> str:
    """Validate ``data`` (a .keras file's bytes) and store it as uploads_root/<id>/, its
    latent prior ``prior`` (a Prior or a text such as 'normal', 'uniform[-1,1]' or
    'normal(0,2)'; default uniform[-1,1]) recorded in its config.json.

    Returns:
        The new model id (loadable with ``load_generator(id, uploads_root)``).
    Raises:
        CheckpointError: with the reason the file is refused.
    """
    prior = _parse_prior(prior)
    if not isinstance(data, (bytes, bytearray)):
        raise CheckpointError("upload must be the bytes of a .keras file")
    if len(data) == 0:
        raise CheckpointError("the uploaded file is empty")
    if len(data) > MAX_UPLOAD_BYTES:
        raise CheckpointError(
            f"the uploaded file is {len(data) / 2**20:.1f} MiB; the limit is {MAX_UPLOAD_BYTES // 2**20} MiB"
        )
    if not str(filename).lower().endswith(".keras"):
        raise CheckpointError("only Keras 3 '.keras' files are accepted")
    uploads_root = Path(uploads_root)
    uploads_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=uploads_root, prefix=".incoming-") as tmp:
        candidate = Path(tmp) / "generator.keras"
        candidate.write_bytes(bytes(data))
        if not zipfile.is_zipfile(candidate):
            raise CheckpointError("the uploaded file is not a Keras archive (.keras is a zip file)")
        model = load_keras_model(candidate)  # safe mode: refuses Lambda / custom code
        cfg = infer_config(model, Path(filename), prior)
        model_id = upload_id(filename, bytes(data), prior.spec)
        target = resolve_model_dir(model_id, uploads_root)
        if target.exists():
            return model_id  # the same file was uploaded before
        staging = Path(tmp) / "model"
        staging.mkdir()
        atomic_write_bytes(staging / "generator.keras", bytes(data))
        cfg.extra["uploaded_name"] = Path(str(filename)).name[:100]
        atomic_write_json(staging / "config.json", cfg.to_json())
        shutil.move(str(staging), str(target))
    return model_id
