"""/activations: every layer as heatmaps; zero (or set) rows, columns, channels, regions or
units and see the image the rest of the generator makes from that."""

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

from dashboard import figures, ids, live, registry, slicing, urlstate
from dashboard.components import card, graph_card, plane_picker
from dashboard.components.pieces import choices, label_box, model_menu, page_header, sidebar_grid
from dashboard.errors import page_callback
from dashboard.figures import EMPTY
from dashboard.pagestate import (
    Field,
    PageState,
    digit_field,
    model_field,
    point_field,
    restored_point,
)
from dashboard.payloads import parse_point, safe_label, selection_to_edit
from gan_core.activations import Edit
from gan_core.checkpoints import CheckpointError

KINDS = (("rows", "rows"), ("columns", "columns"), ("channels", "channels (click a tile in the channel view)"),
         ("region", "rectangle (box-select)"), ("units", "single units"))  # fmt: skip


STATE = PageState(
    "act-url",
    [
        model_field(ids.AC_MODEL),
        point_field("z", ids.AC_SLIDER, bound=slicing.MAX_RANGE),
        Field("slice", urlstate.parse_spec, "", Input("act-slice-spec", "value")),
        digit_field("label", ids.AC_LABEL),
        Field("layer", lambda t: t if isinstance(t, str) else None, None, Input(ids.AC_LAYER, "value")),
        Field("view", lambda t: urlstate.parse_choice(t, ("mean", "channels")), "mean",
              Input(ids.AC_VIEW, "value")),
        Field("edits", lambda t: urlstate.parse_edits(t) or None, [], Input(ids.AC_EDITS, "data"),
              fmt="json"),
        live.flag_field("act"),
    ],
)  # fmt: skip


def activations_state_from_query(query: dict, models: list[str]) -> dict:
    """Initial controls from URL parameters (validated; bad values -> defaults)."""
    init = STATE.initial(query)
    return {**init, "model": registry.pick_model(init["model"], models)}


LEAD = (
    "Click a heatmap cell (or box-select a rectangle) to edit that part of the layer's output: "
    "the rest of the generator runs from there. Edits stack; undo or clear them."
)


def layout(**query):
    models = registry.model_ids()
    init = activations_state_from_query(query, models)
    return html.Div(
        id="act-root",
        children=[
            *page_header("Activations and edits", LEAD, ids.AC_ERROR),
            sidebar_grid(controls(models, init), panels()),
            dcc.Store(id=ids.AC_EDITS, data=init["edits"]),
            dcc.Store(id="act-init", data=init),
            plane_picker.store("act"),
            STATE.store(),
            *live.stores("act", init["live"]),
            dcc.Store(id="act-live-settings"),
        ],
    )


def controls(models: list[str], init: dict) -> list:
    """The sidebar: the model, the latent point (and a CGAN's label), the layer, the edits."""
    return [
        card("Model", model_menu(ids.AC_MODEL, models, init["model"])),
        card(
            "Latent point",
            plane_picker.plane_box("act", init["slice"]),
            html.Div(id="act-sliders"),
            plane_picker.whole_point_box("act"),
            label_box("act-label-box", ids.AC_LABEL, init["label"]),
        ),
        card(
            "Layer",
            dcc.Dropdown(id=ids.AC_LAYER, clearable=False),
            choices(
                ids.AC_VIEW,
                init["view"],
                [("mean over channels", "mean"), ("every channel", "channels")],
                inline=True,
            ),
        ),
        edit_card(),
    ]


def edit_card() -> html.Div:
    """What a click or a box edits and the value it sets; undo, clear and the edits made."""
    return card(
        "Edit",
        choices(ids.AC_KIND, "rows", [(text, kind) for kind, text in KINDS]),
        html.Label("Set to value"),
        dcc.Input(id=ids.AC_VALUE, type="number", value=0, step=0.1, debounce=True),
        html.Div(
            [
                html.Button("Undo", id=ids.AC_UNDO, className="button"),
                html.Button("Clear", id=ids.AC_CLEAR, className="button"),
            ],
            className="buttons",
        ),
        html.Ul(id=ids.AC_EDIT_LIST, className="edit-list"),
    )


