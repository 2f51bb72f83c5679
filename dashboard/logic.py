"""Pure helpers behind the callbacks: payload parsing, messages, small decisions."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go

from gan_core.checkpoints import CheckpointError
from gan_core.export import ExportError
from gan_core.latent import ClassMap, LatentInputError, label_fidelity

EMPTY = go.Figure(
    layout=dict(
        xaxis=dict(visible=False), yaxis=dict(visible=False), height=60,
        margin=dict(l=0, r=0, t=0, b=0), paper_bgcolor="rgba(0,0,0,0)", plot_bgcolor="rgba(0,0,0,0)",
    )
)  # fmt: skip


def message_figure(text: str, height: int = 120) -> go.Figure:
    """An empty graph that says what will appear in it (before the first result)."""
    fig = go.Figure(EMPTY)
    fig.update_layout(height=height)
    fig.add_annotation(text=text, x=0.5, y=0.5, xref="paper", yref="paper",
                       showarrow=False, font=dict(color="#6b7280", size=14))  # fmt: skip
    return fig


MAX_PAYLOAD_ITEMS = 64
MAX_IMAGE_UPLOAD_BYTES = 256 * 1024


class PayloadError(LatentInputError):
    """A callback received something a browser of this app would never send."""


def parse_point(values, latent_dim: int, default: float | None = None) -> np.ndarray:
    """Slider values -> a latent point in [-1, 1]^d; malformed payloads raise PayloadError.

    ``default`` fills a missing/short list (the sliders are not rendered yet).
    """
    if values is None or (isinstance(values, list) and len(values) == 0):
        if default is None:
            raise PayloadError("no latent point given")
        values = []
    if not isinstance(values, (list, tuple)) or len(values) > MAX_PAYLOAD_ITEMS:
        raise PayloadError("latent point must be a short list of numbers")
    out = []
    for i in range(latent_dim):
        v = values[i] if i < len(values) else default
        if v is None:
            if default is None:
                raise PayloadError(f"coordinate {i} is missing")
            v = default
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise PayloadError(f"coordinate {i} must be a number, got {type(v).__name__}")
        if not math.isfinite(v):
            raise PayloadError(f"coordinate {i} is not finite")
        if not -1.0 <= v <= 1.0:
            raise PayloadError(f"coordinate {i} = {v} is outside [-1, 1]")
        out.append(float(v))
    if len(values) > latent_dim and default is None:
        raise PayloadError(f"expected {latent_dim} coordinates, got {len(values)}")
    return np.asarray(out, np.float32)


def safe_label(value) -> int:
    """A digit label 0..9 from a payload, or PayloadError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PayloadError(f"label must be a digit 0..9, got {value!r}")
    if int(value) != value or not 0 <= int(value) <= 9:
        raise PayloadError(f"label must be a digit 0..9, got {value!r}")
    return int(value)


def user_error(exc: Exception) -> str:
    """A one-line message for the error box; internal errors never show a traceback."""
    if isinstance(exc, (LatentInputError, CheckpointError, ExportError)):
        return str(exc)
    return f"Something went wrong ({type(exc).__name__}); the view keeps its last good state."


def explore_view_kind(latent_dim: int) -> str:
    """'map' for 2D latent spaces, 'cube' for 3D and 4D."""
    return "map" if latent_dim == 2 else "cube"


def fidelity_text(cube: ClassMap) -> str:
    if cube.label is None:
        return ""
    return f"Label fidelity of cube {cube.label}: {label_fidelity(cube):.1f}% of its points are a {cube.label}"


def projection_key(model_id: str, cube: ClassMap, point) -> list:
    """What the projections' slices depend on: the model, the cube (label, fixed w) and the
    grid cell of the point. JSON-ready, so a dcc.Store can hold the last one sent."""
    from dashboard.figures import slice_indices

    return [
        str(model_id),
        cube.label,
        [float(v) for v in cube.fixed],
        slice_indices(cube, point),
    ]


def clicked_point(click, values, axes=(0, 1)) -> list | None:
    """The slider values after a click on a map whose x, y (and, for a cube, z) axes are
    the latent coordinates ``axes``: clamped to [-1, 1], two decimals, like the sliders;
    the other coordinates stay. None when the click or the values are not usable."""
    keys = ("x", "y", "z")[: len(axes)]
    try:
        clicked = [float(click["points"][0][k]) for k in keys]
        out = list(values)
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if not isinstance(values, list) or not all(math.isfinite(v) for v in clicked):
        return None
    if max(axes) >= len(out):
        return None
    for axis, v in zip(axes, clicked, strict=True):
        out[axis] = round(max(-1.0, min(1.0, v)), 2)
    return out


