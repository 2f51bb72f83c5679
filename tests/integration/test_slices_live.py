"""A 100-D generator in headless Chromium: the explorer moves on a plane through its latent
space. The page computes z = origin + t @ basis itself and draws what the server computes,
a drag asks nothing per step, a shared URL reopens the same plane and point, a bad spec
changes nothing, and recentring keeps the point."""

from __future__ import annotations

import urllib.parse

import numpy as np
import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.conftest import HIGH_D
from tests.integration.conftest import element, screenshot, severe_console_errors, wait_for
from tests.integration.test_live import COUNT_POSTS, hold_and_drag, last_run
from tests.integration.test_views import graph_data, map_marker

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _plane(spec: str):
    from dashboard import registry

    explorer = registry.get(HIGH_D)
    return explorer, explorer.latent_slice(spec)


def _open(drv, app_url, spec: str, t) -> dict:
    query = urllib.parse.urlencode({"model": HIGH_D, "slice": spec, "z": ",".join(map(str, t))})
    drv.get(f"{app_url}/explore?{query}")
    return wait_for(lambda: (r := last_run(drv)) and r["t"] == list(t) and r, 120,
                    message="the page's own run at the URL's point")  # fmt: skip


def _assert_server_agrees(run, spec: str) -> np.ndarray:
    explorer, plane = _plane(spec)
    z = plane.points(np.asarray(run["t"]))
    np.testing.assert_allclose(run["z"], z, atol=1e-5)  # the page's own c + U t
    probe = explorer.probe_point(z)
    np.testing.assert_allclose(np.reshape(run["image"], (28, 28)), probe.image, atol=1e-4)
    np.testing.assert_allclose(run["probs"], probe.probs, atol=1e-4)
    for name, act in probe.activations.items():
        np.testing.assert_allclose(np.reshape(run["acts"][name], act.shape), act, atol=1e-4)
    return z


@pytest.mark.parametrize("spec", ["random:3", "points:seed=1;seed=2;seed=3"])
def test_the_page_draws_a_plane_through_100d_as_the_server_does(driver, app_url, spec):
    from dashboard.slicing import full_point_text

    _, plane = _plane(spec)
    t = [0.5, -1.25]
    run = _open(driver, app_url, spec, t)
    z = _assert_server_agrees(run, spec)
    readout = driver.find_element(By.ID, "explore-readout").text
    assert readout.startswith("t = (+0.50, -1.25)"), readout
    pasted = wait_for(lambda: element(driver, "#explore-zfull").get_attribute("value"), 30,
                      message="the whole z")  # fmt: skip
    np.testing.assert_allclose(np.array(pasted.split(", "), float), z, atol=1e-4)
    assert len(pasted.split(", ")) == 100 and pasted.split(", ")[0] == full_point_text(z[:1])
    # the map is the plane's: its axes span the slice's range and the marker sits at t
    wait_for(lambda: map_marker(driver) is not None, 60, message="the map")
    heat = graph_data(driver, "explore-map")[0]
    assert heat["x"][0] == pytest.approx(plane.lo) and heat["x"][-1] == pytest.approx(plane.hi)
    assert map_marker(driver) == pytest.approx(tuple(t), abs=1e-6)
    note = element(driver, "#explore-slice-note").text
    assert "map points have a norm like the prior's samples" in note, note
    assert severe_console_errors(driver) == []


def test_a_drag_on_a_plane_asks_nothing_per_step_and_the_url_reopens_it(driver, app_url):
    spec = "random:3"
    _open(driver, app_url, spec, [-2.0, 0.5])
    wait_for(lambda: map_marker(driver) is not None, 60, message="the map")
    posts = driver.execute_script(COUNT_POSTS)
    runs = driver.execute_script("return window.ganLive.pages.explore.runs")
    hold_and_drag(driver, steps=8, px=6, pause=0.1)
    during = last_run(driver)
    assert driver.execute_script("return window.ganLive.pages.explore.runs") >= runs + 4
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    assert during["t"][0] > -2.0 and during["t"][1] == 0.5
    _assert_server_agrees(during, spec)
    ActionChains(driver).release().perform()
    url = wait_for(lambda: "z=-2%2C" not in driver.current_url and "z=" in driver.current_url
                   and driver.current_url, 30, message="the URL to follow")  # fmt: skip
    assert "slice=random%3A3" in url
    last = last_run(driver)
    screenshot(driver, "explore-100d")
    # a shared link reopens the same plane at the same point
    driver.get(url)
    again = wait_for(lambda: (r := last_run(driver)) and r["t"] == last["t"] and r, 120,
                     message="the reopened page at the same point")  # fmt: skip
    np.testing.assert_allclose(again["z"], last["z"], atol=1e-6)
    assert element(driver, "#explore-slice-spec").get_attribute("value") == spec


