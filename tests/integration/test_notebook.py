"""examples/explore_your_gan.ipynb runs top to bottom in a Jupyter kernel of this
interpreter (fewer training steps): its explorer is shown inline, the served app draws the
trained 100-D generator's maps, and the notebook's last cell stops it."""

from __future__ import annotations

import base64
import io
import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import requests

from tests.conftest import REPO
from tests.unit.test_explore_api import call, page_model, refused, view_json

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

NOTEBOOK = REPO / "examples" / "explore_your_gan.ipynb"
KERNEL = "gan-explorer-test"
STEPS = 20  # the notebook's default is 250; a test only needs a trained, served model
IFRAME = re.compile(r'<iframe[^>]*src="(http://127\.0\.0\.1:\d+/explore\?model=(upload-[\w-]+))"')


@dataclass
class Run:
    """The notebook executed up to its last cell (``handle.stop()``) in a live kernel."""

    nb: object
    client: object
    code: list[int]  # the indices of its code cells
    root: Path  # uploads/, cache/ and the kernel's working folder work/


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The notebook run in a kernel of this interpreter (a kernelspec written here, so a
    fresh venv needs no `ipykernel install`) with an empty uploads folder and map cache
    and fewer training steps, all but its last cell; the kernel ends afterwards."""
    import nbformat
    from nbclient import NotebookClient

    root = tmp_path_factory.mktemp("notebook")
    spec = root / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(
        json.dumps({"argv": argv, "display_name": "gan-explorer tests", "language": "python"})
    )
    (root / "work").mkdir()
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    assert all(not nb.cells[i].outputs for i in code), "commit the notebook with outputs cleared"
    assert nb.cells[code[-1]].source.strip() == "handle.stop()"
    with pytest.MonkeyPatch.context() as mp:  # the kernel inherits these
        mp.setenv("JUPYTER_PATH", str(root / "jupyter"))
        mp.setenv("GAN_EXPLORER_UPLOADS", str(root / "uploads"))
        mp.setenv("GAN_EXPLORER_CACHE", str(root / "cache"))
        mp.setenv("GAN_EXPLORER_NOTEBOOK_STEPS", str(STEPS))
        client = NotebookClient(nb, kernel_name=KERNEL, timeout=600,
                                resources={"metadata": {"path": str(root / "work")}})  # fmt: skip
        with client.setup_kernel():
            for i in code[:-1]:
                client.execute_cell(nb.cells[i], i)
            yield Run(nb, client, code, root)


def _outputs(cell, kind: str) -> str:
    """The text of a cell's outputs of MIME type ``kind`` (and its stream output)."""
    out = []
    for o in cell.get("outputs", []):
        if o["output_type"] == "stream" and kind == "stream":
            out.append(o["text"])
        elif kind in o.get("data", {}):
            out.append(o["data"][kind])
        elif o["output_type"] == "error":
            raise AssertionError("\n".join(o["traceback"]))
    return "".join(out)


def _shown_explorer(cell) -> tuple[str, str]:
    """(url, model id) of the explorer page a cell shows inline."""
    found = IFRAME.search(_outputs(cell, "text/html"))
    assert found, f"no inline explorer in the cell's outputs: {cell.get('outputs')}"
    return found.group(1), found.group(2)


def _explore_cells(run: Run) -> list[int]:
    return [i for i in run.code if "explore(" in run.nb.cells[i].source]


def test_the_notebook_trains_and_shows_the_explorer_inline(run):
    training = "".join(_outputs(run.nb.cells[i], "stream") for i in run.code)
    assert f"step {STEPS}/{STEPS}" in training
    first, second = _explore_cells(run)
    # The two lines: explore(generator, prior="normal") shows the page inline ...
    assert 'explore(generator, prior="normal")' in run.nb.cells[first].source
    first_url, first_id = _shown_explorer(run.nb.cells[first])
    # ... then the saved .keras files, after the first server was stopped.
    url, model_id = _shown_explorer(run.nb.cells[second])
    assert refused(first_url)
    assert first_id.startswith("upload-generator-") and model_id != first_id
    uploads = run.root / "uploads"
    assert {first_id, model_id} <= {p.name for p in uploads.iterdir()}
    cfg = json.loads((uploads / model_id / "config.json").read_text())
    assert cfg["latent_dim"] == 100 and cfg["prior"] == "normal(0,1)"
    assert (uploads / model_id / "discriminator.keras").is_file()
    assert (run.root / "work" / "generator.keras").is_file()


