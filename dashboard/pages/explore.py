"""/explore: drag a latent point and watch the image, the map, the cube and the activations.

The CGAN page (/cgan) reuses this layout with the label controls shown, so one set of
callbacks serves both. The map or cube, its projections and the marker are the latent
view's (dashboard.components.latent_view); while a slider is dragged only Patches travel.
"""

from __future__ import annotations

import dash
from dash import (
    ALL,
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
)

from dashboard import figures, ids, live, payloads, registry, slicing, urlstate
from dashboard.components import (
    card,
    digit_slider,
    download_buttons,
    graph_card,
    latent_sliders,
    slice_sliders,
)
from dashboard.components.latent_view import LatentView
from dashboard.components.pieces import model_menu, page_header, sidebar_grid
from dashboard.downloads import explore_download
from dashboard.errors import page_callback
from dashboard.pagestate import (
    Field,
    PageState,
    digit_field,
    model_field,
    point_field,
    restored_point,
)
from dashboard.payloads import apply_click, parse_point, safe_label
from dashboard.texts import readout_text
from gan_core.activations import mean_heatmap

VIEW = "explore"  # the latent view's aio_id (the CGAN page shares this layout)
LEAD = (
    "Drag the sliders: the image, the point on the class map, its projections and "
    "the activations follow. Click the map, the cube or a projection to jump there."
)


def explore_layout(conditional: bool, query: dict | None = None) -> html.Div:
    """The explorer; ``query`` (the URL's parameters) restores a shared view."""
    models = registry.model_ids(conditional=conditional)
    init = explore_state_from_query(query or {}, models)
    sidebar = [
        card("Model", model_menu(ids.EX_MODEL, models, init["model"])),
        card(
            "Label",
            html.Label("Change Number (label fed to the generator)"),
            digit_slider(ids.EX_LABEL, init["label"]),
            html.Label("Change 3D map (whose cube is shown)"),
            digit_slider(ids.EX_MAP_LABEL, init["map"]),
            class_name="card" if conditional else "card hidden",
        ),
        card("Latent point", slice_box(init["slice"]), html.Div(id="explore-sliders"),
             html.Div(id=ids.EX_READOUT, className="readout"), full_point_box()),
        card("Export", *download_buttons("explore-download", [("Map PNG", "explore-dl-png"),
                                                              ("View JSON", "explore-dl-json")])),
    ]  # fmt: skip
    view = LatentView(VIEW, colourings=True, colour=init["colour"], slices=True,
                      axis=init["axis"], index=init["index"], projections=True)  # fmt: skip
    panels = [
        html.Div(
            [
                graph_card(ids.EX_IMAGE, class_name="card server-only"),
                graph_card(ids.EX_PROBS, class_name="card server-only"),
                *live_cards(),
                html.Div(id="explore-live-status", className="note live-status"),
            ],
            className="column narrow",
        ),
        html.Div(view, className="column wide"),
    ]
    return html.Div(
        id="explore-root",
        children=[
            *page_header("CGAN explorer" if conditional else "Latent-space explorer", LEAD,
                         ids.EX_ERROR),
            sidebar_grid(sidebar, panels, panels_class="content"),
            graph_card(ids.EX_ACTS, class_name="card server-only"),
            card(
                "Activations for each layer (average values)",
                html.Div(id="explore-live-acts", className="live-acts"),
                class_name="card live-only",
            ),
            *live.stores("explore", init["live"]),
            dcc.Store(id="explore-drawn"),
            dcc.Store(id="explore-server-point"),
            dcc.Store(id="explore-init", data=init),
            dcc.Store(id="explore-slice"),
            STATE.store(),
        ],
    )  # fmt: skip


def slice_box(spec: str) -> html.Div:
    """Above 4-D: which plane through the latent space the sliders move on (its spec, a
    new random plane, the plane recentred on the point) and how typical its points are."""
    return html.Div(
        [
            html.Label("Slice (a plane through the latent space)", htmlFor="explore-slice-spec"),
            dcc.Input(id="explore-slice-spec", type="text", value=spec, debounce=True,
                      placeholder="random:0", className="slice-spec", spellCheck=False),
            html.Div([html.Button("Another random plane", id="explore-slice-random",
                                  className="button"),
                      html.Button("Recentre on the point", id="explore-slice-recentre",
                                  className="button")], className="buttons slice-buttons"),
            html.Div(id="explore-slice-note", className="note"),
        ],
        id="explore-slice-box", style={"display": "none"},
    )  # fmt: skip


