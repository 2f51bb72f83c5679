"""/explore: drag a latent point and watch the image, the map, the cube and the activations.

The CGAN page (/cgan) reuses this layout with the label controls shown, so one set of
callbacks serves both. While a slider is dragged only Patches travel: the map and cube
are sent once per model (or slice / label / 4th-coordinate change), never per drag.
"""

from __future__ import annotations

import dash
from dash import (
    ALL,
    Input,
    Output,
    Patch,
    State,
    callback,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)

from dashboard import figures, ids, precompute, registry, urlstate
from dashboard.components import (
    card,
    digit_slider,
    download_buttons,
    error_box,
    graph_card,
    latent_sliders,
)
from dashboard.downloads import explore_download
from dashboard.errors import page_callback
from dashboard.figures import EMPTY
from dashboard.jobs import JOBS
from dashboard.latent_view import explore_view_kind, projection_key
from dashboard.pagestate import Field, PageState, digit_field, model_field, point_field
from dashboard.payloads import PayloadError, clicked_point, parse_point, projection_axes, safe_label
from dashboard.texts import fidelity_text, readout_text
from gan_core.activations import mean_heatmap
from gan_core.explorer import MapRequest
from gan_core.latent import snap_fourth


def explore_layout(conditional: bool, query: dict | None = None) -> html.Div:
    """The explorer; ``query`` (the URL's parameters) restores a shared view."""
    models = registry.model_ids(conditional=conditional)
    init = explore_state_from_query(query or {}, models)
    return html.Div(
        [
            html.H2("CGAN explorer" if conditional else "Latent-space explorer"),
            html.P(
                "Drag the sliders: the image, the point on the class map, its projections and "
                "the activations follow. Click the map, the cube or a projection to jump there.",
                className="lead",
            ),
            error_box(ids.EX_ERROR),
            html.Div(
                [
                    html.Div(id="explore-progress-text"),
                    html.Progress(id="explore-progress", max=1, value=0),
                ],
                id="explore-progress-box",
                className="progress-box",
                style={"display": "none"},
            ),
            html.Div(
                [
                    html.Div(
                        [
                            card(
                                "Model",
                                dcc.Dropdown(
                                    id=ids.EX_MODEL,
                                    options=models,
                                    value=init["model"],
                                    clearable=False,
                                ),  # fmt: skip
                            ),
                            card(
                                "Label",
                                html.Label("Change Number (label fed to the generator)"),
                                digit_slider(ids.EX_LABEL, init["label"]),  # fmt: skip
                                html.Label("Change 3D map (whose cube is shown)"),
                                digit_slider(ids.EX_MAP_LABEL, init["map"]),  # fmt: skip
                                html.Div(id=ids.EX_FIDELITY, className="metric"),
                                class_name="card" if conditional else "card hidden",
                            ),
                            card(
                                "Latent point",
                                html.Div(id="explore-sliders"),
                                html.Div(id=ids.EX_READOUT, className="readout"),
                            ),  # fmt: skip
                            card(
                                "Cube slice",
                                html.Div(
                                    [
                                        dcc.RadioItems(
                                            id=ids.EX_SLICE_AXIS,
                                            inline=True,
                                            value=init["axis"],
                                            options=[
                                                {"label": " whole cube", "value": "none"},
                                                {"label": " x", "value": "0"},
                                                {"label": " y", "value": "1"},
                                                {"label": " z", "value": "2"},
                                            ],
                                        ),
                                        dcc.Slider(
                                            id=ids.EX_SLICE_INDEX,
                                            min=0,
                                            max=15,
                                            step=1,
                                            value=init["index"],
                                            marks=None,
                                            tooltip={"placement": "bottom"},
                                        ),
                                    ]
                                ),
                                card_id="explore-slice-card",
                                style={"display": "none"},
                            ),  # fmt: skip
                            card(
                                "Export",
                                *download_buttons(
                                    "explore-download",
                                    [
                                        ("Map PNG", "explore-dl-png"),
                                        ("View JSON", "explore-dl-json"),
                                    ],
                                ),
                            ),  # fmt: skip
                        ],
                        className="sidebar",
                    ),
                    html.Div(
                        [
                            html.Div(
                                [
                                    graph_card(ids.EX_IMAGE),  # fmt: skip
                                    graph_card(ids.EX_PROBS),  # fmt: skip
                                ],
                                className="column narrow",
                            ),
                            html.Div(
                                [
                                    card(
                                        None,
                                        dcc.RadioItems(
                                            id="explore-colour",
                                            inline=True,
                                            value=init["colour"],
                                            options=[
                                                {"label": f" {text}", "value": key}
                                                for key, text in figures.COLOURINGS.items()
                                            ],
                                            className="colour-choice",
                                        ),  # fmt: skip
                                        dcc.Loading(
                                            dcc.Graph(
                                                id=ids.EX_MAP,
                                                figure=EMPTY,
                                                config={"displayModeBar": False},
                                            )
                                        ),
                                        card_id="explore-map-card",
                                    ),  # fmt: skip
                                    card(
                                        None,
                                        dcc.Loading(dcc.Graph(id=ids.EX_CUBE, figure=EMPTY)),
                                        card_id="explore-cube-card",
                                        style={"display": "none"},
                                    ),
                                ],
                                className="column wide",
                            ),
                        ],
                        className="content",
                    ),
                ],
                className="explore-grid",
            ),
            card(
                None,
                dcc.Graph(id=ids.EX_PROJ, figure=EMPTY, config={"displayModeBar": False}),
                card_id="explore-proj-card",
                style={"display": "none"},
            ),
            graph_card(ids.EX_ACTS),
            dcc.Store(id="explore-w-index"),
            dcc.Store(id="explore-ready"),
            dcc.Store(id="explore-job"),
            dcc.Store(id="explore-job-done"),
            dcc.Interval(id="explore-poll", interval=400, disabled=True),
            dcc.Store(id="explore-drawn"),
            dcc.Store(id="explore-slices"),
            dcc.Store(id="explore-init", data=init),
            dcc.Store(id="explore-url"),
        ]
    )


