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
    plane_picker,
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
)
from dashboard.payloads import apply_click, parse_point, safe_label
from dashboard.texts import labelling_text, readout_text

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
        card("Latent point", plane_picker.plane_box("explore", init["slice"]),
             html.Div(id="explore-sliders"), html.Div(id=ids.EX_READOUT, className="readout"),
             plane_picker.whole_point_box("explore")),
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
        html.Div(
            [view, html.P(id="explore-labelling", className="note labelling-note")],
            className="column wide",
        ),
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
            plane_picker.store("explore"),
            STATE.store(),
        ],
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


plane_picker.register("explore", ids.EX_MODEL, ids.EX_SLIDER, ids.EX_ERROR)


@page_callback(
    Output("explore-sliders", "children"),
    Input(ids.EX_MODEL, "value"),
    Input("explore-slice", "data"),
    State("explore-init", "data"),
    State("explore-live-flag", "data"),
    error_box=ids.EX_ERROR,
)
def build_sliders(model_id, record, init, in_page):
    # Drawn in the page (a 4D cube swapped there too), a slider reports to Dash only when
    # let go; on the server path every step.
    mode = "mouseup" if in_page is not False else "drag"
    return plane_picker.sliders_for(registry.get(model_id), record, init, ids.EX_SLIDER, mode)


live.register_page("explore", ids.EX_MODEL, ids.EX_ERROR, ids.EX_SLIDER)


LatentView.follow(
    VIEW,
    model=Input(ids.EX_MODEL, "value"),
    point=Input({"type": ids.EX_SLIDER, "index": ALL}, "value"),
    label=Input(ids.EX_MAP_LABEL, "value"),
    slice=Input("explore-slice", "data"),
)


@page_callback(
    Output("explore-labelling", "children"),
    Input(ids.EX_MODEL, "value"),
    error_box=ids.EX_ERROR,
)
def show_labelling(model_id):
    """Under the map: which classifier colours it, and how many classes it tells apart."""
    explorer = registry.get(model_id)
    return labelling_text(explorer.labelling.note, explorer.class_names)


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
    State("explore-slice", "data"),
    error_box=ids.EX_ERROR,
    prevent_initial_call=True,
)
def download_view(_png, _json, model_id, values, label, map_label, axis, index, record):
    """The map or cube on screen as PNG, or the view's state and numbers as JSON."""
    explorer, s = registry.get(model_id), registry.SETTINGS
    return explore_download(ctx.triggered_id, explorer, values, label, map_label, axis, index,
                            s.grid_2d, s.cube_n, record)  # fmt: skip


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
        plane = slicing.from_record(record, explorer)
        t = slicing.slice_coordinates(plane, values, default)
        shown, z = t, slicing.latent_point(plane, t)
    else:
        shown = z = parse_point(values, explorer.latent_dim, default=default)
    probe = explorer.probe_point(z, safe_label(label) if explorer.conditional else None)
    return {**point_figures(explorer, probe, drawn == model_id), "drawn": model_id,
            "readout": readout_text(shown, probe, "t" if shown is not z else "z",
                                    explorer.class_names),
            "zfull": slicing.full_point_text(z) if shown is not z else ""}  # fmt: skip


def point_figures(explorer, probe, dragging: bool) -> dict:
    """The image, probabilities and activation heatmaps of a probed point: Patches of the
    drawn figures while dragging, whole figures otherwise."""
    acts = {n: probe.activations[n] for n in explorer.probe.layer_names}
    rgb = (explorer.probe.output_layer,)  # a colour model's image layer: drawn in colour
    if not dragging:
        titles = {n: explorer.probe.layer_title(n) for n in acts}
        return {"image": figures.image_figure(probe.image),
                "probs": figures.probs_figure(probe.probs, class_names=explorer.class_names),
                "acts": figures.activations_figure(acts, titles, rgb_layers=rgb)}  # fmt: skip
    image, probs, act_fig = Patch(), Patch(), Patch()
    image["data"][0]["z"] = figures.image_trace_values(probe.image)
    probs["data"][0]["y"] = probe.probs.tolist()
    for k, name in enumerate(acts):
        act_fig["data"][k]["z"] = figures.activation_values(acts[name], name in rgb)
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
