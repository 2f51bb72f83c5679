"""/invert: real digits in the latent space. Pick an MNIST test digit (or upload a 28x28
image), find the latent point whose generated image is closest, see the reconstruction
error and the point on the map, and open it in the explorer."""

from __future__ import annotations

import threading

import dash
import numpy as np
from dash import ClientsideFunction, Input, Output, State, callback, clientside_callback, dcc, html

from dashboard import figures, planes, registry, slicing, urlstate
from dashboard.components import card, graph_card
from dashboard.components.latent_view import LatentView
from dashboard.components.pieces import label_box, model_menu, page_header, sidebar_grid
from dashboard.errors import page_callback
from dashboard.figures import message_figure
from dashboard.pagestate import Field, PageState, digit_field, model_field, parse_flag
from dashboard.payloads import MAX_IMAGE_UPLOAD_BYTES, PayloadError, decode_upload, safe_label
from gan_core.checkpoints import CheckpointError
from gan_core.inversion import invert_image

_test_digits: dict = {}
HIDDEN = {"display": "none"}
RECON_HINT = message_figure("The closest generated image appears here.", height=300)
VIEW = "inv"  # the latent view's aio_id: the model's map, with the found point
_lock = threading.Lock()


def test_digits():
    """MNIST test images and labels (loaded once per process from the offline source)."""
    with _lock:
        if "x" not in _test_digits:
            from gan_core.data import load_mnist

            m = load_mnist()
            _test_digits["x"], _test_digits["y"] = m.x_test[..., 0], m.y_test
        return _test_digits["x"], _test_digits["y"]


STATE = PageState(
    "inv-url",
    [
        model_field("inv-model"),
        Field("index", lambda t: urlstate.parse_int(t, 0, 9999), 0, Input("inv-index", "value")),
        digit_field("label", "inv-label"),
        Field("search", parse_flag, False, Input("inv-any-label", "value"), fmt="flag"),
    ],
)


LEAD = (
    "Pick a real MNIST test digit or upload a 28x28 image: gradient descent on z finds the "
    "latent point whose generated image is closest (16 random starts, or 4 per label when a CGAN "
    "searches every label; z kept in the prior's box, or for a normal prior near its typical "
    "norm). Above 4-D the map shows a plane through the point found."
)


def layout(**query):
    init = STATE.initial(query)
    models = registry.model_ids()
    value = registry.pick_model(init["model"], models)
    return html.Div(
        [
            *page_header("Real digits in the latent space", LEAD, "inv-error"),
            sidebar_grid(controls(models, value, init), panels()),
            dcc.Store(id="inv-upload-store"),
            STATE.store(),
        ]
    )


def controls(models: list[str], value: str | None, init: dict) -> list:
    """The sidebar: the model (and a CGAN's label), the digit, the result and its link."""
    search = dcc.Checklist(
        id="inv-any-label",
        value=["on"] if init["search"] else [],
        options=[{"label": " search every label (slower)", "value": "on"}],
    )
    return [
        card(
            "Model",
            model_menu("inv-model", models, value),
            label_box("inv-label-box", "inv-label", init["label"], search, style=HIDDEN),
        ),
        digit_card(init["index"]),
        html.Div(id="inv-result", className="readout"),
        html.Div(
            [
                html.Label("The whole point z (to copy)", htmlFor="inv-zfull"),
                dcc.Textarea(id="inv-zfull", className="zfull", readOnly=True, spellCheck=False),
            ],
            id="inv-zfull-box",
            style=HIDDEN,
        ),  # fmt: skip
        dcc.Link("Open this point in the explorer", id="inv-link", href="/explore", style=HIDDEN),
    ]


def digit_card(index: int) -> html.Div:
    """The MNIST test image's number, or an uploaded image, and the button that inverts it."""
    return card(
        "Digit",
        html.Label("MNIST test image number"),
        dcc.Input(id="inv-index", type="number", min=0, max=9999, step=1, value=index),
        html.Label("…or upload a 28x28 image"),
        dcc.Upload(
            id="inv-upload",
            children=html.Div("Drop or click to choose a file"),
            className="upload",
            max_size=MAX_IMAGE_UPLOAD_BYTES,
        ),
        html.Button("Find its latent point", id="inv-run", n_clicks=0, className="button primary"),
    )


def panels() -> list:
    """The digit and the closest generated image, then the found point on the model's map."""
    return [
        html.Div(
            [graph_card("inv-target"), graph_card("inv-recon", figure=RECON_HINT)],
            className="two-col",
        ),
        LatentView(
            VIEW,
            title_map="The found point on the map of class areas",
            title_cube="The found point in the class cube",
        ),
    ]


def test_digit(index) -> tuple[np.ndarray, int]:
    """MNIST test image ``index`` (0-9999) and its label; PayloadError for anything else."""
    if isinstance(index, bool) or not isinstance(index, (int, float)) or not 0 <= index <= 9999:
        raise PayloadError("pick a test image number between 0 and 9999")
    x, y = test_digits()
    return x[int(index)], int(y[int(index)])


def target_image(index, uploaded) -> np.ndarray:
    """The (28, 28) image to invert: the stored upload if any, else test image ``index``."""
    if uploaded is None:
        return test_digit(index)[0]
    target = np.asarray(uploaded, dtype=np.float32)
    if target.shape != (28, 28) or not np.isfinite(target).all():
        raise PayloadError("the uploaded image is malformed")
    return target