def panels() -> list:
    """The layer's heatmaps (click or box-select there), then the original, edited and
    difference images (drawn by the server or by the page)."""
    config = {"displayModeBar": True, "modeBarButtonsToRemove": ["lasso2d"]}
    return [
        card(None, dcc.Graph(id=ids.AC_LAYER_FIG, figure=EMPTY, config=config)),
        html.Div(
            [
                graph_card(ids.AC_ORIGINAL, class_name="card server-only"),
                graph_card(ids.AC_EDITED, class_name="card server-only"),
                graph_card(ids.AC_DIFF, class_name="card server-only"),
                *live_image_cards(),
            ],
            className="three-col",
        ),
        html.P(id="act-live-status", className="note live-status"),
    ]


@callback(
    Output("act-sliders", "children"),
    Output("act-label-box", "style"),
    Output(ids.AC_LAYER, "options"),
    Output(ids.AC_LAYER, "value"),
    Output(ids.AC_EDITS, "data", allow_duplicate=True),
    Input(ids.AC_MODEL, "value"),
    Input("act-slice", "data"),
    State("act-init", "data"),
    State(ids.AC_EDITS, "data"),
    State("act-live-flag", "data"),
    prevent_initial_call="initial_duplicate",
)
def build_controls(model_id, record, init, edits, in_page):
    try:
        e = registry.get(model_id)
    except CheckpointError:  # an unusable model: render_edits says why
        return html.Div(), {"display": "none"}, [], None, []
    names = e.probe.layer_names
    options = [{"label": e.probe.layer_title(n), "value": n} for n in names]
    default = "conv2_act" if "conv2_act" in names else names[0]
    style = {} if e.conditional else {"display": "none"}
    kept = []
    init = init if isinstance(init, dict) else {}
    if init.get("model") == model_id:  # restoring a shared URL
        if init.get("layer") in names:
            default = init["layer"]
        listed = edits if isinstance(edits, list) else []
        kept = [d for d in listed if isinstance(d, dict) and d.get("layer") in names]
    mode = "mouseup" if in_page is not False else "drag"
    if not slicing.sliced(e.latent_dim):  # the study's default point 0.3 in every coordinate
        init = {**init, "z": restored_point(init, "z", e.latent_dim, model_id) or [0.3] * e.latent_dim,
                "model": model_id}  # fmt: skip
    sliders = plane_picker.sliders_for(e, record, init, ids.AC_SLIDER, mode)
    return sliders, style, options, default, kept


def live_image_cards() -> list:
    """The original, edited and difference images as the page draws them (canvases)."""

    def canvas_card(title, canvas_id, title_id=None, *extra):
        return card(None, html.H3(title, className="live-title", **({"id": title_id} if title_id else {})),
                    html.Canvas(id=canvas_id, width=28, height=28, className="live-image"), *extra,
                    class_name="card live-only")  # fmt: skip

    return [canvas_card("Original", "act-live-original"), canvas_card("Edited", "act-live-edited"),
            canvas_card("Difference (edited − original)", "act-live-diff", "act-live-diff-title",
                        html.P(id="act-live-diff-note", className="note"))]  # fmt: skip


live.register_page("act", ids.AC_MODEL, ids.AC_ERROR, ids.AC_SLIDER)
plane_picker.register("act", ids.AC_MODEL, ids.AC_SLIDER, ids.AC_ERROR)

clientside_callback(  # the edits, for the edited image the page draws
    ClientsideFunction(namespace="gx", function_name="activationsLiveSettings"),
    Output("act-live-settings", "data"),
    Input(ids.AC_EDITS, "data"),
)


@callback(
    Output(ids.AC_EDITS, "data"),
    Input(ids.AC_LAYER_FIG, "clickData"),
    Input(ids.AC_LAYER_FIG, "selectedData"),
    Input(ids.AC_UNDO, "n_clicks"),
    Input(ids.AC_CLEAR, "n_clicks"),
    State(ids.AC_EDITS, "data"),
    State(ids.AC_LAYER, "value"),
    State(ids.AC_VIEW, "value"),
    State(ids.AC_KIND, "value"),
    State(ids.AC_VALUE, "value"),
    State(ids.AC_MODEL, "value"),
    prevent_initial_call=True,
)
def change_edits(click, selected, _undo, _clear, edits, layer, view, kind, value, model_id):
    """Clicks and box selections on the layer add an edit; Undo drops the last; Clear all."""
    edits = [d for d in edits if isinstance(d, dict)][-64:] if isinstance(edits, list) else []
    if ctx.triggered_id == ids.AC_UNDO:
        return edits[:-1]
    if ctx.triggered_id == ids.AC_CLEAR:
        return []
    try:
        e = registry.get(model_id)
        shape = layer_shape(e, layer)
        from_box = any("selectedData" in prop for prop in ctx.triggered_prop_ids)
        edit = selection_to_edit(selected if from_box else click, layer, view, kind, value, shape)
    except Exception:  # noqa: BLE001 - a click that maps to nothing adds nothing
        return no_update
    if edit is None:
        return no_update
    return (edits + [edit.to_dict()])[-64:]


