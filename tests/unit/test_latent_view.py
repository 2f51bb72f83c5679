"""The latent view: what it draws, what it sends while a point or a path moves, what a
click gives, and how it follows a map that is still computing."""

import numpy as np
import pytest

from gan_core.latent import ClassMap


def _cube(n=4):
    classes = np.arange(n**3).reshape(n, n, n) % 3
    return ClassMap(classes.astype(np.uint8), np.full((n, n, n, 10), 0.1, np.float32),
                    [np.linspace(-1, 1, n, dtype=np.float32)] * 3)  # fmt: skip


def test_projection_key_changes_only_with_the_grid_cell_or_the_cube():
    import dataclasses
    import json

    from dashboard.components.latent_view import projection_key

    cube = _cube()  # 4 values per axis on [-1, 1]: cells change at -2/3, 0, 2/3
    key = projection_key("gan-3d", cube, (0.1, 0.2, 0.3))
    assert json.loads(json.dumps(key)) == key  # what the page's Store gives back
    assert projection_key("gan-3d", cube, (0.3, 0.1, 0.2)) == key  # same slices
    for moved in ((-0.1, 0.2, 0.3), (0.1, 0.7, 0.3), (0.1, 0.2, -0.3)):
        assert projection_key("gan-3d", cube, moved) != key, moved
    assert projection_key("gan-4d", cube, (0.1, 0.2, 0.3)) != key
    other_label = dataclasses.replace(cube, label=4)
    other_w = dataclasses.replace(cube, fixed=(0.5,))
    for other in (other_label, other_w):
        assert projection_key("gan-3d", other, (0.1, 0.2, 0.3)) != key


def test_poll_callback_shows_progress_and_hands_over(monkeypatch, test_checkpoints, tmp_path):
    from dashboard.app import create_app
    from dashboard.jobs import JobState

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    from dashboard.components import latent_view as view

    state = JobState(done=0, total=1024)
    monkeypatch.setattr(view.JOBS, "get", lambda key: state)
    out = view.poll_job(1, "key")
    assert "this one is next" in out["text"] and not out["polling_off"]  # behind the running map
    state.started, state.done = True, 512
    out = view.poll_job(1, "key")
    assert out["box"] == {} and out["value"] == 0.5 and "512 of 1,024" in out["text"]
    assert not out["polling_off"]
    state.finished = True
    monkeypatch.setattr(view.JOBS, "forget", lambda key: None)
    out = view.poll_job(2, "key")
    assert out["box"] == {"display": "none"} and out["done"] == "key" and out["polling_off"]


def _explorer(test_checkpoints, tmp_path, model_id):
    from gan_core.explorer import LatentExplorer

    return LatentExplorer.from_checkpoint(model_id, test_checkpoints, cache_dir=tmp_path)


def test_the_view_draws_the_marker_the_path_and_the_mask(test_checkpoints, tmp_path):
    from dashboard.components.latent_view import view_figure
    from tests.conftest import REAL_3D

    e2 = _explorer(test_checkpoints, tmp_path, "gan-2d")
    cmap = e2.map_2d(8)
    latents = np.array([[-1, 0], [0, 0.5], [1, 0]], np.float32)
    path = (latents, np.array([3, 1, 3]))
    fig, where = view_figure(
        e2, cmap, np.array([0.25, -0.5]), path=path, mask=[int(cmap.classes[0, 0])]
    )
    assert where == {"path": [1, 2]}  # the areas, then the path's line and frames
    assert [t.name for t in fig.data[1:]] == ["path", "frames"]
    assert list(fig.data[1].x) == [-1, 0, 1] and fig.layout.shapes  # the marker rings
    shown = np.asarray(fig.data[0].z, float)  # [row=y][col=x]; only the masked class coloured
    assert np.isnan(shown[cmap.classes[0, 0] != cmap.classes.T]).all()
    assert not np.isnan(shown[cmap.classes[0, 0] == cmap.classes.T]).any()
    bare, where = view_figure(e2, cmap, None)
    assert where == {"path": None} and not bare.layout.shapes  # no point yet: no marker
    e3 = _explorer(test_checkpoints, tmp_path, REAL_3D)
    cube = e3.cube(4)
    fig, where = view_figure(e3, cube, np.array([0.1, 0.2, 0.3]), axis="2", index=9,
                             path=(np.zeros((3, 3), np.float32), np.zeros(3, int)))  # fmt: skip
    assert fig.data[0].name == "point" and list(fig.data[0].z) == [0.3]
    assert where == {"path": [1, 2]} and [t.name for t in fig.data[1:3]] == ["path", "frames"]
    sliced = {round(float(z), 4) for t in fig.data[3:] for z in t.z}
    assert sliced == {1.0}  # index 9 of a 4-point axis: the last z slice
    assert fig.layout.meta == {"w_index": None, "slice_axis": 2, "slice_index": 3, "only": None,
                               "title": "Class cube", "path": True}  # fmt: skip


