"""The real app in headless Chromium: what a person sees and does."""

from __future__ import annotations

import json
import time

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _decode(value):
    """Plotly sends numpy arrays as {"dtype", "bdata"} (base64); turn them into lists."""
    if isinstance(value, dict) and "bdata" in value and "dtype" in value:
        import base64

        import numpy as np

        arr = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        if "shape" in value:
            arr = arr.reshape([int(v) for v in str(value["shape"]).split(",")])
        return arr.tolist()
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def graph_data(drv, graph_id):
    """The plotly data of a dcc.Graph as the browser holds it (typed arrays as lists)."""
    return _decode(_raw_graph_data(drv, graph_id))


def _raw_graph_data(drv, graph_id):
    return drv.execute_script(
        "const el = document.querySelector('#' + CSS.escape(arguments[0]) + ' .js-plotly-plot');"
        "return el && el.data ? JSON.parse(JSON.stringify(el.data, (k, v) => ArrayBuffer.isView(v) ? Array.from(v) : v)) : null;",
        graph_id,
    )


def named_trace(data, name: str) -> dict:
    """The trace called ``name`` (e.g. the morph's "path") of a figure's data."""
    return next(t for t in data if t.get("name") == name)


def graph_title(drv, graph_id) -> str:
    """The title of a dcc.Graph as the browser draws it ('' before it has one)."""
    return drv.execute_script(
        "const el = document.querySelector('#' + CSS.escape(arguments[0]) + ' .js-plotly-plot');"
        "return el && el.layout && el.layout.title ? el.layout.title.text : '';",
        graph_id,
    )


def map_marker(drv, graph="explore-map"):
    """Centre of a 2D map's point marker (layout rings) as the browser draws it."""
    from dashboard.figures import marker_position

    layout = drv.execute_script(
        "const el = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');"
        "return el && el.data && el.data.length ? JSON.parse(JSON.stringify(el.layout)) : null;",
        graph,
    )
    return marker_position(layout) if layout else None


def open_page(drv, url, ready_graph):
    drv.get(url)
    wait_for(
        lambda: graph_data(drv, ready_graph) and len(graph_data(drv, ready_graph)) > 0,
        90,
        message=f"{ready_graph} to render",
    )


def click_at(drv, el, fx: float, fy: float) -> None:
    """A real click at (fx, fy) of ``el``'s width from its left and height from its top,
    once the element has held still for a second (a page still laying out would move it
    between measuring and clicking)."""
    seen = []

    def settled():
        r = el.rect
        seen.append((round(r["x"]), round(r["y"]), round(r["width"]), round(r["height"])))
        time.sleep(0.25)
        return len(seen) >= 4 and len(set(seen[-4:])) == 1

    wait_for(settled, 30, message="the element to stop moving")
    *_, w, h = seen[-1]
    ActionChains(drv).move_to_element_with_offset(
        el, round(fx * w) - w // 2, round(fy * h) - h // 2
    ).click().perform()


def drag_slider(drv, index_type, index, dx):
    sel = f"[id*='\"index\":{index}'][id*='{index_type}'] .dash-slider-thumb"
    handle = drv.find_element(By.CSS_SELECTOR, sel)
    ActionChains(drv).click_and_hold(handle).move_by_offset(dx, 0).pause(0.2).move_by_offset(
        dx // 2, 0
    ).release().perform()


@pytest.mark.parametrize(
    ("path", "ready"),
    [
        ("/", None),
        ("/explore", "explore-image"),
        ("/morph", "morph-strip"),
        ("/cgan", "explore-image"),
        ("/activations", "act-edited"),
    ],
)
def test_each_view_opens_without_console_errors(driver, app_url, path, ready):
    driver.get_log("browser")  # drop earlier entries
    if ready:
        open_page(driver, app_url + path, ready)
    else:
        driver.get(app_url + path)
        wait_for(
            lambda: "gan-3d" in driver.find_element(By.TAG_NAME, "body").text,
            30,
            message="home table",
        )
    screenshot(driver, "view" + (path.replace("/", "-") if path != "/" else "-home"))
    assert severe_console_errors(driver) == []
    assert driver.find_element(By.TAG_NAME, "h2").text  # the view's title is on screen
    boxes = driver.find_elements(By.CSS_SELECTOR, "[id$='-error']")
    assert boxes and all(b.text == "" for b in boxes)  # and no error message


def test_dragging_the_slider_changes_image_and_marker(driver, app_url):
    # the server path (tests/integration/test_live.py drags the page's own generator)
    open_page(driver, app_url + "/explore?live=0", "explore-image")
    wait_for(lambda: map_marker(driver) is not None, 60, message="map with marker")
    before_img = graph_data(driver, "explore-image")[0]["z"]
    before_marker = map_marker(driver)
    drag_slider(driver, "explore-slider", 0, 60)
    wait_for(lambda: map_marker(driver) != before_marker, 30, message="marker to move")
    wait_for(
        lambda: graph_data(driver, "explore-image")[0]["z"] != before_img,
        30,
        message="image to change",
    )
    readout = driver.find_element(By.ID, "explore-readout").text
    assert readout.startswith("z = (") and "digit" in readout
    screenshot(driver, "explore-after-drag")


