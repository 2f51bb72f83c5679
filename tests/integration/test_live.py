"""The generator in the page (assets/live/, ONNX Runtime Web) in headless Chromium: the
same numbers as the server, a drag with no request per step, the server path when asked
for or when a model cannot run in the page."""

from __future__ import annotations

import io
import time

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.conftest import REAL_3D
from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]

COUNT_POSTS = """
if (!window.__postsHooked) {
  window.__postsHooked = true;
  window.__posts = 0;
  const fetch0 = window.fetch;
  window.fetch = function (url) {
    if (String(url).includes('_dash-update-component')) {
      window.__posts += 1;
      let what = '?';
      try { what = JSON.parse(arguments[1].body).output.slice(0, 60); } catch (e) { what = String(e); }
      (window.__sent = window.__sent || []).push(performance.now().toFixed(0) + ' ' + what);
    }
    return fetch0.apply(this, arguments);
  };
}
return window.__posts;
"""


def hold_and_drag(drv, steps: int, px: int, pause: float, index: int = 0,
                  sliders: str = "explore-slider") -> None:  # fmt: skip
    """Press a latent slider's thumb (x by default) and move it ``steps`` times, still
    holding it."""
    thumb = drv.find_element(
        By.CSS_SELECTOR, f"[id*='\"index\":{index}'][id*='{sliders}'] [role=slider]"
    )
    chain = ActionChains(drv).click_and_hold(thumb)
    for _ in range(steps):
        chain = chain.move_by_offset(px, 0).pause(pause)
    chain.perform()


def assert_one_view_request_since(drv, posts: int) -> None:
    """A released drag settles with exactly one request: the map view's."""
    import time

    time.sleep(1.5)
    sent = drv.execute_script("return window.__sent || []")
    assert drv.execute_script(COUNT_POSTS) - posts == 1, sent
    assert "latent-view" in sent[-1], sent


def last_run(drv):
    return drv.execute_script(
        "const p = window.ganLive && window.ganLive.pages.explore; return p && p.last;"
    )


def status(drv) -> str:
    return drv.find_element(By.ID, "explore-live-status").text


def is_live(drv) -> bool:
    return "live-on" in drv.find_element(By.ID, "explore-root").get_attribute("class")


@pytest.mark.parametrize(
    ("model_id", "z", "label"),
    [("gan-2d", [0.31, -0.42], None), (REAL_3D, [0.5, -0.25, 0.75], None),
     ("gan-4d", [0.1, 0.2, -0.3, 0.9], None), ("gan-3d-relu", [-0.6, 0.1, 0.4], None),
     ("cgan-3d", [0.25, -0.5, 0.5], 7)],
)  # fmt: skip
def test_the_page_draws_what_the_server_computes(driver, app_url, model_id, z, label):
    assert_page_matches_server(driver, app_url, model_id, z, label)


@pytest.mark.parametrize(
    "bundled_id",
    ["gan-2d", "gan-4d", "cgan-3d", "gan-3d-elu", "gan-3d-leaky", "gan-3d-prelu", "gan-3d-relu"],
)  # gan-3d is the tests' REAL_3D above
def test_every_bundled_model_draws_in_the_page_what_the_server_computes(
    driver, app_url, test_checkpoints, bundled_id
):
    import json
    import shutil

    from tests.conftest import BUNDLED

    model_id = f"shipped-{bundled_id}"  # the trained generator, beside the tests' models
    folder = test_checkpoints / model_id
    folder.mkdir()
    try:
        for name in ("config.json", "generator.keras"):
            shutil.copy2(BUNDLED / bundled_id / name, folder / name)
        config = json.loads((folder / "config.json").read_text())
        z = [0.31, -0.42, 0.6, -0.2][: int(config["latent_dim"])]
        label = 4 if config.get("conditional") else None
        assert_page_matches_server(driver, app_url, model_id, z, label)
    finally:
        shutil.rmtree(folder)