def test_a_4d_cube_figure_says_which_cube_it_is_for_the_page(test_checkpoints, tmp_path):
    from dashboard.components.latent_view import view_figure
    from gan_core.latent import fourth_axis_values

    e4 = _explorer(test_checkpoints, tmp_path, "gan-4d")
    w = fourth_axis_values(4)[1]
    cube = e4.cube(4, w=w)
    fig, where = view_figure(e4, cube, np.array([0.1, 0.2, 0.3, w]), mask=[1, 7])
    assert where == {"path": None}
    assert fig.layout.title.text == f"Class cube at w = {w:+.2f}"
    assert fig.layout.meta == {"w_index": 1, "slice_axis": None, "slice_index": 0, "only": [1, 7],
                               "title": "Class cube at w = {w}", "path": False}  # fmt: skip
    assert {t.name for t in fig.data[1:]} <= {"1", "7"}


def test_follow_leaves_a_cube_the_page_drew_and_redraws_any_other():
    from dashboard.components.latent_view import page_drew_cube

    shown = {"model": "gan-4d", "label": None, "w_index": 5}
    assert page_drew_cube(shown, "gan-4d", None, 5, conditional=False)
    assert not page_drew_cube(shown, "gan-4d", None, 6, conditional=False)  # another cube
    assert not page_drew_cube(shown, "other-4d", None, 5, conditional=False)
    assert not page_drew_cube(None, "gan-4d", None, 5, conditional=False)  # the page drew none
    assert not page_drew_cube("5", "gan-4d", None, 5, conditional=False)  # malformed
    labelled = {"model": "c4", "label": 3, "w_index": 5}
    assert page_drew_cube(labelled, "c4", 3, 5, conditional=True)
    assert not page_drew_cube(labelled, "c4", 4, 5, conditional=True)  # another label's cube


def test_patches_move_the_marker_and_the_path_only(test_checkpoints, tmp_path):
    from dashboard.components.latent_view import marker_patches, path_patch
    from tests.conftest import REAL_3D

    e3 = _explorer(test_checkpoints, tmp_path, REAL_3D)
    fig, proj = marker_patches(e3, np.array([0.1, 0.2, 0.3]), projections=True)
    ops = fig.to_plotly_json()["operations"]
    assert {tuple(o["location"]): o["params"]["value"] for o in ops} == {
        ("data", 0, "x"): [0.1], ("data", 0, "y"): [0.2], ("data", 0, "z"): [0.3]}  # fmt: skip
    faces = {
        tuple(o["location"]): o["params"]["value"] for o in proj.to_plotly_json()["operations"]
    }
    assert faces[("data", 3, "x")] == [0.1] and faces[("data", 3, "y")] == [0.3]  # the xz face
    _fig, none = marker_patches(e3, np.array([0.1, 0.2, 0.3]), projections=False)
    from dash import no_update

    assert none is no_update  # a view without projections is not sent Patches for them
    latents = np.array([[0, 0, 0], [1, 1, 1]], np.float32)
    path_patch(fig, e3, (latents, np.array([2, 7])), [5, 6])
    moved = {tuple(o["location"]): o["params"]["value"] for o in fig.to_plotly_json()["operations"]}
    assert moved[("data", 5, "z")] == [0.0, 1.0] and moved[("data", 6, "x")] == [0.0, 1.0]
    assert len(moved[("data", 6, "marker", "color")]) == 2


def test_view_points_and_paths_are_checked(test_checkpoints, tmp_path):
    import pytest

    from dashboard.components.latent_view import view_path, view_point
    from dashboard.payloads import PayloadError

    e2 = _explorer(test_checkpoints, tmp_path, "gan-2d")
    assert view_point(e2, None) is None and view_point(e2, []) is None
    assert view_point(e2, [0.5, -0.5, 0.9, 0.1]).tolist() == [0.5, -0.5]  # first coordinates
    with pytest.raises(Exception, match="finite|range|\\[-1, 1\\]"):
        view_point(e2, [0.5, float("nan")])
    assert view_path(e2, None) is None
    for bad in ({"latents": "x"}, {"latents": [[0, 0, 0]], "classes": [1]},
                {"latents": [[0, 0], [1, 1]], "classes": [1]}):  # fmt: skip
        with pytest.raises(PayloadError):
            view_path(e2, bad)


def test_a_point_that_comes_while_the_map_is_drawn_gets_it_drawn_again(test_checkpoints, tmp_path):
    """The page's point may arrive while render draws the map with the one before (the
    marker would be left behind): follow asks render to draw again; once drawn, it moves
    the marker by Patch only."""
    from dash import Patch, no_update

    from dashboard.app import create_app

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    from dashboard.components import latent_view as view

    def follow(values, ready, drawn):
        return view.follow.__wrapped__(
            values, None, "gan-2d", None, ready, drawn, None, None, None, {}, None
        )

    pending = follow([0.25, -0.5], ready=None, drawn=None)  # render not done yet
    assert pending["redraw"] is not no_update and pending["figure"] is no_update
    older = follow([0.25, -0.5], ready="gan-3d", drawn={"model": "gan-3d"})  # another model's
    assert older["redraw"] is not no_update
    assert follow([], ready=None, drawn=None)["redraw"] is no_update  # no point: nothing to draw
    drawn = follow([0.25, -0.5], ready="gan-2d", drawn={"model": "gan-2d", "path": None})
    assert drawn["redraw"] is no_update and isinstance(drawn["figure"], Patch)
    shapes = drawn["figure"].to_plotly_json()["operations"][0]["params"]["value"]
    x0, x1 = shapes[0]["x0"], shapes[0]["x1"]
    assert (x0 + x1) / 2 == pytest.approx(0.25)
