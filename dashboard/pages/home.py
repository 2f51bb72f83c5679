"""/ : what each view shows, and each model's quality metrics."""

from __future__ import annotations

import dash
from dash import Input, Output, State, dcc, html, no_update, set_props

from dashboard import precompute, registry
from dashboard.components import error_box
from dashboard.components.tables import activation_table, models_table
from dashboard.errors import page_callback
from dashboard.uploads import UPLOAD_PATH, accepted_note
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
    ("/invert", "Real images", "Find where a real test image (an MNIST digit, a Fashion-MNIST garment) or "
     "your own image lives in the latent space, and open that point in the explorer."),
    ("/compare", "Compare", "The same point, path or edit on two models side by side, with their metrics."),
    ("/activations", "Activations", "Every generator layer as heatmaps; zero rows, columns, channels, regions "
     "or single units and see the image the rest of the network makes from that."),
)  # fmt: skip


# A plain multipart form (Dash callbacks carry JSON, capped at 1 MB); it posts to the
# upload route and the whole page follows the redirect back here with the outcome. A .json or
# .txt file dropped on the class-names field fills it with the file's text; choosing a
# classifier file turns the dataset choice off (its own classifier colours the maps).
_FORM_STYLE = """
body { margin: 0; font: 14px Inter, "Segoe UI", Helvetica, Arial, sans-serif; color: #1d232b; }
form { display: grid; grid-template-columns: max-content 1fr; gap: 8px 12px; align-items: center; }
.key { color: #667085; }
.key i { font-style: normal; font-size: 12px; }
textarea { font: inherit; width: 100%; max-width: 560px; box-sizing: border-box; height: 44px;
           padding: 4px 6px; border: 1px solid #e3e6eb; border-radius: 6px; resize: vertical; }
textarea.over { border: 2px dashed #2f6fde; }
select { font: inherit; padding: 2px 4px; }
select:disabled + .hint { opacity: 0.5; }
.hint { color: #667085; font-size: 13px; }
button { background: #2f6fde; color: #fff; border: 0; border-radius: 6px; padding: 7px 14px;
         cursor: pointer; font: inherit; justify-self: start; }
"""
_FORM_SCRIPT = """
const names = document.getElementById("upload-class-names");
const dataset = document.getElementById("upload-dataset");
names.addEventListener("dragover", (e) => { e.preventDefault(); names.classList.add("over"); });
names.addEventListener("dragleave", () => names.classList.remove("over"));
names.addEventListener("drop", (e) => {
  names.classList.remove("over");
  const file = e.dataTransfer && e.dataTransfer.files[0];
  if (!file) return;
  e.preventDefault();
  if (file.size > 16384) { names.value = ""; names.placeholder = file.name + " is too large"; return; }
  file.text().then((text) => { names.value = text.trim(); });
});
document.getElementById("upload-classifier").addEventListener("change", (e) => {
  dataset.disabled = e.target.files.length > 0;
});
"""


def upload_form() -> str:
    """The upload form's page (the srcDoc of an iframe)."""
    from gan_core.datasets import DATASETS

    options = "".join(f'<option value="{d.name}">{d.title}</option>' for d in DATASETS.values())
    return f"""<!doctype html><html><head><style>{_FORM_STYLE}</style></head><body>
<form action="{UPLOAD_PATH}" method="post" enctype="multipart/form-data" target="_top">
  <label class="key" for="upload-file">Generator</label>
  <span><input type="file" name="file" accept=".keras" id="upload-file">
    <span id="upload-prior" class="hint">trained on
      <label><input type="radio" name="prior" value="uniform" checked> uniform [-1,1]</label>
      <label><input type="radio" name="prior" value="normal"> normal(0,1)</label></span></span>
  <label class="key" for="upload-classifier">Its classifier <i>(optional)</i></label>
  <span><input type="file" name="classifier" accept=".keras" id="upload-classifier">
    <span class="hint">images → 2..20 class probabilities (softmax)</span></span>
  <label class="key" for="upload-class-names">Class names</label>
  <textarea name="class_names" id="upload-class-names" spellcheck="false"
    placeholder="its classes in output order: one per line or comma-separated (red, green, blue), or drop a .json / .txt file here"></textarea>
  <label class="key" for="upload-dataset">No classifier?</label>
  <span><select name="dataset" id="upload-dataset">{options}</select>
    <span class="hint">the bundled classifier of this dataset colours a 28x28 grey generator's maps</span></span>
  <span></span>
  <button type="submit" id="upload-submit">Upload generator</button>
</form><script>{_FORM_SCRIPT}</script></body></html>"""


UPLOAD_FORM = upload_form()


def upload_box(uploaded=None, upload_error=None) -> html.Div:
    """Bring your own generator: a Keras file (None, d) -> HxW image, 2 <= d <= 512, with its
    own classifier or a bundled dataset's."""
    message = None
    if isinstance(uploaded, str) and uploaded in registry.uploaded_ids():
        note = accepted_note(uploaded, registry.SETTINGS.uploads)
        message = html.Div(
            ["Accepted: ", html.B(uploaded), f" — its maps are coloured by {note} — " if note else " — ",
             dcc.Link("explore it", href=f"/explore?model={uploaded}")],
            className="success", id="upload-message",
        )  # fmt: skip
    elif isinstance(upload_error, str) and upload_error:
        message = html.Div(f"Refused: {upload_error[:400]}", className="error", id="upload-message")
    return html.Div(
        [
            html.H3("Bring your own generator"),
            html.P(
                f"A Keras 3 .keras file (at most {MAX_UPLOAD_BYTES // 2**20} MiB) whose input is (None, d) with "
                "2 <= d <= 512 and whose output is an HxW image (16 to 128 pixels a side, grey or RGB), "
                "with the latent prior it was trained on. Its maps are coloured by its own classifier "
                "(a second .keras file taking those images to 2 to 20 class probabilities, with the "
                "classes' names), or, for 28x28 grey images, by the bundled MNIST or Fashion-MNIST "
                "classifier. Both are loaded in safe mode (no custom code) and stored in the uploads "
                "folder only.",
                className="note",
            ),  # fmt: skip
            html.Iframe(
                srcDoc=UPLOAD_FORM,
                id="upload-frame",
                className="upload-frame",
                style={"height": "184px"},
            ),  # fmt: skip
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
