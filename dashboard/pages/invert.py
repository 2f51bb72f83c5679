"""/invert: real images in the latent space. Pick a test image of the model's dataset (an
MNIST digit, a Fashion-MNIST garment) or upload an image (resized to the model's H x W, grey
or colour), find the latent point whose generated image is closest, see the reconstruction
error and the point on the map, and open it in the explorer. A model with its own
classifier and no dataset inverts uploaded images only."""

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
from dashboard.texts import class_name, is_digits
from gan_core.checkpoints import CheckpointError
from gan_core.inversion import invert_image

_test_sets: dict = {}  # dataset name -> (test images (squeezed), labels)
HIDDEN = {"display": "none"}
RECON_HINT = message_figure("The closest generated image appears here.", height=300)
VIEW = "inv"  # the latent view's aio_id: the model's map, with the found point
_lock = threading.Lock()


def test_images(dataset: str = "mnist"):
    """A dataset's test images (squeezed, in [-1, 1]) and labels, loaded once per process
    (gan_core.datasets)."""
    with _lock:
        if dataset not in _test_sets:
            from gan_core.datasets import load_dataset
            from gan_core.images import squeeze

            d = load_dataset(dataset)
            _test_sets[dataset] = (squeeze(d.x_test), d.y_test)
        return _test_sets[dataset]


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
    "Pick a real test image of the model's dataset (an MNIST digit, a Fashion-MNIST garment) "
    "or upload an image: gradient descent on z finds the "
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
            *page_header("Real images in the latent space", LEAD, "inv-error"),
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
    """The test image's number, or an uploaded image, and the button that inverts it (the
    texts name the model's dataset and image size, see :func:`target_texts`)."""
    return card(
        html.Span("Digit", id="inv-target-title"),
        html.Label("MNIST test image number", id="inv-index-label"),
        dcc.Input(id="inv-index", type="number", min=0, max=9999, step=1, value=index),
        html.Label("…or upload a 28x28 image", id="inv-upload-label"),
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


NO_DATASET = "this model has its own classifier and no dataset: upload an image to invert"


def test_image(e, index) -> tuple[np.ndarray, int]:
    """Test image ``index`` (0-9999) of the model's dataset and its label; PayloadError for
    another number or a model without a dataset (its own classifier's)."""
    if isinstance(index, bool) or not isinstance(index, (int, float)) or not 0 <= index <= 9999:
        raise PayloadError("pick a test image number between 0 and 9999")
    if e.dataset is None:
        raise PayloadError(NO_DATASET)
    x, y = test_images(e.dataset.name)
    return x[int(index)], int(y[int(index)])


def image_shape(e) -> tuple:
    """The model's images as the views hold them: (H, W) grey, (H, W, 3) colour."""
    h, w, c = e.image_shape
    return (h, w) if c == 1 else (h, w, 3)


def target_image(e, index, uploaded) -> np.ndarray:
    """The image to invert, of the model's shape: the stored upload if any, else test
    image ``index`` of the model's dataset."""
    if uploaded is None:
        return test_image(e, index)[0]
    target = np.asarray(uploaded, dtype=np.float32)
    if target.shape != image_shape(e) or not np.isfinite(target).all():
        raise PayloadError("the uploaded image does not fit this model: upload it again")
    return target


def target_title(e, index, label: int) -> str:
    """ "MNIST test digit #5 (a 7)"; another dataset's "Fashion-MNIST test image #5 (Sandal)"."""
    if is_digits(e.class_names) and e.dataset is not None and e.dataset.name == "mnist":
        return f"MNIST test digit #{int(index)} (a {label})"
    return f"{e.dataset.title} test image #{int(index)} ({class_name(label, e.class_names)})"


def target_view(e, index, contents, upload: bool) -> tuple:
    """(figure, stored upload) of the image to invert: the upload decoded to the model's
    shape when ``upload``, else test image ``index``, or for a model without a dataset a
    note that it takes uploaded images only."""
    if upload and contents:
        image = decode_upload(contents, e.image_shape)
        title = "Uploaded digit" if is_digits(e.class_names) else "Uploaded image"
        return figures.image_figure(image, title), image.round(4).tolist()
    if e.dataset is None:
        return message_figure(f"This model has its own classifier and no dataset: upload an "
                              f"image ({size_text(e)}).", height=300), None  # fmt: skip
    image, label = test_image(e, index)
    return figures.image_figure(image, target_title(e, index, label)), None


def size_text(e) -> str:
    """ "28x28", or "32x32 colour"."""
    h, w, c = e.image_shape
    return f"{w}x{h}" + (" colour" if c == 3 else "")


def target_texts(e) -> tuple[str, str, str, bool]:
    """(card title, the number's label, the upload's label, whether the number is off)."""
    upload = f"…or upload an image (resized to {size_text(e)})"
    if e.dataset is None:
        return "Image", "No test images (this model has its own classifier)", upload, True
    if e.dataset.name == "mnist":
        return "Digit", "MNIST test image number", "…or upload a 28x28 image", False
    return "Image", f"{e.dataset.title} test image number", upload, False


@callback(
    Output("inv-target-title", "children"),
    Output("inv-index-label", "children"),
    Output("inv-upload-label", "children"),
    Output("inv-index", "disabled"),
    Input("inv-model", "value"),
)
def describe_target(model_id):
    """The target card speaks of the model's dataset and image size."""
    try:
        return target_texts(registry.get(model_id))
    except CheckpointError:  # an unknown model: show_target says why
        return dash.no_update, dash.no_update, dash.no_update, dash.no_update


@page_callback(
    Output("inv-target", "figure"),
    Output("inv-upload-store", "data"),
    Input("inv-index", "value"),
    Input("inv-upload", "contents"),
    Input("inv-model", "value"),
    State("inv-upload-store", "data"),
    error_box="inv-error",
)
def show_target(index, contents, model_id, stored):
    """The image to invert: an upload (decoded again for another model's shape), else the
    test image ``index`` of the model's dataset."""
    trigger = dash.ctx.triggered_id
    upload = trigger == "inv-upload" or (trigger == "inv-model" and stored is not None)
    return target_view(registry.get(model_id), index, contents, upload)


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
    target = target_image(e, index, uploaded)
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
            result_text(result, probe, lab, search, e.prior, e.class_names), href, {},
            LINK_TEXT[sliced], planes.full_point(result.z), {} if sliced else HIDDEN,
            dash.no_update if record is None else record)  # fmt: skip


LINK_TEXT = {False: "Open this point in the explorer",
             True: "Explore the plane through this point"}  # fmt: skip


def result_text(result, probe, lab, search: bool, prior=None, class_names=None) -> str:
    """The found point (above 4-D its first coordinates and norm), its reconstruction
    error and class ("is a 3", "is classified as Sandal"); for a label search, the labels
    that reproduce the image as well."""
    z = planes.point_summary(result.z, prior)
    name = class_name(probe.digit, class_names)
    what = f"a {name}" if is_digits(class_names) else f"classified as {name}"
    text = (f"z = {z}; reconstruction error (MSE, pixels in [-1, 1]) = {result.mse:.4f}; "
            f"the generator's image there is {what} (p = {probe.probs.max():.2f})")  # fmt: skip
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
    name="Real images",
    title="Real images · GAN latent space",
    order=6,
    layout=layout,
)