def assert_page_matches_server(driver, app_url, model_id, z, label):
    from dashboard import registry

    page = "cgan" if label is not None else "explore"
    query = f"model={model_id}&z={','.join(map(str, z))}" + (f"&label={label}" if label else "")
    driver.get(f"{app_url}/{page}?{query}")
    run = wait_for(lambda: (r := last_run(driver)) and r["z"] == z and r, 120,
                   message="the page's own run at the URL's point")  # fmt: skip
    assert is_live(driver) and "Drawn in the page" in status(driver)
    probe = registry.get(model_id).probe_point(np.asarray(z, np.float32), label)
    np.testing.assert_allclose(np.reshape(run["image"], (28, 28)), probe.image, atol=1e-4)
    np.testing.assert_allclose(run["probs"], probe.probs, atol=1e-4)
    for name, act in probe.activations.items():
        np.testing.assert_allclose(np.reshape(run["acts"][name], act.shape), act, atol=1e-4)
    # what a person sees: the canvases, and the readout of the page's own run
    digit = int(np.argmax(probe.probs))
    assert f"digit {digit}" in driver.find_element(By.ID, "explore-readout").text
    assert element(driver, "#explore-live-image").is_displayed()
    assert not driver.find_element(By.ID, "explore-image").is_displayed()
    assert severe_console_errors(driver) == []


def test_a_drag_is_drawn_in_the_page_with_no_request_per_step(driver, app_url):
    from tests.integration.test_views import graph_data, map_marker

    driver.get(f"{app_url}/explore?model=gan-2d&z=-0.8,0.1")
    wait_for(lambda: (r := last_run(driver)) and r["z"] == [-0.8, 0.1], 120, message="first run")
    wait_for(lambda: map_marker(driver) is not None, 60, message="the map")
    wait_for(lambda: graph_data(driver, "explore-image"), 60, message="the server's image")
    posts = driver.execute_script(COUNT_POSTS)
    runs = driver.execute_script("return window.ganLive.pages.explore.runs")
    before = last_run(driver)["image"]
    hold_and_drag(driver, steps=10, px=9, pause=0.1)  # still held: every step ran in the page
    during = last_run(driver)
    assert driver.execute_script("return window.ganLive.pages.explore.runs") >= runs + 5
    # each step was drawn from the pointer itself, at the value the slider then showed
    thumb = element(driver, "[id*='\"index\":0'][id*='explore-slider'] [role=slider]")
    assert float(thumb.get_attribute("aria-valuenow")) == during["z"][0]
    sources = driver.execute_script(
        "return window.ganLive.pages.explore.timings.slice(-5).map(t => t.source)"
    )
    assert sources == ["pointer"] * 5, sources
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    assert during["z"][0] > -0.8 + 0.1 and during["image"] != before
    ring = driver.find_element(By.CSS_SELECTOR, "#explore-map .live-ring")  # the marker too,
    assert ring.is_displayed()  # laid over the map while Plotly's own waits for the commit
    centre = driver.execute_script(
        "const gd = document.querySelector('#explore-map .js-plotly-plot');"
        "const r = arguments[0].getBoundingClientRect(), g = gd.getBoundingClientRect();"
        "const xa = gd._fullLayout.xaxis; return xa.p2l(r.x + r.width / 2 - g.x - xa._offset);",
        ring,
    )
    assert centre == pytest.approx(during["z"][0], abs=0.03)
    ActionChains(driver).release().perform()
    wait_for(lambda: driver.execute_script(COUNT_POSTS) > posts, 30, message="the commit")
    # let go: the server hears of the point once (the map view's; the page drew the image)
    committed = wait_for(lambda: "z=" in driver.current_url and "z=-0.8" not in driver.current_url
                         and driver.current_url, 30, message="the URL to follow")  # fmt: skip
    x = float(committed.split("z=")[1].split("%2C")[0])
    assert x == pytest.approx(last_run(driver)["z"][0], abs=1e-9)
    assert_one_view_request_since(driver, posts)
    screenshot(driver, "explore-live")
    assert severe_console_errors(driver) == []


def test_the_server_path_can_be_forced_and_draws_every_step(driver, app_url):
    from tests.integration.test_views import drag_slider, graph_data

    driver.get(f"{app_url}/explore?model=gan-2d&z=-0.8,0.1&live=0")
    wait_for(lambda: graph_data(driver, "explore-image"), 60, message="the server's image")
    assert "switched off" in status(driver) and not is_live(driver)
    assert driver.find_element(By.ID, "explore-image").is_displayed()
    assert last_run(driver) is None
    before = graph_data(driver, "explore-image")[0]["z"]
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=6, px=12, pause=0.2)
    assert driver.execute_script(COUNT_POSTS) > posts  # each step goes to the server
    ActionChains(driver).release().perform()
    wait_for(lambda: graph_data(driver, "explore-image")[0]["z"] != before, 30,
             message="the server's image to change")  # fmt: skip
    assert "live=0" in driver.current_url  # the flag stays in a shared address
    drag_slider(driver, "explore-slider", 1, 30)
    assert severe_console_errors(driver) == []


