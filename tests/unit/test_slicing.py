"""The plane a page shows of a latent space above 4-D (dashboard.slicing) and the latent
view on it: the record the page holds, coordinates and points, pasted points, the coarse
map first and the full one next, and the limit on waiting planes."""

import numpy as np
import pytest

from dashboard.payloads import PayloadError
from tests.conftest import HIGH_D


@pytest.fixture
def app(test_checkpoints, tmp_path):
    from dashboard.app import create_app

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=12, cube_n=4)
    from dashboard import registry

    return registry


def test_only_spaces_above_4d_are_sliced():
    from dashboard.components.latent_view import explore_view_kind
    from dashboard.slicing import sliced, view_dims

    assert [sliced(d) for d in (2, 3, 4, 5, 100)] == [False, False, False, True, True]
    assert [view_dims(d) for d in (2, 3, 4, 5, 512)] == [2, 3, 4, 2, 2]
    assert [explore_view_kind(d) for d in (2, 3, 4, 5, 100)] == [
        "map",
        "cube",
        "cube",
        "map",
        "map",
    ]


def test_a_record_names_its_plane_and_is_rederived_from_its_spec(app):
    from dashboard import slicing

    explorer = app.get(HIGH_D)
    plane = slicing.resolve(explorer, "")  # the default above 4-D
    assert plane.spec == "random:0" and plane.k == 2 and plane.latent_dim == 100
    record = slicing.slice_record(plane)
    assert record["range"] == [-3.0, 3.0] and len(record["origin"]) == 100
    tampered = {**record, "origin": [0.0] * 100}  # the numbers are never trusted
    again = slicing.from_record(tampered, explorer)
    np.testing.assert_array_equal(again.origin, plane.origin)
    t = slicing.slice_coordinates(plane, [0.5, -2.0])
    z = slicing.latent_point(plane, t)
    np.testing.assert_allclose(z, plane.origin + 0.5 * plane.basis[0] - 2.0 * plane.basis[1],
                               atol=1e-6)  # fmt: skip
    np.testing.assert_allclose(plane.coordinates(z), [0.5, -2.0], atol=1e-5)
    for bad in ("random:x", "axes:0,100", "plane:1", 7):
        with pytest.raises(PayloadError, match="slice"):
            slicing.resolve(explorer, bad)
    for bad in (None, {"spec": 3}, {"origin": []}):
        with pytest.raises(PayloadError):
            slicing.from_record(bad, explorer)
    with pytest.raises(PayloadError, match="outside"):
        slicing.slice_coordinates(plane, [3.5, 0])


def test_a_pasted_point_is_read_in_any_common_notation_and_refused_clearly():
    from dashboard.slicing import full_point_text, parse_full_point

    z = np.linspace(-2, 2, 7).astype(np.float32)
    text = full_point_text(z)
    np.testing.assert_allclose(parse_full_point(text, 7), z, atol=1e-4)
    np.testing.assert_allclose(parse_full_point("[" + " ".join(map(str, z)) + "]", 7), z)
    np.testing.assert_allclose(parse_full_point("\n".join(map(str, z)), 7), z)
    for bad, why in (("1, 2, 3", "has 3 numbers"), ("1, two, 3, 4, 5, 6, 7", "not 7 numbers"),
                     ("1, nan, 3, 4, 5, 6, 7", "NaN"), (None, "paste 7"), ("1," * 5000, "paste")):  # fmt: skip
        with pytest.raises(PayloadError, match=why):
            parse_full_point(bad, 7)


def test_the_next_random_plane():
    from dashboard.slicing import next_random_spec

    assert next_random_spec("random:0") == "random:1"
    assert next_random_spec("random:41@v=1,2") == "random:42"
    assert next_random_spec("axes:0,1") == next_random_spec("") == "random:1"


