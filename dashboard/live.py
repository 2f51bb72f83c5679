"""The generator in the page: the graph files it downloads, and what a page is told about them.

``GET /browser-models/<name>.onnx`` serves a graph exported by
``gan_core.browser_model`` (content-addressed names, so cached for a year); the pages ask
:func:`live_manifest` which graph a model has, and draw with it in the browser
(assets/live.js, ONNX Runtime Web from assets/vendor/onnxruntime-web). A model that
cannot be exported gets the reason instead and stays on the server path.
"""

from __future__ import annotations

import re

from flask import abort, send_file

from dashboard import registry
from gan_core.browser_model import BrowserModelError

ROUTE = "/browser-models/"
_NAME = re.compile(r"^[0-9a-f]{20}\.onnx$")
YEAR = 365 * 24 * 3600


def folder():
    """Where the exported graphs live (beside the map cache)."""
    return registry.cache().directory / "browser-models"


def live_manifest(model_id: str) -> dict:
    """{"url", "layers", "latent_dim", "conditional", ...} of the model's graph, or
    {"error": why} when it cannot run in the page (the server draws it instead)."""
    explorer = registry.get(model_id)
    try:
        model = explorer.browser_model(folder())
    except BrowserModelError as exc:
        return {"model": model_id, "error": str(exc)}
    return {**model.manifest, "model": model_id, "url": ROUTE + model.name}


def serve_graph(name: str):
    """One exported graph file; 404 for any name this app did not make."""
    if not _NAME.match(name):
        abort(404)
    path = folder() / name
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype="application/octet-stream", max_age=YEAR)
    response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable"
    return response


def register(app) -> None:
    app.server.add_url_rule(ROUTE + "<name>", "browser_model", serve_graph, methods=["GET"])
