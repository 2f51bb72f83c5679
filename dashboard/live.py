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

import numpy as np
from dash import Input, Output, State, clientside_callback, dcc
from flask import abort, jsonify, request, send_file

from dashboard import precompute, registry
from dashboard.errors import page_callback
from dashboard.jobs import BACKGROUND
from dashboard.pagestate import Field, parse_flag
from dashboard.payloads import PayloadError, safe_label
from gan_core.browser_model import BrowserModelError
from gan_core.checkpoints import CheckpointError
from gan_core.latent import LatentInputError, fourth_axis_values

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


CUBES_ROUTE = "/class-cubes"


def cube_classes(model_id: str, label=None) -> dict:
    """The class cubes a 3D or 4D model's latent view can show (one per precomputed w for
    4D), those in the map cache now (the others are queued in the background fill), for
    the page to cut slices and swap cubes itself:
    ``{"model", "label", "n", "axes": [x, y, z], "w": [...] | None, "cubes": {index: digits},
    "missing": [index, ...]}``, each cube's classes one digit per point in C order."""
    explorer = registry.get(model_id)
    if explorer.latent_dim < 3:
        raise PayloadError(f"{model_id} has a 2D map, not class cubes")
    lab = safe_label(label) if explorer.conditional else None
    n = registry.SETTINGS.cube_n
    w_values = fourth_axis_values(n).tolist() if explorer.latent_dim == 4 else [None]
    cubes, missing, axes = {}, [], None
    for index, w in enumerate(w_values):
        request = explorer.view_request(registry.SETTINGS.grid_2d, n, w=w, label=lab)
        cube = precompute.request_map(explorer, request, priority=BACKGROUND)[0]
        if cube is None:  # queued behind what the views wait for; the page asks again
            missing.append(index)
            continue
        if axes is None:  # the same grid for every cube
            axes = [np.asarray(a, float).round(6).tolist() for a in cube.axes]
        cubes[str(index)] = (
            (np.asarray(cube.classes, np.uint8).ravel() + ord("0")).tobytes().decode()
        )
    return {"model": model_id, "label": lab, "n": n, "axes": axes,
            "w": w_values if explorer.latent_dim == 4 else None, "cubes": cubes,
            "missing": missing}  # fmt: skip


def serve_cubes():
    """``GET /class-cubes?model=ID[&label=L]``: :func:`cube_classes` as JSON; 404 for an
    unknown model, 400 for a model or label that has no cubes."""
    model_id, label = request.args.get("model", ""), request.args.get("label")
    try:
        body = cube_classes(model_id, None if label is None else _number(label))
    except CheckpointError as exc:
        return jsonify({"error": str(exc)}), 404
    except (PayloadError, LatentInputError) as exc:
        return jsonify({"error": str(exc)}), 400
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"  # more cubes appear as they are computed
    return response


def _number(text: str):
    try:
        return float(text)
    except ValueError:
        return text  # safe_label says what is wrong with it


def register(app) -> None:
    app.server.add_url_rule(ROUTE + "<name>", "browser_model", serve_graph, methods=["GET"])
    app.server.add_url_rule(CUBES_ROUTE, "class_cubes", serve_cubes, methods=["GET"])


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
