"""The latent view: one model's class map (2D) or class cube with its projections (3D/4D),
the point's marker, a path drawn over it, clicks, and the colourings.

A Dash All-in-One component. A page places ``LatentView(aio_id, ...)`` and writes its
stores (``LatentView.ids.model / point / label / path / mask``, e.g. with
:func:`LatentView.follow`, a browser-side copy of the page's own controls); it reads
``LatentView.ids.clicked`` (``{"axes": [...], "values": [...]}``, see
:func:`dashboard.payloads.apply_click`). The callbacks below are registered once for every
instance (MATCH on ``aio_id``):

- ``render``: the whole map or cube, sent when the model, the label, the 4D cube, the
  slice, the colouring or the path's mask change. A map not in the cache yet is queued
  first in the map jobs and the view shows how far it is (``poll_job``, on the clock's
  ticks only), never blocking;
- ``follow``: on every point or path change only Patches travel (the marker, the path,
  the projections' slices when the point enters another grid cell);
- ``click``: the map, a cube point or a projection face clicked gives the coordinates.
"""

from __future__ import annotations

import time

import numpy as np
from dash import (
    MATCH,
    ClientsideFunction,
    Input,
    Output,
    Patch,
    State,
    callback,
    clientside_callback,
    ctx,
    dcc,
    html,
    no_update,
    set_props,
)

from dashboard import figures, precompute, registry, slicing
from dashboard.errors import concrete_id, page_callback
from dashboard.figures import EMPTY
from dashboard.jobs import JOBS
from dashboard.payloads import (
    PayloadError,
    click_coordinates,
    parse_point,
    projection_axes,
    safe_label,
)
from dashboard.texts import fidelity_text
from gan_core.explorer import MapRequest
from gan_core.latent import ClassMap, snap_fourth

COARSE_POINTS = 24  # a new plane's map is drawn at 24 x 24 first, then at full size

HIDDEN: dict = {"display": "none"}


def _id(sub: str):
    return lambda aio_id: {"component": "latent-view", "subcomponent": sub, "aio_id": aio_id}


def explore_view_kind(latent_dim: int) -> str:
    """'map' for 2D latent spaces and for the plane through a space above 4-D (see
    dashboard.slicing), 'cube' for 3D and 4D."""
    return "map" if latent_dim == 2 or slicing.sliced(latent_dim) else "cube"


def projection_key(model_id: str, cube: ClassMap, point) -> list:
    """What the projections' slices depend on: the model, the cube (label, fixed w) and the
    grid cell of the point. JSON-ready, so a dcc.Store can hold the last one sent."""
    return [
        str(model_id),
        cube.label,
        [float(v) for v in cube.fixed],
        figures.slice_indices(cube, point),
    ]


