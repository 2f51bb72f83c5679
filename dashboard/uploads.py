"""Bring your own generator: a plain form POST (multipart) to /upload-generator.

The form sends the generator file, the prior it was trained on and either a classifier file
of its own with its class names (typed, or a .json/.txt file dropped on the field) or the
bundled dataset whose classifier colours a 28x28 grey generator's maps. The files are
size-limited, validated and loaded only in Keras safe mode, and stored only in the uploads
folder (gan_core.uploaded_generators). The browser is redirected back to the home page with
the new model's id or the reason it was refused.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import redirect, request
from werkzeug.exceptions import RequestEntityTooLarge

from dashboard import registry
from gan_core.checkpoints import CheckpointError
from gan_core.labelling import MAX_CLASSIFIER_BYTES
from gan_core.uploaded_generators import MAX_UPLOAD_BYTES, import_generator, labelling_note

UPLOAD_PATH = "/upload-generator"
MAX_NAMES_CHARS = 16 * 1024  # 20 names of at most 40 characters fit many times over
MAX_FORM_BYTES = MAX_UPLOAD_BYTES + MAX_CLASSIFIER_BYTES + 128 * 1024


def upload_arguments(files, form) -> dict:
    """``import_generator``'s arguments from the form's files and fields (werkzeug's
    ``request.files`` / ``request.form`` or plain dicts of FileStorage / text).

    A classifier file brings its own class names (the text field) and ignores the dataset
    choice; without one the dataset choice (default MNIST) picks the bundled classifier.
    Raises CheckpointError when no generator file was chosen or the names text is too long.
    """
    upload = files.get("file")
    if upload is None or not upload.filename:
        raise CheckpointError("choose a .keras file to upload")
    args = {
        "data": upload.read(MAX_UPLOAD_BYTES + 1),
        "filename": upload.filename,
        "prior": form.get("prior") or None,  # the form's radio: uniform or normal
    }
    own = files.get("classifier")
    names = (form.get("class_names") or "").strip()
    if len(names) > MAX_NAMES_CHARS:
        raise CheckpointError(f"class names: more than {MAX_NAMES_CHARS} characters")
    args["class_names"] = names or None  # without a classifier the import refuses names
    if own is not None and own.filename:
        args["classifier"] = own.read(MAX_CLASSIFIER_BYTES + 1)
        args["classifier_filename"] = own.filename
    else:
        args["dataset"] = form.get("dataset") or None
    return args


def accepted_note(model_id: str, uploads) -> str:
    """What the page says colours an accepted upload's maps (empty when it cannot tell)."""
    try:
        return labelling_note(model_id, uploads)
    except CheckpointError:
        return ""


def handle_upload():
    """Validate and store the uploaded generator; redirect home with the outcome."""
    request.max_content_length = MAX_FORM_BYTES  # this route only
    try:
        args = upload_arguments(request.files, request.form)
        model_id = import_generator(uploads_root=registry.SETTINGS.uploads, **args)
    except RequestEntityTooLarge:
        return _home(
            upload_error=f"the upload is larger than the limit ({MAX_UPLOAD_BYTES // 2**20} MiB "
            f"for the generator, {MAX_CLASSIFIER_BYTES // 2**20} MiB for its classifier)"
        )
    except CheckpointError as exc:
        message = str(exc).replace(str(registry.SETTINGS.uploads), "uploads")
        return _home(upload_error=message[:400])
    return _home(uploaded=model_id)


def _home(**params):
    return redirect("/?" + urlencode(params), code=303)


def register(app) -> None:
    app.server.add_url_rule(UPLOAD_PATH, "upload_generator", handle_upload, methods=["POST"])