def morph_sequence(drv) -> str:
    """The crossed areas as shown: drawn by the page while it runs the generator, else by
    the server."""
    texts = [
        e.text for e in drv.find_elements(By.CSS_SELECTOR, "#morph-sequence, #morph-live-sequence")
    ]
    return " ".join(t for t in texts if t)


def test_morph_plays_through_frames(driver, app_url):
    open_page(driver, app_url + "/morph", "morph-strip")
    wait_for(
        lambda: "Crossed areas:" in morph_sequence(driver),
        60,
        message="sequence text",
    )
    title = lambda: graph_title(driver, "morph-frame-image")  # noqa: E731
    wait_for(lambda: title().startswith("Frame 0"), 30, message="frame 0")
    element(driver, "#morph-play").click()
    wait_for(
        lambda: title().startswith("Frame ") and not title().startswith("Frame 0 "),
        20,
        message="animation to advance",
    )
    # the frames as the page draws them (recorded in the page: a look from here can take
    # longer than a frame under load)
    driver.execute_script(
        "const gd = document.querySelector('#morph-frame-image .js-plotly-plot');"
        "window.__frames = [];"
        "gd.on('plotly_afterplot', () => { const t = gd.layout.title.text;"
        "  const f = parseInt(t.split(' ')[1], 10);"
        "  if (window.__frames[window.__frames.length - 1] !== f) { window.__frames.push(f); } });"
    )
    frames = wait_for(lambda: (f := driver.execute_script("return window.__frames")) and len(f) >= 4 and f,
                      20, message="frames in turn")  # fmt: skip
    last = int(title().split(" of ")[1].split(":")[0])
    # each frame follows the one before (two timer ticks may meet in one redraw under load)
    assert all(0 < (b - a) % (last + 1) <= 2 for a, b in zip(frames, frames[1:])), frames
    element(driver, "#morph-play").click()  # pause
    screenshot(driver, "morph-playing")


def test_zeroing_a_channel_changes_the_edited_image(driver, app_url):
    # the server path (tests/integration/test_live.py has the page's own edited image)
    open_page(driver, app_url + "/activations?live=0", "act-edited")
    wait_for(lambda: graph_data(driver, "act-layer-fig"), 60, message="layer figure")
    edited_before = json.dumps(graph_data(driver, "act-edited")[0]["z"])
    # Switch to the channel grid and the "channels" edit, then click a tile.
    element(driver, "#act-view input[value='channels']").click()
    element(driver, "#act-kind input[value='channels']").click()
    wait_for(
        lambda: "customdata" in graph_data(driver, "act-layer-fig")[0], 30, message="channel grid"
    )
    # A click on the first tile (channel 0), delivered as Plotly's own click event.
    driver.execute_script(
        "const el=document.querySelector('#act-layer-fig .js-plotly-plot');"
        "el.emit('plotly_click', {points: [{x: 2, y: 2, z: 0, customdata: 0, curveNumber: 0,"
        " pointNumber: [2, 2], data: el.data[0], fullData: el._fullData[0]}]});"
    )
    wait_for(
        lambda: "channels" in driver.find_element(By.ID, "act-edit-list").text,
        30,
        message="edit listed",
    )
    wait_for(
        lambda: json.dumps(graph_data(driver, "act-edited")[0]["z"]) != edited_before,
        30,
        message="edited image to change",
    )
    # the difference panel names the largest change, which is the edit's real effect
    import numpy as np

    diff_title = driver.find_element(By.ID, "act-diff").text
    assert "largest change" in diff_title, diff_title
    diff = np.asarray(graph_data(driver, "act-diff")[0]["z"], dtype=float)
    largest = float(diff_title.split("largest change ")[1].split()[0])
    assert largest > 0 and largest == pytest.approx(float(np.abs(diff).max()), rel=0.01)
    screenshot(driver, "activations-edited")
    element(driver, "#act-undo").click()
    wait_for(
        lambda: "no edits" in driver.find_element(By.ID, "act-edit-list").text, 30, message="undo"
    )
    wait_for(lambda: "No edits yet" in driver.find_element(By.ID, "act-diff").text, 30,
             message="the difference panel back to no edits")  # fmt: skip


def test_training_view_renders_every_epoch(driver, app_url, trained_model):
    driver.get(f"{app_url}/training?model={trained_model}")
    title = lambda gid: graph_title(driver, gid)  # noqa: E731
    wait_for(
        lambda: title("train-samples") == "Fixed noise after epoch 3",
        60,
        message="last epoch shown",
    )
    element(driver, "#train-play").click()
    seen = set()
    wait_for(
        lambda: seen.add(title("train-samples")) or len(seen) >= 3,
        30,
        interval=0.1,
        message="every epoch during playback",
    )
    element(driver, "#train-play").click()
    assert {f"Fixed noise after epoch {e}" for e in (1, 2, 3)} <= seen
    assert title("train-map").startswith("Class map after epoch")
    assert not driver.find_element(By.ID, "train-label-box").is_displayed()  # no labels here
    slice_boxes = driver.find_elements(By.CSS_SELECTOR, "[id*='train-slice-box']")
    assert len(slice_boxes) == 2 and not any(b.is_displayed() for b in slice_boxes)  # nor slices
    assert "slice=" not in driver.current_url and "label=" not in driver.current_url
    assert severe_console_errors(driver) == []
    screenshot(driver, "view-training")