STATE = PageState(
    "explore-url",
    [
        model_field(ids.EX_MODEL),
        point_field("z", ids.EX_SLIDER),
        digit_field("label", ids.EX_LABEL),
        digit_field("map", ids.EX_MAP_LABEL),
        Field("axis", lambda t: urlstate.parse_choice(t, ("none", "0", "1", "2")), "none",
              Input(ids.EX_SLICE_AXIS, "value")),
        Field("index", lambda t: urlstate.parse_int(t, 0, 63), 8, Input(ids.EX_SLICE_INDEX, "value")),
        Field("colour", lambda t: urlstate.parse_choice(t, tuple(figures.COLOURINGS)), "class",
              Input("explore-colour", "value")),
    ],
)  # fmt: skip


def explore_state_from_query(query: dict, models: list[str]) -> dict:
    """Initial control values from URL parameters, each validated (bad ones -> defaults)."""
    init = STATE.initial(query)
    return {**init, "model": registry.pick_model(init["model"], models)}


def layout(**query):
    return explore_layout(conditional=False, query=query)


@page_callback(
    Output("explore-sliders", "children"),
    Input(ids.EX_MODEL, "value"),
    State("explore-init", "data"),
    error_box=ids.EX_ERROR,
)
def build_sliders(model_id, init):
    explorer = registry.get(model_id)
    init = init if isinstance(init, dict) else {}
    z = init.get("z") if init.get("model") == model_id else None
    try:
        values = parse_point(z, explorer.latent_dim).tolist()
    except PayloadError:  # absent or malformed: the sliders start at the origin
        values = None
    return latent_sliders(ids.EX_SLIDER, explorer.latent_dim, values)


