"""Pure Plotly figure builders: arrays in, figures out (testable without a browser).

Trace order is part of the contract with the callbacks that patch figures while a slider
is dragged: the map's trace 0 is the class areas, the last trace is the point marker.

Classes: every figure that shows classes takes ``class_names`` (default MNIST's digits,
spoken of as "digit 3"; another model's names as they are, "Sandal") and colours class k
with ``gan_core.images.class_palette`` (2..20 classes; the first ten are the digit colours).
Images: squeezed, in [-1, 1] (gan_core.images): a grey (H, W) image is a grey heatmap, a
colour (H, W, 3) one an RGB image trace, any H, W, with square pixels.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.texts import DIGITS, class_noun, class_text, escaped, is_digits
from gan_core.activations import mean_heatmap
from gan_core.grids import axis_values
from gan_core.images import class_palette, is_colour, squeeze, to_uint8
from gan_core.latent import ClassMap, area_labels

DIGIT_COLORS = tuple(class_palette(10))  # the ten digits' colours (the page's too)

FONT = dict(family="Inter, Segoe UI, Helvetica, Arial, sans-serif", size=12)
MARKER = dict(size=14, color="white", line=dict(color="black", width=2.5), symbol="x-thin-open")


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


def _layout(fig: go.Figure, title: str | None = None, height: int = 320, **kw) -> go.Figure:
    margin = kw.pop("margin", dict(l=40, r=10, t=36 if title else 10, b=36))
    fig.update_layout(
        title=dict(text=title, x=0.02, font=dict(size=14)) if title else None,
        height=height,
        margin=margin,
        font=FONT,
        paper_bgcolor="white",
        plot_bgcolor="white",
        uirevision="keep",
        **kw,
    )
    return fig


IMAGE_DECIMALS = 3  # finer than the 256 grey levels a screen shows over [-1, 1]
ACTIVATION_DIGITS = 3  # significant digits of activation heatmaps sent while dragging


def image_values(image: np.ndarray) -> list:
    """A [-1, 1] image as nested lists rounded to IMAGE_DECIMALS: a third of the JSON of
    full float precision, with no visible difference."""
    return np.round(np.asarray(image, dtype=np.float64), IMAGE_DECIMALS).tolist()


def heatmap_values(values: np.ndarray, digits: int = ACTIVATION_DIGITS) -> list:
    """Nested lists with ``digits`` significant digits (NaN/inf -> 0), for heatmap Patches.

    Activations span many scales (1e-3 in an untrained layer, 10 in a trained one), so
    they are rounded relative to each value's magnitude, not to fixed decimals.
    """
    a = np.nan_to_num(np.asarray(values, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    mag = np.abs(a)
    exponent = np.floor(np.log10(np.where(mag > 0, mag, 1.0)))
    scale = 10.0 ** (digits - 1 - exponent)
    return (np.round(a * scale) / scale).tolist()


def class_colours(class_names=DIGITS) -> list[str]:
    """One colour per class (class_palette): the digit colours for up to ten classes."""
    return class_palette(len(list(class_names)))


def discrete_colorscale(n: int = 10) -> list:
    """A colourscale that paints the integers 0..n-1 (z from 0 to n) with the class colours
    (no blending); for 10 classes the digit colours, as always."""
    scale = []
    for d, color in enumerate(class_palette(n)):
        scale += [[d / n, color], [(d + 1) / n, color]]
    return scale


def class_text_grid(classes: np.ndarray, class_names=DIGITS) -> list | None:
    """Each cell's class name (for hover texts; "" where a cell shows no class), or None
    for the digits, whose hover shows the class number itself ("digit 3")."""
    if is_digits(class_names):
        return None
    names = np.asarray([escaped(n) for n in class_names] + [""], dtype=object)
    cls = np.asarray(classes, dtype=np.float64)
    idx = np.where(np.isfinite(cls), cls, len(names) - 1).astype(int)
    return names[np.clip(idx, 0, len(names) - 1)].tolist()


def _class_hover(class_names, z: str = "%{z}") -> str:
    """The class part of a hover text: "digit %{z}" for the digits, else the cell's name."""
    return f"digit {z}" if is_digits(class_names) else "%{text}"


def _image_trace(image: np.ndarray, **kw):
    """A squeezed image in [-1, 1]: a grey heatmap (H, W) or an RGB image (H, W, 3)."""
    if is_colour(image):
        return go.Image(z=to_uint8(image), hoverinfo="skip", **kw)
    return go.Heatmap(z=image, zmin=-1, zmax=1, colorscale="gray", showscale=False,
                      hoverinfo="skip", **kw)  # fmt: skip


