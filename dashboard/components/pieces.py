"""Layout pieces the pages are built from: a page's heading, its sidebar-and-content grid,
the model menu, the CGAN label box and a row of radio choices. Each returns the same
components a page would write out by hand (same ids, same DOM)."""

from __future__ import annotations

from dash import dcc, html

from dashboard.components import digit_slider, error_box


def page_header(title: str, lead: str, error_id: str) -> list:
    """The page's title, the sentence under it and its error box."""
    return [html.H2(title), html.P(lead, className="lead"), error_box(error_id)]


def sidebar_grid(controls: list, panels: list, panels_class: str = "content-col") -> html.Div:
    """The controls in a sidebar on the left, the panels beside them."""
    return html.Div(
        [html.Div(controls, className="sidebar"), html.Div(panels, className=panels_class)],
        className="explore-grid",
    )


def model_menu(id_: str, models: list[str], value: str | None) -> dcc.Dropdown:
    """The menu of models (one is always chosen)."""
    return dcc.Dropdown(id=id_, options=models, value=value, clearable=False)


def label_box(box_id: str, slider_id: str, value: int, *extra, style: dict | None = None):
    """The CGAN's label slider (and ``extra`` controls) in a box a callback shows or hides."""
    kw: dict = {} if style is None else {"style": style}
    return html.Div(
        [html.Label("Label (CGAN)"), digit_slider(slider_id, value), *extra], id=box_id, **kw
    )


def choices(id_: str, value, options: list[tuple[str, str]], inline: bool = False):
    """Radio buttons, one per (text, value); the text follows the button after a space."""
    kw: dict = {"inline": True} if inline else {}
    return dcc.RadioItems(
        id=id_, value=value, options=[{"label": f" {t}", "value": v} for t, v in options], **kw
    )