def test_a_generator_that_cannot_run_in_the_page_falls_back_with_a_message(
    driver, app_url, tmp_path
):
    import dash
    import keras

    z = keras.Input((3,), name="z")
    a = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z))
    b = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z))
    keras.Model(z, keras.layers.Activation("tanh")(keras.layers.Add()([a, b]))).save(
        tmp_path / "skip.keras"
    )
    client = dash.get_app().server.test_client()
    resp = client.post("/upload-generator", content_type="multipart/form-data",
                       data={"file": (io.BytesIO((tmp_path / "skip.keras").read_bytes()), "skip.keras")})  # fmt: skip
    model_id = resp.headers["Location"].split("uploaded=")[1]
    from tests.integration.test_views import graph_data

    driver.get(f"{app_url}/explore?model={model_id}")
    wait_for(lambda: "cannot run in the page" in status(driver), 120, message="the fallback note")
    assert "server draws it" in status(driver) and not is_live(driver)
    wait_for(lambda: graph_data(driver, "explore-image"), 60, message="the server's image")
    before = graph_data(driver, "explore-image")[0]["z"]
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=6, px=12, pause=0.2)
    assert driver.execute_script(COUNT_POSTS) > posts  # the server path took over the drag
    ActionChains(driver).release().perform()
    wait_for(lambda: graph_data(driver, "explore-image")[0]["z"] != before, 30,
             message="the server's image to change")  # fmt: skip
    assert severe_console_errors(driver) == []


def morph_run(drv):
    return drv.execute_script(
        "const p = window.ganLive && window.ganLive.pages.morph; return p && p.last &&"
        " {a: p.last.a, b: p.last.b, frames: p.last.frames, latents: p.last.latents,"
        "  classes: p.last.classes, images: p.last.images};"
    )


def test_the_morph_frames_are_computed_in_the_page_while_a_point_is_dragged(driver, app_url):
    from dashboard import ids, registry
    from tests.integration.test_views import graph_data

    points = [[-0.5, 0.5], [0.0, 0.0], [0.7, -0.3]]  # A, a waypoint, B
    driver.get(f"{app_url}/morph?model=gan-2d&a=-0.5,0.5&b=0.7,-0.3&via=0,0&frames=16&mode=slerp")
    run = wait_for(lambda: (r := morph_run(driver)) and r["frames"] == 16 and r, 120,
                   message="the page's own frames")  # fmt: skip
    assert "live-on" in driver.find_element(By.ID, "morph-root").get_attribute("class")
    assert "Frames drawn in the page" in driver.find_element(By.ID, "morph-live-status").text
    # the same path, frames and classes as the server's morph
    m = registry.get("gan-2d").morph([np.asarray(p, np.float32) for p in points], frames=16,
                                     mode="slerp")  # fmt: skip
    np.testing.assert_allclose(run["latents"], m.latents, atol=1e-6)
    np.testing.assert_allclose(np.reshape(run["images"], (16, 28, 28)), m.images, atol=1e-4)
    assert run["classes"] == [int(c) for c in m.classes]
    seq = " → ".join(str(c) for c in m.sequence)
    assert driver.find_element(By.ID, "morph-live-sequence").text == "Crossed areas: " + seq
    assert element(driver, "#morph-live-strip").is_displayed()
    assert not driver.find_element(By.ID, "morph-strip").is_displayed()
    wait_for(lambda: driver.execute_script(
        "const gd = document.querySelector('#morph-map .js-plotly-plot');"
        "return !!(gd && gd.data && gd.data.length >= 3);"), 60, message="the map and its path")  # fmt: skip
    posts = driver.execute_script(COUNT_POSTS)
    strip = driver.execute_script("return document.getElementById('morph-live-strip').toDataURL()")
    thumb = element(driver, "[id*='\"index\":1'][id*='morph-a'] [role=slider]")
    chain = ActionChains(driver).click_and_hold(thumb)
    for _ in range(6):
        chain = chain.move_by_offset(-10, 0).pause(0.25)
    chain.perform()  # still held
    during = wait_for(lambda: (r := morph_run(driver)) and r["a"][1] < 0.4 and r, 30,
                      message="frames for the dragged A")  # fmt: skip
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    assert during["latents"][0] == during["a"] and during["latents"][-1] == [0.7, -0.3]
    assert (
        driver.execute_script("return document.getElementById('morph-live-strip').toDataURL()")
        != strip
    )
    path = driver.find_element(By.CSS_SELECTOR, "#morph-map canvas.live-path")
    assert path.is_displayed()  # the path follows A over the map
    ActionChains(driver).release().perform()
    # let go: the page writes the morph the server would (the animation's frames, the
    # downloads, the map view's path), and the server hears of it once: the map view
    a_y = during["a"][1]
    wait_for(lambda: f"a=-0.5%2C{a_y:g}" in driver.current_url, 30, message="the URL")
    final = morph_run(driver)
    m = registry.get("gan-2d").morph([np.asarray(p, np.float32) for p in [final["a"], *points[1:]]],
                                     frames=16, mode="slerp")  # fmt: skip
    seq = "Crossed areas: " + " → ".join(str(c) for c in m.sequence)
    assert driver.find_element(By.ID, "morph-live-sequence").text == seq
    line = wait_for(lambda: (d := graph_data(driver, "morph-map")) and abs(d[-2]["y"][0] - a_y) < 1e-6 and d[-2],
                    30, message="the map view's path from A")  # fmt: skip
    np.testing.assert_allclose(np.c_[line["x"], line["y"]], m.latents, atol=1e-4)
    frame = graph_data(driver, ids.MO_FRAME_IMAGE)[0]["z"]
    np.testing.assert_allclose(np.asarray(frame, float), m.images[0], atol=2e-3)  # 3 decimals
    assert_one_view_request_since(driver, posts)
    screenshot(driver, "morph-live")
    assert severe_console_errors(driver) == []


