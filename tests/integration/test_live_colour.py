"""A colour model in the page (assets/live/, ONNX Runtime Web) in headless Chromium: the
32x32 RGB generator and 3-class classifier of tests/colour_models.py (an upload with its
own classifier) run in the page as a point is dragged, with no request per step; the image
canvas shows the model's colours, and the classes go by their names."""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By

from tests.colour_models import COLOUR_NAMES, write_colour_model
from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for
from tests.integration.test_live import COUNT_POSTS, is_live, last_run, status

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MODEL = "colour-rgb"
RED_Z = [0.8, -0.3]  # z0 largest: red

# The mean R, G, B (0..255) of a canvas's pixels, and its size.
CANVAS_RGB = """
const c = document.getElementById(arguments[0]);
if (!c || !c.width) { return null; }
const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
const sum = [0, 0, 0];
for (let i = 0; i < px.length; i += 4) { for (let k = 0; k < 3; k++) { sum[k] += px[i + k]; } }
const n = px.length / 4;
return {rgb: sum.map((s) => s / n), width: c.width, height: c.height,
        pixels: Array.from(px.slice(0, 4 * 8))};
"""

# Every text drawn on the probabilities canvas from now on.
RECORD_PROB_TEXTS = """
window.__probTexts = [];
if (!window.__fillTextHooked) {
  window.__fillTextHooked = true;
  const fill = CanvasRenderingContext2D.prototype.fillText;
  CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
    if (this.canvas && this.canvas.id === 'explore-live-probs') { window.__probTexts.push(String(text)); }
    return fill.call(this, text, ...rest);
  };
}
"""


@pytest.fixture(scope="module")
def colour_model(app_url, test_checkpoints):
    """The colour model beside the tests' models (whose root holds the MNIST classifier;
    this one has its own), for this module only; its map already in the server's cache,
    as the background fill leaves the maps of the models there when the server starts."""
    from dashboard import registry

    folder = write_colour_model(test_checkpoints, MODEL)
    e = registry.get(MODEL)
    e.compute(e.view_request(registry.SETTINGS.grid_2d, registry.SETTINGS.cube_n))
    yield MODEL
    shutil.rmtree(folder)


def canvas_rgb(drv, canvas_id: str):
    return drv.execute_script(CANVAS_RGB, canvas_id)


def dominant(drv, canvas_id: str) -> str:
    rgb = canvas_rgb(drv, canvas_id)["rgb"]
    return COLOUR_NAMES[int(np.argmax(rgb))]


def slider_thumb(drv, index: int):
    return drv.find_element(
        By.CSS_SELECTOR, f"[id*='\"index\":{index}'][id*='explore-slider'] [role=slider]"
    )


