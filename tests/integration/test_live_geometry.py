"""The page's own latent-space arithmetic (assets/live/geometry.js, cubes.js, colours.js)
against the Python it was ported from, in headless Chromium: both sides computed on the
same fixed inputs, the numbers compared."""

from __future__ import annotations

import numpy as np
import pytest

from dashboard import figures
from gan_core.export import DIGIT_COLORS
from gan_core.grids import axis_values
from gan_core.interpolation import _slerp, crossed_areas, interpolate_path
from gan_core.latent import ClassMap, fourth_axis_values, snap_fourth

pytestmark = [pytest.mark.browser]

N = 8  # cube points per axis

IMPORT_AND_RUN = """
const [base, names, body, data] = arguments, done = arguments[arguments.length - 1];
Promise.all(names.map((name) => import(base + name + ".js")))
  .then((mods) => {
    const m = Object.fromEntries(names.map((name, k) => [name, mods[k]]));
    done({value: new Function("m", "data", body)(m, data)});
  })
  .catch((e) => done({error: String((e && e.stack) || e)}));
"""


@pytest.fixture(scope="module")
def page(driver, app_url):
    """Runs ``body`` (a function body of ``m``, the modules by name, and ``data``) with the
    page's modules as the app serves them, in a document of the app's origin (opened
    again when a test before left it)."""
    driver.set_script_timeout(60)

    def run(names, body, data=None):
        if not driver.current_url.startswith(app_url):
            driver.get(f"{app_url}/assets/live/main.js")
        out = driver.execute_async_script(
            IMPORT_AND_RUN, f"{app_url}/assets/live/", list(names), body, data
        )
        assert "error" not in out, out.get("error")
        return out["value"]

    return run


def _paths() -> list[tuple[list, int, str]]:
    rng = np.random.default_rng(7)
    pts = lambda k, d: rng.uniform(-1, 1, (k, d)).round(3).tolist()  # noqa: E731
    cases = [
        ([[-0.5, 0.5], [0.7, -0.3]], 16, "linear"),
        ([[-0.5, 0.5], [0.0, 0.0], [0.7, -0.3]], 16, "slerp"),  # a waypoint at the origin
        ([[0.5, 0.5], [-0.5, -0.5]], 12, "slerp"),  # antiparallel: linear
        ([[0.3, 0.3], [0.3000001, 0.3]], 9, "slerp"),  # (nearly) parallel: linear
        ([[0.2, 0.3], [0.2, 0.3], [0.9, -0.1]], 8, "linear"),  # a segment of length 0
        ([[0.2, 0.3], [0.2, 0.3]], 8, "slerp"),  # no length at all
        ([[0.1, -0.9, 0.4], [0.8, 0.2, -0.6]], 2, "slerp"),  # just the two ends
    ]
    for d in (2, 3, 4):
        for k in (2, 3, 5):
            for frames, mode in ((24, "linear"), (24, "slerp"), (64, "slerp"), (k, "linear")):
                cases.append((pts(k, d), frames, mode))
    return cases


def test_paths_are_the_ones_interpolate_path_gives(page):
    cases = _paths()
    got = page(["geometry"], "return data.map(([p, f, mode]) => m.geometry.interpolatePath(p, f, mode));",
               cases)  # fmt: skip
    assert len(got) == len(cases)
    for (points, frames, mode), latents in zip(cases, got, strict=True):
        expected = interpolate_path(points, frames, mode)
        assert np.shape(latents) == expected.shape, (points, frames, mode)
        np.testing.assert_allclose(
            latents, expected, atol=1e-6, err_msg=f"{points} {frames} {mode}"
        )
        assert latents[0] == points[0] and latents[-1] == points[-1]  # exactly the ends


def test_slerp_is_the_one_of_the_morph(page):
    rng = np.random.default_rng(3)
    cases = [(rng.uniform(-1, 1, d).tolist(), rng.uniform(-1, 1, d).tolist(), t)
             for d in (2, 3, 4) for t in (0.0, 0.1, 0.5, 0.77, 1.0)]  # fmt: skip
    cases += [([0.0, 0.0], [0.5, 0.1], 0.4), ([0.4, -0.2], [-0.8, 0.4], 0.3)]  # zero; antiparallel
    got = page(["geometry"], "return data.map(([a, b, t]) => m.geometry.slerp(a, b, t));", cases)
    for (a, b, t), value in zip(cases, got, strict=True):
        expected = _slerp(np.asarray(a), np.asarray(b), np.array([t]))[0]
        np.testing.assert_allclose(value, expected, atol=1e-12, err_msg=f"{a} {b} {t}")


