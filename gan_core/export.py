"""Exports: morph animations (GIF, MP4) and frame sheets (PNG), class maps as PNG, view
state and slice maps as JSON.

All functions return bytes (and optionally write them atomically to a path), so the
dashboard can stream them as downloads and the CLI can write files.

Frames are a model's squeezed images (gan_core.images): grey (N, H, W) or colour
(N, H, W, 3), H and W in 16..128, values in [-1, 1]; colour frames stay colour. Class maps
are coloured by :func:`gan_core.images.class_palette` over the classifier's K classes (2..20;
the first ten are the digit colours, so MNIST maps look as before). JSON exports name the
classes: ``class_names`` (default: the digits "0".."9" for 10 classes, "class i" otherwise).
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

from gan_core.images import class_palette
from gan_core.labelling import class_names_or_default

# One colour per digit, shared by the maps in the dashboard and the exported PNGs
# (Plotly's "D3" qualitative palette: distinct and readable on white); the first ten
# colours of every class palette.
DIGIT_COLORS = tuple(class_palette(10))

MIN_SIDE, MAX_SIDE = 16, 128  # a model's image sides (gan_core.labelling)
GIF_SIDE, MP4_SIDE = 112, 224  # the default scale brings a frame's longer side near these
BAR_STEP = 28  # the progress bar is one pixel tall per 28 pixels of frame width (2 at least)


class ExportError(RuntimeError):
    """The export cannot be produced (bad frames, missing encoder)."""


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def frame_stack(images: np.ndarray) -> np.ndarray:
    """Frames as a float32 squeezed stack, grey (N, H, W) or colour (N, H, W, 3), from
    (N, H, W), (N, H, W, 1) or (N, H, W, 3); anything else is refused with the reason."""
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if not (arr.ndim == 3 or (arr.ndim == 4 and arr.shape[-1] == 3)) or arr.shape[0] == 0:
        raise ExportError(
            "expected a non-empty stack of grey (N, H, W) or colour (N, H, W, 3) frames, "
            f"got shape {arr.shape}"
        )
    h, w = arr.shape[1:3]
    if not (MIN_SIDE <= h <= MAX_SIDE and MIN_SIDE <= w <= MAX_SIDE):
        raise ExportError(f"frames are {h}x{w}: their sides must be {MIN_SIDE}..{MAX_SIDE} pixels")
    if not np.isfinite(arr).all():
        raise ExportError("frames contain NaN or inf")
    return arr


def default_scale(images: np.ndarray, side: int = GIF_SIDE) -> int:
    """The whole-pixel scale that brings the frames' longer side nearest ``side`` (at least
    1): 4 for 28x28 frames in a GIF (112 pixels), 8 in an MP4 (224), 1 for 128x128."""
    h, w = np.shape(images)[1:3]
    return max(1, min(32, int(round(side / max(h, w)))))


def frames_to_uint8(images: np.ndarray, scale: int | None = 4) -> np.ndarray:
    """Frames in [-1, 1] (see :func:`frame_stack`) -> uint8 frames ``scale`` times larger,
    crisp pixels: grey (N, H*scale, W*scale), colour (N, H*scale, W*scale, 3). ``scale``
    None: :func:`default_scale`."""
    arr = frame_stack(images)
    scale = default_scale(arr) if scale is None else scale
    if not 1 <= int(scale) <= 32:
        raise ExportError("scale must be between 1 and 32")
    u8 = np.clip((arr + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
    return u8.repeat(int(scale), axis=1).repeat(int(scale), axis=2)


def _write(data: bytes, path: str | Path | None) -> bytes:
    if path is not None:
        from gan_core.checkpoints import atomic_write_bytes

        atomic_write_bytes(Path(path), data)
    return data


def with_progress_bar(frames: np.ndarray, height: int | None = None) -> np.ndarray:
    """Frames (N, H, W) or (N, H, W, 3) uint8 with a bar under each showing how far along
    the path it is, ``height`` pixels tall (default: one per 28 pixels of width, 2 at least).

    It also keeps every frame distinct, so GIF writers never merge identical frames.
    """
    n, _, w = frames.shape[:3]
    height = bar_height(w) if height is None else int(height)
    bars = np.zeros((n, height, w, *frames.shape[3:]), np.uint8)
    for i in range(n):
        bars[i, :, : max(1, round((i + 1) / n * w))] = 200
    return np.concatenate([frames, bars], axis=1)


def bar_height(width: int) -> int:
    """The progress bar's height under frames ``width`` pixels wide: 4 under a 28x28 frame
    at scale 4 (112 pixels), the same share of any other width, 2 at least."""
    return max(2, int(round(int(width) / BAR_STEP)))


def _pil_frame(frame: np.ndarray):
    """A PIL image of one uint8 frame: "L" for grey (H, W), "RGB" for colour (H, W, 3)."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(frame))