class LatentView(html.Div):
    """The map or cube of a model around a point (see the module doc)."""

    class ids:
        # written by the page
        model = _id("model")
        point = _id("point")
        label = _id("label")
        path = _id("path")
        mask = _id("mask")
        slice = _id("slice")  # above 4-D: the page's slice record (dashboard.slicing)
        # read by the page
        clicked = _id("clicked")
        # the view's own
        figure = _id("figure")
        proj = _id("proj")
        proj_card = _id("proj-card")
        slice_card = _id("slice-card")
        colour = _id("colour")
        axis = _id("axis")
        index = _id("index")
        note = _id("note")
        error = _id("error")
        progress_box = _id("progress-box")
        progress_text = _id("progress-text")
        progress = _id("progress")
        job = _id("job")
        job_done = _id("job-done")
        poll = _id("poll")
        ready = _id("ready")
        w_index = _id("w-index")
        shown = _id("shown")
        drawn = _id("drawn")
        slices = _id("slices")
        redraw = _id("redraw")
        options = _id("options")

    def __init__(
        self,
        aio_id: str,
        *,
        title_map: str = "Map of class areas",
        title_cube: str = "Class cube",
        colourings: bool = False,
        colour: str = "class",
        slices: bool = False,
        axis: str = "none",
        index: int = 8,
        projections: bool = False,
        height: int = 420,
        hint: str | None = None,
    ):
        """``colourings``: the class / confidence / realism choice (2D); ``slices``: the
        cube's slice controls; ``projections``: the three faces through the point (3D/4D).
        The DOM holds ``<aio_id>-map``, ``-projections``, ``-colour`` and ``-progress``
        around those parts (string ids for a page's CSS and for browser tests)."""
        options = {"title_map": title_map, "title_cube": title_cube, "height": height,
                   "projections": projections, "colourings": colourings}  # fmt: skip
        first = figures.message_figure(hint, height=height) if hint else EMPTY
        slice_controls = _slice_controls(aio_id, axis, index)
        super().__init__(
            [
                html.Div(id=self.ids.error(aio_id), className="error", role="alert"),
                _progress(aio_id),
                _map_card(
                    aio_id,
                    first,
                    _colour_choice(aio_id, colour, colourings),
                    slice_controls if slices else html.Div(slice_controls, style=HIDDEN),
                ),
                _projections_card(aio_id),
                *_stores(aio_id, options),
            ],
            className="latent-view",
        )

    @staticmethod
    def follow(aio_id: str, **sources) -> None:
        """Copy page controls into the view's stores in the browser (no server request):
        ``model=Input(...)``, ``point=Input(...)`` (a list of slider values), ``label=``."""
        for store, source in sources.items():
            copy = "copyPointToView" if store == "point" else "copyToViewStore"
            clientside_callback(
                ClientsideFunction(namespace="gx", function_name=copy),
                Output(getattr(LatentView.ids, store)(aio_id), "data"),
                source,
            )


# --- the view's parts ------------------------------------------------------------------


def _colour_choice(aio_id: str, colour: str, colourings: bool) -> dcc.RadioItems:
    """Class areas, classifier confidence or realism (a 2D map; hidden otherwise)."""
    return dcc.RadioItems(
        id=LatentView.ids.colour(aio_id), inline=True, value=colour, className="colour-choice",
        options=[{"label": f" {t}", "value": k} for k, t in figures.COLOURINGS.items()],
        style={} if colourings else HIDDEN,
    )  # fmt: skip


def _slice_controls(aio_id: str, axis: str, index: int) -> html.Div:
    """The whole cube or one slice of it (the axis and the slice's index); shown for a cube."""
    last = registry.SETTINGS.cube_n - 1
    axes = [{"label": " whole cube", "value": "none"}]
    axes += [{"label": f" {name}", "value": str(k)} for k, name in enumerate("xyz")]
    return html.Div(
        [
            html.Span("Cube slice", className="muted"),
            dcc.RadioItems(id=LatentView.ids.axis(aio_id), inline=True, value=axis, options=axes),
            dcc.Slider(id=LatentView.ids.index(aio_id), min=0, max=last, step=1,
                       value=min(index, last), marks=None, tooltip={"placement": "bottom"}),
        ],
        id=LatentView.ids.slice_card(aio_id),
        className="slice-controls",
        style=HIDDEN,
    )  # fmt: skip


def _progress(aio_id: str) -> html.Div:
    """How far the map being computed is (shown while it is)."""
    i = LatentView.ids
    bar = html.Progress(id=i.progress(aio_id), max=1, value=0)
    box = html.Div([html.Div(id=i.progress_text(aio_id)), bar], id=i.progress_box(aio_id),
                   className="progress-box", style=HIDDEN)  # fmt: skip
    return html.Div(box, id=f"{aio_id}-progress")


def _map_card(aio_id: str, first, colour_choice, slice_controls) -> html.Div:
    """The colouring, the slice controls, the map or cube (``first`` until it is drawn) and
    the note under it."""
    graph = dcc.Graph(id=LatentView.ids.figure(aio_id), figure=first,
                      config={"displayModeBar": False})  # fmt: skip
    return html.Div(
        [
            html.Div(colour_choice, id=f"{aio_id}-colour"),
            slice_controls,
            dcc.Loading(html.Div(graph, id=f"{aio_id}-map")),
            html.Div(id=LatentView.ids.note(aio_id), className="metric"),
        ],
        className="card",
    )