def test_training_view_of_a_cgan_shows_each_label_map(driver, app_url, trained_cgan):
    driver.get(f"{app_url}/training?model={trained_cgan}")
    title = lambda: graph_title(driver, "train-map")  # noqa: E731
    wait_for(lambda: title().startswith("Class map after epoch 2 (label 0,"), 60,
             message="label 0's cube")  # fmt: skip
    assert element(driver, "#train-label-box").is_displayed()
    element(driver, "#train-label [role=slider]").send_keys(Keys.END)
    wait_for(lambda: "(label 9," in title(), 30, message="label 9's cube")
    # the cube's middle slice first; any other one on the slice slider
    assert title().endswith("(label 9, slice z = +0.33)")  # 4 points on [-1, 1]
    z_box = element(driver, "[id*='train-slice-box'][id*='\"z\"']")
    w_box = element(driver, "[id*='train-slice-box'][id*='\"w\"']", clickable=False)
    assert z_box.is_displayed() and not w_box.is_displayed()
    z_box.find_element(By.CSS_SELECTOR, "[role=slider]").send_keys(Keys.HOME)
    wait_for(lambda: title().endswith("(label 9, slice z = -1.00)"), 30, message="slice z = -1")
    # the address holds the label and the slice (w, hidden, is left out), and reopens them
    wait_for(lambda: "label=9" in driver.current_url and "slice=0&" in driver.current_url + "&",
             30, message="label and slice in the URL")  # fmt: skip
    driver.get(f"{app_url}/training?model={trained_cgan}&epoch=1&label=7&slice=3")
    wait_for(lambda: title() == "Class map after epoch 1 (label 7, slice z = +1.00)", 60,
             message="label, slice and epoch restored")  # fmt: skip
    assert severe_console_errors(driver) == []


def test_url_restores_the_explore_view(driver, app_url):
    driver.get(f"{app_url}/explore?model=gan-3d&z=0.5,-0.25,0.75")
    wait_for(
        lambda: "z = (+0.50, -0.25, +0.75)" in driver.find_element(By.ID, "explore-readout").text,
        60,
        message="point restored from the URL",
    )
    cube = wait_for(lambda: graph_data(driver, "explore-map"), 60, message="cube")
    assert cube[0]["x"] == [0.5] and cube[0]["z"] == [0.75]
    # The address bar follows a change of the point.
    drag_slider(driver, "explore-slider", 1, 40)
    wait_for(
        lambda: "z=0.5%2C-0.25" not in driver.current_url and "model=gan-3d" in driver.current_url,
        30,
        message="URL to follow the slider",
    )
    shared = driver.current_url
    z = shared.split("z=")[1].split("&")[0].replace("%2C", ",")
    driver.get(shared)
    expected = "z = (" + ", ".join(f"{float(v):+.2f}" for v in z.split(",")) + ")"
    wait_for(
        lambda: expected in driver.find_element(By.ID, "explore-readout").text,
        60,
        message="the shared URL to restore the moved point",
    )
    assert severe_console_errors(driver) == []


def test_cgan_view_downloads_its_cube_png_and_view_json(driver, app_url):
    """What a person gets from the explorer's Export buttons: the shown label's cube as a
    PNG and the point, label and the classifier's numbers as JSON."""
    import io

    from PIL import Image

    from tests.integration.conftest import DOWNLOADS

    for old in list(DOWNLOADS.glob("cgan-3d*.png")) + list(DOWNLOADS.glob("cgan-3d*.json")):
        old.unlink()
    driver.get(f"{app_url}/cgan?model=cgan-3d&z=0.25,-0.5,0.5&label=3&map=6")
    wait_for(lambda: graph_data(driver, "explore-image"), 60, message="image")
    wait_for(
        lambda: "(label 6)" in driver.execute_script(
            "const t = document.querySelector('#explore-map .gtitle'); return t ? t.textContent : '';"),
        60, message="label 6's cube",
    )  # fmt: skip
    element(driver, "#explore-dl-png").click()
    png = wait_for(lambda: next(iter(DOWNLOADS.glob("cgan-3d-cube-label6.png")), None), 30,
                   message="PNG download")  # fmt: skip
    wait_for(lambda: png.stat().st_size > 0, 10, message="PNG written")
    time.sleep(0.5)
    assert Image.open(io.BytesIO(png.read_bytes())).format == "PNG"
    element(driver, "#explore-dl-json").click()
    name = "cgan-3d_+0.25_-0.50_+0.50.json"
    state = wait_for(lambda: next(iter(DOWNLOADS.glob(name)), None), 30, message="JSON download")
    wait_for(lambda: state.stat().st_size > 0, 10, message="JSON written")
    time.sleep(0.5)
    data = json.loads(state.read_text())
    assert data["label"] == 3 and data["map_label"] == 6 and data["point"] == [0.25, -0.5, 0.5]
    readout = driver.find_element(By.ID, "explore-readout").text
    assert f"digit {data['digit']}" in readout, readout
    assert severe_console_errors(driver) == []


