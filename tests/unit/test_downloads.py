"""The download buttons' files, on real (small) models."""

import numpy as np
import pytest

from dashboard.errors import user_error
from dashboard.payloads import PayloadError


def test_morph_downloads_gif_mp4_and_json():
    import base64
    import json

    from dashboard.downloads import morph_download

    result = {
        "images": np.zeros((5, 28, 28)).tolist(),
        "classes": [1] * 5,
        "model": "gan-2d",
        "sequence": [1],
    }
    gif = morph_download("morph-dl-gif", result, 8)
    assert (
        gif["filename"] == "morph-gan-2d.gif" and base64.b64decode(gif["content"])[:6] == b"GIF89a"
    )
    data = json.loads(base64.b64decode(morph_download("morph-dl-json", result, 8)["content"]))
    assert data["sequence"] == [1] and "images" not in data
    with pytest.raises(PayloadError):
        morph_download("morph-dl-gif", {"images": []}, 8)
    with pytest.raises(PayloadError):
        morph_download("morph-dl-gif", {"images": [[1, 2]]}, 8)
    # what the page shows when a download cannot be made: the reason, not a traceback
    with pytest.raises(PayloadError) as err:
        morph_download("morph-dl-gif", None, 8)
    assert user_error(err.value) == "no morph to download yet"
    nan = dict(result, images=np.full((5, 28, 28), np.nan).tolist())
    with pytest.raises(Exception) as err:
        morph_download("morph-dl-gif", nan, 8)
    assert "NaN" in user_error(err.value)


def test_explore_downloads_the_map_png_and_the_view_json(test_checkpoints, tmp_path):
    """The explorer's exports on real (small) models: the PNG is the map the engine made,
    the JSON carries the point, its digit and probabilities and the view."""
    import base64
    import io
    import json

    from PIL import Image

    from dashboard.downloads import explore_download
    from gan_core import export
    from gan_core.explorer import LatentExplorer

    def explorer(model_id):
        return LatentExplorer.from_checkpoint(model_id, test_checkpoints, cache_dir=tmp_path / "c")

    e2 = explorer("gan-2d")
    png = explore_download("explore-dl-png", e2, [0.5, -0.5], None, None, "none", 0, 10, 4)
    assert png["filename"] == "gan-2d-map.png"
    img = np.asarray(Image.open(io.BytesIO(base64.b64decode(png["content"]))).convert("RGB"))
    assert img.shape == (40, 40, 3)  # a 10x10 grid at 4 px per point
    expected = export.class_map_rgb(e2.map_2d(10).classes, e2.map_2d(10).confidence)
    np.testing.assert_array_equal(img[::4, ::4], np.flipud(np.transpose(expected, (1, 0, 2))))

    e4 = explorer("gan-4d")
    png = explore_download("explore-dl-png", e4, [0, 0, 0, 0.9], None, None, "none", 0, 10, 4)
    assert png["filename"] == "gan-4d-cube.png"
    assert Image.open(io.BytesIO(base64.b64decode(png["content"]))).format == "PNG"

    ec = explorer("cgan-3d")
    out = explore_download("explore-dl-json", ec, [0.1, 0.2, 0.3], 4, 7, "2", 3, 10, 4)
    assert out["filename"] == "cgan-3d_+0.10_+0.20_+0.30.json"
    data = json.loads(base64.b64decode(out["content"]))
    probe = ec.probe_point([0.1, 0.2, 0.3], 4)
    assert data["model"] == "cgan-3d" and data["label"] == 4 and data["map_label"] == 7
    assert data["point"] == pytest.approx([0.1, 0.2, 0.3])
    assert data["slice"] == {"axis": "z", "index": 3} and data["digit"] == probe.digit
    assert sum(data["probabilities"]) == pytest.approx(1.0, abs=1e-4)
    assert np.asarray(data["image"]).shape == (28, 28)
    png = explore_download("explore-dl-png", ec, [0.1, 0.2, 0.3], 4, 7, "none", 0, 10, 4)
    assert png["filename"] == "cgan-3d-cube-label7.png"

    with pytest.raises(PayloadError):
        explore_download("explore-dl-json", e2, [3.0, 0.0], None, None, "none", 0, 10, 4)
    with pytest.raises(PayloadError):
        explore_download("explore-dl-json", ec, [0.1, 0.2, 0.3], "x", 7, "none", 0, 10, 4)
    with pytest.raises(PayloadError):
        explore_download("explore-dl-zip", e2, [0.0, 0.0], None, None, "none", 0, 10, 4)