@page_callback(
    output={"map": Output(ids.EX_MAP, "figure"), "map_card": Output("explore-map-card", "style"),
            "cube": Output(ids.EX_CUBE, "figure"), "cube_card": Output("explore-cube-card", "style"),
            "proj": Output(ids.EX_PROJ, "figure"), "proj_card": Output("explore-proj-card", "style"),
            "slice_card": Output("explore-slice-card", "style"),
            "fidelity": Output(ids.EX_FIDELITY, "children"), "ready": Output("explore-ready", "data"),
            "job": Output("explore-job", "data"), "polling_off": Output("explore-poll", "disabled")},
    inputs={"model_id": Input(ids.EX_MODEL, "value"), "map_label": Input(ids.EX_MAP_LABEL, "value"),
            "axis": Input(ids.EX_SLICE_AXIS, "value"), "index": Input(ids.EX_SLICE_INDEX, "value"),
            "_w_index": Input("explore-w-index", "data"), "_job_done": Input("explore-job-done", "data"),
            "colour": Input("explore-colour", "value"),
            "values": State({"type": ids.EX_SLIDER, "index": ALL}, "value")},
    error_box=ids.EX_ERROR,
)  # fmt: skip
def render_maps(model_id, map_label, axis, index, _w_index, _job_done, colour, values):
    """The map (2D) or the cube + projections (3D/4D); sent once, then patched on drags.

    A map not yet in the cache is queued first in the map jobs; the page shows its
    progress (see poll_job) and this callback runs again when it is done.
    """
    explorer = registry.get(model_id)
    point = parse_point(values, explorer.latent_dim, default=0.0)
    label = safe_label(map_label) if explorer.conditional else None
    w = point[3] if explorer.latent_dim == 4 else None
    n2d, n3d = registry.SETTINGS.grid_2d, registry.SETTINGS.cube_n
    ready, _job, key = precompute.request_map(explorer, explorer.view_request(n2d, n3d, w, label))
    if ready is None:  # computing (or queued): poll_job shows its progress
        return {"map": no_update, "map_card": no_update, "cube": no_update, "cube_card": no_update,
                "proj": no_update, "proj_card": no_update, "slice_card": no_update,
                "fidelity": "", "ready": no_update, "job": key, "polling_off": False}  # fmt: skip
    return {**map_view(explorer, ready, point, axis, index, colour), "ready": model_id,
            "job": None, "polling_off": True}  # fmt: skip


def map_figure(explorer, cmap, point, colour: str):
    """The 2D map coloured by digit class, by the classifier's confidence, or by the
    discriminator's realism sigmoid(D(G(z))) (a 40 x 40 grid, computed once)."""
    if colour == "confidence":
        return figures.value_map_figure(cmap.confidence, cmap.axes, point,
                                        "Classifier confidence", "p")  # fmt: skip
    if colour == "realism":
        values, axes = explorer.realism_map(label=cmap.label)
        return figures.value_map_figure(values, axes, point, "Realism D(G(z))", "D")
    return figures.class_map_figure(cmap, point, marker_as="shapes")


def map_view(explorer, cmap, point, axis, index, colour="class") -> dict:
    """The explorer's map outputs for a drawn map (2D) or cube (3D/4D)."""
    hidden, shown = {"display": "none"}, {}
    if explore_view_kind(explorer.latent_dim) == "map":
        fig = map_figure(explorer, cmap, point, colour)
        return {"map": fig, "map_card": shown, "cube": EMPTY, "cube_card": hidden,
                "proj": EMPTY, "proj_card": hidden, "slice_card": hidden, "fidelity": ""}  # fmt: skip
    axis = None if axis in (None, "none") else int(axis)
    index = min(int(index or 0), registry.SETTINGS.cube_n - 1)
    title = "Class cube" + (f" at w = {cmap.fixed[0]:+.2f}" if cmap.fixed else "")
    title += f" (label {cmap.label})" if cmap.label is not None else ""
    return {"map": EMPTY, "map_card": hidden,
            "cube": figures.cube_figure(cmap, point, axis, index, title=title), "cube_card": shown,
            "proj": figures.projections_figure(cmap, point), "proj_card": shown,
            "slice_card": shown, "fidelity": fidelity_text(cmap)}  # fmt: skip