def test_morph_url_restores_points_and_downloads_a_gif(driver, app_url):
    import io

    from PIL import Image

    from tests.integration.conftest import DOWNLOADS

    driver.get(f"{app_url}/morph?model=gan-2d&a=-0.5,0.25&b=0.75,-0.5&frames=12&mode=slerp")
    wait_for(
        lambda: "Crossed areas:" in morph_sequence(driver),
        60,
        message="morph computed",
    )
    frames = wait_for(lambda: graph_data(driver, "morph-map"), 30, message="map")
    path = named_trace(frames, "path")
    assert (
        path["x"][0] == -0.5
        and path["y"][0] == 0.25
        and path["x"][-1] == 0.75
        and len(path["x"]) == 12
    )
    for old in DOWNLOADS.glob("*.gif"):
        old.unlink()
    element(driver, "#morph-dl-gif").click()
    gif = wait_for(
        lambda: next(iter(DOWNLOADS.glob("morph-gan-2d.gif")), None), 30, message="GIF download"
    )
    wait_for(lambda: gif.stat().st_size > 0, 10, message="GIF written")
    time.sleep(0.5)
    img = Image.open(io.BytesIO(gif.read_bytes()))
    assert img.format == "GIF" and img.n_frames == 12
    # the buttons are locked only while encoding, and no error was shown
    wait_for(
        lambda: (
            driver.find_element(By.ID, "morph-dl-gif").is_enabled()
            and driver.find_element(By.ID, "morph-download-status").text == ""
        ),
        10,
        message="download buttons enabled again",
    )
    assert driver.find_element(By.ID, "morph-error").text == ""


def test_morph_clicks_add_a_waypoint_on_the_map_and_set_b_in_the_cube(driver, app_url):
    from urllib.parse import parse_qs, urlparse

    def query():
        return parse_qs(urlparse(driver.current_url).query)

    open_page(driver, f"{app_url}/morph?model=gan-2d&a=-1,0&b=1,0", "morph-map")
    element(driver, "#morph-click-mode input[value='W']").click()
    plot = element(driver, "#morph-map .nsewdrag")
    click_at(driver, plot, 0.5, 0.25)  # the middle column, a quarter from the top
    wait_for(lambda: "via" in query(), 30, message="a waypoint in the URL")
    via = [float(v) for v in query()["via"][0].split(",")]
    assert abs(via[0]) < 0.15 and abs(via[1] - 0.5) < 0.15, via

    # A -> B ran along y = 0; through the waypoint the path bends up to it
    wait_for(
        lambda: max(named_trace(graph_data(driver, "morph-map"), "path")["y"]) > via[1] - 0.1,
        30,
        message="the path to bend through the waypoint",
    )

    open_page(driver, f"{app_url}/morph?model=gan-3d&a=-1,0,0&b=0.9,0.9,0.9", "morph-map")
    wait_for(lambda: len(graph_data(driver, "morph-map")) > 2, 60, message="cube")
    time.sleep(1.0)  # the WebGL scene draws after the data arrives
    element(driver, "#morph-click-mode input[value='B']").click()
    scene = element(driver, "#morph-map .gl-container canvas")
    ActionChains(driver).move_to_element(scene).pause(0.5).click_and_hold().pause(
        0.5
    ).release().perform()
    wait_for(lambda: query().get("b") != ["0.9,0.9,0.9"], 30, message="B to move to the click")
    b = [float(v) for v in query()["b"][0].split(",")]
    assert len(b) == 3 and query()["a"] == ["-1,0,0"], query()
    assert all(-1 <= v <= 1 for v in b)
    assert severe_console_errors(driver) == []


def test_4d_morph_shows_the_slices_through_a_and_b(driver, app_url):
    import numpy as np

    from dashboard import figures, registry

    a, b = (-0.5, 0.2, 0.1, -1.0), (0.8, -0.3, 0.4, 1.0)
    query = f"model=gan-4d&a={','.join(map(str, a))}&b={','.join(map(str, b))}"
    open_page(driver, f"{app_url}/morph?{query}", "morph-strip")
    for graph, point in (("morph-proj-a", a), ("morph-proj-b", b)):
        data = wait_for(
            lambda graph=graph: (d := graph_data(driver, graph)) and len(d) == 6 and d,
            60,
            message=f"{graph} slices",
        )
        markers = [(data[k]["x"][0], data[k]["y"][0]) for k in (1, 3, 5)]
        x, y, z, w = point
        assert np.allclose(markers, [(x, y), (x, z), (y, z)], atol=1e-6), markers
        cube = registry.get("gan-4d").cube(registry.SETTINGS.cube_n, w=w)  # each at its own w
        for k, expected in enumerate(figures.projection_slices(cube, point).values()):
            np.testing.assert_array_equal(np.asarray(data[2 * k]["z"]), expected)
    assert driver.find_element(By.ID, "morph-proj-row").is_displayed()
    assert (
        "Point B = (+0.80, -0.30, +0.40, +1.00)" in driver.find_element(By.ID, "morph-proj-b").text
    )
    # the cube is the one at A's 4th coordinate, and follows it
    cube_title = lambda: graph_title(driver, "morph-map")  # noqa: E731
    wait_for(lambda: cube_title().endswith("w = -1.00 (A's)"), 30, message="cube at A's w")
    drag_slider(driver, "morph-a", 3, 120)
    wait_for(
        lambda: "w = " in cube_title() and not cube_title().endswith("w = -1.00 (A's)"),
        30,
        message="the cube to follow A's w",
    )
    open_page(driver, f"{app_url}/morph?model=gan-2d", "morph-strip")
    assert not driver.find_element(By.ID, "morph-proj-row").is_displayed()  # the map shows both
    assert severe_console_errors(driver) == []