def _uint8_trace(pixels: np.ndarray):
    """Pixels already in uint8: a grey heatmap (H, W) or an RGB image (H, W, 3)."""
    if pixels.ndim == 3:
        return go.Image(z=pixels, hoverinfo="skip")
    return go.Heatmap(z=pixels, zmin=0, zmax=255, colorscale="gray", showscale=False,
                      hoverinfo="skip")  # fmt: skip


def image_array(image) -> np.ndarray:
    """An image as the figures take it: float32, squeezed; ValueError for anything that is
    not a grey (H, W) or colour (H, W, 3) image."""
    img = squeeze(np.asarray(image, dtype=np.float32))
    if img.ndim != 2 and not (img.ndim == 3 and img.shape[-1] == 3):
        raise ValueError(f"an image is (H, W) or (H, W, 3), not {img.shape}")
    return img


def image_figure(
    image: np.ndarray, title: str | None = "Generated image", height: int = 300
) -> go.Figure:
    """An image in [-1, 1] with crisp square pixels (row 0 at the top): grey (H, W) as a
    grey heatmap, colour (H, W, 3) as RGB, any size, keeping its aspect."""
    img = image_array(image)
    fig = go.Figure(_image_trace(img))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    return _layout(fig, title, height, margin=dict(l=4, r=4, t=30 if title else 4, b=4))


def image_trace_values(image: np.ndarray) -> list:
    """What an :func:`image_figure`'s trace 0 ``z`` becomes for a new image (a Patch while
    dragging): rounded grey values, or 8-bit RGB for a colour image."""
    img = image_array(image)
    return to_uint8(img).tolist() if is_colour(img) else image_values(img)


def difference_figure(diff: np.ndarray, title: str, height: int = 300) -> go.Figure:
    """Edited minus original (values in [-2, 2]): a grey image's in red (darker) and blue
    (brighter); a colour image's as RGB around mid-grey (grey = unchanged; each channel's
    change shifts its colour)."""
    d = squeeze(np.asarray(diff, dtype=np.float32))
    if is_colour(d):
        return image_figure(np.clip(d / 2.0, -1.0, 1.0), title, height)
    fig = image_figure(d, title, height)
    fig.update_traces(colorscale="RdBu", zmin=-2, zmax=2)
    return fig


MARKER_RADIUS = 0.045  # latent units


def marker_shapes(point, radius: float = MARKER_RADIUS) -> list[dict]:
    """The point marker as two layout rings (black under white), readable on every colour.

    Moving layout shapes redraws only the shapes; moving a marker *trace* makes Plotly
    recalculate and repaint every trace, including the map's 10,000-cell heatmap.
    """
    x, y = float(point[0]), float(point[1])
    ring = dict(type="circle", xref="x", yref="y", layer="above",
                x0=x - radius, x1=x + radius, y0=y - radius, y1=y + radius)  # fmt: skip
    return [{**ring, "line": {"color": "black", "width": 5}},
            {**ring, "line": {"color": "white", "width": 2}}]  # fmt: skip


def marker_position(fig_layout: dict) -> tuple[float, float] | None:
    """Centre of the ring marker in a figure's layout (as the browser holds it), or None."""
    shapes = (fig_layout or {}).get("shapes") or []
    if not shapes:
        return None
    s = shapes[0]
    return (s["x0"] + s["x1"]) / 2, (s["y0"] + s["y1"]) / 2


COLOURINGS = {
    "class": "class areas",
    "confidence": "classifier confidence",
    "realism": "realism D(G(z))",
}


def value_map_figure(
    values: np.ndarray, axes, point, title: str, label: str, height: int = 420
) -> go.Figure:
    """A map of one number per latent point in [0, 1] (axis 0 -> x, axis 1 -> y), with the
    point marker as layout shapes, like the explorer's class map."""
    xs, ys = axes
    fig = go.Figure(
        go.Heatmap(
            x=xs,
            y=ys,
            z=np.asarray(values, np.float64).T.round(3),
            zmin=0,
            zmax=1,
            colorscale="Viridis",
            colorbar=dict(title=label, thickness=12),
            hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>" + label + " %{z:.2f}<extra></extra>",
        )  # fmt: skip
    )
    fig.update_layout(shapes=marker_shapes((float(point[0]), float(point[1]))))
    fig.update_xaxes(title="x", range=[xs[0], xs[-1]], constrain="domain")
    fig.update_yaxes(title="y", range=[ys[0], ys[-1]], scaleanchor="x")
    return _layout(fig, title, height)