def test_crossed_areas_are_the_ones_of_the_morph(page):
    rng = np.random.default_rng(5)
    cases = [[], [3], [1, 1, 1], [7, 7, 1, 1, 8, 8, 1], [0, 9, 0, 9]]
    cases += [rng.integers(0, 4, size).tolist() for size in (8, 24, 64)]
    got = page(["geometry"], "return data.map((c) => m.geometry.crossedAreas(c));", cases)
    assert got == [crossed_areas(c)[0] for c in cases]
    assert got[3] == [7, 1, 8, 1]


def _cubes(latent_dim: int) -> tuple[dict, dict[int, ClassMap]]:
    """A model's class cubes as GET /class-cubes sends them (dashboard.live.cube_classes),
    and as ClassMaps for the server's functions."""
    rng = np.random.default_rng(latent_dim)
    axes = [axis_values(N)] * 3
    w = fourth_axis_values(N).tolist() if latent_dim == 4 else [None]
    maps = {k: ClassMap(rng.integers(0, 10, (N, N, N)).astype(np.uint8), np.zeros((N, N, N, 10)),
                        axes) for k in range(len(w))}  # fmt: skip
    body = {"n": N, "axes": [np.asarray(a, float).round(6).tolist() for a in axes],
            "w": w if latent_dim == 4 else None, "missing": [],
            "cubes": {str(k): (c.classes.ravel() + ord("0")).tobytes().decode()
                      for k, c in maps.items()}}  # fmt: skip
    return body, maps


def _points(latent_dim: int) -> list[list[float]]:
    rng = np.random.default_rng(11)
    grid = axis_values(N).astype(float)
    mids = (grid[:-1] + grid[1:]) / 2
    points = rng.uniform(-1, 1, (40, latent_dim)).tolist()
    points += [[-1.0] * latent_dim, [1.0] * latent_dim, [0.0] * latent_dim]
    for k, m in enumerate(mids):  # just either side of the middle between two grid values
        off = 1e-4 if k % 2 else -1e-4
        points.append(
            [float(m + off), float(mids[-1 - k] - off), float(m - off), float(m + off)][:latent_dim]
        )
    return points


@pytest.mark.parametrize("latent_dim", [3, 4])
def test_the_cube_and_its_slices_through_a_point_are_the_servers(page, latent_dim):
    body, maps = _cubes(latent_dim)
    points = _points(latent_dim)
    got = page(
        ["geometry", "cubes"],
        "const d = m.cubes.decodeCubes(data.body);"
        "return data.points.map((p) => { const cube = m.geometry.cubeAt(d, p);"
        "  return {index: cube.index, w: cube.w, at: m.geometry.sliceIndices(d, p),"
        "          slices: m.geometry.slicesThrough(d, cube, p)}; });",
        {"body": body, "points": points},
    )
    for p, page_cube in zip(points, got, strict=True):
        index = snap_fourth(p[3], N)[0] if latent_dim == 4 else 0
        assert page_cube["index"] == index, p
        assert page_cube["w"] == (body["w"][index] if latent_dim == 4 else None)
        cube = maps[index]
        assert page_cube["at"] == figures.slice_indices(cube, p), p
        expected = list(figures.projection_slices(cube, p).values())  # xy, xz, yz
        for face, slices in zip(expected, page_cube["slices"], strict=True):
            np.testing.assert_array_equal(slices, face, err_msg=str(p))


def test_a_cube_not_there_yet_is_none(page):
    body, _ = _cubes(4)
    body["cubes"].pop("3")
    got = page(["geometry", "cubes"],
               "const d = m.cubes.decodeCubes(data.body);"
               "return data.ws.map((w) => m.geometry.cubeAt(d, [0, 0, 0, w]));",
               {"body": body, "ws": [body["w"][3], body["w"][4]]})  # fmt: skip
    assert got[0] is None and got[1]["index"] == 4