def test_inverting_a_generated_digit_finds_its_point(
    driver, app_url, test_checkpoints, trained_model, tmp_path
):
    """Upload the generator's own image at a known z: the found point reproduces it."""
    import numpy as np
    from PIL import Image

    from gan_core.checkpoints import load_generator

    g = load_generator(trained_model, test_checkpoints).generator
    image = np.asarray(g(np.array([[0.4, -0.3]], np.float32), training=False))[0, ..., 0]
    png = tmp_path / "digit.png"
    Image.fromarray(np.clip((image + 1) * 127.5 + 0.5, 0, 255).astype(np.uint8)).save(png)
    driver.get(f"{app_url}/invert?model={trained_model}")
    wait_for(lambda: graph_data(driver, "inv-target"), 60, message="target digit")
    # before a search: no label slider for an unconditional model, no link, a hint instead
    assert not driver.find_element(By.ID, "inv-label-box").is_displayed()
    assert not driver.find_element(By.ID, "inv-link").is_displayed()
    assert "closest generated image appears here" in driver.find_element(By.ID, "inv-recon").text
    element(driver, "#inv-upload input[type=file]", clickable=False).send_keys(str(png))
    wait_for(lambda: "Uploaded digit" in driver.page_source, 30, message="uploaded image shown")
    element(driver, "#inv-run").click()
    text = wait_for(
        lambda: driver.find_element(By.ID, "inv-result").text, 90, message="inversion result"
    )
    mse = float(text.split("= ")[2].split(";")[0])
    assert mse < 0.01, text  # uint8 rounding of the uploaded PNG bounds the error from below
    found = [float(v) for v in text.split("z = (")[1].split(")")[0].split(",")]
    assert abs(found[0] - 0.4) < 0.1 and abs(found[1] + 0.3) < 0.1, text
    link = driver.find_element(By.ID, "inv-link")
    assert link.is_displayed()
    assert f"/explore?model={trained_model}&z=" in link.get_attribute("href")
    marker = wait_for(lambda: map_marker(driver, "inv-map"), 60, message="the found point marked")
    assert np.allclose(marker, found, atol=0.006), (marker, found)  # on the model's map
    assert severe_console_errors(driver) == []
    screenshot(driver, "view-invert")
    # another digit: the old result no longer applies and goes away
    element(driver, "#inv-index").send_keys(Keys.BACKSPACE, "5")
    wait_for(lambda: driver.find_element(By.ID, "inv-result").text == "", 30, message="cleared")
    assert not driver.find_element(By.ID, "inv-link").is_displayed()
    assert "MNIST test digit #5" in driver.find_element(By.ID, "inv-target").text
    wait_for(lambda: map_marker(driver, "inv-map") is None, 30, message="the marker gone")


def test_inverting_into_a_cgan_can_search_every_label(driver, app_url):
    driver.get(f"{app_url}/invert?model=cgan-3d&index=3")
    wait_for(lambda: graph_data(driver, "inv-target"), 60, message="target digit")
    assert element(driver, "#inv-label-box").is_displayed()  # a CGAN needs its label
    element(driver, "#inv-any-label input").click()
    wait_for(  # the label slider no longer applies
        lambda: (
            driver.find_element(By.CSS_SELECTOR, "#inv-label .dash-slider-root").get_attribute(
                "aria-disabled"
            )
            == "true"
        ),
        10,
        message="label slider disabled",
    )
    element(driver, "#inv-run").click()
    text = wait_for(
        lambda: driver.find_element(By.ID, "inv-result").text, 120, message="inversion result"
    )
    assert "best of all 10 labels: " in text, text
    best = int(text.split("best of all 10 labels: ")[1][0])
    href = driver.find_element(By.ID, "inv-link").get_attribute("href")
    assert "/cgan?model=cgan-3d" in href and f"label={best}" in href, href
    assert severe_console_errors(driver) == []


