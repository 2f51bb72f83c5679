"""/morph: points A and B (and waypoints), the path over the map or through the cube, and
the animated morph with the sequence of class areas it crosses."""

from __future__ import annotations

import dash
import numpy as np
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)

from dashboard import figures, ids, live, payloads, precompute, registry, slicing, urlstate
from dashboard.components import (
    card,
    download_buttons,
    graph_card,
    latent_sliders,
    plane_picker,
    slice_sliders,
)
from dashboard.components.latent_view import LatentView, explore_view_kind, view_request
from dashboard.components.pieces import choices, label_box, model_menu, page_header, sidebar_grid
from dashboard.errors import page_callback
from dashboard.pagestate import (
    Field,
    PageState,
    digit_field,
    model_field,
    point_field,
    restored_point,
    restored_points,
)
from dashboard.payloads import apply_click, parse_point, safe_label
from dashboard.texts import class_name, class_noun, sequence_text
from gan_core.labelling import class_names_or_default

VIEW = "morph"  # the latent view's aio_id: the map or cube, A's marker and the path


STATE = PageState(
    "morph-url",
    [
        model_field(ids.MO_MODEL),
        point_field("a", ids.MO_A, bound=slicing.MAX_RANGE),
        point_field("b", ids.MO_B, bound=slicing.MAX_RANGE),
        Field("via", urlstate.points_from_text, [], Input(ids.MO_WAYPOINTS, "data"), fmt="points"),
        Field("frames", lambda t: urlstate.parse_int(t, 8, 64), 24, Input(ids.MO_FRAMES, "value")),
        # no default: a shared link keeps the mode, whatever the model's prior makes default
        Field("mode", lambda t: urlstate.parse_choice(t, ("linear", "slerp")), None,
              Input(ids.MO_MODE, "value")),
        digit_field("label", ids.MO_LABEL),
        Field("slice", urlstate.parse_spec, "", Input("morph-slice-spec", "value")),
        live.flag_field("morph"),
    ],
)  # fmt: skip


def morph_state_from_query(query: dict, models: list[str]) -> dict:
    """Initial controls from URL parameters (each validated; bad ones -> defaults)."""
    init = STATE.initial(query)
    return {**init, "model": registry.pick_model(init["model"], models)}


LEAD = (
    "Images generated along the path from A to B (through any waypoints). The path over the "
    "map shows which class areas the morph crosses."
)


def layout(**query):
    models = registry.model_ids()
    init = morph_state_from_query(query, models)
    return html.Div(
        id="morph-root",
        children=[
            *page_header("Morph from A to B", LEAD, ids.MO_ERROR),
            sidebar_grid(controls(models, init), panels()),
            *stores(init),
        ],
    )


def controls(models: list[str], init: dict) -> list:
    """The sidebar: the model (and a CGAN's label), points A and B, the path."""
    return [
        card(
            "Model",
            model_menu(ids.MO_MODEL, models, init["model"]),
            label_box("morph-label-box", ids.MO_LABEL, init["label"]),
        ),
        card(
            "Plane",
            plane_picker.plane_box("morph", init["slice"], slicing.MORPH_PLANE),
            card_id="morph-plane-card",
            style={"display": "none"},
        ),
        card("Point A", html.Div(id="morph-a-sliders")),
        card("Point B", html.Div(id="morph-b-sliders")),
        path_card(init),
    ]


def path_card(init: dict) -> html.Div:
    """Linear or spherical, the number of frames, what a click sets, the waypoints and the
    crossed areas only."""
    return card(
        "Path",
        choices(
            ids.MO_MODE,
            init["mode"] or "linear",
            [("linear", "linear"), ("spherical", "slerp")],
            inline=True,
        ),
        html.Label("Frames"),
        dcc.Slider(
            id=ids.MO_FRAMES,
            min=8,
            max=64,
            step=1,
            value=init["frames"],
            marks={8: "8", 24: "24", 48: "48", 64: "64"},
        ),
        html.Label("Clicking the map or a cube point sets"),
        choices(ids.MO_CLICK_MODE, "A", [("A", "A"), ("B", "B"), ("a waypoint", "W")], inline=True),
        html.Button("Clear waypoints", id=ids.MO_CLEAR, className="button"),
        dcc.Checklist(
            id=ids.MO_ONLY_CROSSED,
            value=[],
            options=[{"label": " show only the crossed areas", "value": "on"}],
        ),
    )