def test_the_served_app_draws_the_trained_models_maps(run):
    from PIL import Image

    from gan_core.slices import default_spec

    url, model_id = _shown_explorer(run.nb.cells[_explore_cells(run)[1]])
    assert requests.get(url, timeout=30).status_code == 200
    assert page_model(url) == model_id
    base = url.split("/explore")[0]
    spec = default_spec(100)

    # The map of the page's default plane, as its PNG download draws it.
    out = call(base, "explore-download.data",
               {"explore-dl-png.n_clicks": 1, "explore-model.value": model_id,
                "{\"index\":[\"ALL\"],\"type\":\"explore-slider\"}.value": [0.0, 0.0],
                "explore-slice.data": {"spec": spec}},
               changed="explore-dl-png.n_clicks", timeout=300)  # fmt: skip
    data = out["explore-download"]["data"]
    assert data["filename"] == f"{model_id}-slice.png"
    png = np.asarray(Image.open(io.BytesIO(base64.b64decode(data["content"]))).convert("RGB"))
    assert png.shape == (400, 400, 3)  # the app's 100 x 100 map points, 4 pixels each
    cells = png.reshape(100, 4, 100, 4, 3)
    assert np.all(cells == cells[:, :1, :, :1]), "not a map of 100 x 100 class cells"

    # The graph the page runs to draw the maps itself.
    manifest = call(base, "explore-live.data",
                    {"explore-model.value": model_id, "explore-live-flag.data": True},
                    timeout=300)["explore-live"]["data"]  # fmt: skip
    assert manifest["model"] == model_id and "error" not in manifest
    assert manifest["latent_dim"] == 100
    graph = requests.get(base + manifest["url"], timeout=60)
    assert graph.status_code == 200 and len(graph.content) > 1_000_000

    # A point of the plane: the generated digit and its probabilities.
    view = view_json(base, model_id, [0.0, 0.0], plane=spec)
    assert view["model"] == model_id and len(view["point"]) == 100
    assert len(view["probabilities"]) == 10


@pytest.mark.browser
def test_the_inline_output_shows_the_explorer_in_a_browser(run, driver):
    """The explore cell's HTML output (the iframe Jupyter puts in the page) in Chromium:
    the explorer answers inside it, on the model."""
    from selenium.webdriver.common.by import By

    from tests.integration.conftest import screenshot, wait_for

    cell = run.nb.cells[_explore_cells(run)[1]]
    _url, model_id = _shown_explorer(cell)
    page = run.root / "output.html"
    page.write_text(f"<!doctype html><html><body>{_outputs(cell, 'text/html')}</body></html>")
    driver.get(page.as_uri())
    driver.switch_to.frame(driver.find_element(By.TAG_NAME, "iframe"))
    try:
        readout = wait_for(lambda: driver.find_element(By.ID, "explore-readout").text, 120,
                           message="the explorer in the frame")  # fmt: skip
        assert readout.startswith("t = ("), readout
        menu = driver.find_element(By.ID, "explore-model").text
        assert model_id in menu, menu
    finally:
        driver.switch_to.default_content()
    screenshot(driver, "notebook-inline")


def test_the_last_cell_stops_the_server(run):
    url, _ = _shown_explorer(run.nb.cells[_explore_cells(run)[1]])
    assert not refused(url)
    run.client.execute_cell(run.nb.cells[run.code[-1]], run.code[-1])
    assert refused(url)