def edit_run(drv):
    return drv.execute_script(
        "const p = window.ganLive && window.ganLive.pages.act; return p && p.last &&"
        " {z: p.last.z, edits: p.last.edits, applied: p.last.applied, original: p.last.original,"
        "  edited: p.last.edited};"
    )


def test_an_edit_on_activations_changes_the_image_in_the_page_as_the_server_would(driver, app_url):
    import json
    from urllib.parse import quote

    from dashboard import registry
    from gan_core.activations import Edit

    edits = [
        {"layer": "conv2_act", "kind": "rows", "indices": [3, 4, 5], "value": 0},
        {"layer": "conv1_act", "kind": "region", "region": [1, 4, 2, 6], "indices": [], "value": 0.5},
        {"layer": "reshape", "kind": "units", "indices": [[3, 3, 7], [2, 5, 100]], "value": 2.0},
        {"layer": "conv2_act", "kind": "channels", "indices": [0, 5, 9], "value": 0},
    ]  # fmt: skip
    z = [0.5, -0.2, 0.1]
    e = registry.get(REAL_3D)

    def server(listed):
        return e.edit(np.asarray(z, np.float32), [Edit.from_dict(d) for d in listed])

    query = f"model={REAL_3D}&z=0.5,-0.2,0.1&edits={quote(json.dumps(edits))}"
    driver.get(f"{app_url}/activations?{query}")
    run = wait_for(lambda: (r := edit_run(driver)) and r["edits"] == 4 and r, 120,
                   message="the page's edited image")  # fmt: skip
    assert run["applied"] == 4 and run["z"] == z
    result = server(edits)
    np.testing.assert_allclose(np.reshape(run["original"], (28, 28)), result.original, atol=1e-4)
    np.testing.assert_allclose(np.reshape(run["edited"], (28, 28)), result.edited, atol=1e-4)
    assert element(driver, "#act-live-edited").is_displayed()
    assert not driver.find_element(By.ID, "act-edited").is_displayed()
    largest = f"{float(np.abs(result.diff).max()):.3g}"
    assert driver.find_element(By.ID, "act-live-diff-title").text.endswith(largest)
    # undo the last edit: the page draws the three that are left, as the server would
    element(driver, "#act-undo").click()
    run = wait_for(lambda: (r := edit_run(driver)) and r["edits"] == 3 and r, 30,
                   message="the page's image after the undo")  # fmt: skip
    np.testing.assert_allclose(np.reshape(run["edited"], (28, 28)), server(edits[:3]).edited,
                               atol=1e-4)  # fmt: skip
    # a drag of the point redraws both images in the page, with no request per step
    posts = driver.execute_script(COUNT_POSTS)
    thumb = element(driver, "[id*='\"index\":0'][id*='act-slider'] [role=slider]")
    chain = ActionChains(driver).click_and_hold(thumb)
    for _ in range(5):
        chain = chain.move_by_offset(-9, 0).pause(0.15)
    chain.perform()
    run = wait_for(lambda: (r := edit_run(driver)) and r["z"][0] < 0.45 and r, 30,
                   message="a dragged point's images")  # fmt: skip
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    ActionChains(driver).release().perform()
    z = run["z"]
    np.testing.assert_allclose(np.reshape(run["edited"], (28, 28)), server(edits[:3]).edited,
                               atol=1e-4)  # fmt: skip
    screenshot(driver, "activations-live")
    element(driver, "#act-clear").click()
    run = wait_for(lambda: (r := edit_run(driver)) and r["edits"] == 0 and r, 30,
                   message="the page's image with no edits")  # fmt: skip
    assert run["edited"] == run["original"]
    assert "No edits yet" in driver.find_element(By.ID, "act-live-diff-note").text
    assert severe_console_errors(driver) == []


