"""What the download buttons send: the morph as GIF/MP4/JSON, the explorer's map PNG and
view JSON. The JSON files name each class beside its index (the model's class names)."""

from __future__ import annotations

import numpy as np

from dashboard import slicing
from dashboard.payloads import PayloadError, parse_point, safe_label
from dashboard.texts import class_name

MIN_SIDE, MAX_SIDE = 16, 128  # a model's image sides (gan_core.labelling)
MAX_FRAMES = 512


def morph_frames(images) -> np.ndarray:
    """A stored morph's frames: (N, H, W) grey or (N, H, W, 3) colour, 16 <= H, W <= 128,
    at most 512 of them; PayloadError for anything else."""
    try:
        frames = np.asarray(images, dtype=np.float32)
    except (TypeError, ValueError) as exc:  # ragged lists
        raise PayloadError("malformed morph frames") from exc
    colour = frames.ndim == 4 and frames.shape[-1] == 3
    if (frames.ndim != 3 and not colour) or not 1 <= len(frames) <= MAX_FRAMES:
        raise PayloadError("malformed morph frames")
    if not all(MIN_SIDE <= side <= MAX_SIDE for side in frames.shape[1:3]):
        raise PayloadError("malformed morph frames")
    return frames


def named_morph(state: dict, class_names=None) -> dict:
    """A morph's numbers with each class named beside its index (``class_names``: the
    model's; without them the names the morph was stored with, else the digits)."""
    listed = state.get("class_names")
    names = [str(n) for n in (class_names if class_names is not None else listed or range(10))]
    out = {**state, "class_names": names}
    if isinstance(state.get("classes"), list):
        out["names"] = [class_name(c, names) for c in state["classes"] if _index(c)]
    if isinstance(state.get("sequence"), list):
        out["sequence_names"] = [class_name(c, names) for c in state["sequence"] if _index(c)]
    if isinstance(state.get("crossings"), list):
        out["crossings"] = [
            {**c, "from_name": class_name(c["from"], names), "to_name": class_name(c["to"], names)}
            if isinstance(c, dict) and _index(c.get("from")) and _index(c.get("to")) else c
            for c in state["crossings"]
        ]  # fmt: skip
    return out


def _index(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 1000


def morph_download(button: str, result, fps, class_names=None) -> dict:
    """dcc.Download payload for the morph in ``result`` (the morph page's store);
    ``class_names``: the model's, named beside each class in the JSON."""
    from dash import dcc

    from gan_core import export

    if not isinstance(result, dict) or not result.get("images"):
        raise PayloadError("no morph to download yet")
    images = morph_frames(result["images"])
    fps = float(fps) if isinstance(fps, (int, float)) and 1 <= fps <= 30 else 8.0
    name = f"morph-{result.get('model', 'model')}"
    if button == "morph-dl-gif":
        return dcc.send_bytes(export.frames_to_gif(images, fps=fps), f"{name}.gif")
    if button == "morph-dl-mp4":
        return dcc.send_bytes(export.frames_to_mp4(images, fps=fps), f"{name}.mp4")
    state = named_morph({k: v for k, v in result.items() if k != "images"}, class_names)
    return dcc.send_bytes(export.state_json(state), f"{name}.json")


def explore_download(
    button: str, explorer, values, label, map_label, axis, index, grid_2d, cube_n, record=None
) -> dict:
    """dcc.Download payload for the explorer: its map/cube as PNG or the view as JSON.

    Above 4-D (dashboard.slicing) ``record`` is the page's slice record (the
    ``explore-slice`` store) and ``values`` the sliders' slice coordinates t: the PNG is
    that plane's class map (``grid_2d`` points a side) and the JSON adds ``"slice"``
    ({"spec", "origin", "basis", "range"}) and ``"t"`` to the view's numbers, whose
    ``"point"`` is the whole z = origin + t @ basis. Up to 4-D ``record`` is not used.
    """
    from dash import dcc

    from gan_core import export

    plane = None
    if slicing.sliced(explorer.latent_dim):
        plane = slicing.from_record(record, explorer)
        t = slicing.slice_coordinates(plane, values)
        point, shown = slicing.latent_point(plane, t), t
    else:
        point = shown = parse_point(values, explorer.latent_dim)
    lab = safe_label(label) if explorer.conditional else None
    name = (
        f"{explorer.model_id}_"
        + ("t" if plane is not None else "")
        + "_".join(f"{v:+.2f}" for v in shown)
    )
    if button == "explore-dl-png" and plane is not None:
        map_lab = safe_label(map_label) if explorer.conditional else None
        cmap = explorer.slice_map(plane, grid_2d, label=map_lab)
        suffix = "" if map_lab is None else f"-label{map_lab}"
        data = export.class_map_png(cmap.classes, cmap.confidence,
                                    n_classes=len(explorer.class_names))  # fmt: skip
        return dcc.send_bytes(data, f"{explorer.model_id}-slice{suffix}.png")
    if button == "explore-dl-png":
        map_lab = safe_label(map_label) if explorer.conditional else None
        data = export.map_png(explorer, grid_2d, cube_n, label=map_lab, point=point)
        suffix = "" if map_lab is None else f"-label{map_lab}"
        kind = "map" if explorer.latent_dim == 2 else "cube"
        return dcc.send_bytes(data, f"{explorer.model_id}-{kind}{suffix}.png")
    if button != "explore-dl-json":
        raise PayloadError("unknown download")
    view = {"url_view": "/cgan" if explorer.conditional else "/explore"}
    if explorer.conditional:
        view["map_label"] = safe_label(map_label)
    if plane is not None:
        view["slice"] = plane.to_dict()
        view["t"] = [float(v) for v in shown]
    elif explorer.latent_dim >= 3 and axis in ("0", "1", "2"):
        view["slice"] = {
            "axis": "xyz"[int(axis)],
            "index": int(index) if isinstance(index, int) else 0,
        }
    state = named_view(export.view_state(explorer, point, lab, **view), explorer.class_names)
    return dcc.send_bytes(export.state_json(state), f"{name}.json")


def named_view(state: dict, class_names) -> dict:
    """The view's numbers with the model's class names: the list, the point's class by
    name (``class``) beside its index (``digit``), and the probabilities by name."""
    names = [str(n) for n in class_names]
    out = {**state, "class_names": names}
    if _index(state.get("digit")):
        out["class"] = class_name(state["digit"], names)
    probs = np.asarray(state.get("probabilities", []), np.float64).reshape(-1)
    if len(probs) == len(names):
        out["probabilities_by_name"] = {n: float(p) for n, p in zip(names, probs, strict=True)}
    return out