def _projections_card(aio_id: str) -> html.Div:
    """The three faces of the cube through the point (3D/4D, once there is a point)."""
    graph = dcc.Graph(id=LatentView.ids.proj(aio_id), figure=EMPTY,
                      config={"displayModeBar": False})  # fmt: skip
    return html.Div(
        html.Div(graph, id=f"{aio_id}-projections"),
        id=LatentView.ids.proj_card(aio_id),
        className="card",
        style=HIDDEN,
    )


_STORES = ("model", "point", "label", "path", "mask", "clicked", "job", "job_done", "ready",
           "w_index", "shown", "drawn", "slices", "redraw", "slice")  # fmt: skip


def _stores(aio_id: str, options: dict) -> list:
    """The view's stores (what the page writes and reads, the view's own state), its
    options and the clock that polls a map being computed."""
    i = LatentView.ids
    return [
        *[dcc.Store(id=getattr(i, name)(aio_id)) for name in _STORES],
        dcc.Store(id=i.options(aio_id), data=options),
        dcc.Interval(id=i.poll(aio_id), interval=400, disabled=True),
    ]


# --- pure functions behind the callbacks ------------------------------------------------


def view_plane(explorer, record):
    """The plane the view shows of a space above 4-D (from the page's slice record), else
    None: smaller spaces are shown whole."""
    if not slicing.sliced(explorer.latent_dim):
        return None
    return slicing.from_record(record, explorer)


def view_point(explorer, values, plane=None) -> np.ndarray | None:
    """The view's point from a page's values: None (no marker) when absent; a longer list
    (a page whose sliders serve models of several sizes) gives its first coordinates. On a
    plane (``plane``, see :func:`view_plane`) the point is its slice coordinates."""
    if values is None or values == []:
        return None
    dims = slicing.view_dims(explorer.latent_dim)
    if isinstance(values, list) and len(values) > dims:
        values = values[:dims]
    if plane is not None:
        return slicing.slice_coordinates(plane, values)
    return parse_point(values, dims)


def view_request(explorer, point, label, plane=None, n=None):
    """The map or cube this view shows for ``point`` (4D: the cube nearest its w; above
    4-D the map of ``plane``, ``n`` points a side)."""
    s = registry.SETTINGS
    lab = safe_label(label) if explorer.conditional else None
    if plane is not None:
        return MapRequest("slice", int(n or s.grid_2d), lab, slice=plane.spec)
    return explorer.view_request(s.grid_2d, s.cube_n, label=lab, point=point)


def view_path(explorer, path) -> tuple[np.ndarray, np.ndarray] | None:
    """(latents, classes) of a path the page drew over the view, or None."""
    if not path:
        return None
    try:
        latents = np.asarray(path["latents"], np.float32)
        classes = np.asarray(path["classes"], np.int64)
    except (TypeError, KeyError, ValueError) as exc:
        raise PayloadError("malformed path") from exc
    dims = slicing.view_dims(explorer.latent_dim)  # above 4-D: the path on the view's plane
    if latents.ndim != 2 or latents.shape[1] != dims or len(classes) != len(latents):
        raise PayloadError("the path does not fit this model")
    return latents, classes


def _masked(cmap: ClassMap, mask) -> ClassMap:
    """The 2D map with only the classes in ``mask`` coloured."""
    classes = cmap.classes.astype(float)
    classes[~np.isin(cmap.classes, list(mask))] = np.nan
    return type(cmap)(classes, cmap.probs, cmap.axes, cmap.fixed, cmap.label)


def _cube_title(options: dict, cmap: ClassMap, path) -> str:
    """E.g. "Class cube at w = {w} (label 6)", ``{w}`` standing for the 4th coordinate
    (``+0.33``; the page fills it in too when it swaps a 4D cube); with a path, A's."""
    title = options["title_cube"]
    if cmap.fixed:
        title += " at w = {w}" + (" (A's)" if path is not None else "")
    return title + (f" (label {cmap.label})" if cmap.label is not None else "")


