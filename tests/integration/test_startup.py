"""`gan-explorer serve` on an empty map cache answers at once and fills the maps in the
background: the explorer shows the progress of the map it needs, then draws it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from gan_explorer.harness import free_port
from tests.integration.conftest import screenshot, wait_for
from tests.integration.test_topology import stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]

BIN = Path(sys.executable).parent


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def test_serve_answers_while_maps_fill_and_explore_shows_its_map_progress(
    driver, test_checkpoints, tmp_path
):
    root = tmp_path / "ck"
    for name in ("gan-2d", "gan-4d", "classifier"):
        shutil.copytree(test_checkpoints / name, root / name)
    port = free_port()
    log_path = tmp_path / "serve.log"
    env = dict(os.environ, GAN_EXPLORER_CACHE=str(tmp_path / "cache"), TF_CPP_MIN_LOG_LEVEL="2")
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [str(BIN / "gan-explorer"), "--checkpoints", str(root), "serve", "--port", str(port)],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _answers(base + "/"), 90, interval=0.2, message="the first page")
        # 2D (10,000 images) and 4D (16 cubes of 4,096) are far from done at this point.
        assert "class maps: 100%" not in log_path.read_text(errors="replace")
        driver.get(base + "/explore")
        seen: list[str] = []

        def map_drawn() -> bool:
            text = driver.execute_script(
                "const el = document.getElementById('explore-progress');"
                "return el ? el.innerText : '';"
            )
            if text:
                seen.append(text)
            kinds = driver.execute_script(
                "const el = document.querySelector('#explore-map .js-plotly-plot');"
                "return el && el.data ? el.data.map(t => t.type) : null;"
            )
            return bool(kinds and "heatmap" in kinds)

        wait_for(map_drawn, 180, interval=0.2, message="the 2D map to be drawn")
        assert any("Computing the class map for the first time" in t for t in seen), seen
        screenshot(driver, "startup-explore-map")
        # /morph needs gan-4d's cube at w = 1, the last the fill would reach: its map view
        # says how far that map is, moves it to the front, and draws the path through it.
        driver.get(base + "/morph?model=gan-4d&a=-1,0,0,1&b=1,0,0,1")
        notes: list[str] = []

        def cube_drawn() -> bool:
            state = driver.execute_script(
                "const el = document.querySelector('#morph-map .js-plotly-plot');"
                "const note = document.getElementById('morph-progress');"
                "return [note ? note.innerText : '', el && el.data ? el.data.map(t => t.type) : []];"
            )
            if state and state[0]:
                notes.append(state[0])
            return bool(state and "scatter3d" in state[1])

        wait_for(cube_drawn, 180, interval=0.2, message="the morph cube to be drawn")
        assert any("class map" in n or "this one is next" in n for n in notes), notes
        # The fill goes on behind the drawn map; the terminal follows it.
        wait_for(lambda: "class maps:" in log_path.read_text(errors="replace"), 30,
                 message="the terminal's progress bar")  # fmt: skip
        assert proc.poll() is None
    finally:
        stop(proc)
