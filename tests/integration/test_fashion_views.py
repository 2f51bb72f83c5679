"""A Fashion-MNIST model in headless Chromium: its class names on the map, in the
probabilities, in the readout and in the morph's crossed areas; an MNIST model still
speaks of digits.

What the server draws (the map's area labels, and with ``live=0`` the image, the
probabilities, the readout and the crossed areas) is checked on every page; where the page
draws itself (assets/live/: the readout and the morph's crossed areas in the page) the
test says so.
"""

from __future__ import annotations

import re

import pytest
from selenium.webdriver.common.by import By

from tests.conftest import FASHION
from tests.integration.conftest import screenshot, severe_console_errors, wait_for
from tests.integration.test_views import graph_data

pytestmark = [pytest.mark.browser, pytest.mark.slow]

FASHION_NAMES = (
    "T-shirt", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)  # fmt: skip
DIGITS = tuple(str(d) for d in range(10))


def map_labels(drv, box: str = "explore-map") -> list[str]:
    """The area labels of a 2D map as the browser draws them (its SVG texts)."""
    return [
        el.text.strip()
        for el in drv.find_elements(By.CSS_SELECTOR, f"#{box} .annotation-text")
        if el.text.strip()
    ]


def bar_ticks(drv, graph: str) -> list[str]:
    """The category names under a bar chart, as drawn."""
    return [el.text for el in drv.find_elements(By.CSS_SELECTOR, f"#{graph} .xtick text")]


def text_of(drv, element_id: str) -> str:
    return drv.find_element(By.ID, element_id).text


def crossed(text: str) -> list[str]:
    """The class names of "Crossed areas: A → B → C"."""
    assert text.startswith("Crossed areas: "), text
    return text[len("Crossed areas: ") :].split(" → ")


def test_fashion_explore_names_its_classes_on_the_server_path(driver, app_url):
    driver.get(f"{app_url}/explore?model={FASHION}&z=0.3,-0.4&live=0")
    labels = wait_for(lambda: map_labels(driver), 90, message="the map's area labels")
    assert labels and set(labels) <= set(FASHION_NAMES), labels
    ticks = wait_for(lambda: bar_ticks(driver, "explore-probs"), 60, message="probabilities")
    assert ticks == list(FASHION_NAMES)
    probs = graph_data(driver, "explore-probs")[0]
    top = FASHION_NAMES[max(range(10), key=lambda k: probs["y"][k])]
    readout = wait_for(lambda: text_of(driver, "explore-readout"), 30, message="readout")
    assert re.fullmatch(rf"z = \(\+0\.30, -0\.40\) → {re.escape(top)} \(p = 0\.\d\d\)", readout)
    assert "digit" not in readout
    note = wait_for(lambda: text_of(driver, "explore-labelling"), 30, message="labelling note")
    assert note == "Class areas coloured by the bundled Fashion-MNIST classifier (10 classes)."
    # The map's hover names the area under the pointer.
    heat = graph_data(driver, "explore-map")[0]
    assert "%{text}" in heat["hovertemplate"] and heat["text"][0][0] in FASHION_NAMES
    assert severe_console_errors(driver) == []
    screenshot(driver, "fashion-explore-server")


def test_fashion_explore_in_the_page_shows_names_too(driver, app_url):
    driver.get(f"{app_url}/explore?model={FASHION}&z=0.3,-0.4")
    labels = wait_for(lambda: map_labels(driver), 90, message="the map's area labels")
    assert set(labels) <= set(FASHION_NAMES), labels  # server-drawn: no in-page part
    # In the page (assets/live/): the readout the page writes after its own run.
    readout = wait_for(
        lambda: (t := text_of(driver, "explore-readout")) and "→" in t and t,
        90,
        message="the page's readout",
    )
    assert any(f"→ {name} (" in readout or f" {name} (p" in readout for name in FASHION_NAMES)
    assert "digit" not in readout, readout
    assert "Fashion-MNIST classifier" in text_of(driver, "explore-labelling")
    assert severe_console_errors(driver) == []
    screenshot(driver, "fashion-explore")


def test_fashion_morph_lists_the_crossed_areas_by_name(driver, app_url):
    driver.get(f"{app_url}/morph?model={FASHION}&a=-1,-1&b=1,1&live=0")
    text = wait_for(lambda: text_of(driver, "morph-sequence"), 90, message="crossed areas")
    names = crossed(text)
    assert len(names) >= 2 and set(names) <= set(FASHION_NAMES), text
    assert " → " in text
    # The strip names the frames where the class changes.
    strip = wait_for(lambda: map_labels(driver, "morph-strip"), 30, message="strip labels")
    assert strip[0] == names[0] and set(strip) <= set(FASHION_NAMES), strip
    # In the page (assets/live/): the crossed areas the page lists from its own frames.
    driver.get(f"{app_url}/morph?model={FASHION}&a=-1,-1&b=1,1")
    live = wait_for(lambda: text_of(driver, "morph-live-sequence"), 90, message="in-page areas")
    assert set(crossed(live)) <= set(FASHION_NAMES), live
    assert severe_console_errors(driver) == []
    screenshot(driver, "fashion-morph")


def test_an_mnist_model_still_speaks_of_digits(driver, app_url):
    driver.get(f"{app_url}/explore?model=gan-2d&z=0.3,-0.4&live=0")
    labels = wait_for(lambda: map_labels(driver), 90, message="the map's area labels")
    assert set(labels) <= set(DIGITS), labels
    ticks = wait_for(lambda: bar_ticks(driver, "explore-probs"), 60, message="probabilities")
    assert ticks == list(DIGITS)
    readout = wait_for(lambda: text_of(driver, "explore-readout"), 30, message="readout")
    assert re.fullmatch(r"z = \(\+0\.30, -0\.40\) → digit \d \(p = [01]\.\d\d\)", readout)
    assert text_of(driver, "explore-labelling") == (
        "Class areas coloured by the bundled MNIST classifier (10 classes)."
    )
    heat = graph_data(driver, "explore-map")[0]
    assert "digit %{z}" in heat["hovertemplate"]
    driver.get(f"{app_url}/explore?model=gan-2d&z=0.3,-0.4")
    wait_for(lambda: map_labels(driver), 90, message="the map's area labels")
    screenshot(driver, "mnist-explore")