def cube_meta(explorer, cmap: ClassMap, sliced, index: int, mask, template: str, path) -> dict:
    """What the page needs to redraw a cube figure like this one for another cube (the
    figure's ``layout.meta``): the cube shown, the slice, the classes shown, the title."""
    w_index = None
    if explorer.latent_dim == 4 and cmap.fixed:
        w_index = snap_fourth(float(cmap.fixed[0]), len(cmap.axes[0]))[0]
    return {"w_index": w_index, "slice_axis": sliced, "slice_index": index,
            "only": mask or None, "title": template, "path": path is not None}  # fmt: skip


def _map_title(options: dict, cmap: ClassMap) -> str:
    """The map's title; on a plane, which plane and how fine (a coarse first draw says so)."""
    plane = cmap.meta.get("slice")
    if plane is None:
        return options["title_map"]
    n = cmap.classes.shape[0]
    return f"{options['title_map']} on {_short(plane['spec'])} ({n}x{n})"


def _short(spec: str, most: int = 40) -> str:
    return spec if len(spec) <= most else spec[: most - 1] + "…"


def view_figure(explorer, cmap, point, *, axis="none", index=0, colour="class", path=None,
                mask=None, options=None) -> tuple[object, dict]:  # fmt: skip
    """(the figure, where its path traces are) for a drawn map or cube: the class areas (or
    on a 2D map the confidence or realism colouring), the marker (none without a point),
    a path (its line and frames: a map's last two traces, a cube's traces 1 and 2)."""
    options = {"title_map": "Map of class areas", "title_cube": "Class cube", "height": 420,
               **(options or {})}  # fmt: skip
    height, names = options["height"], explorer.class_names
    if explore_view_kind(explorer.latent_dim) == "map":
        marker = (0.0, 0.0) if point is None else point
        if colour == "confidence" and path is None:
            fig = figures.value_map_figure(cmap.confidence, cmap.axes, marker,
                                           "Classifier confidence", "p", height)  # fmt: skip
        elif colour == "realism" and path is None and "slice" not in cmap.meta:
            values, axes = explorer.realism_map(label=cmap.label)
            fig = figures.value_map_figure(values, axes, marker, "Realism D(G(z))", "D", height)
        else:
            shown = cmap if not mask else _masked(cmap, mask)
            coords = ("t0", "t1") if "slice" in cmap.meta else ("x", "y")
            fig = figures.class_map_figure(shown, marker, title=_map_title(options, cmap),
                                           height=height, xlabel=coords[0], ylabel=coords[1],
                                           label_areas=not mask, marker_as="shapes",
                                           class_names=names)  # fmt: skip
        if point is None:
            fig.layout.shapes = ()
        if path is not None:
            for tr in figures.path_traces(path[0], path[1], (0, 1), names):
                fig.add_trace(tr)
    else:
        sliced = None if axis in (None, "none") else int(axis)
        index = min(int(index or 0), len(cmap.axes[0]) - 1)
        template = _cube_title(options, cmap, path)
        title = template.replace("{w}", f"{float(cmap.fixed[0]):+.2f}") if cmap.fixed else template
        fig = figures.cube_figure(cmap, point, sliced, index, only_classes=mask or None,
                                  title=title, height=height, class_names=names)  # fmt: skip
        fig.layout.meta = cube_meta(explorer, cmap, sliced, index, mask, template, path)
        if point is None:
            fig.update_traces(x=[], y=[], z=[], selector={"name": "point"})
        if path is not None:  # right after the marker: the areas' traces vary per cube
            fig.add_traces(figures.path_traces_3d(path[0], path[1], names))
            fig.data = (fig.data[0], fig.data[-2], fig.data[-1], *fig.data[1:-2])
            return fig, {"path": [1, 2]}
        return fig, {"path": None}
    n = len(fig.data)
    return fig, {"path": [n - 2, n - 1] if path is not None else None}