def panels() -> list:
    """The crossed areas, the path over the map or through the cube, the slices through A
    and B (3D/4D), the frames (drawn by the server or by the page) and the animation."""
    return [
        html.Div(id=ids.MO_SEQUENCE, className="sequence server-only"),
        html.Div(id="morph-live-sequence", className="sequence live-only"),
        LatentView(
            VIEW,
            title_map="Path over the map of class areas",
            title_cube="Path through the class cube",
            height=480,
        ),
        html.Div(
            [graph_card("morph-proj-a"), graph_card("morph-proj-b")],
            id="morph-proj-row",
            className="two-col",
            style={"display": "none"},
        ),
        graph_card(ids.MO_STRIP, class_name="card server-only"),
        card(
            None,
            html.Canvas(id="morph-live-strip", className="live-strip"),
            class_name="card live-only",
        ),
        html.P(id="morph-live-status", className="note live-status"),
        html.Div([graph_card(ids.MO_FRAME_IMAGE), animation_card()], className="two-col"),
    ]


def animation_card() -> html.Div:
    """Play, the frame shown, the speed and the downloads of the morph."""
    return card(
        "Animation",
        html.Button("▶ Play", id=ids.MO_PLAY, n_clicks=0, className="button primary"),
        html.Label("Frame"),
        dcc.Slider(
            id=ids.MO_SCRUB,
            min=0,
            max=23,
            step=1,
            value=0,
            marks=None,
            tooltip={"placement": "bottom"},
        ),
        html.Label("Speed (frames per second)"),
        dcc.Slider(
            id=ids.MO_SPEED,
            min=1,
            max=30,
            step=1,
            value=8,
            marks={1: "1", 8: "8", 15: "15", 30: "30"},
        ),
        html.Label("Download"),
        *download_buttons(
            "morph-download",
            [("GIF", "morph-dl-gif"), ("MP4", "morph-dl-mp4"), ("JSON", "morph-dl-json")],
            status=True,
        ),
    )


def stores(init: dict) -> list:
    """The page's stores: the waypoints, the URL's values, the morph, what the page and the
    server draw; and the animation's clock."""
    return [
        dcc.Store(id=ids.MO_WAYPOINTS, data=init["via"]),
        dcc.Store(id="morph-init", data=init),
        plane_picker.store("morph"),
        STATE.store(),
        dcc.Store(id=ids.MO_RESULT),
        dcc.Store(id="morph-view-ready"),
        *live.stores("morph", init["live"]),
        dcc.Store(id="morph-live-settings"),
        dcc.Store(id="morph-server-path"),
        dcc.Store(id="morph-proj-points"),
        dcc.Store(id="morph-proj-pending"),
        dcc.Interval(id="morph-proj-poll", interval=1000, disabled=True),
        dcc.Interval(id=ids.MO_INTERVAL, interval=125, disabled=True),
    ]


@callback(
    Output(ids.MO_MODE, "value"),
    Input(ids.MO_MODEL, "value"),
    State("morph-init", "data"),
)
def default_mode(model_id, init):
    """The path's interpolation: the shared link's, else the model's prior's default
    (spherical for a normal prior, whose samples keep their norm along it)."""
    try:
        return morph_mode(registry.get(model_id), init)
    except Exception:  # noqa: BLE001 - an unusable model: the morph callback says why
        return no_update


def morph_mode(e, init) -> str:
    if isinstance(init, dict) and init.get("model") == e.model_id and init.get("mode"):
        return init["mode"]
    return e.prior.default_morph_mode