def test_compare_shows_the_same_point_and_edit_on_two_models(driver, app_url):
    driver.get(f"{app_url}/compare?left=gan-2d&right=gan-3d&z=0.5,-0.5,0.25")
    title = lambda gid: graph_title(driver, gid)  # noqa: E731
    for side in ("left", "right"):
        wait_for(
            lambda side=side: title(f"cmp-{side}-image") == "Generated image",
            60,
            message=f"{side} image",
        )
        wait_for(
            lambda side=side: (
                "Crossed areas:" in driver.find_element(By.ID, f"cmp-{side}-sequence").text
            ),
            60,
            message=f"{side} morph",
        )
    assert "2D" in driver.find_element(By.ID, "cmp-left-metrics").text
    assert "3D" in driver.find_element(By.ID, "cmp-right-metrics").text
    before = graph_data(driver, "cmp-right-image")[0]["z"]
    element(driver, "#cmp-edit input[value='conv2-top']").click()
    wait_for(lambda: title("cmp-right-image") == "Edited image", 30, message="edited image")
    assert graph_data(driver, "cmp-right-image")[0]["z"] != before
    # each side's map (2D) or cube (3D) shows the shared point and the A -> B path
    marker = wait_for(lambda: map_marker(driver, "cmp-left-map"), 60, message="the left map")
    assert marker == pytest.approx((0.5, -0.5), abs=1e-6)
    path = wait_for(lambda: named_trace(graph_data(driver, "cmp-left-map"), "path"), 30,
                    message="the path on the left map")  # fmt: skip
    assert path["x"][0] == -1 and path["x"][-1] == 1 and len(path["x"]) == 12
    cube = wait_for(lambda: graph_data(driver, "cmp-right-map"), 60, message="the right cube")
    assert named_trace(cube, "point")["z"] == [0.25]
    # a click on the left map moves the point both models share
    plot = element(driver, "#cmp-left-map .nsewdrag")
    click_at(driver, plot, 0.25, 0.25)
    wait_for(lambda: named_trace(graph_data(driver, "cmp-right-map"), "point")["x"][0] < -0.2,
             30, message="the right cube's marker to follow the click on the left map")  # fmt: skip
    z = wait_for(lambda: [float(v) for v in driver.current_url.split("z=")[1].split("&")[0]
                          .split("%2C")] if "z=0.5%2C" not in driver.current_url else None,
                 30, message="the URL to follow the click")  # fmt: skip
    assert z[0] < -0.2 and z[1] > 0.2 and z[2] == 0.25, z  # z is not on the 2D map
    assert severe_console_errors(driver) == []
    screenshot(driver, "view-compare")


def test_url_restores_activation_edits_and_training_epoch(driver, app_url, trained_model):
    edits = '[{"layer":"conv1_act","kind":"rows","indices":[1,2],"region":null,"value":0}]'
    driver.get(
        f"{app_url}/activations?model=gan-2d&z=0.5,-0.5&layer=conv1_act&view=mean&edits={edits}"
    )
    wait_for(
        lambda: "conv1_act: rows [1, 2] = 0" in driver.find_element(By.ID, "act-edit-list").text,
        60,
        message="edit restored from the URL",
    )
    wait_for(
        lambda: "conv+1+%28" in driver.current_url or "layer=conv1_act" in driver.current_url,
        30,
        message="URL kept",
    )
    driver.get(f"{app_url}/training?model={trained_model}&epoch=2")
    title = lambda: graph_title(driver, "train-samples")  # noqa: E731
    wait_for(lambda: title() == "Fixed noise after epoch 2", 60, message="epoch 2 restored")
    assert severe_console_errors(driver) == []


def test_clicking_the_map_moves_the_point_there(driver, app_url):
    open_page(driver, app_url + "/explore?model=gan-2d&z=0,0", "explore-image")
    wait_for(lambda: graph_data(driver, "explore-map"), 60, message="map")
    plot = driver.find_element(By.CSS_SELECTOR, "#explore-map .nsewdrag")
    click_at(driver, plot, 0.75, 0.25)  # three quarters right, a quarter down: (0.5, 0.5)

    def point():
        text = driver.find_element(By.ID, "explore-readout").text
        return [float(v) for v in text.split("(")[1].split(")")[0].split(",")]

    wait_for(
        lambda: point()[0] > 0.3 and point()[1] > 0.3, 30, message="point to move to the click"
    )
    x, y = point()
    assert abs(x - 0.5) < 0.15 and abs(y - 0.5) < 0.15


def test_3d_drag_keeps_the_projections_on_the_point(driver, app_url):
    """Step by step through several grid cells: the slices drawn are those through the point."""
    import numpy as np

    from dashboard import figures, registry
    from tests.conftest import REAL_3D

    url = f"{app_url}/explore?model={REAL_3D}&z=-0.9,0.1,0.2"
    open_page(driver, url, "explore-projections")
    wait_for(lambda: len(graph_data(driver, "explore-projections")) == 6, 60, message="slices")
    cube = registry.get(REAL_3D).cube(registry.SETTINGS.cube_n)

    def drawn():
        data = graph_data(driver, "explore-projections")
        return [np.asarray(data[2 * k]["z"]) for k in range(3)], [
            (data[2 * k + 1]["x"][0], data[2 * k + 1]["y"][0]) for k in range(3)
        ]

    start_yz = drawn()[0][2]
    handle = driver.find_element(
        By.CSS_SELECTOR, "[id*='\"index\":0'][id*='explore-slider'] .dash-slider-thumb"
    )
    chain = ActionChains(driver).click_and_hold(handle)
    for _ in range(12):  # 12 small moves: most stay in their grid cell, some cross
        chain = chain.move_by_offset(8, 0).pause(0.15)
    chain.release().perform()

    def settled():
        slices, markers = drawn()
        x, y, z = markers[0][0], markers[0][1], markers[1][1]
        if abs(x - (-0.9)) < 0.2:
            return None  # not moved yet
        expected = figures.projection_slices(cube, (x, y, z))
        ok = all(np.array_equal(slices[k], expected[name]) for k, name in enumerate(expected))
        return (x, expected) if ok and markers[2] == (y, z) else None

    x, expected = wait_for(settled, 30, message="slices through the dragged point")
    assert not np.array_equal(expected["yz"], start_yz), "the drag should cross into new x cells"
    readout_x = float(
        driver.find_element(By.ID, "explore-readout").text.split("(")[1].split(",")[0]
    )
    assert abs(readout_x - x) < 0.006
    assert severe_console_errors(driver) == []