def marker_patches(explorer, point, projections: bool) -> tuple[Patch, object]:
    """(figure, projections) Patches that move the marker to ``point`` (hide it for None);
    no_update for projections not shown."""
    fig, proj = Patch(), (Patch() if projections else no_update)
    if explore_view_kind(explorer.latent_dim) == "map":
        fig["layout"]["shapes"] = [] if point is None else figures.marker_shapes(point)
        return fig, proj
    for axis, name in enumerate("xyz"):
        fig["data"][0][name] = [] if point is None else [float(point[axis])]
    if point is not None and projections:
        for k, (_name, _axis, a, b) in enumerate(figures.PROJECTIONS):
            proj["data"][2 * k + 1]["x"] = [float(point[a])]
            proj["data"][2 * k + 1]["y"] = [float(point[b])]
    return fig, proj


def path_patch(fig: Patch, explorer, path, traces: list[int]) -> None:
    """Move the drawn path's line and frames (trace indices ``traces``) to ``path``."""
    latents, classes = path
    names = "xy" if explore_view_kind(explorer.latent_dim) == "map" else "xyz"
    for k in traces:
        for axis, name in enumerate(names):
            fig["data"][k][name] = latents[:, axis].tolist()
    fig["data"][traces[1]]["marker"]["color"] = figures.frame_colours(classes, explorer.class_names)


# --- callbacks (one set for every instance) --------------------------------------------

_ID = LatentView.ids
_M = MATCH
_RENDERED = ("figure", "proj", "proj_card", "slice_card", "last_index", "colour_choice", "note",
             "ready", "drawn")  # fmt: skip


@page_callback(
    output={"figure": Output(_ID.figure(_M), "figure"), "proj": Output(_ID.proj(_M), "figure"),
            "proj_card": Output(_ID.proj_card(_M), "style"),
            "slice_card": Output(_ID.slice_card(_M), "style"),
            "last_index": Output(_ID.index(_M), "max"),
            "colour_choice": Output(_ID.colour(_M), "style"), "note": Output(_ID.note(_M), "children"),
            "ready": Output(_ID.ready(_M), "data"), "drawn": Output(_ID.drawn(_M), "data"),
            "job": Output(_ID.job(_M), "data"), "polling_off": Output(_ID.poll(_M), "disabled")},
    inputs={"model_id": Input(_ID.model(_M), "data"), "label": Input(_ID.label(_M), "data"),
            "axis": Input(_ID.axis(_M), "value"),
            "index": Input(_ID.index(_M), "value"), "colour": Input(_ID.colour(_M), "value"),
            "mask": Input(_ID.mask(_M), "data"), "_job_done": Input(_ID.job_done(_M), "data"),
            "_redraw": Input(_ID.redraw(_M), "data"), "record": Input(_ID.slice(_M), "data"),
            "values": State(_ID.point(_M), "data"), "path": State(_ID.path(_M), "data"),
            "options": State(_ID.options(_M), "data"), "last_job": State(_ID.job(_M), "data")},
    error_box=_ID.error(_M),
    prevent_initial_call=True,
)  # fmt: skip
def render(model_id, label, axis, index, colour, mask, _job_done, _redraw, record, values, path,
           options, last_job):  # fmt: skip
    """The whole map or cube; a map not yet in the cache is queued first and polled (a new
    plane's map is drawn coarse at once meanwhile)."""
    explorer = registry.get(model_id)
    if slicing.sliced(explorer.latent_dim) and not record:  # the page has not chosen one yet
        return {k: no_update for k in (*_RENDERED, "job", "polling_off")}
    plane = view_plane(explorer, record)
    point = view_point(explorer, values, plane)
    request = view_request(explorer, point, label, plane)
    if plane is not None and request.n <= COARSE_POINTS:  # as fast as a coarse draw: now
        cmap, key = explorer.compute(request), None
    else:
        cmap, _job, key = precompute.request_map(explorer, request, replaces=last_job)
    waiting = cmap is None
    if waiting and plane is not None:  # a new plane: its coarse map now, the full one next
        cmap = explorer.compute(view_request(explorer, point, label, plane, COARSE_POINTS))
    elif waiting:  # computing (or queued): poll_job shows its progress
        return {k: no_update for k in _RENDERED} | {"job": key, "polling_off": False}
    mask = [int(c) for c in mask] if isinstance(mask, list) else None
    fig, traces = view_figure(explorer, cmap, point, axis=axis, index=index, colour=colour,
                              path=view_path(explorer, path), mask=mask, options=options)  # fmt: skip
    cube = explore_view_kind(explorer.latent_dim) == "cube"
    with_proj = cube and bool((options or {}).get("projections")) and point is not None
    return {"figure": fig, "note": fidelity_text(cmap) if cube else "",
            "proj": figures.projections_figure(cmap, point, compact=True,
                                               class_names=explorer.class_names)
            if with_proj else EMPTY,
            "proj_card": {} if with_proj else HIDDEN, "slice_card": {} if cube else HIDDEN,
            "last_index": len(cmap.axes[0]) - 1,
            "colour_choice": {} if (options or {}).get("colourings") and not cube else HIDDEN,
            "ready": model_id, "drawn": {"model": model_id, "projections": with_proj, **traces},
            "job": key if waiting else None, "polling_off": not waiting}  # fmt: skip