def full_point_box() -> html.Div:
    """Above 4-D: the whole latent point, to copy, or to paste one and go there."""
    return html.Div(
        [
            html.Label("The whole point z (copy, or paste one and press Go)",
                       htmlFor="explore-zfull"),
            dcc.Textarea(id="explore-zfull", className="zfull", spellCheck=False),
            html.Button("Go to this z", id="explore-zfull-go", className="button"),
        ],
        id="explore-zfull-box", style={"display": "none"},
    )  # fmt: skip


def live_cards() -> list:
    """The image and probabilities drawn in the page (shown once the page draws them)."""
    return [
        card("Generated image", html.Canvas(id="explore-live-image", width=28, height=28,
                                            className="live-image"), class_name="card live-only"),
        card("Classifier probabilities", html.Canvas(id="explore-live-probs", width=300, height=180,
                                                     className="live-probs"), class_name="card live-only"),
    ]  # fmt: skip


STATE = PageState(
    "explore-url",
    [
        model_field(ids.EX_MODEL),
        point_field("z", ids.EX_SLIDER, bound=slicing.MAX_RANGE),
        digit_field("label", ids.EX_LABEL),
        digit_field("map", ids.EX_MAP_LABEL),
        Field("axis", lambda t: urlstate.parse_choice(t, ("none", "0", "1", "2")), "none",
              Input(LatentView.ids.axis(VIEW), "value")),
        Field("index", lambda t: urlstate.parse_int(t, 0, 63), 8,
              Input(LatentView.ids.index(VIEW), "value")),
        Field("colour", lambda t: urlstate.parse_choice(t, tuple(figures.COLOURINGS)), "class",
              Input(LatentView.ids.colour(VIEW), "value")),
        Field("slice", urlstate.parse_spec, "", Input("explore-slice-spec", "value")),
        live.flag_field("explore"),
    ],
)  # fmt: skip


def explore_state_from_query(query: dict, models: list[str]) -> dict:
    """Initial control values from URL parameters, each validated (bad ones -> defaults)."""
    init = STATE.initial(query)
    return {**init, "model": registry.pick_model(init["model"], models)}


def layout(**query):
    return explore_layout(conditional=False, query=query)


@page_callback(
    Output("explore-slice", "data"),
    Output("explore-slice-box", "style"),
    Output("explore-zfull-box", "style"),
    Output("explore-slice-note", "children"),
    Input(ids.EX_MODEL, "value"),
    Input("explore-slice-spec", "value"),
    error_box=ids.EX_ERROR,
)
def choose_slice(model_id, spec):
    """Above 4-D, the plane the spec names (a bad spec is refused and changes nothing);
    smaller models are shown whole."""
    explorer = registry.get(model_id)
    if not slicing.sliced(explorer.latent_dim):
        return None, {"display": "none"}, {"display": "none"}, ""
    plane = slicing.resolve(explorer, spec)
    return (slicing.slice_record(plane), {}, {},
            slicing.slice_note(plane, explorer.prior, registry.SETTINGS.grid_2d))  # fmt: skip