def class_map_figure(
    cmap: ClassMap, point=None, title: str | None = "Map of class areas", height: int = 420,
    xlabel: str = "x", ylabel: str = "y", label_areas: bool = True, marker_as: str = "trace",
    class_names=DIGITS,
) -> go.Figure:  # fmt: skip
    """2D class-area map (axis 0 -> x, axis 1 -> y) with area labels and the point marker.

    ``marker_as="trace"``: the marker is trace 1 (views that add traces after it);
    ``"shapes"``: the marker is :func:`marker_shapes` in the layout and the figure has
    only the heatmap trace (the explorer, which moves the marker on every drag step).
    ``class_names``: the model's classes (areas labelled and hovered by name).
    """
    names = list(class_names)
    xs, ys = cmap.axes
    classes = np.asarray(cmap.classes).T  # heatmap z is [row=y][col=x]
    conf = np.asarray(cmap.confidence).T
    fig = go.Figure(
        go.Heatmap(
            x=xs,
            y=ys,
            z=classes,
            zmin=0,
            zmax=len(names),
            colorscale=discrete_colorscale(len(names)),
            showscale=False,
            customdata=conf,
            text=class_text_grid(classes, names),
            hovertemplate="x=%{x:.2f}<br>y=%{y:.2f}<br>"
            + _class_hover(names)
            + "<br>p=%{customdata:.2f}<extra></extra>",
        )  # fmt: skip
    )
    if label_areas:
        top = 36 if title else 10
        for lab, name, size in placed_area_labels(cmap, names, plot_px=height - top - 36):
            fig.add_annotation(
                x=lab["x"], y=lab["y"], text=f"<b>{escaped(name)}</b>", showarrow=False,
                font=dict(size=size, color="white"), bgcolor="rgba(0,0,0,0.35)", borderpad=2,
            )  # fmt: skip
    p = (0.0, 0.0) if point is None else (float(point[0]), float(point[1]))
    if marker_as == "shapes":
        fig.update_layout(shapes=marker_shapes(p))
    else:
        fig.add_trace(go.Scatter(x=[p[0]], y=[p[1]], mode="markers", marker=MARKER, name="point",
                                 hoverinfo="skip", showlegend=False))  # fmt: skip
    fig.update_xaxes(title=xlabel, range=[xs[0], xs[-1]], constrain="domain")
    fig.update_yaxes(title=ylabel, range=[ys[0], ys[-1]], scaleanchor="x")
    return _layout(fig, title, height)


def placed_area_labels(cmap: ClassMap, names, plot_px: float) -> list[tuple[dict, str, int]]:
    """(label, name, font size) of the area labels that fit on a map drawn ``plot_px``
    pixels high (a square map): largest areas first (gan_core.latent.area_labels), a
    label whose box would cover a larger area's label is left out (hovering names every
    point)."""
    xs, ys = cmap.axes
    per_unit = plot_px / max(float(ys[-1] - ys[0]), 1e-9)  # pixels per latent unit
    boxes, out = [], []
    for lab in area_labels(cmap):
        k = lab["digit"]
        name = str(names[k]) if k < len(names) else str(k)
        size = 16 if len(name) <= 2 else 12
        # half the box, in latent units: bold text ~0.62 em per character, 2 px padding
        half_w = (0.62 * size * len(name) + 6) / 2 / per_unit
        half_h = (1.3 * size + 6) / 2 / per_unit
        box = (lab["x"] - half_w, lab["x"] + half_w, lab["y"] - half_h, lab["y"] + half_h)
        if any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3]
               for b in boxes):  # fmt: skip
            continue
        boxes.append(box)
        out.append((lab, name, size))
    return out


def frame_colours(classes, class_names=DIGITS) -> list[str]:
    """The colour of each frame's class (a path's dots)."""
    palette = class_colours(class_names)
    return [palette[int(c)] for c in classes]


