"""The plane a page's latent sliders move on above 4-D: its spec (a text box), another
random plane, the plane recentred on the point, and the whole point z to copy or paste.

A page places :func:`plane_box`, :func:`whole_point_box` and :func:`store` with its own
``prefix`` (e.g. "explore": ids ``explore-slice-spec``, ``explore-slice``, ``explore-zfull``
...) and calls :func:`register` once. The resolved plane lands in the ``<prefix>-slice``
store (see dashboard.slicing.slice_record), from which the page builds its sliders
(dashboard.components.slice_sliders); smaller models are shown whole and the boxes hide.
"""

from __future__ import annotations

from dash import ALL, Input, Output, State, ctx, dcc, html, no_update

from dashboard import registry, slicing
from dashboard.components import latent_sliders, slice_sliders
from dashboard.errors import page_callback
from dashboard.pagestate import restored_point

HIDDEN = {"display": "none"}


def plane_box(prefix: str, spec: str, placeholder: str = "random:0") -> html.Div:
    """The plane's spec, a new random plane, the plane recentred on the point, and how
    typical the plane's points are for the prior (hidden until a model above 4-D)."""
    return html.Div(
        [
            html.Label("Slice (a plane through the latent space)", htmlFor=f"{prefix}-slice-spec"),
            dcc.Input(id=f"{prefix}-slice-spec", type="text", value=spec, debounce=True,
                      placeholder=placeholder, className="slice-spec", spellCheck=False),
            html.Div([html.Button("Another random plane", id=f"{prefix}-slice-random",
                                  className="button"),
                      html.Button("Recentre on the point", id=f"{prefix}-slice-recentre",
                                  className="button")], className="buttons slice-buttons"),
            html.Div(id=f"{prefix}-slice-note", className="note"),
        ],
        id=f"{prefix}-slice-box", style=HIDDEN,
    )  # fmt: skip


def whole_point_box(prefix: str) -> html.Div:
    """The whole latent point, to copy, or to paste one and go there."""
    return html.Div(
        [
            html.Label("The whole point z (copy, or paste one and press Go)",
                       htmlFor=f"{prefix}-zfull"),
            dcc.Textarea(id=f"{prefix}-zfull", className="zfull", spellCheck=False),
            html.Button("Go to this z", id=f"{prefix}-zfull-go", className="button"),
        ],
        id=f"{prefix}-zfull-box", style=HIDDEN,
    )  # fmt: skip


def store(prefix: str) -> dcc.Store:
    """The resolved plane (None for a model shown whole)."""
    return dcc.Store(id=f"{prefix}-slice")


def sliders_for(explorer, record, init, slider_type: str, mode: str, key: str = "z"):
    """A page's latent sliders: one per coordinate for a model shown whole, else the two
    of the chosen plane (no_update until it is chosen). Values come from the URL's ``key``
    (``init``: the page's restored URL fields) when it was for this model and plane."""
    model_id = explorer.model_id
    if not slicing.sliced(explorer.latent_dim):
        values = restored_point(init, key, explorer.latent_dim, model_id)  # None: the origin
        return latent_sliders(slider_type, explorer.latent_dim, values, updatemode=mode)
    if not record:
        return no_update
    plane = slicing.from_record(record, explorer)
    same = isinstance(init, dict) and (init.get("slice") or "") in ("", plane.spec)
    values = restored_point(init, key, 2, model_id, bound=plane.hi) if same else None
    return slice_sliders(slider_type, plane, values, mode)


def register(
    prefix: str, model_control: str, slider_type: str, error_box: str,
    default: str | None = None, whole_point: bool = True,
) -> None:  # fmt: skip
    """The callbacks of one page's plane picker (see the module doc); ``default``: the
    page's plane when its spec box is empty (else the model's default slice);
    ``whole_point``: whether the page shows :func:`whole_point_box`."""
    boxes = [Output(f"{prefix}-slice-box", "style")]
    if whole_point:
        boxes.append(Output(f"{prefix}-zfull-box", "style"))

    @page_callback(
        Output(f"{prefix}-slice", "data"),
        Output(f"{prefix}-slice-note", "children"),
        *boxes,
        Input(model_control, "value"),
        Input(f"{prefix}-slice-spec", "value"),
        error_box=error_box,
    )
    def choose_slice(model_id, spec):
        """Above 4-D, the plane the spec names (a bad spec is refused and changes nothing);
        smaller models are shown whole."""
        explorer = registry.get(model_id)
        if not slicing.sliced(explorer.latent_dim):
            return None, "", *[HIDDEN] * len(boxes)
        plane = slicing.resolve(explorer, spec, default)
        note = slicing.slice_note(plane, explorer.prior, registry.SETTINGS.grid_2d)
        return slicing.slice_record(plane), note, *[{}] * len(boxes)

    buttons = [Input(f"{prefix}-slice-random", "n_clicks"),
               Input(f"{prefix}-slice-recentre", "n_clicks")]  # fmt: skip
    pasted = [State(f"{prefix}-zfull", "value")] if whole_point else []
    if whole_point:
        buttons.append(Input(f"{prefix}-zfull-go", "n_clicks"))

    @page_callback(
        Output(f"{prefix}-slice-spec", "value"),
        inputs=dict(
            _clicks=buttons,
            spec=State(f"{prefix}-slice-spec", "value"),
            record=State(f"{prefix}-slice", "data"),
            values=State({"type": slider_type, "index": ALL}, "value"),
            pasted=pasted,
            model_id=State(model_control, "value"),
        ),
        error_box=error_box,
        prevent_initial_call=True,
    )
    def move_slice(_clicks, spec, record, values, pasted, model_id):
        """Another random plane; the plane recentred on the point (its slice coordinates
        become 0); or the plane recentred on a pasted point."""
        action = str(ctx.triggered_id or "").rsplit("-", 1)[-1]  # random, recentre or go
        text = pasted[0] if pasted else None
        return slicing.moved_spec(registry.get(model_id), action, spec, record, values, text)