def cube_areas(data) -> dict:
    """{digit: its points} of a drawn cube's area traces."""
    return {t["name"]: sorted(zip(*(np.round(t[k], 4).tolist() for k in "xyz")))
            for t in data if str(t.get("name", "")).isdigit()}  # fmt: skip


def expected_areas(cube) -> dict:
    X, Y, Z = np.meshgrid(*(np.asarray(a, float) for a in cube.axes), indexing="ij")
    return {str(d): sorted(zip(*(np.round(a[cube.classes == d], 4).tolist() for a in (X, Y, Z))))
            for d in range(10) if (cube.classes == d).any()}  # fmt: skip


def cubes_in_page(drv, model_id) -> bool:
    """Whether the page holds all of the model's class cubes (fetched from the server)."""
    return drv.execute_script(
        "const d = window.ganLive && window.ganLive.cubesFor(arguments[0], null);"
        "return !!(d && d.missing.length === 0);",
        model_id,
    )


def hex_rgb(colour: str) -> list[int]:
    return [int(colour[i : i + 2], 16) for i in (1, 3, 5)]


def painted_slices(drv) -> list[dict]:
    """The slices the page paints over the projections: per face its digits and the colour
    it painted at a grid cell (column, row)."""
    faces = drv.execute_script(
        "return [...document.querySelectorAll('#explore-projections canvas.live-slice')]"
        ".filter((c) => c.style.display === 'block').map((c) => {"
        "  const m = c.width, px = c.getContext('2d').getImageData(0, 0, m, m).data;"
        "  return {slices: c.slices, m: m, px: Array.from(px)}; });"
    )

    def colour(face):
        m = face["m"]

        def rgb(col, row):  # the pixel inside cell (col, row); rows go upwards
            x, y = min(2 * col, m - 1), min(m - 2 * row, m - 1)
            return face["px"][4 * (y * m + x) : 4 * (y * m + x) + 3]

        return rgb

    return [{"slices": f["slices"], "rgb": colour(f)} for f in faces or []]


