"""/training: replay training epoch by epoch — losses, weak-classifier accuracy, the
fixed-noise images, the class map and how much it still changes."""

from __future__ import annotations

import dash
from dash import ALL, ClientsideFunction, Input, Output, State, clientside_callback, dcc, html

from dashboard import figures, registry, urlstate
from dashboard.components import (
    card,
    digit_slider,
    graph_card,
    slice_outputs,
)
from dashboard.components.pieces import model_menu, page_header
from dashboard.errors import page_callback
from dashboard.figures import EMPTY
from dashboard.pagestate import Field, PageState, model_field
from dashboard.texts import convergence_text
from gan_core.checkpoints import resolve_model_dir
from gan_core.latent import LatentInputError
from gan_core.replay import load_replay

_replays: dict = {}
SLICE_AXES = ("z", "w")  # the class map's axes one 2D view holds fixed (3D: z; 4D: z, w)


def replay_for(model_id: str):
    """The model's replay, re-read when its history files change."""
    folder = resolve_model_dir(model_id, registry.SETTINGS.checkpoints)
    hist = folder / "history"
    stamp = (
        tuple(sorted((p.name, p.stat().st_mtime_ns) for p in hist.glob("*.*")))
        if hist.is_dir()
        else ()
    )
    key = (str(folder), stamp)
    if key not in _replays:
        _replays.clear()
        _replays[key] = load_replay(folder)
    return _replays[key]


STATE = PageState(
    "train-url",
    [
        model_field("train-model"),
        Field(
            "epoch", lambda t: urlstate.parse_int(t, 1, 100000), None, Input("train-epoch", "value")
        ),
        Field("label", lambda t: urlstate.parse_int(t, 0, 9), 0, Input("train-label", "value")),
        Field(
            "slice",
            lambda t: urlstate.parse_indices(t, len(SLICE_AXES)),
            None,
            Input({"type": "train-slice", "axis": ALL}, "value"),
            fmt="indices",
        ),
    ],
)


LEAD = (
    "What the generator made from one fixed noise batch after every epoch, the losses, the "
    "weak independent classifier (near 0.5 means real and generated are hard to tell apart), "
    "the class map and the faint-pixel haze, epoch by epoch."
)


def layout(**query):
    init = STATE.initial(query)
    models = registry.model_ids()
    value = registry.pick_model(init["model"], models)
    return html.Div(
        [
            *page_header("Training replay", LEAD, "train-error"),
            html.P(id="train-convergence", className="metric"),
            html.Div(
                [
                    card("Model", model_menu("train-model", models, value)),
                    card(
                        "Epoch",
                        html.Button(
                            "▶ Play", id="train-play", n_clicks=0, className="button primary"
                        ),
                        dcc.Slider(
                            id="train-epoch",
                            min=1,
                            max=1,
                            step=1,
                            value=1,
                            marks=None,
                            tooltip={"placement": "bottom", "always_visible": True},
                        ),
                        html.Div(
                            [
                                html.Label("Label (CGAN map)"),
                                digit_slider("train-label", init["label"]),
                            ],
                            id="train-label-box",
                            hidden=True,
                        ),
                        *(slice_box(axis) for axis in SLICE_AXES),
                    ),  # fmt: skip
                ],
                className="two-col",
            ),
            html.Div(
                [
                    graph_card("train-samples"),
                    graph_card("train-map"),
                ],
                className="two-col",
            ),
            graph_card("train-history"),
            graph_card("train-change"),
            dcc.Interval(id="train-interval", interval=400, disabled=True),
            dcc.Store(
                id="train-init",
                data={"model": value, "epoch": init["epoch"], "slice": init["slice"]},
            ),
            STATE.store(),
        ]
    )


@page_callback(
    Output("train-epoch", "min"),
    Output("train-epoch", "max"),
    Output("train-epoch", "value"),
    Output("train-convergence", "children"),
    Output("train-label-box", "hidden"),
    Input("train-model", "value"),
    State("train-init", "data"),
    error_box="train-error",
    on_failure={
        "train-epoch": {"min": 1, "max": 1, "value": 1},
        "train-convergence": {"children": ""},
        "train-label-box": {"hidden": True},
    },
)
def epoch_range(model_id, init):
    replay = replay_for(model_id)
    explorer = registry.get(model_id)
    if replay.last_epoch == 0:
        raise LatentInputError(f"{model_id} has no training records yet.")
    init = init if isinstance(init, dict) else {}
    wanted = init.get("epoch") if init.get("model") == model_id else None
    last = replay.last_epoch
    start = wanted if isinstance(wanted, int) and 1 <= wanted <= last else last
    dataset = explorer.dataset.title if explorer.dataset is not None else "images"
    text = convergence_text(replay.map_change, explorer.checkpoint.metrics, dataset)
    return 1, last, start, text, not explorer.conditional