def path_traces(
    latents: np.ndarray, classes: np.ndarray, dims=(0, 1), class_names=DIGITS
) -> list[go.Scatter]:
    """The morph path over a 2D map: a line plus one dot per frame coloured by its class."""
    xs, ys = latents[:, dims[0]], latents[:, dims[1]]
    colors = frame_colours(classes, class_names)
    return [
        go.Scatter(
            x=xs,
            y=ys,
            mode="lines",
            line=dict(color="black", width=2),
            hoverinfo="skip",
            showlegend=False,
            name="path",
        ),  # fmt: skip
        go.Scatter(
            x=xs,
            y=ys,
            mode="markers",
            name="frames",
            showlegend=False,
            marker=dict(size=8, color=colors, line=dict(color="black", width=1)),
            customdata=np.arange(len(xs)),
            hovertemplate="frame %{customdata}<extra></extra>",
        ),  # fmt: skip
    ]


def cube_figure(
    cube: ClassMap, point=None, slice_axis: int | None = None, slice_index: int = 0,
    only_classes=None, title: str | None = "Class cube", height: int = 460, class_names=DIGITS,
) -> go.Figure:  # fmt: skip
    """3D class cube as coloured points (one trace per class, named by ``class_names``), an
    optional slice, the marker.

    Trace 0 is the point marker (patched while dragging).
    """
    names = list(class_names)
    palette = class_colours(names)
    xs, ys, zs = cube.axes
    X, Y, Z = np.meshgrid(xs, ys, zs, indexing="ij")
    classes = np.asarray(cube.classes)
    mask = np.ones(classes.shape, bool)
    if slice_axis is not None:
        sel = [slice(None)] * 3
        mask[:] = False
        sel[slice_axis] = int(slice_index)
        mask[tuple(sel)] = True
    if only_classes is not None:
        mask &= np.isin(classes, list(only_classes))
    p = (0.0, 0.0, 0.0) if point is None else tuple(float(v) for v in point[:3])
    fig = go.Figure(
        go.Scatter3d(
            x=[p[0]],
            y=[p[1]],
            z=[p[2]],
            mode="markers",
            name="point",
            showlegend=False,
            marker=dict(size=9, color="black", symbol="diamond"),
        )  # fmt: skip
    )
    size = 6 if slice_axis is not None else 4
    for d in range(len(names)):
        m = mask & (classes == d)
        if not m.any():
            continue
        fig.add_trace(
            go.Scatter3d(
                x=X[m],
                y=Y[m],
                z=Z[m],
                mode="markers",
                name=escaped(names[d]),
                marker=dict(
                    size=size,
                    color=palette[d],
                    opacity=0.9 if slice_axis is not None else 0.45,
                ),
                hovertemplate=escaped(class_text(d, names))
                + "<br>(%{x:.2f}, %{y:.2f}, %{z:.2f})<extra></extra>",
            )  # fmt: skip
        )
    fig.update_layout(
        scene=dict(
            xaxis=dict(title="x", range=[-1.05, 1.05]),
            yaxis=dict(title="y", range=[-1.05, 1.05]),
            zaxis=dict(title="z", range=[-1.05, 1.05]),
            aspectmode="cube",
        ),  # fmt: skip
        legend=dict(title=class_noun(names), itemsizing="constant"),
    )
    return _layout(fig, title, height, margin=dict(l=0, r=0, t=36, b=0))


PROJECTIONS = (("xy", 2, 0, 1), ("xz", 1, 0, 2), ("yz", 0, 1, 2))


def slice_indices(cube: ClassMap, point) -> list[int]:
    """The cube's grid index nearest the point along x, y and z: which slices it shows."""
    from gan_core.latent import nearest_index

    return [nearest_index(cube.axes[axis], float(point[axis])) for axis in range(3)]


def projection_slices(cube: ClassMap, point) -> dict[str, np.ndarray]:
    """For each face (xy, xz, yz), the cube's slice through the grid value nearest the point."""
    idx = slice_indices(cube, point)
    return {
        name: np.take(cube.classes, idx[axis], axis=axis).T  # [row=second][col=first]
        for name, axis, _a, _b in PROJECTIONS
    }