def test_a_bad_spec_changes_nothing_and_recentring_keeps_the_point(driver, app_url):
    spec = "random:4"
    run = _open(driver, app_url, spec, [1.0, -1.0])
    wait_for(lambda: map_marker(driver) is not None, 60, message="the map")
    box = element(driver, "#explore-slice-spec")
    box.send_keys(Keys.CONTROL, "a")  # typed over, as a person would
    box.send_keys("axes:0,100", Keys.ENTER)
    error = wait_for(lambda: driver.find_element(By.ID, "explore-error").text, 30,
                     message="the error")  # fmt: skip
    assert "slice" in error and "0..99" in error
    assert last_run(driver)["z"] == run["z"]  # nothing moved
    element(driver, "#explore-slice-recentre").click()
    wait_for(lambda: "@v=" in element(driver, "#explore-slice-spec").get_attribute("value"), 30,
             message="the recentred spec")  # fmt: skip
    moved = wait_for(lambda: (r := last_run(driver)) and r["t"] == [0, 0] and r, 60,
                     message="the point at the new plane's centre")  # fmt: skip
    np.testing.assert_allclose(moved["z"], run["z"], atol=1e-4)  # the same latent point
    assert driver.find_element(By.ID, "explore-error").text == ""


@pytest.mark.parametrize(("model_id", "query"), [("gan-2d", "z=0.1,0.2"),
                                                 (HIGH_D, "slice=random%3A3&z=0.1,0.2")])  # fmt: skip
def test_key_steps_on_a_slider_are_drawn_in_the_page_with_no_request(driver, app_url, model_id,
                                                                     query):  # fmt: skip
    import time

    driver.get(f"{app_url}/explore?model={model_id}&{query}")
    first = wait_for(lambda: (r := last_run(driver)) and (r.get("t") or r["z"]) == [0.1, 0.2] and r,
                     120, message="the first run")  # fmt: skip
    wait_for(lambda: map_marker(driver) is not None, 60, message="the map")
    time.sleep(1.0)  # the page's own start-up requests are over
    posts = driver.execute_script(COUNT_POSTS)
    runs = driver.execute_script("return window.ganLive.pages.explore.runs")
    thumb = element(driver, "[id*='\"index\":0'][id*='explore-slider'] [role=slider]")
    thumb.click()
    posts = driver.execute_script(COUNT_POSTS)  # a click may commit the value it lands on
    start = float(thumb.get_attribute("aria-valuenow"))
    for _ in range(5):
        ActionChains(driver).send_keys(Keys.ARROW_RIGHT).pause(0.12).perform()
    assert driver.execute_script(COUNT_POSTS) == posts, driver.execute_script(
        "return window.__sent"
    )  # no request per key step
    shown = float(thumb.get_attribute("aria-valuenow"))
    assert shown == pytest.approx(start + 0.05)
    run = wait_for(lambda: (r := last_run(driver)) and (r.get("t") or r["z"])[0] == shown and r,
                   10, message="the page's run at the key's value")  # fmt: skip
    assert driver.execute_script("return window.ganLive.pages.explore.runs") >= runs + 5
    assert run["image"] != first["image"]
    # the keys rest: the latent view hears of the point once, and its marker follows
    wait_for(lambda: driver.execute_script(COUNT_POSTS) > posts, 10, message="the view's request")
    time.sleep(1.0)
    sent = driver.execute_script("return window.__sent || []")
    assert driver.execute_script(COUNT_POSTS) - posts == 1 and "latent-view" in sent[-1], sent
    wait_for(lambda: map_marker(driver)[0] == pytest.approx(shown, abs=1e-6), 10,
             message="the server's marker at the key's value")  # fmt: skip


