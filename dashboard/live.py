"""The generator in the page: the graph files it downloads, and what a page is told about them.

``GET /browser-models/<name>.onnx`` serves a graph exported by
``gan_core.browser_model`` (content-addressed names, so cached for a year); the pages ask
:func:`live_manifest` which graph a model has, and draw with it in the browser
(assets/live.js, which imports the ES modules of assets/live/; ONNX Runtime Web from
assets/vendor/onnxruntime-web). A model that cannot be exported gets the reason instead
and stays on the server path. What a page is told also holds its element ids
(:func:`page_ids`), so the script never builds one itself.
"""

from __future__ import annotations

import importlib
import re

import numpy as np
from dash import ClientsideFunction, Input, Output, State, clientside_callback, dcc
from flask import abort, jsonify, request, send_file

from dashboard import ids, precompute, registry
from dashboard.components.latent_view import LatentView
from dashboard.errors import page_callback
from dashboard.jobs import BACKGROUND
from dashboard.pagestate import Field, parse_flag
from dashboard.payloads import PayloadError, safe_label
from dashboard.texts import class_noun
from gan_core.browser_model import BrowserModelError
from gan_core.checkpoints import CheckpointError
from gan_core.images import class_palette
from gan_core.labelling import MAX_CLASSES
from gan_core.latent import LatentInputError, fourth_axis_values

ROUTE = "/browser-models/"
_NAME = re.compile(r"^[0-9a-f]{20}\.onnx$")
YEAR = 365 * 24 * 3600


def folder():
    """Where the exported graphs live (beside the map cache)."""
    return registry.cache().directory / "browser-models"


def live_manifest(model_id: str) -> dict:
    """{"url", "layers", "latent_dim", "conditional", ...} of the model's graph and how the
    page shows its outputs (:func:`model_look`), or {"error": why} when it cannot run in
    the page (the server draws it instead)."""
    explorer = registry.get(model_id)
    try:
        model = explorer.browser_model(folder())
    except BrowserModelError as exc:
        return {"model": model_id, "error": str(exc)}
    # the captions the server gives the layers (a cached graph's manifest may be older)
    layers = [{**layer, "title": explorer.probe.layer_title(layer["name"])}
              for layer in model.manifest["layers"]]  # fmt: skip
    return {**model.manifest, **model_look(explorer), "layers": layers, "model": model_id,
            "url": ROUTE + model.name}  # fmt: skip