def projections_figure(
    cube: ClassMap, point, height: int = 260, title: str | None = None, compact: bool = False,
    class_names=DIGITS,
) -> go.Figure:  # fmt: skip
    """Three projections of the point's position: the slices through it, with the marker.

    Traces: for each face k in (xy, xz, yz), trace 2k is the slice, 2k+1 the marker.
    ``compact`` names the faces only ("xy"), for a half-width card.
    """
    names = list(class_names)
    from plotly.subplots import make_subplots

    slices = projection_slices(cube, point)
    face_titles = [n if compact else f"{n} (through the point)" for n, *_ in PROJECTIONS]
    fig = make_subplots(rows=1, cols=3, subplot_titles=face_titles,
                        horizontal_spacing=0.12 if compact else 0.08)  # fmt: skip
    for k, (name, _axis, a, b) in enumerate(PROJECTIONS):
        fig.add_trace(
            go.Heatmap(x=cube.axes[a], y=cube.axes[b], z=slices[name], zmin=0, zmax=len(names),
                       colorscale=discrete_colorscale(len(names)), showscale=False,
                       text=class_text_grid(slices[name], names),
                       hovertemplate=_class_hover(names) + "<extra></extra>"),  # fmt: skip
            row=1, col=k + 1,
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(x=[float(point[a])], y=[float(point[b])], mode="markers", marker=MARKER,
                       showlegend=False, hoverinfo="skip"),  # fmt: skip
            row=1, col=k + 1,
        )  # fmt: skip
        ticks = dict(tickvals=[-1, 0, 1]) if compact else {}
        fig.update_xaxes(title_text=name[0], range=[-1, 1], row=1, col=k + 1, **ticks)
        fig.update_yaxes(title_text=name[1], range=[-1, 1], row=1, col=k + 1, **ticks)
    top = 60 if title else 30
    return _layout(fig, title, height, margin=dict(l=30, r=10, t=top, b=36))


def probs_figure(probs: np.ndarray, height: int = 220, class_names=None) -> go.Figure:
    """The classifier's probability per class for the current image (bars named by
    ``class_names``, default the digits)."""
    probs = np.asarray(probs, dtype=float)
    names = list(DIGITS[: len(probs)] if class_names is None else class_names)
    if len(names) != len(probs):
        raise ValueError(f"{len(probs)} probabilities for {len(names)} class names")
    fig = go.Figure(
        go.Bar(
            x=[escaped(n) for n in names],
            y=probs,
            marker_color=class_colours(names),
            hovertemplate=("digit %{x}" if is_digits(names) else "%{x}")
            + ": %{y:.3f}<extra></extra>",
        )  # fmt: skip
    )
    fig.update_yaxes(range=[0, 1], title="p")
    fig.update_xaxes(title=class_noun(names), type="category")
    longest = max(len(str(n)) for n in names)
    if longest > 2:  # names, not digits: slanted, with room for them under the bars
        fig.update_xaxes(title=None, tickangle=-45, automargin=True)
        height += min(5 * longest, 160)
    return _layout(fig, "Classifier probabilities", height)


def _rgb(act, rgb: bool) -> bool:
    """Whether a layer's output is drawn as a colour image: asked for, and 3 channels."""
    a = np.asarray(act)
    return bool(rgb) and a.ndim == 3 and a.shape[-1] == 3


def activation_values(act: np.ndarray, rgb: bool = False) -> list:
    """What an :func:`activations_figure` trace's ``z`` becomes for new activations (a
    Patch while dragging): the channel mean, or 8-bit RGB for a colour image layer."""
    if _rgb(act, rgb):
        return to_uint8(act).tolist()
    return heatmap_values(mean_heatmap(act))