plane_picker.register("morph", ids.MO_MODEL, ids.MO_A, ids.MO_ERROR, default=slicing.MORPH_PLANE,
                      whole_point=False)  # fmt: skip


@callback(
    Output("morph-a-sliders", "children"),
    Output("morph-b-sliders", "children"),
    Output("morph-label-box", "style"),
    Output("morph-proj-row", "style"),
    Output(ids.MO_WAYPOINTS, "data", allow_duplicate=True),
    Output("morph-plane-card", "style"),
    Input(ids.MO_MODEL, "value"),
    Input("morph-slice", "data"),
    State("morph-init", "data"),
    State(ids.MO_WAYPOINTS, "data"),
    State("morph-live-flag", "data"),
    prevent_initial_call="initial_duplicate",
)
def build_point_controls(model_id, record, init, waypoints, in_page):
    hidden = {"display": "none"}
    try:
        e = registry.get(model_id)
    except Exception:  # noqa: BLE001 - the morph callback reports the error
        return html.Div(), html.Div(), hidden, hidden, [], hidden
    mode = "mouseup" if in_page is not False else "drag"  # drawn in the page while dragged
    style = {} if e.conditional else hidden
    if slicing.sliced(e.latent_dim):
        if not record:
            return (no_update,) * 6
        a, b, via = morph_ends(e, record, init)
        plane = slicing.from_record(record, e)
        return (slice_sliders(ids.MO_A, plane, a, mode), slice_sliders(ids.MO_B, plane, b, mode),
                style, hidden, via, {})  # fmt: skip
    a = [-1.0, 0.0, 0.0, 0.0][: e.latent_dim]
    b = [1.0, 0.0, 0.0, 0.0][: e.latent_dim]
    a = restored_point(init, "a", e.latent_dim, model_id) or a
    b = restored_point(init, "b", e.latent_dim, model_id) or b
    shared = {**init, "via": waypoints} if isinstance(init, dict) else None
    via = restored_points(shared, "via", e.latent_dim, model_id)
    return (
        latent_sliders(ids.MO_A, e.latent_dim, a, updatemode=mode),
        latent_sliders(ids.MO_B, e.latent_dim, b, updatemode=mode),
        style,
        {} if explore_view_kind(e.latent_dim) == "cube" else hidden,  # slices through A, B
        via,
        hidden,
    )


def morph_ends(e, record, init) -> tuple[list, list, list]:
    """Above 4-D: A and B on the page's plane, from the URL when it was for this model and
    plane, else the prior's samples 1 and 2 (slicing.default_ends); no waypoints."""
    plane = slicing.from_record(record, e)
    a, b = slicing.default_ends(plane, e.prior)
    same = isinstance(init, dict) and (init.get("slice") or "") in ("", plane.spec)
    if same:
        a = restored_point(init, "a", 2, e.model_id, bound=plane.hi) or a
        b = restored_point(init, "b", 2, e.model_id, bound=plane.hi) or b
    return a, b, []


live.register_page("morph", ids.MO_MODEL, ids.MO_ERROR, [ids.MO_A, ids.MO_B])

clientside_callback(  # the path's settings, for the frames the page draws
    ClientsideFunction(namespace="gx", function_name="morphLiveSettings"),
    Output("morph-live-settings", "data"),
    Input(ids.MO_WAYPOINTS, "data"),
    Input(ids.MO_FRAMES, "value"),
    Input(ids.MO_MODE, "value"),
    Input(ids.MO_ONLY_CROSSED, "value"),
)


LatentView.follow(
    VIEW,
    model=Input(ids.MO_MODEL, "value"),
    point=Input({"type": ids.MO_A, "index": ALL}, "value"),
    label=Input(ids.MO_LABEL, "value"),
    slice=Input("morph-slice", "data"),
)


