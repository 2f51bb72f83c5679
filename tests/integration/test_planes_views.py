"""The 100-D normal-prior model in headless Chromium on the pages other than the explorer:
/invert finds a point under the prior and links to the plane through it, /compare shows two
such models on one plane (and refuses a pair that cannot share one), /training draws the
monitor maps on their slice."""

from __future__ import annotations

import os
import shutil
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from selenium.webdriver.common.by import By

from tests.conftest import HIGH_D
from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for
from tests.integration.test_views import graph_data, graph_title, named_trace

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SHOTS = Path(os.environ.get("PLANE_SHOTS", "/tmp/inv-shots"))


def _shot(drv, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    drv.save_screenshot(str(SHOTS / f"{name}.png"))


def _text(drv, element_id: str) -> str:
    return drv.find_element(By.ID, element_id).text


def test_inverting_into_a_100d_model_links_to_the_plane_through_the_point(driver, app_url):
    driver.get(f"{app_url}/invert?model={HIGH_D}&index=3")
    wait_for(lambda: graph_data(driver, "inv-target"), 60, message="target digit")
    wait_for(lambda: "random:0" in graph_title(driver, "inv-map"), 120, message="default plane")
    assert not driver.find_element(By.ID, "inv-zfull-box").is_displayed()
    element(driver, "#inv-run").click()
    text = wait_for(lambda: _text(driver, "inv-result"), 240, message="inversion result")
    assert "92 more; 100-D)" in text and "|z| = " in text, text
    norm = float(text.split("|z| = ")[1].split(" ")[0])
    assert 8.0 < norm < 12.0, text  # the prior's typical norm (about 10 in 100-D)
    zfull = driver.find_element(By.ID, "inv-zfull").get_attribute("value")
    z = np.array([float(v) for v in zfull.split(",")])
    assert z.shape == (100,) and abs(np.linalg.norm(z) - norm) < 0.01
    link = driver.find_element(By.ID, "inv-link")
    assert link.is_displayed() and link.text == "Explore the plane through this point"
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link.get_attribute("href")).query)
    assert query["model"] == [HIGH_D] and query["z"] == ["0,0"]
    spec = query["slice"][0]
    assert spec.startswith("random:0@v=")
    np.testing.assert_allclose([float(v) for v in spec.split("@v=")[1].split(",")], z, atol=1e-4)
    # the map is now the plane through the point found, the marker at its centre
    wait_for(lambda: "random:0@v=" in graph_title(driver, "inv-map"), 120, message="its plane")
    assert severe_console_errors(driver) == []
    _shot(driver, "invert-100d")
    screenshot(driver, "view-invert-100d")
    link.click()
    wait_for(lambda: "/explore" in driver.current_url, 30, message="the explorer")
    wait_for(
        lambda: driver.find_element(By.ID, "explore-slice-spec").get_attribute("value") == spec,
        60,
        message="the explorer on the same plane",
    )
    wait_for(lambda: "random:0@v=" in graph_title(driver, "explore-map"), 120,
             message="the explorer's map of that plane")  # fmt: skip
    _shot(driver, "invert-100d-explore")


def test_compare_puts_two_100d_models_on_one_plane_and_refuses_a_mixed_pair(driver, app_url):
    driver.get(f"{app_url}/compare?left={HIGH_D}&right={HIGH_D}&z=1.5,-0.5&a=-2,0&b=2,1")
    wait_for(lambda: "Slice coordinates" in _text(driver, "cmp-point-title"), 60, message="plane")
    assert "random:0" in _text(driver, "cmp-plane-note") and "[-3, 3]" in _text(
        driver, "cmp-plane-note"
    )
    sliders = driver.find_elements(By.CSS_SELECTOR, "#cmp-sliders .slider-label")
    assert [s.text for s in sliders] == ["t0", "t1"]
    assert driver.find_element(By.ID, "cmp-a").get_attribute("value") == "-2,0"
    for side in ("left", "right"):
        wait_for(lambda s=side: "random:0" in graph_title(driver, f"cmp-{s}-map"), 120,
                 message=f"{side} plane map")  # fmt: skip
        wait_for(lambda s=side: graph_data(driver, f"cmp-{s}-strip"), 60, message="strip")
    # the A -> B path over each plane map, in slice coordinates from A to B
    path = wait_for(lambda: named_trace(graph_data(driver, "cmp-left-map"), "path"), 30,
                    message="the path on the left plane map")  # fmt: skip
    assert (path["x"][0], path["y"][0]) == pytest.approx((-2, 0), abs=1e-3)
    assert (path["x"][-1], path["y"][-1]) == pytest.approx((2, 1), abs=1e-3)
    assert len(path["x"]) == 12
    assert "100D, prior normal(0,1)" in _text(driver, "cmp-left-metrics")
    assert _text(driver, "cmp-error") == ""
    assert severe_console_errors(driver) == []
    _shot(driver, "compare-100d")
    # a 3-D model on the right: no image pretends the two share a space
    driver.get(f"{app_url}/compare?left={HIGH_D}&right=gan-3d")
    said = wait_for(lambda: _text(driver, "cmp-error"), 60, message="the reason")
    assert "same latent dimension and prior" in said and "gan-3d is 3-D" in said, said
    assert "Latent point" in _text(driver, "cmp-point-title")
    _shot(driver, "compare-100d-vs-3d")


@pytest.fixture(scope="module")
def high_d_history(test_checkpoints) -> str:
    """A copy of the 100-D model with a tiny two-epoch history recorded as the trainer
    records it (maps on the model's default slice)."""
    from gan_core.history import append_csv, append_npz
    from gan_core.monitoring import monitor_grid
    from gan_core.priors import NORMAL

    model_id = f"{HIGH_D}-history"
    folder = test_checkpoints / model_id
    if not folder.exists():
        folder.mkdir()
        for name in ("config.json", "generator.keras"):
            shutil.copy2(test_checkpoints / HIGH_D / name, folder / name)
        _, _, shape, desc = monitor_grid(100, False, 12, NORMAL)
        yy, xx = np.meshgrid(np.arange(12), np.arange(12))
        for epoch in (1, 2):
            classes = ((xx // 4) * 3 + yy // 4 + epoch) % 10
            append_npz(folder / "history", "class_maps.npz", epoch,
                       classes=classes.astype(np.uint8), static={"description": np.array(desc)})  # fmt: skip
            images = np.full((36, 28, 28), 40 * epoch, np.uint8)
            append_npz(folder / "history", "samples.npz", epoch, images=images)
            append_csv(folder / "history", "losses.csv",
                       {"epoch": epoch, "g_loss": 1.0 / epoch, "d_loss": 0.6})  # fmt: skip
    return model_id


def test_training_replay_draws_a_100d_models_maps_on_its_slice(driver, app_url, high_d_history):
    driver.get(f"{app_url}/training?model={high_d_history}")
    title = wait_for(
        lambda: (t := graph_title(driver, "train-map")).startswith("Class map after epoch 2") and t,
        60, message="the last epoch's map")  # fmt: skip
    assert "slice random:0: t0, t1 in [-3, 3]" in title, title
    heat = graph_data(driver, "train-map")[0]
    assert heat["x"][0] == pytest.approx(-3) and heat["x"][-1] == pytest.approx(3)
    layout = driver.execute_script(
        "const el = document.querySelector('#train-map .js-plotly-plot');"
        "return JSON.parse(JSON.stringify(el.layout));"
    )
    assert layout["xaxis"]["title"]["text"] == "t0" and layout["yaxis"]["title"]["text"] == "t1"
    assert severe_console_errors(driver) == []
    _shot(driver, "training-100d")
