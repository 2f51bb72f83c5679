"""/compare: the same latent point, path or layer edit on two models side by side, with
their metrics. A model with fewer latent dimensions uses the first coordinates. Above
4-D two models of the same dimension and prior are compared on their default plane (the
sliders and A, B are slice coordinates); other pairs are refused with the reason
(dashboard.planes)."""

from __future__ import annotations

import dash
import numpy as np
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import figures, planes, registry, slicing, urlstate
from dashboard.components import card, error_box, graph_card, latent_sliders, slice_sliders
from dashboard.components.latent_view import LatentView
from dashboard.errors import page_callback
from dashboard.figures import EMPTY
from dashboard.pagestate import Field, PageState, model_field, restored_point
from dashboard.payloads import PayloadError, apply_click, parse_point
from dashboard.texts import epochs_text, metric_text, sequence_text
from gan_core.activations import Edit
from gan_core.datasets import dataset_label

EDIT_CHOICES = {
    "none": "no edit",
    "conv2-top": "zero the top half of conv 2 (rows 0-6)",
    "conv2-left": "zero the left half of conv 2 (columns 0-6)",
    "conv1-all": "zero every conv 1 channel at the centre (rows 2-4, columns 2-4)",
}


def edits_for(choice: str) -> list[Edit]:
    """The named edit, valid for the study's generator layers."""
    if choice == "conv2-top":
        return [Edit("conv2_act", "rows", list(range(7)))]
    if choice == "conv2-left":
        return [Edit("conv2_act", "columns", list(range(7)))]
    if choice == "conv1-all":
        return [Edit("conv1_act", "region", region=(2, 5, 2, 5))]
    return []


def _side(prefix: str, models: list[str], value: str | None) -> html.Div:
    return html.Div(
        [
            card(
                None,
                dcc.Dropdown(
                    id=f"cmp-{prefix}-model", options=models, value=value, clearable=False
                ),
                html.Div(id=f"cmp-{prefix}-metrics", className="note"),
            ),  # fmt: skip
            html.Div(
                [
                    graph_card(f"cmp-{prefix}-image"),
                    graph_card(f"cmp-{prefix}-probs"),
                ],
                className="two-col",
            ),
            card(
                None,
                dcc.Graph(id=f"cmp-{prefix}-strip", figure=EMPTY, config={"displayModeBar": False}),
                html.Div(id=f"cmp-{prefix}-sequence", className="sequence"),
            ),  # fmt: skip
            LatentView(
                f"cmp-{prefix}",
                title_map="Map of class areas, the point and the path",
                title_cube="Class cube, the point and the path",
                height=380,
            ),  # fmt: skip
        ],
        className="content-col",
    )


def _shared_point(text):
    """The shared point in the URL: 1 to 4 coordinates, the rest 0 (a point copied from a
    model with fewer latent dimensions)."""
    point = urlstate.point_from_text(text) or planes.numbers_from_text(text, most=2)
    return (point + [0.0] * 4)[:4] if point and len(point) <= 4 else None


def _path_point(text):
    """A path end typed in the URL: 1 to 4 coordinates in [-1, 1], kept as text (or a
    plane's 2 slice coordinates, checked against the plane when the page has one)."""
    whole = isinstance(text, str) and urlstate.point_from_text(text) and text.count(",") < 4
    return text if whole or planes.numbers_from_text(text, most=2) else None


STATE = PageState(
    "cmp-url",
    [
        model_field("cmp-left-model", "left"),
        model_field("cmp-right-model", "right"),
        Field("z", _shared_point, [0.0, 0.0, 0.0, 0.0],
              Input({"type": "cmp-slider", "index": ALL}, "value"), fmt="point"),
        Field("a", _path_point, "-1,0,0,0", Input("cmp-a", "value")),
        Field("b", _path_point, "1,0,0,0", Input("cmp-b", "value")),
        Field("edit", lambda t: urlstate.parse_choice(t, tuple(EDIT_CHOICES)), "none",
              Input("cmp-edit", "value")),
    ],
)  # fmt: skip