@page_callback(
    output={"box": Output(_ID.progress_box(_M), "style"), "value": Output(_ID.progress(_M), "value"),
            "text": Output(_ID.progress_text(_M), "children"), "done": Output(_ID.job_done(_M), "data"),
            "polling_off": Output(_ID.poll(_M), "disabled", allow_duplicate=True)},
    inputs={"_n": Input(_ID.poll(_M), "n_intervals"), "key": State(_ID.job(_M), "data")},
    error_box=_ID.error(_M),
    clears=False,
    prevent_initial_call=True,
)  # fmt: skip
def poll_job(_n, key):
    """Progress of the map being computed; when it is done, render draws it.

    Only the clock's ticks run this, never render's writing of the job: Dash drops a chain
    of callbacks that comes back to where it started, so a ``done`` handed over in answer
    to render's own output (a map finished before the first tick) would never reach
    render, and the map would never be drawn. A tick starts a chain of its own."""
    state = JOBS.get(key) if isinstance(key, str) else None
    if state is None:
        # Under several server processes (gunicorn) the job may run in another one:
        # keep polling until its map is in the shared cache, then let render draw it.
        if isinstance(key, str) and not precompute.key_ready(key):
            return {"box": {}, "value": 0, "text": "Computing the class map for the first time…",
                    "done": no_update, "polling_off": False}  # fmt: skip
        return {"box": HIDDEN, "value": 0, "text": "", "polling_off": True,
                "done": key if isinstance(key, str) else no_update}  # fmt: skip
    if state.finished:
        if state.error is not None:
            JOBS.forget(key)  # a failed job is retried on the next request
            set_props(concrete_id(_ID.error(_M)), {"children": state.error})
        return {"box": HIDDEN, "value": 1, "text": "", "done": key, "polling_off": True}
    return {"box": {}, "value": state.fraction, "text": precompute.job_text(state),
            "done": no_update, "polling_off": False}  # fmt: skip