def frames_to_gif(
    images: np.ndarray, path=None, scale: int | None = None, fps: float = 8.0,
    loop: bool = True, progress_bar: bool = True,
) -> bytes:  # fmt: skip
    """Animated GIF of the frames (one per image; grey or colour, see :func:`frame_stack`),
    optionally with a progress bar below. ``scale`` None: the frames' longer side near 112
    pixels (4 for 28x28 frames)."""
    if not 0.5 <= fps <= 60:
        raise ExportError("fps must be between 0.5 and 60")
    frames = frames_to_uint8(images, scale)  # None: the longer side near GIF_SIDE
    if progress_bar:
        frames = with_progress_bar(frames)
    pil = [_pil_frame(f) for f in frames]
    buf = io.BytesIO()
    pil[0].save(
        buf, format="GIF", save_all=True, append_images=pil[1:],
        duration=int(round(1000 / fps)), loop=0 if loop else 1, optimize=False,
    )  # fmt: skip
    return _write(buf.getvalue(), path)


def mp4_available() -> bool:
    """Whether an MP4 encoder (imageio-ffmpeg's bundled ffmpeg) is installed."""
    try:
        import imageio_ffmpeg

        return Path(imageio_ffmpeg.get_ffmpeg_exe()).exists()
    except Exception:  # noqa: BLE001 - any failure means no encoder
        return False