@page_callback(
    Output("explore-slice-spec", "value"),
    Input("explore-slice-random", "n_clicks"),
    Input("explore-slice-recentre", "n_clicks"),
    Input("explore-zfull-go", "n_clicks"),
    State("explore-slice-spec", "value"),
    State("explore-slice", "data"),
    State({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    State("explore-zfull", "value"),
    State(ids.EX_MODEL, "value"),
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)
def move_slice(_random, _recentre, _go, spec, record, values, pasted, model_id):
    """Another random plane; the plane recentred on the point (its slice coordinates
    become 0); or the plane recentred on a pasted point."""
    if ctx.triggered_id == "explore-slice-random":
        return slicing.next_random_spec(spec)
    explorer = registry.get(model_id)
    plane = slicing.from_record(record, explorer.latent_dim, explorer.prior)
    if ctx.triggered_id == "explore-zfull-go":
        z = slicing.parse_full_point(pasted, explorer.latent_dim)
    else:
        z = slicing.latent_point(plane, slicing.slice_coordinates(plane, values))
    return slicing.recentre_spec(plane, z)


@page_callback(
    Output("explore-sliders", "children"),
    Input(ids.EX_MODEL, "value"),
    Input("explore-slice", "data"),
    State("explore-init", "data"),
    State("explore-live-flag", "data"),
    error_box=ids.EX_ERROR,
)
def build_sliders(model_id, record, init, in_page):
    explorer = registry.get(model_id)
    # Drawn in the page (a 4D cube swapped there too), a slider reports to Dash only when
    # let go; on the server path every step.
    mode = "mouseup" if in_page is not False else "drag"
    if not slicing.sliced(explorer.latent_dim):
        values = restored_point(init, "z", explorer.latent_dim, model_id)  # None: the origin
        return latent_sliders(ids.EX_SLIDER, explorer.latent_dim, values, updatemode=mode)
    if not record:
        return no_update
    plane = slicing.from_record(record, explorer.latent_dim, explorer.prior)
    same = isinstance(init, dict) and (init.get("slice") or "") in ("", plane.spec)
    values = restored_point(init, "z", 2, model_id, bound=plane.hi) if same else None
    return slice_sliders(ids.EX_SLIDER, plane, values, mode)


live.register_page("explore", ids.EX_MODEL, ids.EX_ERROR, ids.EX_SLIDER)


LatentView.follow(
    VIEW,
    model=Input(ids.EX_MODEL, "value"),
    point=Input({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    label=Input(ids.EX_MAP_LABEL, "value"),
    slice=Input("explore-slice", "data"),
)


@page_callback(
    Output("explore-download", "data"),
    Input("explore-dl-png", "n_clicks"),
    Input("explore-dl-json", "n_clicks"),
    State(ids.EX_MODEL, "value"),
    State({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    State(ids.EX_LABEL, "value"),
    State(ids.EX_MAP_LABEL, "value"),
    State(LatentView.ids.axis(VIEW), "value"),
    State(LatentView.ids.index(VIEW), "value"),
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)
def download_view(_png, _json, model_id, values, label, map_label, axis, index):
    """The map or cube on screen as PNG, or the view's state and numbers as JSON."""
    explorer, s = registry.get(model_id), registry.SETTINGS
    return explore_download(ctx.triggered_id, explorer, values, label, map_label, axis, index,
                            s.grid_2d, s.cube_n)  # fmt: skip


# The point the server draws: the sliders' values, unless the page draws this model itself
# (then the server figures are hidden and a released drag asks only the latent view).
clientside_callback(
    ClientsideFunction(namespace="gx", function_name="exploreServerPoint"),
    Output("explore-server-point", "data"),
    Input({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    Input(ids.EX_LABEL, "value"),
    State(ids.EX_MODEL, "value"),
)


@page_callback(
    output={"image": Output(ids.EX_IMAGE, "figure"), "probs": Output(ids.EX_PROBS, "figure"),
            "acts": Output(ids.EX_ACTS, "figure"), "readout": Output(ids.EX_READOUT, "children"),
            "drawn": Output("explore-drawn", "data"), "zfull": Output("explore-zfull", "value")},
    inputs={"point": Input("explore-server-point", "data"),
            "model_id": State(ids.EX_MODEL, "value"), "drawn": State("explore-drawn", "data"),
            "record": State("explore-slice", "data")},
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)  # fmt: skip
def follow_point(point, model_id, drawn, record):
    """On every drag step the server draws: the new image, probabilities and activations
    (Patches once the figures are drawn); the latent view moves its own marker."""
    values, label = payloads.values_and_label(point)
    explorer = registry.get(model_id)
    default = 0.0 if not values else None
    if slicing.sliced(explorer.latent_dim):
        plane = slicing.from_record(record, explorer.latent_dim, explorer.prior)
        t = slicing.slice_coordinates(plane, values, default)
        shown, z = t, slicing.latent_point(plane, t)
    else:
        shown = z = parse_point(values, explorer.latent_dim, default=default)
    probe = explorer.probe_point(z, safe_label(label) if explorer.conditional else None)
    return {**point_figures(explorer, probe, drawn == model_id), "drawn": model_id,
            "readout": readout_text(shown, probe, "t" if shown is not z else "z"),
            "zfull": slicing.full_point_text(z) if shown is not z else ""}  # fmt: skip


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


@callback(
    Output({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    Input(LatentView.ids.clicked(VIEW), "data"),
    State({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    prevent_initial_call=True,
)
def click_moves_point(clicked, values):
    """A click on the map, the cube or a projection moves the point there (the coordinates
    the click does not give stay)."""
    out = apply_click(clicked, values)
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