def test_clicking_a_projection_moves_two_coordinates(driver, app_url):
    open_page(driver, app_url + "/explore?model=gan-3d&z=-0.5,0.3,-0.5", "explore-projections")
    wait_for(lambda: len(graph_data(driver, "explore-projections")) == 6, 60, message="slices")

    def point():
        text = driver.find_element(By.ID, "explore-readout").text
        return [float(v) for v in text.split("(")[1].split(")")[0].split(",")]

    wait_for(lambda: point() == [-0.5, 0.3, -0.5], 30, message="the point from the URL")
    faces = driver.find_elements(By.CSS_SELECTOR, "#explore-projections .nsewdrag")
    assert len(faces) == 3
    click_at(driver, faces[1], 0.75, 0.25)  # the xz face at x = 0.5, z = 0.5
    wait_for(lambda: point()[0] > 0.2 and point()[2] > 0.2, 30, message="x and z to move")
    x, y, z = point()
    assert abs(x - 0.5) < 0.2 and abs(z - 0.5) < 0.2 and y == 0.3  # y is not on that face
    assert severe_console_errors(driver) == []


def test_clicking_a_point_of_the_cube_moves_the_point_there(driver, app_url):
    import numpy as np

    open_page(driver, app_url + "/explore?model=gan-3d&z=0.9,0.9,0.9", "explore-map")
    wait_for(lambda: len(graph_data(driver, "explore-map")) > 1, 60, message="cube")
    time.sleep(1.0)  # the WebGL scene draws after the data arrives
    scene = driver.find_element(By.CSS_SELECTOR, "#explore-map .gl-container canvas")
    # Plotly picks the WebGL point under the pointer in its render loop: hover, then hold
    # the button long enough for a frame to see it (as a person's click does).
    ActionChains(driver).move_to_element(scene).pause(0.5).click_and_hold().pause(
        0.5
    ).release().perform()

    def point():
        text = driver.find_element(By.ID, "explore-readout").text
        return [float(v) for v in text.split("(")[1].split(")")[0].split(",")]

    wait_for(lambda: point() != [0.9, 0.9, 0.9], 30, message="the point to move to the click")
    grid = np.linspace(-1, 1, 8)  # the test app's cube_n: a click lands on a cube point
    assert all(np.min(np.abs(grid - v)) < 0.006 for v in point()), point()


def test_fourth_slider_moves_the_whole_4d_cube(driver, app_url):
    open_page(driver, app_url + "/explore?model=gan-4d&z=0,0,0,-1", "explore-image")
    title = lambda: graph_title(driver, "explore-map")  # noqa: E731
    wait_for(lambda: title() == "Class cube at w = -1.00", 60, message="cube at w = -1")
    proj = graph_data(driver, "explore-projections")
    assert len(proj) == 6  # three slices through the point, three markers
    drag_slider(driver, "explore-slider", 3, 120)
    wait_for(
        lambda: title().startswith("Class cube at w = ") and title() != "Class cube at w = -1.00",
        30,
        message="cube to move with w",
    )

    def readout_w():
        text = driver.find_element(By.ID, "explore-readout").text
        return float(text.split("(")[1].split(")")[0].split(",")[3])

    # the cube follows the steps of w a little behind them: it ends snapped to the nearest
    # of the 8 grid values used here
    wait_for(lambda: abs(float(title().split("= ")[1]) - readout_w()) <= 1 / 7 + 1e-6, 30,
             message="the cube nearest the released w")  # fmt: skip
    assert severe_console_errors(driver) == []
    screenshot(driver, "explore-4d")


def test_home_shows_the_activation_comparison_measured_here(driver, app_url, test_checkpoints):
    """Evaluate gan-3d (LeakyReLU) and gan-3d-relu for real, then read the table a person sees."""
    from gan_explorer.cli import main

    errors, by_seed = {}, {}
    for model_id in ("gan-3d", "gan-3d-relu"):
        args = ["--checkpoints", str(test_checkpoints), "evaluate", model_id]
        assert main(args + ["--samples", "300", "--strong-epochs", "1"]) == 0
        metrics = json.loads((test_checkpoints / model_id / "metrics.json").read_text())
        errors[model_id] = (metrics["strong_classifier_error_percent"], metrics["classifier_fid"])
        by_seed[model_id] = metrics["strong_classifier_error_by_seed_percent"]
    driver.get(app_url + "/")
    wait_for(
        lambda: "gan-3d-relu" in driver.find_element(By.ID, "activation-table").text,
        30,
        message="activation table",
    )
    table = driver.find_element(By.ID, "activation-table")
    rows = table.find_elements(By.CSS_SELECTOR, "tbody tr")
    shown = [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows]
    assert sorted(shown) == sorted(errors)
    # Ranked as the note under the table says: the higher error first, ties to the lower FID.
    cells = [[td.text for td in r.find_elements(By.TAG_NAME, "td")] for r in rows]
    (e1, f1), (e2, f2) = ((float(c[3].split("%")[0]), float(c[4])) for c in cells)
    assert e1 > e2 or (e1 == e2 and f1 <= f2), cells
    best = rows[0].find_elements(By.TAG_NAME, "td")
    assert "(best)" in best[0].text and "best" in rows[0].get_attribute("class")
    # The mean error of the three classifiers evaluate trains, and their range.
    low, high = min(by_seed[shown[0]]), max(by_seed[shown[0]])
    mean = errors[shown[0]][0]
    assert best[3].text == f"{mean:g}% (mean of 3: {low:g}–{high:g}%)"
    assert best[4].text == f"{errors[shown[0]][1]:.1f}"
    assert "same budget" in table.text and "Not trained yet: PReLU, ELU" in table.text
    driver.execute_script("arguments[0].scrollIntoView()", table)
    screenshot(driver, "view-home-activations")
    # Each model name opens that model in the explorer; the others compare with the best.
    links = rows[1].find_elements(By.TAG_NAME, "a")
    assert links[1].get_attribute("href").endswith(f"/compare?left={shown[0]}&right={shown[1]}")
    assert len(rows[0].find_elements(By.TAG_NAME, "a")) == 1
    links[0].click()
    wait_for(lambda: f"model={shown[1]}" in driver.current_url, 30, message="explore link")
    wait_for(lambda: graph_data(driver, "explore-image"), 60, message="explorer opens the model")


