"""scripts/screenshots.py without a browser: its options, its views and the size limit."""

from __future__ import annotations

import importlib.util
import io
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "screenshots.py"


@pytest.fixture(scope="module")
def shots():
    spec = importlib.util.spec_from_file_location("screenshots", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules["screenshots"] = module  # dataclasses look their module up there
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop("screenshots", None)


def test_every_view_of_the_app_has_a_picture(shots):
    names = [v.name for v in shots.VIEWS]
    assert len(names) == len(set(names))
    assert {"home", "explore-2d", "explore-3d", "explore-4d", "explore-100d", "explore-fashion",
            "cgan", "morph", "morph-100d", "activations", "invert", "compare",
            "training"} == set(names)  # fmt: skip
    paths = {v.path.split("?")[0] for v in shots.VIEWS}
    assert paths == {"/", "/explore", "/cgan", "/morph", "/activations", "/invert", "/compare",
                     "/training"}  # fmt: skip
    for view in shots.VIEWS:
        assert view.path.startswith("/") and " " not in view.path
        assert view.graphs or view.texts  # something to wait for
    assert set(shots.DOCS_SET) <= set(names) and 2 <= len(shots.DOCS_SET) <= 5


def test_arguments_pick_the_views(shots):
    default = shots.parse_args([])
    assert [v.name for v in shots.chosen_views(default)] == list(shots.DOCS_SET)
    assert default.out == shots.DOCS and default.max_kb == 250
    every = shots.parse_args(["--all", "--out", "/tmp/x", "--max-kb", "0"])
    assert [v.name for v in shots.chosen_views(every)] == [v.name for v in shots.VIEWS]
    assert every.out == Path("/tmp/x") and every.max_kb == 0
    some = shots.parse_args(["--views", "morph", "home", "morph"])
    assert [v.name for v in shots.chosen_views(some)] == ["morph", "home"]  # once each, in order
    with pytest.raises(SystemExit):
        shots.parse_args(["--views", "nowhere"])
    with pytest.raises(SystemExit):
        shots.parse_args(["--all", "--views", "home"])


def _png(image: Image.Image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()


def test_squeeze_png_fits_the_limit_and_keeps_the_picture(shots):
    rng = np.random.default_rng(0)
    # a dashboard-like picture: a flat page around a smooth colour field with fine noise
    # in it, too big as plain RGB (230 kB), small once it has a palette
    pixels = np.full((400, 640, 3), 245, np.uint8)
    y, x = np.mgrid[0:300, 0:560]
    field = np.stack([x * 255 // 560, y * 255 // 300, (x + y) * 255 // 860], -1)
    pixels[50:350, 40:600] = np.clip(field + rng.integers(-3, 4, (300, 560, 3)), 0, 255)
    data = _png(Image.fromarray(pixels))
    limit = len(data) // 3
    out = shots.squeeze_png(data, limit)
    assert len(out) <= limit
    small = Image.open(io.BytesIO(out))
    assert small.size == (640, 400)
    assert np.array_equal(np.asarray(small.convert("RGB"))[0:50], pixels[0:50])  # flat stays
    assert shots.squeeze_png(data, 0) is data  # no limit: as it was
    assert shots.squeeze_png(data, len(data)) is data  # already small enough