@page_callback(
    Output("explore-download", "data"),
    Input("explore-dl-png", "n_clicks"),
    Input("explore-dl-json", "n_clicks"),
    State(ids.EX_MODEL, "value"),
    State({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    State(ids.EX_LABEL, "value"),
    State(ids.EX_MAP_LABEL, "value"),
    State(ids.EX_SLICE_AXIS, "value"),
    State(ids.EX_SLICE_INDEX, "value"),
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)
def download_view(_png, _json, model_id, values, label, map_label, axis, index):
    """The map or cube on screen as PNG, or the view's state and numbers as JSON."""
    explorer, s = registry.get(model_id), registry.SETTINGS
    return explore_download(ctx.triggered_id, explorer, values, label, map_label, axis, index,
                            s.grid_2d, s.cube_n)  # fmt: skip


def _cached_elsewhere(key: str) -> bool:
    """Whether the map of a job key (see precompute.map_key) is in the shared cache; True
    if the key is unknown."""
    try:
        _root, model_id, kind, n, label, w = key.rsplit("|", 5)
        request = MapRequest(kind, int(n), None if label == "None" else safe_label(int(label)),
                             None if w == "None" else float(w))  # fmt: skip
        return registry.get(model_id).is_ready(request)
    except Exception:  # noqa: BLE001 - not a key this app made
        return True


@page_callback(
    output={"box": Output("explore-progress-box", "style"), "value": Output("explore-progress", "value"),
            "text": Output("explore-progress-text", "children"), "done": Output("explore-job-done", "data"),
            "polling_off": Output("explore-poll", "disabled", allow_duplicate=True)},
    inputs={"_n": Input("explore-poll", "n_intervals"), "key": Input("explore-job", "data")},
    error_box=ids.EX_ERROR,
    clears=False,
    prevent_initial_call=True,
)  # fmt: skip
def poll_job(_n, key):
    """Progress of the map being computed; when done, hand over to render_maps."""
    hidden = {"display": "none"}
    state = JOBS.get(key) if isinstance(key, str) else None
    if state is None:
        # Under several server processes (gunicorn) the job may run in another one:
        # keep polling until its map is in the shared cache, then let render_maps draw it.
        if isinstance(key, str) and not _cached_elsewhere(key):
            return {"box": {}, "value": 0, "text": "Computing the class map for the first time…",
                    "done": no_update, "polling_off": False}  # fmt: skip
        return {"box": hidden, "value": 0, "text": "", "polling_off": True,
                "done": key if isinstance(key, str) else no_update}  # fmt: skip
    if state.finished:
        if state.error is not None:
            JOBS.forget(key)  # a failed job is retried on the next request
            set_props(ids.EX_ERROR, {"children": state.error})
        return {"box": hidden, "value": 1, "text": "", "done": key, "polling_off": True}
    return {"box": {}, "value": state.fraction, "text": precompute.job_text(state),
            "done": no_update, "polling_off": False}  # fmt: skip


@page_callback(
    output={"image": Output(ids.EX_IMAGE, "figure"), "probs": Output(ids.EX_PROBS, "figure"),
            "acts": Output(ids.EX_ACTS, "figure"),
            "map": Output(ids.EX_MAP, "figure", allow_duplicate=True),
            "cube": Output(ids.EX_CUBE, "figure", allow_duplicate=True),
            "proj": Output(ids.EX_PROJ, "figure", allow_duplicate=True),
            "readout": Output(ids.EX_READOUT, "children"), "w_index": Output("explore-w-index", "data"),
            "drawn": Output("explore-drawn", "data"), "slices": Output("explore-slices", "data")},
    inputs={"values": Input({"type": ids.EX_SLIDER, "index": ALL}, "value"),
            "label": Input(ids.EX_LABEL, "value"), "ready": Input("explore-ready", "data"),
            "model_id": State(ids.EX_MODEL, "value"), "w_index": State("explore-w-index", "data"),
            "map_label": State(ids.EX_MAP_LABEL, "value"), "drawn": State("explore-drawn", "data"),
            "sent_slices": State("explore-slices", "data")},
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)  # fmt: skip
def follow_point(values, label, ready, model_id, w_index, map_label, drawn, sent_slices):
    """On every drag step: new image, probabilities, activations; the markers move by Patch."""
    explorer = registry.get(model_id)
    point = parse_point(values, explorer.latent_dim, default=0.0 if not values else None)
    probe = explorer.probe_point(point, safe_label(label) if explorer.conditional else None)
    # Patches need the full figures on the page: until the maps for this model are drawn
    # (``ready``), and right after, send whole (small) figures instead.
    dragging = drawn == model_id and ctx.triggered_id != "explore-ready"
    out = {**point_figures(explorer, probe, dragging), "drawn": model_id,
           "readout": readout_text(point, probe), "w_index": no_update}  # fmt: skip
    out.update(marker_patches(explorer, point, map_label, dragging, sent_slices, ready == model_id))
    if explorer.latent_dim == 4:
        idx, _ = snap_fourth(point[3], registry.SETTINGS.cube_n)
        out["w_index"] = idx if idx != w_index else no_update
    return out


def point_figures(explorer, probe, dragging: bool) -> dict:
    """The image, probabilities and activation heatmaps of a probed point: Patches of the
    drawn figures while dragging, whole figures otherwise."""
    acts = {n: probe.activations[n] for n in explorer.probe.layer_names}
    if not dragging:
        titles = {n: explorer.probe.layer_title(n) for n in acts}
        return {"image": figures.image_figure(probe.image), "probs": figures.probs_figure(probe.probs),
                "acts": figures.activations_figure(acts, titles)}  # fmt: skip
    image, probs, act_fig = Patch(), Patch(), Patch()
    image["data"][0]["z"] = figures.image_values(probe.image)
    probs["data"][0]["y"] = probe.probs.tolist()
    for k, name in enumerate(acts):
        act_fig["data"][k]["z"] = figures.heatmap_values(mean_heatmap(acts[name]))
    return {"image": image, "probs": probs, "acts": act_fig}


def marker_patches(explorer, point, map_label, dragging, sent_slices, map_ready) -> dict:
    """The point's marker on the map, or on the cube and its projections (with the slices
    through the point when it entered another grid cell)."""
    out = {"map": no_update, "cube": no_update, "proj": no_update, "slices": no_update}
    if not map_ready:
        return out
    if explore_view_kind(explorer.latent_dim) == "map":
        out["map"] = Patch()
        out["map"]["layout"]["shapes"] = figures.marker_shapes(point)
        return out
    cube_patch, proj_patch = Patch(), Patch()
    for axis, name in enumerate("xyz"):
        cube_patch["data"][0][name] = [float(point[axis])]
    for k, (_name, _axis, a, b) in enumerate(figures.PROJECTIONS):
        proj_patch["data"][2 * k + 1]["x"] = [float(point[a])]
        proj_patch["data"][2 * k + 1]["y"] = [float(point[b])]
    out["cube"], out["proj"] = cube_patch, proj_patch
    try:  # a cube not computed yet is queued; the markers move meanwhile
        request = explorer.view_request(
            n3d=registry.SETTINGS.cube_n, w=point[3] if explorer.latent_dim == 4 else None,
            label=safe_label(map_label) if explorer.conditional else None,
        )  # fmt: skip
        cube = precompute.request_map(explorer, request)[0]
    except Exception:  # noqa: BLE001 - the markers still move; the slices stay
        cube = None
    # The slices change only when the point crosses into another grid cell (or the cube
    # changes): most drag steps move just the three markers.
    if cube is not None:
        key = projection_key(explorer.model_id, cube, point)
        if not (dragging and key == sent_slices):
            for k, slc in enumerate(figures.projection_slices(cube, point).values()):
                proj_patch["data"][2 * k]["z"] = slc.tolist()
            out["slices"] = key
    return out


@callback(
    Output({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    Input(ids.EX_MAP, "clickData"),
    Input(ids.EX_PROJ, "clickData"),
    Input(ids.EX_CUBE, "clickData"),
    State({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    prevent_initial_call=True,
)
def click_map(map_click, proj_click, cube_click, values):
    """Clicking the 2D map moves the point there; clicking a point of the cube moves x, y
    and z there; clicking a projection moves the two coordinates of that face (xy, xz or
    yz) and keeps the third."""
    if ctx.triggered_id == ids.EX_CUBE:
        out = clicked_point(cube_click, values, (0, 1, 2))
    elif ctx.triggered_id == ids.EX_PROJ:
        axes = projection_axes(proj_click)
        out = clicked_point(proj_click, values, axes) if axes else None
    else:
        out = clicked_point(map_click, values)
    if out is None:
        return [no_update] * len(values) if isinstance(values, list) else no_update
    return out


dash.register_page(
    __name__,
    path="/explore",
    name="Explore",
    title="Explore · GAN latent space",
    order=1,
    layout=layout,
)