def frames_to_mp4(
    images: np.ndarray, path=None, scale: int | None = None, fps: float = 8.0
) -> bytes:
    """H.264 MP4 of the frames (grey or colour; needs imageio-ffmpeg; each side padded to a
    multiple of 16). ``scale`` None: the frames' longer side near 224 pixels (8 for 28x28)."""
    if not mp4_available():
        raise ExportError(
            "MP4 export needs the 'imageio-ffmpeg' package (pip install imageio-ffmpeg)"
        )
    import tempfile

    import imageio.v2 as imageio

    if not 0.5 <= fps <= 60:
        raise ExportError("fps must be between 0.5 and 60")
    stack = frame_stack(images)
    frames = frames_to_uint8(stack, default_scale(stack, MP4_SIDE) if scale is None else scale)
    if frames.ndim == 3:  # grey: the same level in R, G and B
        frames = np.repeat(frames[..., None], 3, axis=-1)
    pad_h, pad_w = (-frames.shape[1]) % 16, (-frames.shape[2]) % 16
    if pad_h or pad_w:
        frames = np.pad(frames, ((0, 0), (0, pad_h), (0, pad_w), (0, 0)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "morph.mp4"
        writer = imageio.get_writer(out, fps=fps, codec="libx264", pixelformat="yuv420p",
                                    macro_block_size=16, ffmpeg_log_level="error")  # fmt: skip
        for frame in frames:
            writer.append_data(frame)
        writer.close()
        data = out.read_bytes()
    return _write(data, path)


def palette_rgb(n_classes: int = 10) -> np.ndarray:
    """(K, 3) float32 RGB of :func:`gan_core.images.class_palette` (K = 2..20)."""
    try:
        colours = class_palette(int(n_classes))
    except (TypeError, ValueError) as exc:
        raise ExportError(f"a class map has 2..20 classes, not {n_classes!r}") from exc
    if len(colours) < 2:
        raise ExportError(f"a class map has 2..20 classes, not {n_classes!r}")
    return np.array([_hex_to_rgb(c) for c in colours], np.float32)


def class_map_rgb(
    classes: np.ndarray, confidence: np.ndarray | None = None, n_classes: int = 10
) -> np.ndarray:
    """(H, W) classes 0..K-1 -> (H, W, 3) uint8 colours of the K-class palette (K =
    ``n_classes``, 2..20; the digit colours for 10); low confidence fades toward white."""
    classes = np.asarray(classes)
    if classes.ndim != 2:
        raise ExportError(f"class map must be 2D, got shape {classes.shape}")
    palette = palette_rgb(n_classes)
    k = len(palette)
    if classes.size and (classes.min() < 0 or classes.max() >= k):
        raise ExportError(
            f"class values must be 0..{k - 1} for a {k}-class map, "
            f"got values from {classes.min()} to {classes.max()}"
        )
    rgb = palette[classes.astype(int)]
    if confidence is not None:
        alpha = np.clip(np.asarray(confidence, np.float32), 0, 1)[..., None]
        rgb = rgb * alpha + 255.0 * (1 - alpha)
    return rgb.astype(np.uint8)


def class_map_png(
    classes: np.ndarray, confidence=None, path=None, scale: int = 4, n_classes: int = 10
) -> bytes:
    """PNG of a 2D class map of ``n_classes`` classes (see :func:`class_map_rgb`); row 0 of
    the array is the bottom (y = lo), as on screen."""
    from PIL import Image

    rgb = class_map_rgb(classes, confidence, n_classes)
    # Array axes are [x, y]; an image is [row=y from top, col=x].
    img = np.flipud(np.transpose(rgb, (1, 0, 2)))
    img = img.repeat(int(scale), 0).repeat(int(scale), 1)
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="PNG")
    return _write(buf.getvalue(), path)


def cube_png(classes: np.ndarray, path=None, scale: int = 4, n_classes: int = 10) -> bytes:
    """PNG of every slice of a class cube (``n_classes`` classes) along its last axis, tiled
    in a near-square grid."""
    classes = np.asarray(classes)
    if classes.ndim != 3:
        raise ExportError(f"class cube must be 3D, got shape {classes.shape}")
    from PIL import Image

    n = classes.shape[2]
    cols = math.ceil(math.sqrt(n))
    rows = math.ceil(n / cols)
    tile = classes.shape[0] * scale
    gap = 2 * scale
    canvas = np.full((rows * (tile + gap), cols * (tile + gap), 3), 255, np.uint8)
    for k in range(n):
        img = np.flipud(np.transpose(class_map_rgb(classes[:, :, k], None, n_classes), (1, 0, 2)))
        img = img.repeat(scale, 0).repeat(scale, 1)
        r, c = divmod(k, cols)
        canvas[
            r * (tile + gap) : r * (tile + gap) + img.shape[0],
            c * (tile + gap) : c * (tile + gap) + img.shape[1],
        ] = img
    buf = io.BytesIO()
    Image.fromarray(canvas).save(buf, format="PNG")
    return _write(buf.getvalue(), path)


def frames_png(
    images: np.ndarray, path=None, scale: int | None = None, cols: int | None = None
) -> bytes:
    """PNG sheet of the frames (grey or colour, see :func:`frame_stack`) in reading order,
    ``cols`` per row (default: a near-square grid), a white gap of ``scale`` pixels between
    them; a grey sheet stays grey ("L"), a colour one is "RGB"."""
    stack = frame_stack(images)
    scale = default_scale(stack) if scale is None else int(scale)
    frames = frames_to_uint8(stack, scale)
    n, th, tw = frames.shape[:3]
    cols = math.ceil(math.sqrt(n)) if cols is None else int(cols)
    if not 1 <= cols <= n:
        raise ExportError(f"a sheet of {n} frames has 1..{n} columns, not {cols}")
    rows, gap = math.ceil(n / cols), scale
    canvas = np.full((rows * th + (rows - 1) * gap, cols * tw + (cols - 1) * gap,
                      *frames.shape[3:]), 255, np.uint8)  # fmt: skip
    for i, frame in enumerate(frames):
        r, c = divmod(i, cols)
        canvas[r * (th + gap) : r * (th + gap) + th, c * (tw + gap) : c * (tw + gap) + tw] = frame
    buf = io.BytesIO()
    _pil_frame(canvas).save(buf, format="PNG")
    return _write(buf.getvalue(), path)


def _class_names(class_names, n_classes: int) -> list[str]:
    """``class_names`` as texts, or the default names of ``n_classes`` classes
    (gan_core.labelling.class_names_or_default); a list of the wrong length is refused."""
    names = class_names_or_default(class_names, n_classes)
    if len(names) != int(n_classes):
        raise ExportError(f"{len(names)} class names for {n_classes} classes")
    return names


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating, float)):
        value = float(obj)
        return value if math.isfinite(value) else None
    return obj