# The path the server computes: the controls' values, unless the page computes this model's
# frames itself (it then writes the path, the mask and the stored morph when a drag ends).
clientside_callback(
    ClientsideFunction(namespace="gx", function_name="morphServerPath"),
    Output("morph-server-path", "data"),
    Input({"type": ids.MO_A, "index": ALL}, "value"),
    Input({"type": ids.MO_B, "index": ALL}, "value"),
    Input(ids.MO_WAYPOINTS, "data"),
    Input(ids.MO_FRAMES, "value"),
    Input(ids.MO_MODE, "value"),
    Input(ids.MO_LABEL, "value"),
    Input(ids.MO_ONLY_CROSSED, "value"),
    State(ids.MO_MODEL, "value"),
)


@page_callback(
    output={"path": Output(LatentView.ids.path(VIEW), "data"),
            "mask": Output(LatentView.ids.mask(VIEW), "data"), "strip": Output(ids.MO_STRIP, "figure"),
            "sequence": Output(ids.MO_SEQUENCE, "children"), "result": Output(ids.MO_RESULT, "data"),
            "last_frame": Output(ids.MO_SCRUB, "max")},
    inputs={"request": Input("morph-server-path", "data"), "model_id": State(ids.MO_MODEL, "value"),
            "shown_mask": State(LatentView.ids.mask(VIEW), "data"),
            "record": State("morph-slice", "data")},
    error_box=ids.MO_ERROR,
    prevent_initial_call=True,
)  # fmt: skip
def compute_morph(request, model_id, shown_mask, record):
    """Morph along the path (when the page does not compute it itself); the latent view
    draws the path over the map or cube (moved by Patch on drags) and, with "only the
    crossed areas", colours only those."""
    a_values, b_values, waypoints, frames, mode, label, only_crossed = payloads.record_fields(
        request, ("a", "b", "via", "frames", "mode", "label", "only")
    )
    e = registry.get(model_id)
    if slicing.sliced(e.latent_dim) and not record:  # the plane comes first
        return {k: no_update for k in ("path", "mask", "strip", "sequence", "result", "last_frame")}
    plane = view_plane_or_none(e, record)
    a, *mids, b = path_points(e, plane, [a_values, *(waypoints or [])[:8], b_values])
    lab = safe_label(label) if e.conditional else None
    frames = int(frames) if isinstance(frames, (int, float)) else 24
    m = e.morph([a, *mids, b], frames=max(8, min(64, frames)), mode=mode, label=lab)
    shown = m.latents if plane is None else plane.coordinates(m.latents)  # the map's axes
    path = {"latents": np.round(np.asarray(shown, np.float64), 4).tolist(),
            "classes": [int(c) for c in m.classes]}  # fmt: skip
    mask = sorted({int(c) for c in m.sequence}) if only_crossed else None
    names = e.class_names
    return {"path": path, "mask": mask if mask != shown_mask else no_update,  # else a redraw
            "strip": figures.strip_figure(m.images, m.classes, class_names=names),
            "sequence": "Crossed areas: " + sequence_text(m.sequence, names),
            "result": morph_record(m, model_id, lab, mode, [a, *mids, b], names),
            "last_frame": len(m.images) - 1}  # fmt: skip


def view_plane_or_none(e, record):
    """The page's plane above 4-D (PayloadError until one is chosen), else None."""
    return slicing.from_record(record, e) if slicing.sliced(e.latent_dim) else None


def path_points(e, plane, values_list) -> list:
    """The path's points in the latent space from the sliders' values: the values
    themselves, or above 4-D the plane's points at those slice coordinates."""
    if plane is None:
        return [parse_point(v, e.latent_dim) for v in values_list]
    return [slicing.latent_point(plane, slicing.slice_coordinates(plane, v)) for v in values_list]


