"""Bring your own generator: validate an uploaded ``.keras`` file and store it safely.

An upload is accepted only if it is a Keras archive of at most ``MAX_UPLOAD_BYTES``, loads
in safe mode (no Lambda layers or other arbitrary code), takes one (None, d) input with
2 <= d <= 8 and outputs a 28x28 image. It is written only inside the uploads folder,
under a fresh id derived from its name and content hash; anything else is refused with
the reason and leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

from gan_core.checkpoints import (
    CheckpointError,
    atomic_write_bytes,
    atomic_write_json,
    infer_config,
    load_keras_model,
    resolve_model_dir,
)

MAX_UPLOAD_BYTES = 32 * 1024 * 1024


def upload_id(filename: str, data: bytes) -> str:
    """A safe model id: the file's stem reduced to [a-z0-9-] plus 8 hex digits of its hash."""
    stem = Path(str(filename).replace("\\", "/")).name.rsplit(".", 1)[0].lower()
    stem = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:40] or "generator"
    return f"upload-{stem}-{hashlib.sha256(data).hexdigest()[:8]}"


def import_generator(data: bytes, filename: str, uploads_root: str | Path) -> str:
    """Validate ``data`` (a .keras file's bytes) and store it as uploads_root/<id>/.

    Returns:
        The new model id (loadable with ``load_generator(id, uploads_root)``).
    Raises:
        CheckpointError: with the reason the file is refused.
    """
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
        cfg = infer_config(model, Path(filename))
        model_id = upload_id(filename, bytes(data))
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
