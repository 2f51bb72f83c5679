"""Exports: morph animations (GIF, MP4), class maps as PNG, view state and slice maps as JSON.

All functions return bytes (and optionally write them atomically to a path), so the
dashboard can stream them as downloads and the CLI can write files.
"""

from __future__ import annotations

import io
import json
import math
from pathlib import Path
from typing import Any

import numpy as np

# One colour per digit, shared by the maps in the dashboard and the exported PNGs
# (Plotly's "D3" qualitative palette: distinct and readable on white).
DIGIT_COLORS = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
)  # fmt: skip


class ExportError(RuntimeError):
    """The export cannot be produced (bad frames, missing encoder)."""


def _hex_to_rgb(color: str) -> tuple[int, int, int]:
    color = color.lstrip("#")
    return tuple(int(color[i : i + 2], 16) for i in (0, 2, 4))  # type: ignore[return-value]


def frames_to_uint8(images: np.ndarray, scale: int = 4) -> np.ndarray:
    """(N, 28, 28[, 1]) images in [-1, 1] -> (N, 28*scale, 28*scale) uint8, crisp pixels."""
    arr = np.asarray(images, dtype=np.float32)
    if arr.ndim == 4 and arr.shape[-1] == 1:
        arr = arr[..., 0]
    if arr.ndim != 3 or arr.shape[0] == 0:
        raise ExportError(f"expected a non-empty (N, H, W) frame stack, got shape {arr.shape}")
    if not np.isfinite(arr).all():
        raise ExportError("frames contain NaN or inf")
    if not 1 <= int(scale) <= 32:
        raise ExportError("scale must be between 1 and 32")
    u8 = np.clip((arr + 1.0) * 127.5 + 0.5, 0, 255).astype(np.uint8)
    return u8.repeat(int(scale), axis=1).repeat(int(scale), axis=2)


def _write(data: bytes, path: str | Path | None) -> bytes:
    if path is not None:
        from gan_core.checkpoints import atomic_write_bytes

        atomic_write_bytes(Path(path), data)
    return data


def with_progress_bar(frames: np.ndarray, height: int) -> np.ndarray:
    """Frames (N, H, W) uint8 with a bar under each showing how far along the path it is.

    It also keeps every frame distinct, so GIF writers never merge identical frames.
    """
    n, _, w = frames.shape
    bars = np.zeros((n, height, w), np.uint8)
    for i in range(n):
        bars[i, :, : max(1, round((i + 1) / n * w))] = 200
    return np.concatenate([frames, bars], axis=1)


def frames_to_gif(
    images: np.ndarray, path=None, scale: int = 4, fps: float = 8.0, loop: bool = True,
    progress_bar: bool = True,
) -> bytes:  # fmt: skip
    """Animated GIF of the frames (one per image), optionally with a progress bar below."""
    from PIL import Image

    if not 0.5 <= fps <= 60:
        raise ExportError("fps must be between 0.5 and 60")
    frames = frames_to_uint8(images, scale)
    if progress_bar:
        frames = with_progress_bar(frames, max(2, int(scale)))
    pil = [Image.fromarray(f, mode="L") for f in frames]
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


def frames_to_mp4(images: np.ndarray, path=None, scale: int = 8, fps: float = 8.0) -> bytes:
    """H.264 MP4 of the frames (needs imageio-ffmpeg; sides padded to a multiple of 16)."""
    if not mp4_available():
        raise ExportError(
            "MP4 export needs the 'imageio-ffmpeg' package (pip install imageio-ffmpeg)"
        )
    import tempfile

    import imageio.v2 as imageio

    frames = frames_to_uint8(images, scale)
    side = frames.shape[1]
    pad = (-side) % 16
    if pad:
        frames = np.pad(frames, ((0, 0), (0, pad), (0, pad)))
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "morph.mp4"
        writer = imageio.get_writer(out, fps=fps, codec="libx264", pixelformat="yuv420p",
                                    macro_block_size=16, ffmpeg_log_level="error")  # fmt: skip
        for frame in frames:
            writer.append_data(np.stack([frame] * 3, axis=-1))
        writer.close()
        data = out.read_bytes()
    return _write(data, path)