@page_callback(
    output={"figure": Output(_ID.figure(_M), "figure", allow_duplicate=True),
            "proj": Output(_ID.proj(_M), "figure", allow_duplicate=True),
            "slices": Output(_ID.slices(_M), "data"), "w_index": Output(_ID.w_index(_M), "data"),
            "redraw": Output(_ID.redraw(_M), "data")},
    inputs={"values": Input(_ID.point(_M), "data"), "path": Input(_ID.path(_M), "data"),
            "model_id": State(_ID.model(_M), "data"), "label": State(_ID.label(_M), "data"),
            "ready": State(_ID.ready(_M), "data"), "drawn": State(_ID.drawn(_M), "data"),
            "w_index": State(_ID.w_index(_M), "data"), "shown": State(_ID.shown(_M), "data"),
            "sent": State(_ID.slices(_M), "data"), "options": State(_ID.options(_M), "data"),
            "record": State(_ID.slice(_M), "data")},
    error_box=_ID.error(_M),
    prevent_initial_call=True,
)  # fmt: skip
def follow(values, path, model_id, label, ready, drawn, w_index, shown, sent, options, record):
    """The marker (and path) move by Patch; the projections' slices change only when the
    point enters another grid cell; a 4D point's w picks the cube: render redraws it,
    unless the page already drew that cube itself (``shown``, see :func:`page_drew_cube`)."""
    explorer = registry.get(model_id)
    out = {"figure": no_update, "proj": no_update, "slices": no_update, "w_index": no_update,
           "redraw": no_update}  # fmt: skip
    if slicing.sliced(explorer.latent_dim) and not record:
        return out
    point = view_point(explorer, values, view_plane(explorer, record))
    other_cube = False
    if explorer.latent_dim == 4 and point is not None:
        idx = snap_fourth(point[3], registry.SETTINGS.cube_n)[0]
        if idx != w_index:
            out["w_index"] = idx
            other_cube = not page_drew_cube(shown, model_id, label, idx, explorer.conditional)
    if ready != model_id or not isinstance(drawn, dict) or drawn.get("model") != model_id:
        # Not drawn yet, or being drawn now with the point it was sent, older than this
        # one: render draws again after (Dash runs a callback requested while it is in
        # flight once more when it returns), so the figure ends at the point.
        return {**out, "redraw": time.time()} if point is not None else out
    if other_cube:
        return {**out, "redraw": time.time()}  # render redraws with the point where it is
    projections = bool(drawn.get("projections"))
    wanted = (
        bool((options or {}).get("projections"))
        and explore_view_kind(explorer.latent_dim) == "cube"
    )
    if wanted and point is not None and not projections:  # the first point: draw them
        return {**out, "redraw": time.time()}
    cube = None
    if projections and point is not None:
        cube = precompute.request_map(explorer, view_request(explorer, point, label))[0]
    out["figure"], out["proj"] = marker_patches(explorer, point, projections)
    moved_path = view_path(explorer, path)
    if (moved_path is None) != (not drawn.get("path")):  # a path came or went: draw anew
        return {**out, "figure": no_update, "proj": no_update, "redraw": time.time()}
    if moved_path is not None:
        path_patch(out["figure"], explorer, moved_path, drawn["path"])
    if cube is not None:
        key = projection_key(model_id, cube, point)
        if key != sent:
            for k, slc in enumerate(figures.projection_slices(cube, point).values()):
                out["proj"]["data"][2 * k]["z"] = slc.tolist()
                text = figures.class_text_grid(slc, explorer.class_names)
                if text is not None:  # the hover names of the new slice's cells
                    out["proj"]["data"][2 * k]["text"] = text
            out["slices"] = key
    return out


def page_drew_cube(shown, model_id, label, w_index: int, conditional: bool) -> bool:
    """Whether the page swapped the view's figure to this 4D cube itself while w was
    dragged (it writes ``{"model", "label", "w_index"}`` into the view's ``shown`` store)."""
    if not isinstance(shown, dict):
        return False
    same_label = not conditional or shown.get("label") == label
    return shown.get("model") == model_id and shown.get("w_index") == w_index and same_label


@callback(
    Output(_ID.clicked(_M), "data"),
    Input(_ID.figure(_M), "clickData"),
    Input(_ID.proj(_M), "clickData"),
    State(_ID.model(_M), "data"),
    prevent_initial_call=True,
)
def click(figure_click, proj_click, model_id):
    """Where the map (x, y), a cube point (x, y, z) or a projection face (its two
    coordinates) was clicked; no_update for a click that gives no point."""
    if isinstance(ctx.triggered_id, dict) and ctx.triggered_id.get("subcomponent") == "proj":
        axes = projection_axes(proj_click)
        out = click_coordinates(proj_click, axes) if axes else None
    else:
        try:
            dims = registry.get(model_id).latent_dim
        except Exception:  # noqa: BLE001 - an unknown model: render reports it
            return no_update
        out = click_coordinates(figure_click, (0, 1) if slicing.view_dims(dims) == 2 else (0, 1, 2))
    return no_update if out is None else out