def model_look(explorer) -> dict:
    """What the page needs to show a model's outputs: ``image_shape`` [H, W, C] (C 1: grey,
    3: colour), ``class_names`` (the classifier's K, in its order), ``palette`` (one colour
    per class, gan_core.images.class_palette: MNIST's the digit colours) and ``noun`` (what
    one class is called, dashboard.texts.class_noun: "digit" for the digits, else "class")."""
    names = [str(n) for n in explorer.class_names]
    return {"image_shape": [int(v) for v in explorer.image_shape], "class_names": names,
            "palette": class_palette(len(names)), "noun": class_noun(names)}  # fmt: skip


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
    ``{"model", "label", "n", "axes": [x, y, z], "w": [...] | None, "cubes": {index: text},
    "missing": [index, ...]}``, each cube's classes one character per point in C order
    (:func:`encode_classes`)."""
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
        cubes[str(index)] = encode_classes(cube.classes)
    return {"model": model_id, "label": lab, "n": n, "axes": axes,
            "w": w_values if explorer.latent_dim == 4 else None, "cubes": cubes,
            "missing": missing}  # fmt: skip


def encode_classes(classes) -> str:
    """Class indices as one ASCII character each, chr(ord("0") + class): "0".."9" for the
    digits, then ":", ";", ... for classes 10..19 (assets/live/cubes.js decodeCubes)."""
    arr = np.asarray(classes).ravel()
    if arr.size and (arr.min() < 0 or arr.max() >= MAX_CLASSES):
        raise ValueError(f"classes must be in 0..{MAX_CLASSES - 1}")
    return (arr.astype(np.uint8) + ord("0")).tobytes().decode("ascii")


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
# ``live``), ``<root>-live-status`` (what the page says about it). The other elements the
# script reads or draws on are the page layout's (:func:`page_ids`).

# The pages that draw in the browser: their root and the module that lays them out (whose
# ``VIEW`` is the aio id of its latent view, if it has one).
PAGES = {"explore": "dashboard.pages.explore", "morph": "dashboard.pages.morph",
         "act": "dashboard.pages.activations"}  # fmt: skip


def _own_ids(root: str) -> dict:
    return {"root": f"{root}-root", "status": f"{root}-live-status"}


def page_ids(root: str) -> dict:
    """The ids of the elements assets/live/ reads and draws on in the page at ``root``
    (sent with the manifest): the page layout's ids, from dashboard/ids.py where it has
    them, and its latent view's (``map`` and ``projections``: the boxes around the view's
    graphs, see :class:`LatentView`). ``act_canvas`` is the prefix of the activation
    canvases the script makes itself. tests/integration/test_live.py checks that the
    layouts hold them."""
    out = _own_ids(root)
    if root == "explore":
        out.update(sliders="explore-sliders", label=ids.EX_LABEL, readout=ids.EX_READOUT,
                   image="explore-live-image", probs="explore-live-probs",
                   acts="explore-live-acts", act_canvas="explore-live-act-",
                   zfull="explore-zfull")  # fmt: skip
    elif root == "morph":
        out.update(a_sliders="morph-a-sliders", b_sliders="morph-b-sliders", label=ids.MO_LABEL,
                   strip="morph-live-strip", sequence="morph-live-sequence",
                   proj_a="morph-proj-a", proj_b="morph-proj-b", result=ids.MO_RESULT,
                   scrub=ids.MO_SCRUB)  # fmt: skip
    elif root == "act":
        out.update(sliders="act-sliders", label=ids.AC_LABEL, original="act-live-original",
                   edited="act-live-edited", diff="act-live-diff",
                   diff_title="act-live-diff-title", diff_note="act-live-diff-note",
                   zfull="act-zfull")  # fmt: skip
    else:
        raise ValueError(f"no page draws in the browser at {root!r}")
    view = getattr(importlib.import_module(PAGES[root]), "VIEW", None)
    if view is not None:
        out.update(map=f"{view}-map", projections=f"{view}-projections",
                   **{name: getattr(LatentView.ids, name)(view)
                      for name in ("figure", "shown", "path", "mask")})  # fmt: skip
    return out


def flag_field(root: str) -> Field:
    """The URL field ``live`` (1 by default; ``live=0`` forces the server path)."""
    return Field("live", parse_flag, True, Input(f"{root}-live-flag", "data"), fmt="flag")


# Each registered page's slider types (register_page), which its attach is told.
_SLIDER_TYPES: dict[str, list] = {}


def stores(root: str, flag: bool) -> list:
    """The page's manifest, flag and settings stores (place them in its layout)."""
    page = {"root": root, "sliders": _SLIDER_TYPES.get(root, [])}
    return [
        dcc.Store(id=f"{root}-live"),
        dcc.Store(id=f"{root}-live-flag", data=flag),
        dcc.Store(id=f"{root}-live-page", data=page),
    ]


def register_page(root: str, model_control: str, error_box: str, slider_types) -> None:
    """The page's graph follows its model menu, and assets/live/ attaches to it (or puts
    the sliders of ``slider_types`` back on the server path, saying why)."""

    @page_callback(
        Output(f"{root}-live", "data"),
        Input(model_control, "value"),
        State(f"{root}-live-flag", "data"),
        error_box=error_box,
    )
    def live_model(model_id, live):
        """Which graph the page runs for this model (exported on first use), or why none;
        with the page's element ids."""
        manifest = {"model": model_id, "off": True} if live is False else live_manifest(model_id)
        return {**manifest, "ids": page_ids(root)}

    _SLIDER_TYPES[root] = [slider_types] if isinstance(slider_types, str) else list(slider_types)
    clientside_callback(
        ClientsideFunction(namespace="gx", function_name="attachLive"),
        Output(_own_ids(root)["status"], "children"),
        Input(f"{root}-live", "data"),
        State(f"{root}-live-page", "data"),
    )
