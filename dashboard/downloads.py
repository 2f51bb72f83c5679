"""What the download buttons send: the morph as GIF/MP4/JSON, the explorer's map PNG and view JSON."""

from __future__ import annotations

import numpy as np

from dashboard import slicing
from dashboard.payloads import PayloadError, parse_point, safe_label


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
        return dcc.send_bytes(export.class_map_png(cmap.classes, cmap.confidence),
                              f"{explorer.model_id}-slice{suffix}.png")  # fmt: skip
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
    state = export.view_state(explorer, point, lab, **view)
    return dcc.send_bytes(export.state_json(state), f"{name}.json")
