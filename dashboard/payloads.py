"""What callbacks receive, validated: slider values, labels, clicks, box selections and
uploaded images. Anything a browser of this app would never send raises PayloadError."""

from __future__ import annotations

import math

import numpy as np

from gan_core.latent import LatentInputError

MAX_PAYLOAD_ITEMS = 64


MAX_IMAGE_UPLOAD_BYTES = 256 * 1024


class PayloadError(LatentInputError):
    """A callback received something a browser of this app would never send."""


def parse_point(
    values, latent_dim: int, default: float | None = None, lo: float = -1.0, hi: float = 1.0
) -> np.ndarray:
    """Slider values -> a latent point in [lo, hi]^d (the box [-1, 1] by default; a slice's
    coordinate range for a slice's sliders); malformed payloads raise PayloadError.

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
        if not lo - 1e-9 <= v <= hi + 1e-9:
            raise PayloadError(f"coordinate {i} = {v} is outside [{lo:g}, {hi:g}]")
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


def values_and_label(point) -> tuple:
    """A page's point record ``{"values": [...], "label": n}`` -> (values, label), each
    still to be parsed against the model (``parse_point``, ``safe_label``); PayloadError
    when it is not such a record."""
    if not isinstance(point, dict) or not isinstance(point.get("values"), list):
        raise PayloadError("the point must be a record with a list of values")
    return point["values"], point.get("label")


def record_fields(record, keys: tuple) -> tuple:
    """The values of ``keys`` in a page's record (a missing key gives None), each still to
    be parsed by its own parser; PayloadError when it is not a record."""
    if not isinstance(record, dict):
        raise PayloadError("the request must be a record of the page's controls")
    return tuple(record.get(k) for k in keys)


def click_coordinates(click, axes=(0, 1)) -> dict | None:
    """Where a map whose x, y (and, for a cube, z) axes are the latent coordinates ``axes``
    was clicked: ``{"axes": [...], "values": [...]}``, clamped to [-1, 1] with two decimals
    like the sliders; None when the click gives no usable point."""
    keys = ("x", "y", "z")[: len(axes)]
    try:
        clicked = [float(click["points"][0][k]) for k in keys]
    except (TypeError, KeyError, IndexError, ValueError):
        return None
    if not all(math.isfinite(v) for v in clicked):
        return None
    return {"axes": list(axes), "values": [round(max(-1.0, min(1.0, v)), 2) for v in clicked]}


def apply_click(clicked, values) -> list | None:
    """``values`` (a point's slider values) with the clicked coordinates set and the others
    kept; None when either is not usable (or the point has no such coordinate)."""
    try:
        axes = [int(a) for a in clicked["axes"]]
        coords = [float(v) for v in clicked["values"]]
    except (TypeError, KeyError, ValueError):
        return None
    if not isinstance(values, list) or len(axes) != len(coords) or not axes:
        return None
    if min(axes) < 0 or max(axes) >= len(values) or not all(math.isfinite(v) for v in coords):
        return None
    out = list(values)
    for axis, v in zip(axes, coords, strict=True):
        out[axis] = round(max(-1.0, min(1.0, v)), 2)
    return out


def clicked_point(click, values, axes=(0, 1)) -> list | None:
    """The slider values after a click (see :func:`click_coordinates`, :func:`apply_click`)."""
    return apply_click(click_coordinates(click, axes), values)


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


MAX_UPLOAD_SIDE = 2048  # pixels: a larger image is refused before it is decoded
ASPECT_TOLERANCE = 0.25  # how far an upload's width/height may be from the model's


def decode_upload(contents: str, shape=(28, 28, 1)) -> np.ndarray:
    """A dcc.Upload data URL -> an image of the model's ``shape`` (H, W, C) in [-1, 1],
    squeezed: grey (H, W) for C = 1, colour (H, W, 3) for C = 3; PayloadError if unusable.

    An image of another size with about the model's proportions (width/height within 25%)
    is resized to H x W; a colour upload to a grey model becomes grey and a grey one to a
    colour model grey in all three channels. A mostly light grey image (a dark figure on
    paper) is inverted to the datasets' light-on-dark polarity.
    """
    import base64
    import io

    from PIL import Image, UnidentifiedImageError

    h, w, c = (int(v) for v in shape)
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
        size = img.size  # from the header, before any pixel is decoded
        if max(size) > MAX_UPLOAD_SIDE:
            raise PayloadError(
                f"the image is {size[0]}x{size[1]} pixels; at most {MAX_UPLOAD_SIDE} a side"
            )
        img.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise PayloadError("the upload is not a readable image (PNG, JPEG, GIF, BMP)") from exc
    if size != (w, h):
        ratio = (size[0] / max(size[1], 1)) / (w / h)
        if not 1 / (1 + ASPECT_TOLERANCE) <= ratio <= 1 + ASPECT_TOLERANCE:
            raise PayloadError(
                f"the image is {size[0]}x{size[1]} pixels; this model's images are {w}x{h} "
                "(an image of about those proportions is resized to fit)"
            )
        img = img.convert("RGB" if c == 3 else "L").resize((w, h), Image.Resampling.LANCZOS)
    arr = np.asarray(img.convert("RGB" if c == 3 else "L"), dtype=np.float32) / 127.5 - 1.0
    if c == 1 and arr.mean() > 0.3:  # mostly light: a dark figure on a light background
        arr = -arr
    return arr


def projection_points(moved, pending, polled: bool) -> list[str]:
    """The morph points ("a", "b") whose slices to draw: on a poll the ones still waiting
    for their cube, else the ones the request names (both when it names none)."""
    if polled:
        return [n for n in pending if n in ("a", "b")] if isinstance(pending, list) else []
    return [n for n in moved if n in ("a", "b")] if isinstance(moved, list) else ["a", "b"]