def hold_and_drag_to(drv, index: int, target: float, steps: int = 8) -> None:
    """Press latent slider ``index`` and move it to about ``target`` in ``steps`` moves,
    still holding it."""
    thumb = slider_thumb(drv, index)
    root = thumb.find_element(By.XPATH, "./ancestor::*[contains(@class, 'dash-slider-root')]")
    lo, hi = (float(thumb.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax"))
    now = float(thumb.get_attribute("aria-valuenow"))
    px = (target - now) / (hi - lo) * root.rect["width"]
    chain = ActionChains(drv).click_and_hold(thumb)
    for _ in range(steps):
        chain = chain.move_by_offset(round(px / steps), 0).pause(0.15)
    chain.perform()


def test_a_colour_model_is_drawn_in_the_page_in_colour_with_its_class_names(
    driver, app_url, colour_model
):
    from dashboard import registry

    driver.get(f"{app_url}/explore?model={colour_model}&z={RED_Z[0]},{RED_Z[1]}")
    run = wait_for(lambda: (r := last_run(driver)) and r["z"] == RED_Z and r, 120,
                   message="the page's own run at the URL's point")  # fmt: skip
    assert is_live(driver) and "Drawn in the page" in status(driver)
    # the page's numbers are the model's: a 32x32x3 image and three probabilities
    e = registry.get(colour_model)
    image = np.asarray(e.generator(np.asarray([RED_Z], np.float32)))
    np.testing.assert_allclose(np.reshape(run["image"], (1, 32, 32, 3)), image, atol=1e-4)
    np.testing.assert_allclose(run["probs"], np.asarray(e.classifier(image))[0], atol=1e-4)
    # the canvas is the image's size and in colour: red here (R, G and B differ)
    drawn = canvas_rgb(driver, "explore-live-image")
    assert (drawn["width"], drawn["height"]) == (32, 32)
    r, g, b = drawn["rgb"]
    assert r > 200 and g < 60 and b < 60, drawn
    expected = np.clip(np.round((image[0, 0, :8] + 1) * 127.5), 0, 255)  # the first pixels
    np.testing.assert_allclose(np.reshape(drawn["pixels"], (8, 4))[:, :3], expected, atol=1)
    assert "→ red (p = " in driver.find_element(By.ID, "explore-readout").text
    # the image layer's heatmap is the RGB image itself; the 3,072-unit layer a square map
    layers = driver.execute_script("return window.ganLive.pages.explore.manifest.layers")
    assert [layer["name"] for layer in layers] == ["pixels", "image"]
    act = canvas_rgb(driver, "explore-live-act-1")
    assert (act["width"], act["height"]) == (32, 32) and act["rgb"] == pytest.approx(drawn["rgb"])
    vector = canvas_rgb(driver, "explore-live-act-0")
    assert (vector["width"], vector["height"]) == (56, 56)  # ceil(sqrt(3072))
    assert "image (32×32×3)" in driver.find_element(By.ID, "explore-live-acts").text

    # dragged: z0 down, then z1 up, each step drawn in the page with no request
    try:
        wait_for(lambda: driver.execute_script(
            "const gd = document.querySelector('#explore-map .js-plotly-plot');"
            "return !!(gd && gd.data && gd.data.length);"), 300, message="the map")  # fmt: skip
    except AssertionError:
        from dashboard.jobs import JOBS

        page_text = driver.execute_script("return document.body.innerText")
        jobs = {k: (s.finished, s.error) for k, s in JOBS._jobs.items() if colour_model in k}
        raise AssertionError(f"no map; jobs {jobs}; page: {page_text[:2000]!r}") from None
    driver.execute_script(RECORD_PROB_TEXTS)
    posts = driver.execute_script(COUNT_POSTS)
    runs = driver.execute_script("return window.ganLive.pages.explore.runs")
    hold_and_drag_to(driver, 0, -0.2)
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    assert driver.execute_script("return window.ganLive.pages.explore.runs") >= runs + 4
    during = last_run(driver)
    assert during["z"][0] < 0.5 and during["z"][1] == RED_Z[1]
    texts = driver.execute_script("return window.__probTexts")
    assert set(COLOUR_NAMES) <= set(texts), texts  # the bars are named by the classes
    ActionChains(driver).release().perform()
    wait_for(lambda: driver.execute_script(COUNT_POSTS) > posts, 30, message="the commit")
    wait_for(lambda: "z=0.8" not in driver.current_url, 30, message="the URL to follow")
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag_to(driver, 1, 0.8)
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    after = last_run(driver)
    assert after["z"][1] > 0.5 and after["z"][0] == pytest.approx(during["z"][0], abs=0.05)
    assert dominant(driver, "explore-live-image") == "green"
    r, g, b = canvas_rgb(driver, "explore-live-image")["rgb"]
    assert g > 200 and r < 100 and b < 60
    assert "→ green (p = " in driver.find_element(By.ID, "explore-readout").text
    assert driver.execute_script("return window.ganLive.pages.explore.look.names") == COLOUR_NAMES
    ActionChains(driver).release().perform()
    wait_for(lambda: driver.execute_script(COUNT_POSTS) > posts, 30, message="the commit")
    element(driver, "#explore-live-image")
    screenshot(driver, "explore-live-colour")
    driver.execute_script("document.getElementById('explore-live-probs').scrollIntoView()")
    screenshot(driver, "explore-live-colour-probs")  # the named bars and the layers below
    assert severe_console_errors(driver) == []


@pytest.fixture(scope="module")
def wide_grey_model(test_checkpoints):
    """A 16x24 grey model with its own 2-class classifier, for this module only."""
    folder = write_colour_model(test_checkpoints, "grey-wide", shape=(16, 24, 1),
                                names=["dark", "light"])  # fmt: skip
    yield "grey-wide"
    shutil.rmtree(folder)


def test_a_wide_grey_model_keeps_its_shape_in_the_page(driver, app_url, wide_grey_model):
    from dashboard import registry

    z = [0.6, 0.1]
    driver.get(f"{app_url}/explore?model={wide_grey_model}&z={z[0]},{z[1]}")
    run = wait_for(lambda: (r := last_run(driver)) and r["z"] == z and r, 120,
                   message="the page's own run at the URL's point")  # fmt: skip
    assert is_live(driver)
    e = registry.get(wide_grey_model)
    image = np.asarray(e.generator(np.asarray([z], np.float32)))
    np.testing.assert_allclose(np.reshape(run["image"], (1, 16, 24, 1)), image, atol=1e-4)
    drawn = canvas_rgb(driver, "explore-live-image")
    assert (drawn["width"], drawn["height"]) == (24, 16)
    r, g, b = drawn["rgb"]
    assert r == g == b and r > 200  # grey, and light where z0 is large
    box = driver.find_element(By.ID, "explore-live-image").rect
    assert box["width"] / box["height"] == pytest.approx(1.5, abs=0.02)  # not stretched square
    top = int(np.argmax(run["probs"]))
    assert f"→ {['dark', 'light'][top]} (p = " in (
        driver.find_element(By.ID, "explore-readout").text
    )
    assert severe_console_errors(driver) == []


# The mean R, G, B of each frame of the morph strip (the strip's geometry: drawing.js).
STRIP_FRAMES = """
const c = document.getElementById('morph-live-strip'), n = arguments[0];
const step = (c.width + arguments[1]) / n, top = c.height - arguments[2];
const ctx = c.getContext('2d'), out = [];
for (let i = 0; i < n; i++) {
  const px = ctx.getImageData(Math.round(i * step) + 4, top + 4, 8, 8).data, s = [0, 0, 0];
  for (let k = 0; k < px.length; k += 4) { for (let ch = 0; ch < 3; ch++) { s[ch] += px[k + ch]; } }
  out.push(s.map((v) => v / (px.length / 4)));
}
return out;
"""


def test_a_colour_morph_is_drawn_in_the_page_in_colour_with_named_areas(
    driver, app_url, colour_model
):
    from dashboard import ids
    from tests.integration.test_live import morph_run
    from tests.integration.test_views import graph_data

    driver.get(f"{app_url}/morph?model={colour_model}&a=0.8,-0.3&b=-0.2,0.8&frames=16")
    run = wait_for(lambda: (r := morph_run(driver)) and r["frames"] == 16 and r, 120,
                   message="the page's own frames")  # fmt: skip
    assert run["classes"][0] == 0 and run["classes"][-1] == 1  # red to green
    assert driver.find_element(By.ID, "morph-live-sequence").text == ("Crossed areas: red → green")
    # 16 frames of 32x32 at 3 pixels each, 6 apart, under a 36-pixel band for the names
    frames = driver.execute_script(STRIP_FRAMES, 16, 6, 96)
    assert COLOUR_NAMES[int(np.argmax(frames[0]))] == "red"
    assert COLOUR_NAMES[int(np.argmax(frames[-1]))] == "green"
    # the scrubbed frame (from the morph the server stored) is an RGB image
    frame = wait_for(lambda: graph_data(driver, ids.MO_FRAME_IMAGE), 120, message="the frame")
    assert frame[0]["type"] == "image" and np.shape(frame[0]["z"]) == (32, 32, 3)
    assert severe_console_errors(driver) == []