def layout(**query):
    init = STATE.initial(query)
    models = [m for m in registry.model_ids(conditional=False)]
    lval = init["left"] if init["left"] in models else registry.default_model(models)
    rest = [m for m in models if m != lval]
    rval = init["right"] if init["right"] in models else (rest[0] if rest else lval)
    point = restored_point(init, "z", 4) or [0.0] * 4
    # Up to 4-D as always; a plane's A and B are checked when the plane is chosen.
    ends = [t if urlstate.point_from_text(t) else d for t, d in zip((init["a"], init["b"]),
                                                                    planes.PATH_ENDS[False])]  # fmt: skip
    return html.Div(
        [
            html.H2("Compare two models"),
            html.P(
                "The same latent point, the same A→B path and the same layer edit on two generators. "
                "A model with fewer latent dimensions uses the first coordinates; above 4-D two "
                "models of the same dimension and prior share a plane through their latent space.",
                className="lead",
            ),  # fmt: skip
            error_box("cmp-error"),
            html.Div(
                [
                    card(
                        html.Span(planes.POINT_TITLES[False], id="cmp-point-title"),
                        html.Div(latent_sliders("cmp-slider", 4, point), id="cmp-sliders"),
                        html.Div(id="cmp-plane-note", className="note"),
                    ),
                    card(
                        "Path and edit",
                        html.Label("Path A → B (comma-separated coordinates)"),
                        dcc.Input(id="cmp-a", value=ends[0], debounce=True, type="text"),
                        dcc.Input(id="cmp-b", value=ends[1], debounce=True, type="text"),
                        html.Label("Layer edit"),
                        dcc.RadioItems(
                            id="cmp-edit",
                            value=init["edit"],
                            options=[
                                {"label": " " + v, "value": k} for k, v in EDIT_CHOICES.items()
                            ],
                        ),
                    ),  # fmt: skip
                ],
                className="two-col compare-controls",
            ),
            html.Div(
                [_side("left", models, lval), _side("right", models, rval)], className="two-col"
            ),
            dcc.Store(id="cmp-plane"),
            dcc.Store(
                id="cmp-init",
                data={k: init[k] for k in ("left", "right", "z", "a", "b")}
                | {"left": lval, "right": rval},
            ),
            STATE.store(),
        ]
    )


@page_callback(
    Output("cmp-sliders", "children"),
    Output("cmp-a", "value"),
    Output("cmp-b", "value"),
    Output("cmp-point-title", "children"),
    Output("cmp-plane-note", "children"),
    Output("cmp-plane", "data"),
    Output(LatentView.ids.slice("cmp-left"), "data"),
    Output(LatentView.ids.slice("cmp-right"), "data"),
    Input("cmp-left-model", "value"),
    Input("cmp-right-model", "value"),
    State("cmp-plane", "data"),
    State("cmp-init", "data"),
    error_box="cmp-error",
)
def choose_plane(left_id, right_id, current, init):
    """Above 4-D the two models' shared plane (the sliders become its t0, t1); each view
    shows its own model's plane."""
    c = planes.compare_controls(registry.get(left_id), registry.get(right_id), current, init)
    # A whole space's view needs no record: writing one would only redraw it again.
    fixed = [c["note"], c["record"], *(no_update if v is None else v for v in c["views"])]
    if not c["changed"]:
        return [no_update] * 4 + fixed
    plane = c["plane"]
    sliders = (latent_sliders("cmp-slider", 4) if plane is None
               else slice_sliders("cmp-slider", plane, c["values"]))  # fmt: skip
    return [sliders, c["a"], c["b"], c["title"]] + fixed


def _pad(point: np.ndarray, dim: int) -> np.ndarray:
    return np.asarray(list(point[:dim]) + [0.0] * max(0, dim - len(point)), np.float32)


def _metrics_text(e) -> str:
    m = e.checkpoint.metrics or {}
    prior = f", prior {e.prior.spec}" if slicing.sliced(e.latent_dim) else ""
    data = dataset_text(e)
    parts = [
        ("" if data == "MNIST" else f"{data}: ")
        + f"{e.latent_dim}D{prior}, {e.config.activation}, "
        f"epochs {epochs_text(e.config.epochs_trained, m)}"
    ]
    if m.get("strong_classifier_error_percent") is None:
        parts.append("not evaluated yet")
    else:
        parts.append(f"strong-classifier error {metric_text(m, 'strong_classifier_error_percent')}")
    if m.get("classifier_fid") is not None:
        parts.append(f"classifier-FID {metric_text(m, 'classifier_fid')}")
    return "; ".join(parts)


def dataset_text(e) -> str:
    """What the model's classes are: its dataset ("MNIST", "Fashion-MNIST"), or its own
    classifier's ("own classifier (3 classes)")."""
    return dataset_label(e.labelling.dataset, len(e.class_names))