def test_a_4d_cube_is_swapped_in_the_page_as_w_is_dragged(driver, app_url):
    from dashboard import figures, registry
    from gan_core.latent import fourth_axis_values, snap_fourth
    from tests.integration.test_views import graph_data, graph_title

    driver.get(f"{app_url}/explore?model=gan-4d&z=0.1,-0.2,0.3,-1")
    wait_for(lambda: (r := last_run(driver)) and r["z"] == [0.1, -0.2, 0.3, -1], 120,
             message="first run")  # fmt: skip
    title = lambda: graph_title(driver, "explore-map")  # noqa: E731
    wait_for(lambda: title() == "Class cube at w = -1.00", 60, message="the cube at w = -1")
    wait_for(lambda: graph_data(driver, "explore-projections"), 60, message="the projections")
    wait_for(lambda: cubes_in_page(driver, "gan-4d"), 120, message="the 8 cubes in the page")
    explorer, n = registry.get("gan-4d"), registry.SETTINGS.cube_n
    meta = lambda: driver.execute_script(  # noqa: E731
        "return document.querySelector('#explore-map .js-plotly-plot').layout.meta"
    )
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=3, px=10, pause=0.2)  # x, y, z: drawn in the page only
    assert driver.execute_script(COUNT_POSTS) == posts
    ActionChains(driver).release().perform()
    time.sleep(1.5)
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=8, px=12, pause=0.3, index=3)  # w: still held
    wait_for(lambda: meta()["w_index"] > 0, 30, message="the page to swap the cube for w's")
    assert driver.execute_script(COUNT_POSTS) == posts, "a step of w asked the server"
    w = fourth_axis_values(n)[meta()["w_index"]]
    assert title() == f"Class cube at w = {w:+.2f}"
    assert cube_areas(graph_data(driver, "explore-map")) == expected_areas(explorer.cube(n, w=w))
    held = last_run(driver)["z"]
    cube = explorer.cube(n, w=fourth_axis_values(n)[snap_fourth(held[3], n)[0]])
    expected = list(figures.projection_slices(cube, held).values())
    wait_for(lambda: (o := painted_slices(driver)) and len(o) == 3
             and all(np.array_equal(o[k]["slices"], e) for k, e in enumerate(expected)),
             10, message="the projections cut from w's cube")  # fmt: skip
    cell = figures.slice_indices(cube, held)
    for k, (_name, _axis, a, b) in enumerate(figures.PROJECTIONS):  # what a person sees there
        digit = expected[k][cell[b]][cell[a]]
        assert painted_slices(driver)[k]["rgb"](cell[a], cell[b]) == hex_rgb(
            figures.DIGIT_COLORS[digit]
        )
    ActionChains(driver).release().perform()
    final = last_run(driver)["z"]
    index = snap_fourth(final[3], n)[0]
    wait_for(lambda: meta()["w_index"] == index, 30, message="the cube nearest the released w")
    assert_one_view_request_since(driver, posts)  # the marker's; the cube is the page's
    data = graph_data(driver, "explore-map")
    assert cube_areas(data) == expected_areas(explorer.cube(n, w=fourth_axis_values(n)[index]))
    assert [data[0][k][0] for k in "xyz"] == pytest.approx(final[:3])
    cube = explorer.cube(n, w=fourth_axis_values(n)[index])
    proj = wait_for(lambda: (p := graph_data(driver, "explore-projections")) and p[1]["x"] and p, 10,
                    message="the server's projections")  # fmt: skip
    for k, e in enumerate(figures.projection_slices(cube, final).values()):
        np.testing.assert_array_equal(proj[2 * k]["z"], e)  # the server's own, under the page's
    screenshot(driver, "explore-4d-live")
    assert severe_console_errors(driver) == []


def test_the_morph_cuts_the_slices_through_a_and_b_in_the_page(driver, app_url):
    from dashboard import figures, registry
    from tests.integration.test_views import graph_data, graph_title

    driver.get(f"{app_url}/morph?model={REAL_3D}&a=-0.5,0.2,0.1&b=0.8,-0.3,0.4")
    wait_for(lambda: (r := morph_run(driver)) and r["a"] == [-0.5, 0.2, 0.1], 120,
             message="the page's frames")  # fmt: skip
    for graph in ("morph-proj-a", "morph-proj-b"):  # the first ones: the server's
        wait_for(lambda g=graph: len(graph_data(driver, g) or []) == 6, 60, message=graph)
    wait_for(lambda: cubes_in_page(driver, REAL_3D), 60, message="the cube in the page")
    cube = registry.get(REAL_3D).cube(registry.SETTINGS.cube_n)
    time.sleep(1.0)
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=6, px=12, pause=0.3, index=0, sliders="morph-a")
    a = wait_for(lambda: (r := morph_run(driver)) and r["a"][0] > -0.4 and r["a"], 30,
                 message="frames for the dragged A")  # fmt: skip
    name = lambda p, who="A": f"Point {who} = (" + ", ".join(f"{v:+.2f}" for v in p) + ")"  # noqa: E731
    wait_for(lambda: graph_title(driver, "morph-proj-a") == name(morph_run(driver)["a"]), 10,
             message="A's slices to follow the drag")  # fmt: skip
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    ActionChains(driver).release().perform()
    a = morph_run(driver)["a"]
    wait_for(lambda: graph_title(driver, "morph-proj-a") == name(a), 10, message="A's slices")
    assert_one_view_request_since(driver, posts)  # the map view's path; no slices asked for
    data = graph_data(driver, "morph-proj-a")
    x, y, z = a
    markers = [(data[k]["x"][0], data[k]["y"][0]) for k in (1, 3, 5)]
    assert np.allclose(markers, [(x, y), (x, z), (y, z)], atol=1e-6), markers
    for k, expected in enumerate(figures.projection_slices(cube, a).values()):
        np.testing.assert_array_equal(np.asarray(data[2 * k]["z"]), expected)
    assert graph_title(driver, "morph-proj-b") == name([0.8, -0.3, 0.4], "B")  # B's stayed
    assert severe_console_errors(driver) == []