def morph_record(m, model_id, lab, mode, points, class_names=None) -> dict:
    """What the page keeps of a morph: the frames (rounded; grey (N, H, W) or colour
    (N, H, W, 3)), the classes (their indices, and by name: ``class_names`` lists the
    model's, ``names`` each frame's) and numbers."""
    names = class_names_or_default(class_names)
    return {
        "images": figures.image_values(m.images),
        "classes": [int(c) for c in m.classes],
        "class_names": names,
        "noun": class_noun(names),
        "names": [class_name(c, names) for c in m.classes],
        "model": model_id,
        "label": lab,
        "mode": mode,
        "points": [p.tolist() for p in points],
        "latents": np.round(m.latents.astype(np.float64), 4).tolist(),
        "probabilities": np.round(m.probs.astype(np.float64), 4).tolist(),
        "sequence": [int(c) for c in m.sequence],
        "sequence_names": [class_name(c, names) for c in m.sequence],
        "crossings": [
            {
                "from": c.from_class,
                "to": c.to_class,
                "frame": c.frame,
                "t": round(c.t, 4),
                "from_name": class_name(c.from_class, names),
                "to_name": class_name(c.to_class, names),
            }
            for c in m.crossings
        ],  # fmt: skip
    }


clientside_callback(  # the map view drew its cube: the projections' cubes may be ready too
    ClientsideFunction(namespace="gx", function_name="morphViewReady"),
    Output("morph-view-ready", "data"),
    Input(LatentView.ids.ready(VIEW), "data"),
    prevent_initial_call=True,
)


# Which points' slices the server redraws: none for a 2D model (its map shows A and B),
# none the page cut from the model's cubes itself, else the point whose slider moved, or
# both for a new label or cube.
clientside_callback(
    ClientsideFunction(namespace="gx", function_name="morphProjectionPoints"),
    Output("morph-proj-points", "data"),
    Input({"type": ids.MO_A, "index": ALL}, "value"),
    Input({"type": ids.MO_B, "index": ALL}, "value"),
    Input(ids.MO_LABEL, "value"),
    Input("morph-view-ready", "data"),
    State(ids.MO_MODEL, "value"),
)


@page_callback(
    output={
        "a": Output("morph-proj-a", "figure"),
        "b": Output("morph-proj-b", "figure"),
        "pending": Output("morph-proj-pending", "data"),
        "idle": Output("morph-proj-poll", "disabled"),
    },
    inputs={
        "request": Input("morph-proj-points", "data"),
        "tick": Input("morph-proj-poll", "n_intervals"),
        "pending": State("morph-proj-pending", "data"),
        "model_id": State(ids.MO_MODEL, "value"),
    },
    error_box=ids.MO_ERROR,
    clears=False,
    prevent_initial_call=True,
)
def point_projections(request, tick, pending, model_id):
    """3D/4D: the slices through A and through B (a point inside the cube is hard to place
    by eye). A drag of one point's slider redraws only that point's slices; a cube still
    computing says so, and is asked for again every second until it is drawn."""
    a_values, b_values, label, moved = payloads.record_fields(request, ("a", "b", "label", "moved"))
    e = registry.get(model_id)
    moved = payloads.projection_points(moved, pending, ctx.triggered_id == "morph-proj-poll")
    out, waiting = {}, []
    for name, values in (("a", a_values), ("b", b_values)):
        if name not in moved:
            out[name] = no_update
            continue
        out[name], ready = point_projection(e, name.upper(), values, label)
        if not ready:
            waiting.append(name)
    return {**out, "pending": waiting, "idle": not waiting}


def point_projection(e, name: str, values, label):
    """(figure, ready): the projections through one point, or a note while its cube is
    still computing (ready False)."""
    point = parse_point(values, e.latent_dim)
    request = view_request(e, point, label)
    cube, job, _key = precompute.request_map(e, request)
    if cube is None:
        text = f"Point {name}: " + precompute.job_text(job)
        return figures.message_figure(text, height=230), False
    where = ", ".join(f"{v:+.2f}" for v in point)
    figure = figures.projections_figure(
        cube,
        point,
        height=230,
        compact=True,
        title=f"Point {name} = ({where})",
        class_names=e.class_names,
    )
    return figure, True