@page_callback(
    Output("inv-target", "figure"),
    Output("inv-upload-store", "data"),
    Input("inv-index", "value"),
    Input("inv-upload", "contents"),
    error_box="inv-error",
)
def show_target(index, contents):
    """The digit to invert: the uploaded image if any, else MNIST test image ``index``."""
    if contents and dash.ctx.triggered_id == "inv-upload":
        image = decode_upload(contents)
        return figures.image_figure(image, "Uploaded digit"), image.round(4).tolist()
    image, digit = test_digit(index)
    return figures.image_figure(image, f"MNIST test digit #{int(index)} (a {digit})"), None


clientside_callback(
    ClientsideFunction(namespace="gx", function_name="invertLabelDisabled"),
    Output("inv-label", "disabled"),
    Input("inv-any-label", "value"),
)


@callback(
    Output("inv-label-box", "style"),
    Input("inv-model", "value"),
)
def show_label(model_id):
    """The label slider only for a conditional model."""
    try:
        return {} if registry.get(model_id).conditional else HIDDEN
    except CheckpointError:  # an unknown model: run_inversion says why
        return HIDDEN


@callback(
    Output("inv-recon", "figure", allow_duplicate=True),
    Output(LatentView.ids.point(VIEW), "data", allow_duplicate=True),
    Output("inv-result", "children", allow_duplicate=True),
    Output("inv-link", "style", allow_duplicate=True),
    Output("inv-zfull-box", "style", allow_duplicate=True),
    Input("inv-model", "value"),
    Input("inv-label", "value"),
    Input("inv-any-label", "value"),
    Input("inv-upload-store", "data"),
    Input("inv-index", "value"),
    prevent_initial_call=True,
)
def clear_result(*_):
    """A new model, label or digit: the last result (and its marker) no longer applies."""
    return RECON_HINT, None, "", HIDDEN, HIDDEN


@page_callback(
    Output(LatentView.ids.slice(VIEW), "data"),
    Input("inv-model", "value"),
    Input("inv-label", "value"),
    Input("inv-any-label", "value"),
    Input("inv-upload-store", "data"),
    Input("inv-index", "value"),
    error_box="inv-error",
)
def show_plane(model_id, *_):
    """Above 4-D the map is a plane: the model's default one until a point is found (a
    whole space's view reads no record: nothing to write, nothing redrawn)."""
    e = registry.get(model_id)
    if not slicing.sliced(e.latent_dim):
        return dash.no_update
    return slicing.slice_record(slicing.resolve(e, None))


def found_view(e, z) -> tuple[list, dict | None]:
    """(the latent view's point, its slice record): z itself up to 4-D; above, t = (0, 0)
    on the plane random:0 recentred on z (the plane the result's link explores)."""
    if not slicing.sliced(e.latent_dim):
        return [float(v) for v in z], None
    return [0.0, 0.0], slicing.slice_record(planes.found_plane(z, e.prior))


@page_callback(
    Output("inv-recon", "figure"),
    Output(LatentView.ids.point(VIEW), "data"),
    Output(LatentView.ids.label(VIEW), "data", allow_duplicate=True),
    Output("inv-result", "children"),
    Output("inv-link", "href"),
    Output("inv-link", "style"),
    Output("inv-link", "children"),
    Output("inv-zfull", "value"),
    Output("inv-zfull-box", "style"),
    Output(LatentView.ids.slice(VIEW), "data", allow_duplicate=True),
    Input("inv-run", "n_clicks"),
    State("inv-model", "value"),
    State("inv-label", "value"),
    State("inv-any-label", "value"),
    State("inv-index", "value"),
    State("inv-upload-store", "data"),
    error_box="inv-error",
    prevent_initial_call=True,
)
def run_inversion(_n, model_id, label, any_label, index, uploaded):
    e = registry.get(model_id)
    lab = safe_label(label) if e.conditional else None
    search = e.conditional and isinstance(any_label, list) and "on" in any_label
    target = target_image(index, uploaded)
    if search:  # the same 4 starts for each of the 10 labels: 40 starts in one batch
        result = invert_image(e.generator, target, e.latent_dim, label=list(range(10)),
                              steps=150, restarts=4, prior=e.prior)  # fmt: skip
        lab = result.label
    else:
        result = invert_image(e.generator, target, e.latent_dim, label=lab, steps=150,
                              restarts=16, prior=e.prior)  # fmt: skip
    probe = e.probe_point(result.z, lab)
    href = planes.explore_link(model_id, result.z, lab, e.conditional, e.prior)
    point, record = found_view(e, result.z)
    sliced = slicing.sliced(e.latent_dim)
    return (figures.image_figure(probe.image, "Closest generated image"), point, lab,
            result_text(result, probe, lab, search, e.prior), href, {},
            LINK_TEXT[sliced], planes.full_point(result.z), {} if sliced else HIDDEN,
            dash.no_update if record is None else record)  # fmt: skip


LINK_TEXT = {False: "Open this point in the explorer",
             True: "Explore the plane through this point"}  # fmt: skip


def result_text(result, probe, lab, search: bool, prior=None) -> str:
    """The found point (above 4-D its first coordinates and norm), its reconstruction
    error and digit; for a label search, the labels that reproduce the image as well."""
    z = planes.point_summary(result.z, prior)
    text = (f"z = {z}; reconstruction error (MSE, pixels in [-1, 1]) = {result.mse:.4f}; "
            f"the generator's image there is a {probe.digit} (p = {probe.probs.max():.2f})")  # fmt: skip
    if search:
        ties = result.equally_good_labels()
        text += f"; best of all 10 labels: {lab}" + (
            f" (as good: {', '.join(map(str, ties))}, which the CGAN cannot tell apart here)"
            if ties
            else ""
        )
    return text


LatentView.follow(VIEW, model=Input("inv-model", "value"), label=Input("inv-label", "value"))


dash.register_page(
    __name__,
    path="/invert",
    name="Real digits",
    title="Real digits · GAN latent space",
    order=6,
    layout=layout,
)