def state_json(state: dict[str, Any], path=None) -> bytes:
    """The view's state and numbers as pretty JSON (arrays become lists, NaN becomes null)."""
    return _write((json.dumps(_jsonable(state), indent=2, sort_keys=True) + "\n").encode(), path)


def map_png(
    explorer, n2d: int, n3d: int, w=None, label=None, scale: int = 4, path=None, point=None
) -> bytes:
    """PNG of a model's main map as the explorer shows it: the 2D grid, or every slice of
    the cube (for 4D, the cube at the precomputed 4th-coordinate value nearest ``w``, or
    nearest ``point``'s)."""
    w = w if explorer.latent_dim == 4 else None
    m = explorer.default_map(n2d, n3d, w=w, label=label, point=point)
    k = m.n_classes
    if explorer.latent_dim == 2:
        return class_map_png(m.classes, m.confidence, path=path, scale=scale, n_classes=k)
    return cube_png(m.classes, path=path, scale=scale, n_classes=k)


def view_state(explorer, point, label=None, class_names=None, **view) -> dict[str, Any]:
    """The numbers behind one latent point: the point, its class (``digit`` and
    ``class_index``: the index; ``class``: its name), the probabilities, the class names,
    the image (squeezed: (H, W) or (H, W, 3)) and the model's metrics, plus whatever
    describes the view (``view``: slice, map label...). ``class_names`` default to the
    model's (``explorer.class_names``)."""
    probe = explorer.probe_point(point, label)
    k = len(np.asarray(probe.probs))
    if class_names is None:
        class_names = getattr(explorer, "class_names", None)
    names = _class_names(class_names, k)
    return {
        "model": explorer.model_id,
        "latent_dim": explorer.latent_dim,
        "label": probe.label,
        "point": probe.z,
        "digit": probe.class_index,
        "class_index": probe.class_index,
        "class": names[probe.class_index],
        "class_names": names,
        "image_shape": list(getattr(explorer, "image_shape", np.shape(probe.image))),
        "probabilities": np.round(np.asarray(probe.probs, np.float64), 6),
        "image": np.round(np.asarray(probe.image, np.float64), 4),
        "metrics": explorer.checkpoint.metrics,
        **view,
    }


def slice_map_json(model_id: str, cmap, class_names=None) -> dict[str, Any]:
    """A class map on a latent slice (``LatentExplorer.slice_map``) as JSON-ready data:
    ``{"model", "slice": {"spec", "origin", "basis", "range", "n"}, "classes",
    "class_names"}``, where ``classes[i][j]`` (``[i][j][l]`` for a cube) is the index of
    the class at origin + a[i] basis[0] + a[j] basis[1] (+ a[l] basis[2]), a =
    linspace(range[0], range[1], n), and ``class_names[c]`` names class c (default: the
    digits for a 10-class map, "class i" otherwise)."""
    info = cmap.meta.get("slice")
    if not isinstance(info, dict):
        raise ExportError("the map was not computed on a latent slice")
    classes = np.asarray(cmap.classes)
    if classes.ndim != len(info["basis"]) or len(set(classes.shape)) != 1:
        raise ExportError(f"a slice map of shape {classes.shape} does not fit its slice")
    return {
        "model": str(model_id),
        "slice": {
            "spec": info["spec"],
            "origin": [float(v) for v in info["origin"]],
            "basis": [[float(v) for v in row] for row in info["basis"]],
            "range": [float(v) for v in info["range"]],
            "n": int(classes.shape[0]),
        },
        "classes": classes.astype(int).tolist(),
        "class_names": _class_names(class_names, cmap.n_classes),
    }