def side_points(e, plane, values, a_text, b_text) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(z, A, B) in the model's latent space: the first coordinates of the shared 4 (a
    smaller model), or on ``plane`` the points of the slice coordinates."""
    if plane is not None:
        t = slicing.slice_coordinates(plane, list(values or [])[: plane.k])
        ends = [planes.plane_numbers(x, plane, n) for x, n in ((a_text, "A"), (b_text, "B"))]
        return plane.points(t), plane.points(ends[0]), plane.points(ends[1])
    z = _pad(parse_point(values, 4), e.latent_dim)
    a = urlstate.point_from_text(a_text)
    b = urlstate.point_from_text(b_text)
    if a is None or b is None:
        raise PayloadError("A and B must be comma-separated numbers in [-1, 1]")
    return z, _pad(np.asarray(a), e.latent_dim), _pad(np.asarray(b), e.latent_dim)


def compare_side(model_id, values, a_text, b_text, edit_choice, pair=None):
    """Image, probabilities, morph strip, sequence and metrics of one model; ``pair``
    (left id, right id): the models compared (above 4-D on one plane, see
    dashboard.planes.compare_plane)."""
    e = registry.get(model_id)
    if e.conditional:
        raise PayloadError("compare takes unconditional models")
    plane = planes.compare_plane(*(registry.get(m) for m in pair)) if pair else None
    z, a, b = side_points(e, plane, values, a_text, b_text)
    edits = edits_for(edit_choice) if edit_choice in EDIT_CHOICES else []
    edited = e.edit(z, edits).edited if edits else None
    probe = e.probe_point(z)
    m = e.morph([a, b], frames=12)
    image = edited if edited is not None else probe.image
    title = "Edited image" if edited is not None else "Generated image"
    probs = probe.probs if edited is None else classify(e, edited)
    shown = m.latents if plane is None else plane.coordinates(m.latents)  # on a plane: t
    path = {"latents": np.round(np.asarray(shown, np.float64), 4).tolist(),
            "classes": [int(c) for c in m.classes]}  # fmt: skip
    names = e.class_names
    return (figures.image_figure(image, title, height=260),
            figures.probs_figure(probs, height=260, class_names=names),
            figures.strip_figure(m.images, m.classes, class_names=names),
            "Crossed areas: " + sequence_text(m.sequence, names), _metrics_text(e), path)  # fmt: skip


def classify(e, image) -> np.ndarray:
    """The model's classifier's probabilities for one squeezed image (grey (H, W) or
    colour (H, W, 3))."""
    batch = np.asarray(image, np.float32)[None]
    if batch.ndim == 3:  # grey: the channel axis the classifier takes
        batch = batch[..., None]
    return np.asarray(e.classifier(batch, training=False))[0]


def _register(prefix: str, other: str) -> None:
    @page_callback(
        Output(f"cmp-{prefix}-image", "figure"),
        Output(f"cmp-{prefix}-probs", "figure"),
        Output(f"cmp-{prefix}-strip", "figure"),
        Output(f"cmp-{prefix}-sequence", "children"),
        Output(f"cmp-{prefix}-metrics", "children"),
        Output(LatentView.ids.path(f"cmp-{prefix}"), "data"),
        Input(f"cmp-{prefix}-model", "value"),
        Input({"type": "cmp-slider", "index": ALL}, "value"),
        Input("cmp-a", "value"),
        Input("cmp-b", "value"),
        Input("cmp-edit", "value"),
        State(f"cmp-{other}-model", "value"),
        error_box="cmp-error",
    )
    def update(model_id, values, a_text, b_text, edit_choice, other_id):
        pair = (model_id, other_id) if prefix == "left" else (other_id, model_id)
        return compare_side(model_id, values, a_text, b_text, edit_choice, pair)

    update.__name__ = f"update_{prefix}"
    LatentView.follow(f"cmp-{prefix}", model=Input(f"cmp-{prefix}-model", "value"),
                      point=Input({"type": "cmp-slider", "index": ALL}, "value"))  # fmt: skip


_register("left", "right")
_register("right", "left")


@callback(
    Output({"type": "cmp-slider", "index": ALL}, "value"),
    Input(LatentView.ids.clicked("cmp-left"), "data"),
    Input(LatentView.ids.clicked("cmp-right"), "data"),
    State({"type": "cmp-slider", "index": ALL}, "value"),
    prevent_initial_call=True,
)
def click_moves_point(left, right, values):
    """A click on either model's map or cube moves the shared point there."""
    out = apply_click(left if ctx.triggered_id == LatentView.ids.clicked("cmp-left") else right,
                      values)  # fmt: skip
    return out if out is not None else [no_update] * len(values or [])


dash.register_page(
    __name__,
    path="/compare",
    name="Compare",
    title="Compare · GAN latent space",
    order=7,
    layout=layout,
)
