"""The browser-side callbacks in assets/clientside.js: every one the app names is defined,
and the ones that need no page (no ganLive, no ganExplorer) give what they should."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "assets" / "clientside.js"
NODE = shutil.which("node")


def _run_node(body: str):
    """Load clientside.js into a bare ``window`` under Node and print ``body``'s JSON."""
    program = (
        "const window = {dash_clientside: {no_update: 'NO_UPDATE'}};\n"
        + SCRIPT.read_text()
        + f"\nconst gx = window.dash_clientside.gx;\nconsole.log(JSON.stringify({body}));\n"
    )
    done = subprocess.run([NODE, "-e", program], capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_every_clientside_function_the_app_names_is_in_the_script(test_checkpoints, tmp_path):
    from dashboard.app import create_app

    app = create_app(test_checkpoints, cache_dir=tmp_path / "c", grid_2d=8, cube_n=4)
    deps = app.server.test_client().get("/_dash-dependencies").get_json()
    named = {
        d["clientside_function"]["function_name"]
        for d in deps
        if (d.get("clientside_function") or {}).get("namespace") == "gx"
    }
    assert len(named) >= 13
    script = SCRIPT.read_text()
    missing = [name for name in sorted(named) if f"        {name}: function" not in script]
    assert not missing


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_script_keeps_what_dash_put_in_the_namespace_and_defines_gx():
    out = _run_node("[window.dash_clientside.no_update, Object.keys(gx).length]")
    assert out[0] == "NO_UPDATE" and out[1] >= 13


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_pure_clientside_functions():
    out = _run_node(
        "[gx.copyToViewStore(undefined), gx.copyToViewStore(0), gx.copyToViewStore([1, 2]),"
        " gx.morphViewReady('gan-2d'), gx.invertLabelDisabled(['on']),"
        " gx.invertLabelDisabled([]), gx.invertLabelDisabled(null),"
        " gx.morphFrameFigure(5, null), gx.morphFrameFigure(0, {images: []})]"
    )
    assert out == [None, 0, [1, 2], "gan-2d", True, False, False, "NO_UPDATE", "NO_UPDATE"]


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_the_morph_frame_is_clamped_and_titled():
    result = {"images": [[[0]], [[1]], [[-1]]], "classes": [3, 8, 2]}
    fig = _run_node(f"gx.morphFrameFigure(7, {json.dumps(result)})")
    assert fig["data"][0]["z"] == [[-1]]
    assert fig["layout"]["title"]["text"] == "Frame 2 of 2: digit 2"
    first = _run_node(f"gx.morphFrameFigure(null, {json.dumps(result)})")
    assert first["layout"]["title"]["text"] == "Frame 0 of 2: digit 3"


@pytest.mark.skipif(NODE is None, reason="node is not installed")
def test_a_colour_morph_frame_is_an_rgb_image_titled_by_its_class_name():
    rgb = [[[1, -1, -1], [-1, 1, -1]], [[-1, -1, 1], [0, 0, 0]]]  # 2x2 pixels, 3 channels
    result = {"images": [rgb, rgb], "classes": [0, 2], "class_names": ["red", "green", "blue"],
              "noun": "class"}  # fmt: skip
    fig = _run_node(f"gx.morphFrameFigure(1, {json.dumps(result)})")
    trace = fig["data"][0]
    assert trace["type"] == "image" and trace["z"] == rgb
    assert trace["zmin"] == [-1, -1, -1] and trace["zmax"] == [1, 1, 1]
    assert fig["layout"]["title"]["text"] == "Frame 1 of 1: class blue"
    grey = _run_node(f"gx.morphFrameFigure(0, {json.dumps({**result, 'images': [[[0]]]})})")
    assert grey["data"][0]["type"] == "heatmap"  # a grey frame as before
    assert grey["layout"]["title"]["text"] == "Frame 0 of 0: class red"