@pytest.mark.parametrize(("spec", "mode"), [("", "slerp"), ("random:3", "linear")])
def test_the_morph_on_a_plane_through_100d(driver, app_url, spec, mode):
    """The default plane holds the origin and samples 1 and 2 (A and B are those samples):
    the spherical path lies in it; on a random plane the straight path does. The page's
    frames are the server's, and a drag of A asks the server nothing per step."""
    from dashboard import registry, slicing
    from tests.integration.test_live import morph_run

    explorer = registry.get(HIGH_D)
    plane = explorer.latent_slice(spec or slicing.MORPH_PLANE)
    query = f"model={HIGH_D}&frames=16&mode={mode}" + (f"&slice={spec}" if spec else "")
    driver.get(f"{app_url}/morph?{query}")
    run = wait_for(lambda: (r := morph_run(driver)) and r["frames"] == 16 and r, 120,
                   message="the page's own frames")  # fmt: skip
    a_t, b_t = slicing.default_ends(plane, explorer.prior)
    a, b = plane.points(np.asarray(a_t)), plane.points(np.asarray(b_t))
    np.testing.assert_allclose(run["a"], a, atol=1e-5)  # the page's own c + U t
    if not spec:  # the default plane holds sample 1 itself
        np.testing.assert_allclose(a, explorer.prior.sample(1, 100, 1)[0], atol=0.01)
    m = explorer.morph([a, b], frames=16, mode=mode)
    np.testing.assert_allclose(run["latents"], m.latents, atol=1e-5)
    np.testing.assert_allclose(np.reshape(run["images"], (16, 28, 28)), m.images, atol=1e-4)
    assert run["classes"] == [int(c) for c in m.classes]
    # the path lies in the plane the map shows
    np.testing.assert_allclose(plane.points(plane.coordinates(m.latents)), m.latents, atol=1e-4)
    wait_for(lambda: (d := graph_data(driver, "morph-map")) and len(d) >= 3, 60,
             message="the map and its path")  # fmt: skip
    line = wait_for(lambda: (d := graph_data(driver, "morph-map")) and len(d[-2]["x"]) == 16
                    and d[-2], 30, message="the path over the map")  # fmt: skip
    np.testing.assert_allclose(np.c_[line["x"], line["y"]], plane.coordinates(m.latents), atol=1e-3)
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=6, px=-8, pause=0.2, index=0, sliders="morph-a")
    during = wait_for(lambda: (r := morph_run(driver)) and r["a"] != run["a"] and r, 30,
                      message="frames for the dragged A")  # fmt: skip
    assert driver.execute_script(COUNT_POSTS) == posts, driver.execute_script(
        "return window.__sent"
    )
    assert during["latents"][0] == during["a"]
    ActionChains(driver).release().perform()
    wait_for(lambda: "a=" in driver.current_url, 30, message="the URL")
    assert severe_console_errors(driver) == []
    screenshot(driver, f"morph-100d-{mode}")


@pytest.mark.parametrize("spec", ["points:seed=4;seed=5;seed=6", "random:8"])
def test_an_edit_on_a_100d_generator_is_drawn_in_the_page_as_the_server_would(driver, app_url,
                                                                                 spec):  # fmt: skip
    import json
    from urllib.parse import quote

    from gan_core.activations import Edit
    from tests.integration.test_live import edit_run

    t = [0.75, -0.5]
    edits = [{"layer": "conv2_act", "kind": "rows", "indices": [3, 4, 5], "value": 0}]
    query = urllib.parse.urlencode({"model": HIGH_D, "slice": spec, "z": "0.75,-0.5"})
    driver.get(f"{app_url}/activations?{query}&edits={quote(json.dumps(edits))}")
    run = wait_for(lambda: (r := edit_run(driver)) and r["edits"] == 1 and r, 120,
                   message="the page's edited image")  # fmt: skip
    explorer, plane = _plane(spec)
    z = plane.points(np.asarray(t))
    np.testing.assert_allclose(run["z"], z, atol=1e-5)  # the page's own c + U t
    result = explorer.edit(z, [Edit.from_dict(d) for d in edits])
    np.testing.assert_allclose(np.reshape(run["original"], (28, 28)), result.original, atol=1e-4)
    np.testing.assert_allclose(np.reshape(run["edited"], (28, 28)), result.edited, atol=1e-4)
    assert element(driver, "#act-slice-spec").get_attribute("value") == spec
    whole = wait_for(lambda: element(driver, "#act-zfull").get_attribute("value"), 30,
                     message="the whole z")  # fmt: skip
    np.testing.assert_allclose(np.array(whole.split(", "), float), z, atol=1e-4)
    posts = driver.execute_script(COUNT_POSTS)
    hold_and_drag(driver, steps=5, px=7, pause=0.15, index=1, sliders="act-slider")
    moved = wait_for(lambda: (r := edit_run(driver)) and r["z"] != run["z"] and r, 30,
                     message="the edited image for the dragged point")  # fmt: skip
    assert driver.execute_script(COUNT_POSTS) == posts, "a drag step asked the server"
    after = explorer.edit(np.asarray(moved["z"], np.float32), [Edit.from_dict(d) for d in edits])
    np.testing.assert_allclose(np.reshape(moved["edited"], (28, 28)), after.edited, atol=1e-4)
    ActionChains(driver).release().perform()
    assert severe_console_errors(driver) == []