def _query(drv) -> dict:
    from urllib.parse import parse_qs, urlsplit

    return {k: v[0] for k, v in parse_qs(urlsplit(drv.current_url).query).items()}


def test_url_restores_the_real_digits_view_and_follows_it(driver, app_url):
    driver.get(f"{app_url}/invert?model=cgan-3d&index=7&label=4&search=1")
    wait_for(
        lambda: (
            graph_data(driver, "inv-target")
            and "MNIST test digit #7"
            in driver.execute_script(
                "return document.querySelector('#inv-target .js-plotly-plot').layout.title.text"
            )
        ),
        60,
        message="test digit 7 restored",
    )
    assert "cgan-3d" in driver.find_element(By.ID, "inv-model").text
    assert driver.find_element(By.CSS_SELECTOR, "#inv-any-label input").is_selected()
    thumb = driver.find_element(By.CSS_SELECTOR, "#inv-label .dash-slider-thumb")
    assert thumb.get_attribute("aria-valuenow") == "4"
    wait_for(lambda: _query(driver).get("search") == "1", 30, message="URL keeps the search flag")
    box = element(driver, "#inv-index")
    box.clear()
    box.send_keys("12")
    wait_for(lambda: _query(driver).get("index") == "12", 30, message="URL follows the digit")
    assert _query(driver)["model"] == "cgan-3d" and _query(driver)["label"] == "4"


def test_url_restores_the_compare_view_and_follows_it(driver, app_url):
    driver.get(
        f"{app_url}/compare?left=gan-4d&right=gan-3d&z=0.5,-0.5,0,0&a=-1,1,0,0&edit=conv2-left"
    )
    wait_for(
        lambda: "Crossed areas:" in driver.find_element(By.ID, "cmp-right-sequence").text,
        60,
        message="compare drawn",
    )
    assert "gan-4d" in driver.find_element(By.ID, "cmp-left-model").text
    assert "gan-3d" in driver.find_element(By.ID, "cmp-right-model").text
    assert driver.find_element(By.ID, "cmp-a").get_attribute("value") == "-1,1,0,0"
    assert driver.find_element(By.CSS_SELECTOR, "#cmp-edit input[value='conv2-left']").is_selected()
    thumbs = driver.find_elements(By.CSS_SELECTOR, "[id*='cmp-slider'] .dash-slider-thumb")
    assert [t.get_attribute("aria-valuenow") for t in thumbs] == ["0.5", "-0.5", "0", "0"]
    element(driver, "#cmp-edit input[value='none']").click()
    wait_for(lambda: "edit" not in _query(driver), 30, message="the default edit leaves the URL")
    q = _query(driver)
    assert (q["left"], q["right"], q["z"], q["a"]) == (
        "gan-4d",
        "gan-3d",
        "0.5,-0.5,0,0",
        "-1,1,0,0",
    )
    assert "b" not in q  # still its default


def test_explore_map_colours_by_confidence_and_by_the_discriminators_realism(driver, app_url):
    import numpy as np

    from dashboard import registry

    open_page(driver, app_url + "/explore?model=gan-2d&colour=realism", "explore-map")
    title = lambda: graph_title(driver, "explore-map")  # noqa: E731
    wait_for(lambda: title() == "Realism D(G(z))", 60, message="realism map")
    drawn = np.array(graph_data(driver, "explore-map")[0]["z"], float)
    values, _axes = registry.get("gan-2d").realism_map()
    np.testing.assert_allclose(drawn, values.T, atol=1e-3)  # sigmoid(D(G(z))) on the grid
    assert map_marker(driver) is not None  # the point is still marked
    element(driver, "#explore-colour input[value='confidence']").click()
    wait_for(lambda: title() == "Classifier confidence", 30, message="confidence map")
    conf = np.array(graph_data(driver, "explore-map")[0]["z"], float)
    assert conf.min() >= 0.099 and conf.max() <= 1.0  # a softmax maximum over 10 digits
    wait_for(lambda: "colour=confidence" in driver.current_url, 30, message="URL keeps it")
    before = map_marker(driver)
    drag_slider(driver, "explore-slider", 0, 60)
    wait_for(lambda: map_marker(driver) != before, 30, message="marker moves on the new map")
    screenshot(driver, "explore-confidence")
    assert severe_console_errors(driver) == []