@callback(
    Output({"type": ids.MO_A, "index": ALL}, "value"),
    Output({"type": ids.MO_B, "index": ALL}, "value"),
    Output(ids.MO_WAYPOINTS, "data"),
    Input(LatentView.ids.clicked(VIEW), "data"),
    Input(ids.MO_CLEAR, "n_clicks"),
    State(ids.MO_CLICK_MODE, "value"),
    State({"type": ids.MO_A, "index": ALL}, "value"),
    State({"type": ids.MO_B, "index": ALL}, "value"),
    State(ids.MO_WAYPOINTS, "data"),
    prevent_initial_call=True,
)
def click_sets_point(clicked, _clear, mode, a_values, b_values, waypoints):
    """A click on the 2D map (x, y) or on a point of the cube (x, y, z) sets A, B or adds a
    waypoint; the coordinates not shown (a 4D model's w) come from the point it replaces,
    and from A for a waypoint."""
    keep_a = [no_update] * len(a_values) if isinstance(a_values, list) else no_update
    keep_b = [no_update] * len(b_values) if isinstance(b_values, list) else no_update
    if ctx.triggered_id == ids.MO_CLEAR:
        return keep_a, keep_b, []
    point = apply_click(clicked, b_values if mode == "B" else a_values)
    if point is None:
        return keep_a, keep_b, no_update
    if mode == "B":
        return keep_a, point, no_update
    if mode == "W":
        wp = (waypoints if isinstance(waypoints, list) else [])[:7] + [point]
        return keep_a, keep_b, wp
    return point, keep_b, no_update


# The animation runs in the browser: frames come from the stored morph, no server round trip.
clientside_callback(
    ClientsideFunction(namespace="gx", function_name="morphPlayState"),
    Output(ids.MO_INTERVAL, "disabled"),
    Output(ids.MO_PLAY, "children"),
    Output(ids.MO_INTERVAL, "interval"),
    Input(ids.MO_PLAY, "n_clicks"),
    Input(ids.MO_SPEED, "value"),
)

clientside_callback(
    ClientsideFunction(namespace="gx", function_name="morphNextFrame"),
    Output(ids.MO_SCRUB, "value"),
    Input(ids.MO_INTERVAL, "n_intervals"),
    State(ids.MO_SCRUB, "value"),
    State(ids.MO_SCRUB, "max"),
    prevent_initial_call=True,
)

clientside_callback(
    ClientsideFunction(namespace="gx", function_name="morphFrameFigure"),
    Output(ids.MO_FRAME_IMAGE, "figure"),
    Input(ids.MO_SCRUB, "value"),
    Input(ids.MO_RESULT, "data"),
)


dash.register_page(
    __name__,
    path="/morph",
    name="Morph A→B",
    title="Morph A→B · GAN latent space",
    order=2,
    layout=layout,
)


@page_callback(
    Output("morph-download", "data"),
    Input("morph-dl-gif", "n_clicks"),
    Input("morph-dl-mp4", "n_clicks"),
    Input("morph-dl-json", "n_clicks"),
    State(ids.MO_RESULT, "data"),
    State(ids.MO_SPEED, "value"),
    running=[
        (Output(button, "disabled"), True, False)
        for button in ("morph-dl-gif", "morph-dl-mp4", "morph-dl-json")
    ]
    + [(Output("morph-download-status", "children"), "Encoding…", "")],
    error_box=ids.MO_ERROR,
    prevent_initial_call=True,
)
def download_morph(_gif, _mp4, _json, result, speed):
    """The current morph as an animated GIF, an MP4 video, or its numbers as JSON (each
    class named as its model names it)."""
    from dashboard.downloads import morph_download

    model_id = result.get("model") if isinstance(result, dict) else None
    names = registry.get(model_id).class_names if model_id in registry.model_ids() else None
    return morph_download(ctx.triggered_id, result, speed, names)
