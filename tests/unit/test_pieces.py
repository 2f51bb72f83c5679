"""The layout pieces the pages are built from give exactly the components written out."""

from __future__ import annotations

from dash import dcc, html


def _json(component):
    return component.to_plotly_json()


def test_choices_are_radio_items_with_a_space_before_each_text():
    from dashboard.components.pieces import choices

    got = choices("c", "b", [("first", "a"), ("second", "b")], inline=True)
    want = dcc.RadioItems(id="c", value="b", inline=True,
                          options=[{"label": " first", "value": "a"},
                                   {"label": " second", "value": "b"}])  # fmt: skip
    assert _json(got) == _json(want)
    assert "inline" not in _json(choices("c", "a", [("first", "a")]))["props"]


def test_label_box_sets_a_style_only_when_given_one():
    from dashboard.components.pieces import label_box

    plain = _json(label_box("box", "slider", 3))["props"]
    assert plain["id"] == "box" and "style" not in plain
    label, slider = plain["children"]
    assert _json(label) == _json(html.Label("Label (CGAN)"))
    assert slider.id == "slider" and slider.value == 3
    extra = html.Span("more")
    hidden = _json(label_box("box", "slider", 0, extra, style={"display": "none"}))["props"]
    assert hidden["style"] == {"display": "none"} and hidden["children"][-1] is extra


def test_page_header_and_sidebar_grid():
    from dashboard.components.pieces import model_menu, page_header, sidebar_grid

    title, lead, error = page_header("T", "L", "err")
    assert (title.children, lead.children, lead.className) == ("T", "L", "lead")
    assert (error.id, error.role) == ("err", "alert")
    grid = sidebar_grid([model_menu("m", ["a", "b"], "b")], [html.Div()], "content")
    sidebar, panels = grid.children
    assert (grid.className, sidebar.className, panels.className) == (
        "explore-grid", "sidebar", "content",
    )  # fmt: skip
    assert sidebar.children[0].clearable is False and sidebar.children[0].value == "b"
