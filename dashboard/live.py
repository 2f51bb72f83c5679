"""The generator in the page: the graph files it downloads, and what a page is told about them.

``GET /browser-models/<name>.onnx`` serves a graph exported by
``gan_core.browser_model`` (content-addressed names, so cached for a year); the pages ask
:func:`live_manifest` which graph a model has, and draw with it in the browser
(assets/live.js, ONNX Runtime Web from assets/vendor/onnxruntime-web). A model that
cannot be exported gets the reason instead and stays on the server path.
"""

from __future__ import annotations

import json
import re

from dash import Input, Output, State, clientside_callback, dcc
from flask import abort, send_file

from dashboard import registry
from dashboard.errors import page_callback
from dashboard.pagestate import Field, parse_flag
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


# --- a page that draws in the browser --------------------------------------------------
# Its ids all start with the page's root: ``<root>-root`` (the element that gets the class
# "live-on"), ``<root>-live`` (the graph manifest), ``<root>-live-flag`` (the URL's
# ``live``), ``<root>-live-status`` (what the page says about it).


def flag_field(root: str) -> Field:
    """The URL field ``live`` (1 by default; ``live=0`` forces the server path)."""
    return Field("live", parse_flag, True, Input(f"{root}-live-flag", "data"), fmt="flag")


def stores(root: str, flag: bool) -> list:
    """The page's manifest and flag stores (place them in its layout)."""
    return [dcc.Store(id=f"{root}-live"), dcc.Store(id=f"{root}-live-flag", data=flag)]


def register_page(root: str, model_control: str, error_box: str, slider_types) -> None:
    """The page's graph follows its model menu, and assets/live.js attaches to it (or puts
    the sliders of ``slider_types`` back on the server path, saying why)."""

    @page_callback(
        Output(f"{root}-live", "data"),
        Input(model_control, "value"),
        State(f"{root}-live-flag", "data"),
        error_box=error_box,
    )
    def live_model(model_id, live):
        """Which graph the page runs for this model (exported on first use), or why none."""
        return {"model": model_id, "off": True} if live is False else live_manifest(model_id)

    clientside_callback(
        f"function(manifest) {{ return window.ganLive.attach({json.dumps(root)}, manifest,"
        f" {json.dumps(slider_types)}); }}",
        Output(f"{root}-live-status", "children"),
        Input(f"{root}-live", "data"),
    )