def activations_figure(
    activations: dict, titles: dict | None = None, height: int = 230, rgb_layers=()
) -> go.Figure:
    """A row of heatmaps: each layer's activations averaged over its channels; the layers
    in ``rgb_layers`` with 3 channels (a colour model's image) as RGB images."""
    from plotly.subplots import make_subplots

    names = list(activations)
    titles = titles or {}
    fig = make_subplots(rows=1, cols=len(names), subplot_titles=[titles.get(n, n) for n in names],
                        horizontal_spacing=0.04)  # fmt: skip
    for k, name in enumerate(names):
        if _rgb(activations[name], name in rgb_layers):
            trace = go.Image(z=to_uint8(activations[name]),
                             hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>")  # fmt: skip
        else:
            trace = go.Heatmap(z=mean_heatmap(activations[name]), colorscale="Viridis",
                               showscale=False,
                               hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>")  # fmt: skip
        fig.add_trace(trace, row=1, col=k + 1)
        fig.update_yaxes(autorange="reversed", scaleanchor=f"x{k + 1 if k else ''}", showticklabels=False,
                         row=1, col=k + 1)  # fmt: skip
        fig.update_xaxes(showticklabels=False, constrain="domain", row=1, col=k + 1)
    return _layout(fig, "Activations for each layer (average values)", height,
                   margin=dict(l=10, r=10, t=60, b=10))  # fmt: skip


def image_stack(images) -> np.ndarray:
    """A stack of images as the figures take it: float32, squeezed, (N, H, W) grey or
    (N, H, W, 3) colour; ValueError otherwise."""
    imgs = squeeze(np.asarray(images, dtype=np.float32))
    if imgs.ndim != 3 and not (imgs.ndim == 4 and imgs.shape[-1] == 3):
        raise ValueError(f"a stack of images is (N, H, W) or (N, H, W, 3), not {imgs.shape}")
    return imgs


STRIP_GAP = 2  # pixels between two frames of a strip


def strip_figure(
    images: np.ndarray, classes=None, current: int | None = None, height: int = 150,
    class_names=DIGITS,
) -> go.Figure:  # fmt: skip
    """The morph's frames side by side (one image), the current frame outlined, each
    frame's class above it: the digits over every frame, longer names where the class
    changes (they would not fit over each one).

    Pixels travel as 8 bits (a base64 uint8 array, a quarter of float32's bytes): grey
    levels, or RGB for colour frames: what a screen shows anyway.
    """
    imgs = image_stack(images)
    n, h, w = imgs.shape[:3]
    step = w + STRIP_GAP
    gap = np.full((n, h, STRIP_GAP, *imgs.shape[3:]), -1.0, np.float32)
    row = np.concatenate(np.concatenate([imgs, gap], axis=2), axis=1)  # (h, n * step[, 3])
    u8 = np.round((np.clip(row, -1.0, 1.0) + 1.0) * 127.5).astype(np.uint8)
    fig = go.Figure(_uint8_trace(u8))
    top = 8 * h / 28  # room above the frames for their classes
    if classes is not None:
        palette, digits = class_colours(class_names), is_digits(class_names)
        names = list(class_names)
        if not digits:
            top = 14 * h / 28  # two rows, for names that would overlap
        for i, c, row in _strip_labels(classes, names, digits):
            where = dict(x=i * step + w // 2) if digits else dict(x=i * step - 0.5, xanchor="left")
            fig.add_annotation(**where, y=-(3 + 6 * row) * h / 28, showarrow=False,
                               text=escaped(names[c]) if c < len(names) else str(c),
                               font=dict(size=11, color=palette[c % len(palette)]))  # fmt: skip
    if current is not None and 0 <= current < n:
        fig.add_shape(type="rect", x0=current * step - 0.5, x1=current * step + w - 0.5,
                      y0=-0.5, y1=h - 0.5, line=dict(color="#d62728", width=3))  # fmt: skip
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False, range=[h, -top])
    fig.update_xaxes(visible=False, constrain="domain")
    return _layout(fig, None, height, margin=dict(l=4, r=4, t=4, b=4))


def _strip_labels(classes, names: list, digits: bool) -> list[tuple[int, int, int]]:
    """(frame, class, row) of a strip's class labels: the digits over every frame (row 0);
    names where the class changes, a name on the second row (1) when the one before it is
    too close to fit (about three letters a frame)."""
    out: list[tuple[int, int, int]] = []
    for i, c in enumerate(int(c) for c in classes):
        if digits:
            out.append((i, c, 0))
        elif not out or c != out[-1][1]:
            row = 0
            if out:
                j, prev, prev_row = out[-1]
                wide = len(names[prev]) if prev < len(names) else 2
                row = 1 - prev_row if i - j < max(2, -(-wide // 3)) else 0
            out.append((i, c, row))
    return out


def layer_figure(act: np.ndarray, mode: str = "mean", channels=None, title: str = "", height: int = 420,
                 selection=None, rgb: bool = False) -> go.Figure:  # fmt: skip
    """One layer's output: the channel mean, or a grid of channel maps (tile = channel);
    ``rgb``: a colour model's image layer, whose "mean" view is the image itself (RGB).

    In the channel grid each tile's customdata holds its channel index so a click selects it.
    """
    act = np.asarray(act, dtype=np.float32)
    if act.ndim == 1:
        act = act.reshape(1, 1, -1)
    h, w, c = act.shape
    if mode == "mean" and _rgb(act, rgb):
        fig = go.Figure(go.Image(z=to_uint8(act),
                                 hovertemplate="row %{y}, col %{x}: %{z}<extra></extra>"))  # fmt: skip
        fig.update_yaxes(autorange="reversed", scaleanchor="x", title="row")
        fig.update_xaxes(title="column", constrain="domain")
    elif mode == "mean":
        z = act.mean(-1)
        fig = go.Figure(go.Heatmap(z=z, colorscale="Viridis", colorbar=dict(thickness=10),
                                   hovertemplate="row %{y}, col %{x}: %{z:.3f}<extra></extra>"))  # fmt: skip
        fig.update_yaxes(autorange="reversed", scaleanchor="x", title="row")
        fig.update_xaxes(title="column", constrain="domain")
    else:
        idx = list(range(c)) if channels is None else list(channels)
        cols = int(np.ceil(np.sqrt(len(idx))))
        rows = int(np.ceil(len(idx) / cols))
        big = np.full((rows * (h + 1), cols * (w + 1)), np.nan, np.float32)
        chan = np.full(big.shape, -1, np.int32)
        for k, ch in enumerate(idx):
            r, q = divmod(k, cols)
            big[r * (h + 1) : r * (h + 1) + h, q * (w + 1) : q * (w + 1) + w] = act[..., ch]
            chan[r * (h + 1) : r * (h + 1) + h, q * (w + 1) : q * (w + 1) + w] = ch
        fig = go.Figure(go.Heatmap(z=big, customdata=chan, colorscale="Viridis", colorbar=dict(thickness=10),
                                   hovertemplate="channel %{customdata}: %{z:.3f}<extra></extra>"))  # fmt: skip
        fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
        fig.update_xaxes(visible=False, constrain="domain")
    return _layout(fig, title, height)


def path_traces_3d(
    latents: np.ndarray, classes: np.ndarray, class_names=DIGITS
) -> list[go.Scatter3d]:
    """The morph path through a cube: a line plus one dot per frame coloured by its class."""
    colors = frame_colours(classes, class_names)
    x, y, z = latents[:, 0], latents[:, 1], latents[:, 2]
    return [
        go.Scatter3d(x=x, y=y, z=z, mode="lines", name="path", line=dict(color="black", width=6),
                     showlegend=False, hoverinfo="skip"),
        go.Scatter3d(x=x, y=y, z=z, mode="markers", name="frames", showlegend=False,
                     marker=dict(size=5, color=colors, line=dict(color="black", width=1))),
    ]  # fmt: skip


def samples_grid_figure(samples: np.ndarray, title: str, height: int = 340) -> go.Figure:
    """uint8 images (36: a 6x6 sheet), grey (N, H, W) or colour (N, H, W, 3), crisp pixels."""
    imgs = squeeze(np.asarray(samples))
    if imgs.ndim != 3 and not (imgs.ndim == 4 and imgs.shape[-1] == 3):
        raise ValueError(f"samples are (N, H, W) or (N, H, W, 3), not {imgs.shape}")
    n, h, w = imgs.shape[:3]
    cols = 6
    rows = int(np.ceil(n / cols))
    sheet = np.zeros((rows * h, cols * w, *imgs.shape[3:]), np.uint8)
    for k, im in enumerate(imgs):
        r, c = divmod(k, cols)
        sheet[r * h : (r + 1) * h, c * w : (c + 1) * w] = im
    fig = go.Figure(_uint8_trace(sheet))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False, constrain="domain")
    return _layout(fig, title, height, margin=dict(l=4, r=4, t=30, b=4))


def history_figure(replay, epoch: int, height: int = 300) -> go.Figure:
    """G and D losses per epoch, weak-classifier accuracy (right axis), the chosen epoch marked."""
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=replay.epochs, y=replay.g_loss, name="G loss", mode="lines"))
    fig.add_trace(go.Scatter(x=replay.epochs, y=replay.d_loss, name="D loss", mode="lines"))
    if len(replay.weak_epochs):
        fig.add_trace(go.Scatter(x=replay.weak_epochs, y=replay.weak_acc, name="weak classifier acc.",
                                 mode="lines+markers", yaxis="y2", line=dict(dash="dot")))  # fmt: skip
    fig.add_vline(x=epoch, line=dict(color="#d62728", width=2))
    fig.update_layout(
        xaxis=dict(title="epoch"), yaxis=dict(title="loss"),
        yaxis2=dict(title="accuracy (0.5 is best)", overlaying="y", side="right", range=[0.4, 1.02]),
        legend=dict(orientation="h", y=1.12),
    )  # fmt: skip
    return _layout(fig, None, height, margin=dict(l=50, r=50, t=30, b=40))


def map_change_figure(replay, epoch: int, label: int = 0, height: int = 220) -> go.Figure:
    """Share of the class map that changed since the previous epoch (convergence signal),
    the fixed-noise images' faint pixels (the haze, real MNIST 0.75%); for a CGAN also its
    label fidelity on the monitor grid, overall and for ``label``."""
    fig = go.Figure(go.Scatter(x=replay.map_epochs, y=100 * replay.map_change, mode="lines+markers",
                               name="map changed", hovertemplate="epoch %{x}: %{y:.1f}% changed<extra></extra>"))  # fmt: skip
    title = "How much the class map changed from the previous epoch, and the faint-pixel haze"
    faint = getattr(replay, "faint_pixels", None)
    if faint is not None and len(faint) and len(faint) == len(replay.sample_epochs):
        fig.add_trace(
            go.Scatter(
                x=replay.sample_epochs,
                y=faint,
                mode="lines",
                name="faint pixels (real MNIST 0.75%)",
                line=dict(color="#ff7f0e"),
                yaxis="y2",
                hovertemplate="epoch %{x}: %{y:.2f}% of the fixed-noise images' pixels at "
                "grey 1-10 of 255<extra></extra>",
            )
        )
        fig.update_layout(  # the haze is a few percent: its own scale, on the right
            yaxis2=dict(
                title="faint pixels %",
                overlaying="y",
                side="right",
                rangemode="tozero",
                showgrid=False,
                color="#ff7f0e",
            )
        )
    fidelity = getattr(replay, "label_fidelity", None)
    if fidelity is not None and len(fidelity) == len(replay.map_epochs) and len(fidelity):
        fig.add_trace(
            go.Scatter(
                x=replay.map_epochs,
                y=100 * fidelity.mean(axis=1),
                mode="lines+markers",
                name="label fidelity (all labels)",
                line=dict(color="#2ca02c"),
                hovertemplate="epoch %{x}: %{y:.1f}% of the grid shows its label<extra></extra>",
            )
        )
        fig.add_trace(
            go.Scatter(
                x=replay.map_epochs,
                y=100 * fidelity[:, int(label)],
                mode="lines",
                name=f"label fidelity ({int(label)})",
                line=dict(color="#2ca02c", dash="dot"),
                hovertemplate="epoch %{x}: %{y:.1f}%<extra></extra>",
            )
        )
        title = "Class map change, faint pixels and label fidelity on the monitor grid"
    if len(fig.data) > 1:  # the legend in its own row between the title and the plot
        fig.update_layout(
            legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0)
        )
    fig.add_vline(x=epoch, line=dict(color="#d62728", width=2))
    fig.update_layout(yaxis=dict(title="%", rangemode="tozero"))
    fig.update_xaxes(title="epoch")
    right = 60 if getattr(fig.layout, "yaxis2", None) and fig.layout.yaxis2.overlaying else 10
    top = 64 if len(fig.data) > 1 else 36
    return _layout(fig, title, height + top - 36, margin=dict(l=40, r=right, t=top, b=36))