def test_the_morph_server_path_can_be_forced(driver, app_url):
    from tests.integration.test_views import graph_data

    driver.get(f"{app_url}/morph?model=gan-3d&live=0")
    wait_for(lambda: "Crossed areas:" in driver.find_element(By.ID, "morph-sequence").text, 60,
             message="the server's morph")  # fmt: skip
    assert "switched off" in driver.find_element(By.ID, "morph-live-status").text
    assert morph_run(driver) is None and element(driver, "#morph-strip").is_displayed()
    before = graph_data(driver, "morph-strip")[0]["z"]
    posts = driver.execute_script(COUNT_POSTS)
    thumb = element(driver, "[id*='\"index\":0'][id*='morph-a'] [role=slider]")
    chain = ActionChains(driver).click_and_hold(thumb)
    for _ in range(4):
        chain = chain.move_by_offset(12, 0).pause(0.3)
    chain.release().perform()
    assert driver.execute_script(COUNT_POSTS) > posts  # every step asks the server
    wait_for(lambda: graph_data(driver, "morph-strip")[0]["z"] != before, 30,
             message="the server's strip to change")  # fmt: skip
    wait_for(lambda: graph_data(driver, "morph-proj-a"), 60, message="the slices through A")
    assert "live=0" in driver.current_url
    assert severe_console_errors(driver) == []


def test_a_runtime_that_cannot_load_leaves_the_server_path_without_an_error(driver, app_url):
    from tests.integration.test_views import graph_data

    driver.execute_cdp_cmd("Network.enable", {})
    driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": ["*onnxruntime-web*"]})
    try:
        driver.get(f"{app_url}/explore?model=gan-2d&z=-0.8,0.1")
        wait_for(lambda: "could not be loaded" in status(driver), 60, message="the fallback note")
        assert status(driver).startswith("Drawn by the server") and not is_live(driver)
        assert driver.find_element(By.ID, "explore-image").is_displayed()
        before = wait_for(lambda: graph_data(driver, "explore-image"), 60,
                          message="the server's image")[0]["z"]  # fmt: skip
        posts = driver.execute_script(COUNT_POSTS)
        hold_and_drag(driver, steps=6, px=12, pause=0.2)
        assert driver.execute_script(COUNT_POSTS) > posts  # the server path took over the drag
        ActionChains(driver).release().perform()
        wait_for(lambda: graph_data(driver, "explore-image")[0]["z"] != before, 30,
                 message="the server's image to change")  # fmt: skip
        # nothing but the blocked download itself in the console
        errors = [m for m in severe_console_errors(driver) if "ERR_BLOCKED_BY_CLIENT" not in m]
        assert errors == []
    finally:
        driver.execute_cdp_cmd("Network.setBlockedURLs", {"urls": []})


def _layout_ids(component) -> list:
    """Every id in a layout's component tree."""
    found, stack = [], [component]
    while stack:
        node = stack.pop()
        if isinstance(node, (list, tuple)):
            stack.extend(node)
            continue
        if getattr(node, "id", None) is not None:
            found.append(node.id)
        for name in ("children", "label"):
            child = getattr(node, name, None)
            if child is not None and not isinstance(child, str):
                stack.append(child)
    return found


@pytest.mark.parametrize(("root", "path"), [("explore", "explore"), ("explore", "cgan"),
                                            ("morph", "morph"), ("act", "activations")])  # fmt: skip
def test_the_ids_the_page_is_given_are_those_of_its_layout(app_url, root, path):
    """The script finds the page's elements by the ids the server sends with the manifest:
    every one is in the page's layout (a renamed id fails here, not silently in the page)."""
    import importlib
    import json

    from dashboard import live

    page_ids = live.page_ids(root)
    layout = importlib.import_module(f"dashboard.pages.{path}").layout()
    present = {json.dumps(i, sort_keys=True) for i in _layout_ids(layout)}
    for name, element_id in page_ids.items():
        if name == "act_canvas":  # the prefix of the canvases the script makes itself
            continue
        assert json.dumps(element_id, sort_keys=True) in present, (name, element_id)