def test_a_new_plane_is_drawn_coarse_at_once_then_in_full(test_checkpoints, tmp_path):
    from dashboard import registry as app
    from dashboard import slicing
    from dashboard.app import create_app
    from dashboard.components import latent_view as view

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=30, cube_n=4)  # finer than coarse
    explorer = app.get(HIGH_D)
    record = slicing.slice_record(slicing.resolve(explorer, "random:5"))
    args = dict(model_id=HIGH_D, label=None, axis="none", index=0, colour="class", mask=None,
                _job_done=None, _redraw=None, record=record, values=[0.5, -1.0], path=None,
                options={"title_map": "Map", "height": 300}, last_job=None)  # fmt: skip
    render = view.render.__wrapped__  # the body, outside a request
    out = render(**args)
    fig = out["figure"]
    assert len(fig.data[0].x) == view.COARSE_POINTS and "(24x24)" in fig.layout.title.text
    assert out["job"] and not out["polling_off"]  # the full map is queued and polled
    assert fig.layout.xaxis.title.text == "t0" and fig.layout.shapes  # the marker at t
    view.JOBS.get(out["job"])  # queued under the key the page polls
    done = view.precompute.map_now(explorer, view.view_request(explorer, None, None,
                                                               slicing.from_record(record, explorer)))  # fmt: skip
    assert done.shape == (30, 30)
    again = render(**{**args, "_job_done": out["job"], "last_job": out["job"]})
    assert len(again["figure"].data[0].x) == 30 and again["polling_off"] and again["job"] is None
    # the same map as the explorer's own, at the slice's points
    cmap = explorer.slice_map(explorer.latent_slice("random:5"), 30)
    np.testing.assert_array_equal(np.asarray(again["figure"].data[0].z).T, cmap.classes)
    # a map no finer than the coarse one is drawn at once, with nothing to wait for
    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=12, cube_n=4)
    small = render(**{**args, "model_id": HIGH_D})
    assert len(small["figure"].data[0].x) == 12 and small["job"] is None and small["polling_off"]
    # before the page has chosen a plane, nothing is drawn and nothing fails
    idle = render(**{**args, "record": None})
    assert idle["figure"] is view.no_update and idle["job"] is view.no_update


def test_waiting_planes_are_limited_and_a_view_keeps_one(app, monkeypatch):
    from dashboard import precompute, slicing
    from dashboard.components import latent_view as view
    from dashboard.jobs import MapJobs

    jobs = MapJobs()
    blocker = __import__("threading").Event()
    monkeypatch.setattr(precompute, "JOBS", jobs)
    explorer = app.get(HIGH_D)
    # the worker is held by a first job so everything else waits
    jobs.submit("hold", lambda progress: blocker.wait(10))

    def ask(seed, replaces=None):
        plane = slicing.resolve(explorer, f"random:{100 + seed}")
        return precompute.request_map(explorer, view.view_request(explorer, None, None, plane),
                                      replaces=replaces)  # fmt: skip

    keys = [ask(i)[2] for i in range(precompute.MAX_WAITING_SLICES)]
    with pytest.raises(precompute.ServerBusy, match="try this plane again"):
        ask(99)
    # a view that asks for another plane drops the one it waited for: room again
    key = ask(50, replaces=keys[-1])[2]
    assert jobs.get(keys[-1]) is None and jobs.get(key) is not None
    blocker.set()


def test_the_morph_mode_follows_the_link_else_the_models_prior(app):
    from dashboard.pages.morph import morph_mode

    normal, box = app.get(HIGH_D), app.get("gan-2d")
    assert morph_mode(normal, None) == "slerp" and morph_mode(box, {}) == "linear"
    assert morph_mode(normal, {"model": HIGH_D, "mode": "linear"}) == "linear"
    assert morph_mode(normal, {"model": "gan-2d", "mode": "linear"}) == "slerp"  # another model's


def test_area_statistics_count_digits_and_pieces():
    from gan_core.latent import ClassMap, area_statistics

    classes = np.zeros((10, 10), np.uint8)
    classes[:, 5:] = 3  # two areas: 0 on the left, 3 on the right
    classes[0, 0] = 7  # a one-point piece of 7 (1% of the map)
    classes[9, 9] = 0  # and a second piece of 0
    stats = area_statistics(ClassMap(classes, np.zeros((10, 10, 10), np.float32), [None] * 2))
    assert stats["digits"] == [0, 3, 7] and stats["pieces"] == {0: 2, 3: 1, 7: 1}
    assert stats["total_pieces"] == 4 and stats["largest_share"] == pytest.approx(0.49)


def test_the_plane_statistics_script_reports_each_plane(app):
    import importlib.util

    from tests.conftest import REPO

    spec = importlib.util.spec_from_file_location("plane_stats", REPO / "scripts/plane_stats.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    rows = script.plane_rows(app.get(HIGH_D), ["random:0", "points:0;seed=1;seed=2"], 6)
    assert [r["plane"] for r in rows] == ["random:0", "points:0;seed=1;seed=2"]
    for r in rows:
        assert 1 <= r["digits"] <= 10 and r["pieces"] >= 1 and 0 < r["largest"] <= 1
    assert rows[0]["typical_norm"] > rows[1]["typical_norm"]  # the plane through 0 is not typical


def test_the_fill_precomputes_the_default_plane_of_a_model_above_4d(app):
    from gan_core.explorer import MapRequest

    explorer = app.get(HIGH_D)
    assert explorer.map_requests(8, 4) == [MapRequest("slice", 8, None, slice="random:0")]
    explorer.compute(explorer.map_requests(8, 4)[0])
    assert explorer.is_ready(MapRequest("slice", 8, None, slice="random:0"))