def class_grid_figure(classes: np.ndarray, title: str, height: int = 340, axes=None,
                      names=("x", "y"), class_names=DIGITS) -> go.Figure:  # fmt: skip
    """A 2D class grid (axis 0 = x, axis 1 = y over [-1, 1]) without probabilities;
    ``axes`` (x values, y values) and ``names`` for other coordinates (a plane's t0, t1);
    ``class_names`` the model's classes."""
    n0, n1 = classes.shape
    axes = [axis_values(n0), axis_values(n1)] if axes is None else [np.asarray(a) for a in axes]
    if (len(axes[0]), len(axes[1])) != (n0, n1):
        raise ValueError(f"axes of {len(axes[0])} x {len(axes[1])} values for a {n0} x {n1} grid")
    k = len(list(class_names))
    cmap = ClassMap(np.asarray(classes, np.uint8), np.zeros(classes.shape + (k,), np.float32),
                    axes)  # fmt: skip
    fig = class_map_figure(cmap, None, title=title, height=height, xlabel=names[0],
                           ylabel=names[1], class_names=class_names)  # fmt: skip
    fig.data[1].visible = False
    fig.data[0].hovertemplate = (f"{names[0]}=%{{x:.2f}}<br>{names[1]}=%{{y:.2f}}<br>"
                                 + _class_hover(class_names) + "<extra></extra>")  # fmt: skip
    return fig
