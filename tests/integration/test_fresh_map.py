"""A model whose map is not in the cache yet (an upload after the server started) gets its
map drawn on /explore, however soon the map's job ends: also when it ends before the
view's first progress poll (a small map), in the page's own path and on the server path."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import requests

from gan_explorer.harness import free_port
from tests.colour_models import write_colour_model
from tests.conftest import copy_classifier
from tests.integration.conftest import wait_for
from tests.integration.test_topology import stop

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TRIES = 6  # a small map's job ends before the first poll about every other time

# The app on its own roots (the tests' registry is one per process), small grids.
SERVE = """
import sys
from werkzeug.serving import make_server
from dashboard.app import create_app
root, cache, uploads, port = sys.argv[1:5]
app = create_app(root, cache_dir=cache, grid_2d=24, cube_n=8, uploads=uploads)
make_server("127.0.0.1", int(port), app.server, threaded=True).serve_forever()
"""

MAP_TRACES = """
const gd = document.querySelector('#explore-map .js-plotly-plot');
return gd && gd.data ? gd.data.map((t) => t.type) : null;
"""


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="module")
def fresh_app(tmp_path_factory):
    """(base URL, checkpoints root) of an app started on an empty root and an empty cache."""
    tmp = tmp_path_factory.mktemp("fresh-map")
    root, cache, uploads = tmp / "checkpoints", tmp / "cache", tmp / "uploads"
    for folder in (root, cache, uploads):
        folder.mkdir()
    copy_classifier(root)
    port = free_port()
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    log = (tmp / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(root), str(cache), str(uploads), str(port)],
        cwd=repo, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(base + "/"), 120, interval=0.3, message="the app")
        yield base, root
    finally:
        stop(proc)
        log.close()


@pytest.mark.parametrize("live", ["1", "0"])
def test_a_model_added_after_start_gets_its_map_drawn_every_time(driver, fresh_app, live):
    base, root = fresh_app
    for k in range(TRIES // 2):
        model_id = f"fresh-{live}-{k}"  # a new model: its map is in no cache
        write_colour_model(root, model_id)
        driver.get(f"{base}/explore?model={model_id}&live={live}")
        traces = wait_for(lambda: (t := driver.execute_script(MAP_TRACES)) and "heatmap" in t
                          and t, 60, message=f"the map of {model_id} (live={live})")  # fmt: skip
        assert "heatmap" in traces
        error = driver.execute_script(
            "const el = document.querySelector('.latent-view .error');"
            "return el ? el.innerText : '';"
        )
        assert not error, error
