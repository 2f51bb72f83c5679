"""Bring your own generator: a plain form POST (multipart) to /upload-generator.

The file is size-limited, validated and loaded only in Keras safe mode, and stored only in
the uploads folder (gan_core.uploaded_generators). The browser is redirected back to the home page
with the new model's id or the reason it was refused.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import registry
from gan_core.checkpoints import CheckpointError
from gan_core.uploaded_generators import MAX_UPLOAD_BYTES, import_generator

UPLOAD_PATH = "/upload-generator"


def handle_upload():
    """Validate and store the uploaded generator; redirect home with the outcome."""
    request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024  # this route only
    try:
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise CheckpointError("choose a .keras file to upload")
        data = upload.read(MAX_UPLOAD_BYTES + 1)
        prior = request.form.get("prior") or None  # the form's radio: uniform or normal
        model_id = import_generator(data, upload.filename, registry.SETTINGS.uploads, prior=prior)
    except RequestEntityTooLarge:
        return _home(
            upload_error=f"the file is larger than the {MAX_UPLOAD_BYTES // 2**20} MiB limit"
        )
    except CheckpointError as exc:
        message = str(exc).replace(str(registry.SETTINGS.uploads), "uploads")
        return _home(upload_error=message[:400])
    return _home(uploaded=model_id)


def _home(**params):
    return redirect("/?" + urlencode(params), code=303)


def register(app) -> None:
    app.server.add_url_rule(UPLOAD_PATH, "upload_generator", handle_upload, methods=["POST"])