@page_callback(
    Output(ids.AC_LAYER_FIG, "figure"),
    Output(ids.AC_ORIGINAL, "figure"),
    Output(ids.AC_EDITED, "figure"),
    Output(ids.AC_DIFF, "figure"),
    Output(ids.AC_EDIT_LIST, "children"),
    Output("act-zfull", "value"),
    Input({"type": ids.AC_SLIDER, "index": ALL}, "value"),
    Input(ids.AC_LABEL, "value"),
    Input(ids.AC_LAYER, "value"),
    Input(ids.AC_VIEW, "value"),
    Input(ids.AC_EDITS, "data"),
    State(ids.AC_MODEL, "value"),
    State("act-slice", "data"),
    error_box=ids.AC_ERROR,
    prevent_initial_call=True,
)
def render_edits(values, label, layer, view, edits, model_id, record):
    e = registry.get(model_id)
    if slicing.sliced(e.latent_dim):  # above 4-D the sliders move on a plane
        plane = slicing.from_record(record, e)
        z = slicing.latent_point(plane, slicing.slice_coordinates(plane, values))
    else:
        z = parse_point(values, e.latent_dim)
    lab = safe_label(label) if e.conditional else None
    edit_objs = [Edit.from_dict(d) for d in (edits or [])]
    result = e.edit(z, edit_objs, lab)
    act = result.edited_activations[layer]
    title = f"{e.probe.layer_title(layer)} after edits" if edit_objs else e.probe.layer_title(layer)
    layer_fig = figures.layer_figure(act, "channels" if view == "channels" else "mean", title=title,
                                     rgb=layer == e.probe.output_layer)  # fmt: skip
    layer_fig.update_layout(dragmode="select", clickmode="event+select")
    items = [html.Li(describe_edit(d)) for d in (edits or [])] or [
        html.Li("no edits", className="muted")
    ]
    return (layer_fig, figures.image_figure(result.original, "Original"),
            figures.image_figure(result.edited, "Edited"), diff_figure(result.diff, bool(edit_objs)),
            items, slicing.full_point_text(z) if slicing.sliced(e.latent_dim) else "")  # fmt: skip


def diff_figure(diff, edited: bool):
    """Edited minus original (grey images red/blue, colour ones around mid-grey); a hint
    while there are no edits."""
    fig = figures.difference_figure(diff, diff_title(diff, edited))
    if not edited:
        fig.add_annotation(text="No edits yet: click the layer above", x=0.5, y=0.5,
                           xref="paper", yref="paper", showarrow=False)  # fmt: skip
    return fig


def diff_title(diff, edited: bool) -> str:
    """The difference panel's title, with the largest pixel change once there are edits."""
    if not edited:
        return "Difference (edited − original)"
    return f"Difference (edited − original): largest change {float(np.abs(diff).max()):.3g}"


def layer_shape(explorer, layer: str) -> tuple:
    """(H, W, C) of a shown layer's output ((1, 1, units) for a vector)."""
    if layer not in explorer.probe.layer_names:
        raise ValueError(f"unknown layer {layer!r}")
    shape = tuple(int(v) for v in explorer.generator.get_layer(layer).output.shape[1:])
    return shape if len(shape) == 3 else (1, 1, shape[0])


def describe_edit(d: dict) -> str:
    what = {"rows": "rows", "columns": "columns", "channels": "channels", "units": "units"}.get(
        d.get("kind")
    )
    target = (
        f"region {d.get('region')}" if d.get("kind") == "region" else f"{what} {d.get('indices')}"
    )
    return f"{d.get('layer')}: {target} = {d.get('value')}"


dash.register_page(
    __name__,
    path="/activations",
    name="Activations",
    title="Activations · GAN latent space",
    order=4,
    layout=layout,
)