def projection_axes(click) -> tuple[int, int] | None:
    """Which two latent coordinates a click on the projections figure gives: its trace
    ``2k`` (slice) or ``2k + 1`` (marker) is face k of ``figures.PROJECTIONS``."""
    from dashboard.figures import PROJECTIONS

    try:
        curve = click["points"][0]["curveNumber"]
    except (TypeError, KeyError, IndexError):
        return None
    if (
        isinstance(curve, bool)
        or not isinstance(curve, int)
        or not 0 <= curve < 2 * len(PROJECTIONS)
    ):
        return None
    _name, _axis, a, b = PROJECTIONS[curve // 2]
    return a, b


def readout_text(point, probe) -> str:
    coords = ", ".join(f"{v:+.2f}" for v in point)
    return f"z = ({coords}) → digit {probe.digit} (p = {float(probe.probs.max()):.2f})"


def _finite_value(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise PayloadError("the edit value must be a finite number")
    if abs(value) > 1e3:
        raise PayloadError("the edit value must be within ±1000")
    return float(value)


def selection_to_edit(payload, layer: str, view: str, kind: str, value, shape):
    """Turn a click (or box selection) on a layer heatmap into an :class:`Edit`, or None.

    Mean view: x is the column, y the row. Channel view: tiles of (H+1) x (W+1) cells, the
    clicked tile's channel in customdata. A rectangle comes from a box selection's range.
    """
    from gan_core.activations import Edit

    h, w, c = shape
    val = _finite_value(value)
    if not isinstance(payload, dict):
        return None
    if "range" in payload and isinstance(payload["range"], dict):
        try:
            xs = sorted(float(v) for v in payload["range"]["x"])
            ys = sorted(float(v) for v in payload["range"]["y"])
        except (KeyError, TypeError, ValueError):
            return None
        if view == "channels":
            return None  # rectangles are drawn on the mean view
        # Cells whose centres lie inside the box.
        c0, c1 = max(0, math.ceil(xs[0])), min(w, math.floor(xs[1]) + 1)
        r0, r1 = max(0, math.ceil(ys[0])), min(h, math.floor(ys[1]) + 1)
        if r0 >= r1 or c0 >= c1:
            return None
        return Edit(layer, "region", region=(r0, r1, c0, c1), value=val)
    try:
        point = payload["points"][0]
        x, y = int(round(float(point["x"]))), int(round(float(point["y"])))
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    if view == "channels":
        channel = point.get("customdata")
        if isinstance(channel, list):
            channel = channel[0] if channel else None
        if not isinstance(channel, (int, float)) or not 0 <= int(channel) < c:
            return None
        channel = int(channel)
        row, col = y % (h + 1), x % (w + 1)
    else:
        channel, row, col = None, y, x
    if not (0 <= row < h and 0 <= col < w):
        return None
    if kind == "rows":
        return Edit(layer, "rows", [row], value=val)
    if kind == "columns":
        return Edit(layer, "columns", [col], value=val)
    if kind == "channels":
        return None if channel is None else Edit(layer, "channels", [channel], value=val)
    if kind == "units":
        if channel is None:
            return Edit(layer, "region", region=(row, row + 1, col, col + 1), value=val)
        return Edit(layer, "units", [[row, col, channel]], value=val)
    if kind == "region":
        return Edit(layer, "region", region=(row, row + 1, col, col + 1), value=val)
    return None


def morph_download(button: str, result, fps) -> dict:
    """dcc.Download payload for the morph in ``result`` (the morph page's store)."""
    from dash import dcc

    from gan_core import export

    if not isinstance(result, dict) or not result.get("images"):
        raise PayloadError("no morph to download yet")
    images = np.asarray(result["images"], dtype=np.float32)
    if images.ndim != 3 or images.shape[1:] != (28, 28) or len(images) > 512:
        raise PayloadError("malformed morph frames")
    fps = float(fps) if isinstance(fps, (int, float)) and 1 <= fps <= 30 else 8.0
    name = f"morph-{result.get('model', 'model')}"
    if button == "morph-dl-gif":
        return dcc.send_bytes(export.frames_to_gif(images, fps=fps), f"{name}.gif")
    if button == "morph-dl-mp4":
        return dcc.send_bytes(export.frames_to_mp4(images, fps=fps), f"{name}.mp4")
    state = {k: v for k, v in result.items() if k != "images"}
    return dcc.send_bytes(export.state_json(state), f"{name}.json")


def explore_download(
    button: str, explorer, values, label, map_label, axis, index, grid_2d, cube_n
) -> dict:
    """dcc.Download payload for the explorer: its map/cube as PNG or the view as JSON."""
    from dash import dcc

    from gan_core import export

    point = parse_point(values, explorer.latent_dim)
    lab = safe_label(label) if explorer.conditional else None
    name = f"{explorer.model_id}_" + "_".join(f"{v:+.2f}" for v in point)
    if button == "explore-dl-png":
        map_lab = safe_label(map_label) if explorer.conditional else None
        w = float(point[3]) if explorer.latent_dim == 4 else None
        data = export.map_png(explorer, grid_2d, cube_n, w=w, label=map_lab)
        suffix = "" if map_lab is None else f"-label{map_lab}"
        kind = "map" if explorer.latent_dim == 2 else "cube"
        return dcc.send_bytes(data, f"{explorer.model_id}-{kind}{suffix}.png")
    if button != "explore-dl-json":
        raise PayloadError("unknown download")
    view = {"url_view": "/cgan" if explorer.conditional else "/explore"}
    if explorer.conditional:
        view["map_label"] = safe_label(map_label)
    if explorer.latent_dim >= 3 and axis in ("0", "1", "2"):
        view["slice"] = {
            "axis": "xyz"[int(axis)],
            "index": int(index) if isinstance(index, int) else 0,
        }
    state = export.view_state(explorer, point, lab, **view)
    return dcc.send_bytes(export.state_json(state), f"{name}.json")


def decode_upload(contents: str) -> np.ndarray:
    """A dcc.Upload data URL -> (28, 28) float image in [-1, 1]; PayloadError if unusable."""
    import base64
    import io

    from PIL import Image, UnidentifiedImageError

    if not isinstance(contents, str) or "," not in contents:
        raise PayloadError("the upload is not an image file")
    try:
        raw = base64.b64decode(contents.split(",", 1)[1], validate=False)
    except (ValueError, TypeError) as exc:
        raise PayloadError("the upload is not valid base64") from exc
    if len(raw) > MAX_IMAGE_UPLOAD_BYTES:
        raise PayloadError(f"the image is larger than {MAX_IMAGE_UPLOAD_BYTES // 1024} KiB")
    try:
        img = Image.open(io.BytesIO(raw))
        img.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise PayloadError("the upload is not a readable image (PNG, JPEG, GIF, BMP)") from exc
    if img.size != (28, 28):
        raise PayloadError(f"the image must be 28x28 pixels, got {img.size[0]}x{img.size[1]}")
    arr = np.asarray(img.convert("L"), dtype=np.float32) / 127.5 - 1.0
    if (
        arr.mean() > 0.3
    ):  # mostly light: a dark digit on a light background, flip to MNIST's polarity
        arr = -arr
    return arr


_METRIC_DIGITS = {"classifier_fid": 1}


def metric_text(metrics: dict | None, key: str) -> str:
    """One metric for a table cell: '–' when missing; the strong-classifier error with how
    many held-out images it rests on, classifier-FID to one decimal, shares in percent."""
    m = metrics or {}
    v = m.get(key)
    if v is None or isinstance(v, bool) or not isinstance(v, (int, float)):
        return "–"
    if key == "strong_classifier_error_percent":
        held_out = m.get("strong_classifier_heldout_images")
        text = f"{v:g}%"
        if isinstance(held_out, int) and held_out > 0:
            text += f" ({round(v * held_out / 100):,} of {held_out:,})"
        return text
    if key.endswith("_percent"):
        return f"{v:g}%"
    if key in _METRIC_DIGITS:
        return f"{v:.{_METRIC_DIGITS[key]}f}"
    return f"{v:g}"


def convergence_text(map_change, metrics: dict | None) -> str:
    """The two signs of an unfinished generator: how much of the class map changed in the
    last epoch (``map_change``: the replay's per-epoch shares) and the faint-pixel haze."""
    parts = []
    changes = [float(c) for c in (map_change if map_change is not None else []) if c == c]
    if changes:
        parts.append(f"class map changed {100 * changes[-1]:.1f}% in the last epoch")
    m = metrics or {}
    faint, real = m.get("faint_pixel_percent"), m.get("real_faint_pixel_percent")
    if isinstance(faint, (int, float)) and isinstance(real, (int, float)):
        parts.append(f"faint pixels (grey 1-10 of 255) {faint:g}% of pixels, real MNIST {real:g}%")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


def epochs_text(epochs, metrics: dict | None) -> str:
    """Epochs trained, and the epoch the metrics were measured at when that is older."""
    measured = (metrics or {}).get("epochs_trained")
    if isinstance(measured, int) and isinstance(epochs, int) and measured != epochs:
        return f"{epochs} (metrics from epoch {measured})"
    return str(epochs)