def class_map_rgb(classes: np.ndarray, confidence: np.ndarray | None = None) -> np.ndarray:
    """(H, W) digit classes -> (H, W, 3) uint8 colours; low confidence fades toward white."""
    classes = np.asarray(classes)
    if classes.ndim != 2:
        raise ExportError(f"class map must be 2D, got shape {classes.shape}")
    if classes.size and (classes.min() < 0 or classes.max() > 9):
        raise ExportError("class values must be digits 0..9")
    palette = np.array([_hex_to_rgb(c) for c in DIGIT_COLORS], np.float32)
    rgb = palette[classes.astype(int)]
    if confidence is not None:
        alpha = np.clip(np.asarray(confidence, np.float32), 0, 1)[..., None]
        rgb = rgb * alpha + 255.0 * (1 - alpha)
    return rgb.astype(np.uint8)


def class_map_png(classes: np.ndarray, confidence=None, path=None, scale: int = 4) -> bytes:
    """PNG of a 2D class map; row 0 of the array is the bottom (y = lo), as on screen."""
    from PIL import Image

    rgb = class_map_rgb(classes, confidence)
    # Array axes are [x, y]; an image is [row=y from top, col=x].
    img = np.flipud(np.transpose(rgb, (1, 0, 2)))
    img = img.repeat(int(scale), 0).repeat(int(scale), 1)
    buf = io.BytesIO()
    Image.fromarray(img, mode="RGB").save(buf, format="PNG")
    return _write(buf.getvalue(), path)


def cube_png(classes: np.ndarray, path=None, scale: int = 4) -> bytes:
    """PNG of every slice of a class cube along its last axis, tiled in a near-square grid."""
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
        img = np.flipud(np.transpose(class_map_rgb(classes[:, :, k]), (1, 0, 2)))
        img = img.repeat(scale, 0).repeat(scale, 1)
        r, c = divmod(k, cols)
        canvas[
            r * (tile + gap) : r * (tile + gap) + img.shape[0],
            c * (tile + gap) : c * (tile + gap) + img.shape[1],
        ] = img
    buf = io.BytesIO()
    Image.fromarray(canvas, mode="RGB").save(buf, format="PNG")
    return _write(buf.getvalue(), path)


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
    if explorer.latent_dim == 2:
        return class_map_png(m.classes, m.confidence, path=path, scale=scale)
    return cube_png(m.classes, path=path, scale=scale)


def view_state(explorer, point, label=None, **view) -> dict[str, Any]:
    """The numbers behind one latent point: the point, digit, probabilities, the image and
    the model's metrics, plus whatever describes the view (``view``: slice, map label...)."""
    probe = explorer.probe_point(point, label)
    return {
        "model": explorer.model_id,
        "latent_dim": explorer.latent_dim,
        "label": probe.label,
        "point": probe.z,
        "digit": probe.digit,
        "probabilities": np.round(np.asarray(probe.probs, np.float64), 6),
        "image": np.round(np.asarray(probe.image, np.float64), 4),
        "metrics": explorer.checkpoint.metrics,
        **view,
    }


def slice_map_json(model_id: str, cmap) -> dict[str, Any]:
    """A class map on a latent slice (``LatentExplorer.slice_map``) as JSON-ready data:
    ``{"model", "slice": {"spec", "origin", "basis", "range", "n"}, "classes"}``, where
    ``classes[i][j]`` (``[i][j][l]`` for a cube) is the class at origin + a[i] basis[0] +
    a[j] basis[1] (+ a[l] basis[2]), a = linspace(range[0], range[1], n)."""
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
    }
