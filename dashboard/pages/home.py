"""/ : what each view shows, and each model's quality metrics."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html, no_update, set_props

from dashboard import precompute, registry
from dashboard.components import error_box
from dashboard.components.tables import activation_table, models_table
from dashboard.errors import page_callback
from dashboard.uploads import UPLOAD_PATH
from gan_core.uploaded_generators import MAX_UPLOAD_BYTES

VIEWS = (
    ("/explore", "Explore", "Drag a point through the latent space of the 2D, 3D or 4D GAN (or a plane "
     "through the 100-D one): the generated digit, its place on the map of class areas (or inside the "
     "class cube, with three projections), the classifier's probabilities and every layer's average "
     "activations follow while you drag."),
    ("/morph", "Morph A→B", "Pick points A and B (and waypoints), animate the morph along the path and see "
     "which class areas it crosses, e.g. 7 → 1 → 8."),
    ("/cgan", "CGAN", "The conditional GAN: Change Number feeds a label to the generator, Change 3D map "
     "shows the cube of any label, with its label fidelity."),
    ("/training", "Training replay", "Per-epoch images from fixed noise, the losses, the weak "
     "independent classifier and the class map changing epoch by epoch."),
    ("/invert", "Real digits", "Find where a real MNIST digit (or your own 28x28 image) lives in the "
     "latent space, and open that point in the explorer."),
    ("/compare", "Compare", "The same point, path or edit on two models side by side, with their metrics."),
    ("/activations", "Activations", "Every generator layer as heatmaps; zero rows, columns, channels, regions "
     "or single units and see the image the rest of the network makes from that."),
)  # fmt: skip


# A plain multipart form (Dash callbacks carry JSON, capped at 1 MB); it posts to the
# upload route and the whole page follows the redirect back here with the outcome.
UPLOAD_FORM = f"""<!doctype html><html><body style="margin:0;font:14px Helvetica,Arial,sans-serif">
<form action="{UPLOAD_PATH}" method="post" enctype="multipart/form-data" target="_top"
      style="display:flex;gap:12px;align-items:center">
  <input type="file" name="file" accept=".keras" id="upload-file">
  <span id="upload-prior">trained on
    <label><input type="radio" name="prior" value="uniform" checked> uniform [-1,1]</label>
    <label><input type="radio" name="prior" value="normal"> normal(0,1)</label></span>
  <button type="submit" id="upload-submit" style="background:#2f6fde;color:#fff;border:0;border-radius:6px;
          padding:7px 14px;cursor:pointer">Upload generator</button>
</form></body></html>"""


def upload_box(uploaded=None, upload_error=None) -> html.Div:
    """Bring your own generator: a Keras file (None, d) -> 28x28 image, 2 <= d <= 512."""
    message = None
    if isinstance(uploaded, str) and uploaded in registry.uploaded_ids():
        message = html.Div(
            ["Accepted: ", html.B(uploaded), " — ", dcc.Link("explore it", href=f"/explore?model={uploaded}")],
            className="success", id="upload-message",
        )  # fmt: skip
    elif isinstance(upload_error, str) and upload_error:
        message = html.Div(f"Refused: {upload_error[:400]}", className="error", id="upload-message")
    return html.Div(
        [
            html.H3("Bring your own generator"),
            html.P(
                f"A Keras 3 .keras file (at most {MAX_UPLOAD_BYTES // 2**20} MiB) whose input is (None, d) with "
                "2 <= d <= 512 and whose output is a 28x28 image, with the latent prior it was trained on. "
                "It is loaded in safe mode (no custom code), "
                "stored in the uploads folder only, and gets maps from the bundled digit classifier.",
                className="note",
            ),  # fmt: skip
            html.Iframe(srcDoc=UPLOAD_FORM, id="upload-frame", className="upload-frame"),
            message,
        ],
        className="card",
    )


def layout(uploaded=None, upload_error=None, **_query):
    described = registry.describe()
    return html.Div(
        [
            html.H2("Look inside small GANs trained on MNIST"),
            html.P(
                "Each generator turns a point of a 2-, 3-, 4- or 100-dimensional latent space into a "
                "digit. A separate digit classifier colours every point by the digit generated there: "
                "the map of class areas (above 4-D, on a plane through the space).",
                className="lead",
            ),  # fmt: skip
            html.Div(
                [
                    html.Div(
                        [dcc.Link(html.H3(title), href=href), html.P(text)],
                        className="card view-card",
                    )
                    for href, title, text in VIEWS
                ],
                className="view-grid",
            ),  # fmt: skip
            html.H3("Models"),
            models_table(described),
            html.H3("Activation functions of the 3D GAN"),
            activation_table(described),
            precompute_box(),
            upload_box(uploaded, upload_error),
            html.P(
                "Strong-classifier error: held-out error of a CNN trained to tell real from generated "
                "digits (higher is better, 50% is perfect); 'mean of 3' is the mean of three such "
                "CNNs, each with its own seed and held-out split, with their range. Classifier-FID: "
                "Fréchet distance on the digit classifier's features (lower is better; not Inception FID).",
                className="note",
            ),  # fmt: skip
        ]
    )


def precompute_box() -> html.Div:
    where = "the Celery worker" if precompute.redis_url() else "this server, in the background"
    return html.Div(
        [
            html.Button(
                "Precompute all maps", id="home-precompute", n_clicks=0, className="button primary"
            ),  # fmt: skip
            html.Span(
                f" Fills the map cache of every model ({where}); views open instantly afterwards.",
                className="note",
            ),  # fmt: skip
            html.Progress(id="home-precompute-progress", max=1, value=0),
            html.Div(id="home-precompute-status", className="note"),
            error_box("home-precompute-error"),
            dcc.Store(id="home-precompute-job"),
            dcc.Interval(id="home-precompute-poll", interval=700, disabled=True),
        ],
        className="progress-box",
    )


@page_callback(
    Output("home-precompute-job", "data"),
    Output("home-precompute-poll", "disabled"),
    Output("home-precompute-status", "children"),
    Input("home-precompute", "n_clicks"),
    error_box="home-precompute-error",
    prevent_initial_call=True,
)
def start_precompute(_n):
    handle = precompute.start()
    return handle, False, f"Queued {len(handle['jobs'])} models…"


@page_callback(
    Output("home-precompute-progress", "value"),
    Output("home-precompute-status", "children", allow_duplicate=True),
    Output("home-precompute-poll", "disabled", allow_duplicate=True),
    Input("home-precompute-poll", "n_intervals"),
    State("home-precompute-job", "data"),
    error_box="home-precompute-error",
    clears=False,
    on_failure={
        "home-precompute-poll": {"disabled": True},
        "home-precompute-status": {"children": ""},
    },
    prevent_initial_call=True,
)
def poll_precompute(_n, handle):
    if handle is None:
        return no_update, no_update, True
    state = precompute.progress(handle)
    set_props("home-precompute-error", {"children": "; ".join(state["errors"])})
    return (
        state["done"] / max(state["total"], 1),
        precompute.describe(state, handle),
        state["finished"],
    )


dash.register_page(
    __name__, path="/", name="Home", title="GAN latent-space explorer", order=0, layout=layout
)