def test_the_digit_colours_are_the_servers(page):
    got = page(["colours"], "return m.colours.DIGIT_COLORS;")
    assert got == list(DIGIT_COLORS) == list(figures.DIGIT_COLORS)


def test_the_class_palette_is_the_servers(page):
    from gan_core.images import class_palette

    got = page(
        ["colours"], "return data.map((n) => m.colours.classPalette(n));", list(range(2, 21))
    )
    assert got == [class_palette(n) for n in range(2, 21)]
    look = page(["colours"], "return [m.colours.lookOf(null), m.colours.lookOf(data)];",
                {"image_shape": [32, 32, 3], "class_names": ["red", "green", "blue"],
                 "palette": ["#111111", "#222222", "#333333"], "noun": "class"})  # fmt: skip
    assert look[0] == {"height": 28, "width": 28, "channels": 1, "noun": "digit",
                       "names": [str(d) for d in range(10)], "palette": list(DIGIT_COLORS)}  # fmt: skip
    assert look[1] == {"height": 32, "width": 32, "channels": 3, "noun": "class",
                       "names": ["red", "green", "blue"],
                       "palette": ["#111111", "#222222", "#333333"]}  # fmt: skip


def test_cube_classes_up_to_twenty_decode_as_the_server_encodes_them(page):
    from dashboard.live import encode_classes

    classes = np.random.default_rng(3).integers(0, 20, 64)
    body = {"n": 4, "axes": [[0]] * 3, "w": None, "missing": [],
            "cubes": {"0": encode_classes(classes)}}  # fmt: skip
    got = page(["cubes"], "return Array.from(m.cubes.decodeCubes(data).cubes['0']);", body)
    assert got == classes.tolist()


def test_layer_maps_are_the_servers_mean_heatmaps(page):
    from gan_core.activations import mean_heatmap

    rng = np.random.default_rng(5)
    cases = [rng.normal(size=(4, 6, 3)), rng.normal(size=(5,)), rng.normal(size=(16,)),
             rng.normal(size=(17,)), rng.normal(size=(3072,))]  # fmt: skip
    for act in cases:
        act = act.astype(np.float32)
        got = page(["geometry"],
                   "const r = m.geometry.meanMap(Float32Array.from(data.v), data.shape);"
                   "return {rows: r.rows, cols: r.cols,"
                   " values: Array.from(r.values, (v) => (Number.isNaN(v) ? null : v))};",
                   {"v": act.ravel().tolist(), "shape": list(act.shape)})  # fmt: skip
        want = mean_heatmap(act)
        assert (got["rows"], got["cols"]) == want.shape, act.shape
        values = np.array([np.nan if v is None else v for v in got["values"]], np.float64)
        np.testing.assert_allclose(values.reshape(want.shape), want, atol=1e-6)  # NaN == NaN


def test_a_frame_is_recorded_as_the_server_records_it(page):
    from dashboard import figures

    rng = np.random.default_rng(9)
    for shape in ((16, 24, 1), (8, 8, 3)):
        im = rng.uniform(-1, 1, shape).astype(np.float32)
        got = page(["morph", "colours"],
                   "return m.morph.frameValues(Float32Array.from(data.v),"
                   " m.colours.lookOf({image_shape: data.shape}));",
                   {"v": im.ravel().tolist(), "shape": list(shape)})  # fmt: skip
        squeezed = im[..., 0] if shape[-1] == 1 else im
        np.testing.assert_allclose(np.asarray(got), figures.image_values(squeezed), atol=1e-3)


def test_classes_are_spoken_of_as_the_server_speaks_of_them(page):
    from dashboard.texts import class_noun, class_text, escaped

    for names in ([str(d) for d in range(10)], ["T-shirt", "a<b & c>", "Bag"]):
        look = {"class_names": names, "noun": class_noun(names)}
        got = page(["colours"],
                   "const look = m.colours.lookOf(data);"
                   "return look.names.map((_, k) => [m.colours.classText(look, k),"
                   " m.colours.escaped(look.names[k])]);", look)  # fmt: skip
        assert got == [[class_text(k, names), escaped(n)] for k, n in enumerate(names)]