def slice_box(axis: str) -> html.Div:
    """A slider over the grid points of one held axis of the class map (hidden for a map
    without that axis)."""
    slider = dcc.Slider(id={"type": "train-slice", "axis": axis}, min=0, max=1, step=1,
                        value=None, marks=None, included=False, allow_direct_input=False)  # fmt: skip
    return html.Div([html.Label(f"Map slice ({axis})"), slider],
                    id={"type": "train-slice-box", "axis": axis}, hidden=True)  # fmt: skip


@page_callback(
    Output({"type": "train-slice", "axis": ALL}, "max"),
    Output({"type": "train-slice", "axis": ALL}, "value"),
    Output({"type": "train-slice", "axis": ALL}, "marks"),
    Output({"type": "train-slice-box", "axis": ALL}, "hidden"),
    Input("train-model", "value"),
    State("train-init", "data"),
    error_box="train-error",
)
def slice_ranges(model_id, init):
    """The slice sliders of the model's map, at the slice the URL gave for this model."""
    sizes = dict(zip(SLICE_AXES, replay_for(model_id).slice_sizes()))
    init = init if isinstance(init, dict) and init.get("model") == model_id else {}
    picks = dict(zip(SLICE_AXES, init.get("slice") or ()))
    return slice_outputs(sizes, dash.ctx.outputs_list, picks)


def map_title(replay, epoch: int, label: int, picks=()) -> str:
    view = replay.map_view_text(label, *picks)
    return f"Class map after epoch {epoch}" + (f" ({view})" if view else "")


@page_callback(
    Output("train-samples", "figure"),
    Output("train-map", "figure"),
    Output("train-history", "figure"),
    Output("train-change", "figure"),
    Input("train-epoch", "value"),
    Input("train-label", "value"),
    Input({"type": "train-slice", "axis": ALL}, "value"),
    State("train-model", "value"),
    error_box="train-error",
    prevent_initial_call=True,
)
def show_epoch(epoch, label, slices, model_id):
    if isinstance(epoch, bool) or not isinstance(epoch, (int, float)):
        raise LatentInputError("epoch must be a number")
    label = int(label) if isinstance(label, (int, float)) and 0 <= label <= 9 else 0
    replay = replay_for(model_id)
    epoch = int(epoch)
    samples = replay.samples_at(epoch)
    picks = tuple(slices if isinstance(slices, list) else ())[: len(replay.slice_sizes())]
    grid = replay.map_at(epoch, label, *picks)
    s_fig = (
        figures.samples_grid_figure(samples, f"Fixed noise after epoch {epoch}")
        if samples is not None
        else EMPTY
    )
    names = registry.get(model_id).class_names
    m_fig = (
        figures.class_grid_figure(
            grid, map_title(replay, epoch, label, picks), class_names=names, **replay.map_axes()
        )  # fmt: skip
        if grid is not None
        else EMPTY
    )
    return (
        s_fig,
        m_fig,
        figures.history_figure(replay, epoch),
        figures.map_change_figure(replay, epoch, label),
    )


clientside_callback(
    ClientsideFunction(namespace="gx", function_name="trainingPlayState"),
    Output("train-interval", "disabled"),
    Output("train-play", "children"),
    Output("train-interval", "interval"),
    Input("train-play", "n_clicks"),
)

clientside_callback(
    ClientsideFunction(namespace="gx", function_name="trainingNextEpoch"),
    Output("train-epoch", "value", allow_duplicate=True),
    Input("train-interval", "n_intervals"),
    State("train-epoch", "value"),
    State("train-epoch", "min"),
    State("train-epoch", "max"),
    prevent_initial_call=True,
)


dash.register_page(__name__, path="/training", name="Training", title="Training replay · GAN latent space",
                   order=5, layout=layout)  # fmt: skip
