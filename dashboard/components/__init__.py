"""Small layout pieces shared by the pages."""

from __future__ import annotations

from dash import dcc, html

from gan_core.replay import slice_coordinate


def latent_sliders(
    id_type: str,
    dims: int,
    values=None,
    names="xyzw",
    updatemode: str | list = "drag",
    bound: float = 1.0,
) -> html.Div:
    """One slider per latent coordinate (pattern-matching ids), reporting every step while
    dragged (``updatemode="drag"``) or only when let go (``"mouseup"``: a page that draws
    the drag itself); a list gives each coordinate its own. The sliders span [-bound, bound]
    (a slice's coordinates span its range)."""
    values = values or [0.0] * dims
    edge = int(bound) if float(bound).is_integer() else float(bound)
    modes = list(updatemode) if isinstance(updatemode, (list, tuple)) else [updatemode] * dims
    rows = []
    for i in range(dims):
        label = names[i] if i < len(names) else f"z{i}"
        rows.append(
            html.Div(
                [
                    html.Label(label, className="slider-label"),
                    dcc.Slider(
                        id={"type": id_type, "index": i},
                        min=-edge,
                        max=edge,
                        step=0.01,
                        value=float(values[i]),
                        updatemode=modes[i],
                        marks={-edge: f"{-edge:.3g}", 0: "0", edge: f"{edge:.3g}"},
                        tooltip={"placement": "bottom", "always_visible": False},
                    ),  # fmt: skip
                ],
                className="slider-row",
            )
        )
    return html.Div(rows, className="sliders")


def slice_sliders(id_type: str, plane, values=None, updatemode: str = "drag") -> html.Div:
    """The sliders of a plane's coordinates t0, t1 (over its range) and, for the page's
    script, the plane itself (``data-slice``: spec, origin, basis, range as JSON), from
    which it computes the latent point z = origin + t @ basis on every drag step."""
    import json

    sliders = latent_sliders(id_type, plane.k, values, names=("t0", "t1", "t2"),
                             updatemode=updatemode, bound=plane.hi)  # fmt: skip
    data = html.Div(className="slice-data", hidden=True,
                    **{"data-slice": json.dumps(plane.to_dict(), separators=(",", ":"))})  # fmt: skip
    return html.Div([data, sliders])


def digit_slider(id_: str, value: int = 0) -> dcc.Slider:
    """A 0..9 slider for a digit label (CGAN label, map label)."""
    return dcc.Slider(
        id=id_, min=0, max=9, step=1, value=value, marks={i: str(i) for i in range(10)}
    )


def slice_slider_props(n: int, pick=None) -> tuple[int, int | None, dict, bool]:
    """(max, value, marks, hidden) of a slice slider over ``n`` grid points on [-1, 1]
    (n = 0: the map has no such axis; hidden, with no value): it starts at ``pick`` when
    that is one of its indices, else at the middle, nearest 0, and marks the two ends and
    the middle with their coordinates."""
    if n < 2:
        return 1, None, {}, True
    ends = sorted({0, n // 2, n - 1})
    start = pick if type(pick) is int and 0 <= pick < n else n // 2
    return n - 1, start, {i: f"{slice_coordinate(n, i):+.2f}" for i in ends}, False


def slice_outputs(sizes: dict, outputs_list, picks: dict | None = None) -> list[list]:
    """The (max, value, marks, hidden) outputs of slice sliders and their boxes, one list
    per output with one entry per component the page holds (Dash's ``outputs_list``), each
    from :func:`slice_slider_props` for its id's ``axis`` (``sizes``: points on each axis
    the map has, any other axis is hidden; ``picks``: a starting index per axis)."""
    picks = picks if isinstance(picks, dict) else {}
    columns = []
    for k, components in enumerate(outputs_list):
        axes = [_axis_of(c) for c in components]
        columns.append(
            [slice_slider_props(sizes.get(axis, 0), picks.get(axis))[k] for axis in axes]
        )
    return columns


def _axis_of(component) -> str | None:
    """The ``axis`` of a pattern-matching component's id, if it has a text one."""
    id_ = component.get("id") if isinstance(component, dict) else None
    axis = id_.get("axis") if isinstance(id_, dict) else None
    return axis if isinstance(axis, str) else None


def graph_card(graph_id, loading: bool = False, figure=None, **card_kw) -> html.Div:
    """A card holding one graph (empty, or ``figure``, until a callback fills it), without
    Plotly's toolbar."""
    from dashboard.figures import EMPTY

    graph = dcc.Graph(
        id=graph_id, figure=EMPTY if figure is None else figure, config={"displayModeBar": False}
    )
    return card(None, dcc.Loading(graph) if loading else graph, **card_kw)


def error_box(id_: str) -> html.Div:
    return html.Div(id=id_, className="error", role="alert")


def card(
    title: str | None,
    *children,
    class_name: str = "card",
    card_id: str | None = None,
    style: dict | None = None,
) -> html.Div:
    """A white panel with an optional heading (and id/style so callbacks can show or hide it)."""
    body = ([html.H3(title)] if title else []) + list(children)
    extra: dict = {"id": card_id} if card_id else {}
    if style is not None:
        extra["style"] = style
    return html.Div(body, className=class_name, **extra)


def download_buttons(
    download_id: str, buttons: list[tuple[str, str]], status: bool = False
) -> list:
    """A row of download buttons ((text, id) each) and the dcc.Download they fill; with
    ``status``, a ``<download_id>-status`` note for a callback's ``running`` outputs."""
    extra = [html.Span(id=f"{download_id}-status", className="muted")] if status else []
    row = html.Div(
        [html.Button(text, id=id_, className="button") for text, id_ in buttons] + extra,
        className="buttons",
    )
    return [row, dcc.Download(id=download_id)]
