"""The ONNX graph the page runs: the same numbers as Keras, edits as the server's, a clear
refusal for a generator it cannot rebuild, content-addressed files, the vendored runtime."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import BUNDLED, REPO

CHROME = {"Accept-Encoding": "gzip, deflate, br, zstd"}  # what Chromium asks for
Z = {2: [0.3, -0.4], 3: [0.3, -0.4, 0.5], 4: [0.3, -0.4, 0.5, -0.9]}


def run_graph(model, z, label=None, keep=None, put=None) -> dict:
    """The graph's outputs for one point, through onnxruntime (as the page feeds it)."""
    import onnxruntime as ort

    sess = ort.InferenceSession(str(model.path), providers=["CPUExecutionProvider"])
    feed = {"z": np.asarray([z], np.float32)}
    if model.manifest["conditional"]:
        feed["label"] = np.array([[label]], np.int32)
    for layer in model.manifest["layers"]:
        name, shape = layer["name"], [1, *layer["shape"]]
        feed[f"keep_{name}"] = (keep or {}).get(name, np.ones(shape, np.float32))
        feed[f"set_{name}"] = (put or {}).get(name, np.zeros(shape, np.float32))
    names = model.manifest["outputs"]
    return dict(zip(names, sess.run(names, feed), strict=True))


def assert_matches_probe(explorer, model, z, label=None):
    out = run_graph(model, z, label)
    probe = explorer.probe_point(np.asarray(z, np.float32), label)
    np.testing.assert_allclose(out["image"][0, ..., 0], probe.image, atol=1e-4)
    np.testing.assert_allclose(out["probs"][0], probe.probs, atol=1e-4)
    for name in explorer.probe.layer_names:
        np.testing.assert_allclose(out[f"act_{name}"][0], probe.activations[name], atol=1e-4)


@pytest.mark.slow
@pytest.mark.parametrize(
    "model_id", sorted(p.parent.name for p in BUNDLED.glob("*/generator.keras"))
)
def test_every_bundled_model_runs_the_same_in_the_graph(model_id, tmp_path):
    from gan_core.explorer import LatentExplorer

    e = LatentExplorer.from_checkpoint(model_id, BUNDLED, cache_dir=tmp_path)
    model = e.browser_model(tmp_path / "graphs")
    assert model.manifest["layers"][-1]["name"] == "image"
    # above 4-D a sample of the model's prior (a normal prior's point is not in [-1, 1])
    z = Z.get(e.latent_dim) or e.prior.sample(1, e.latent_dim, 3)[0].tolist()
    assert_matches_probe(e, model, z, 4 if e.conditional else None)


def test_an_edit_in_the_graph_is_the_servers_edit(test_checkpoints, tmp_path):
    from gan_core.activations import Edit
    from gan_core.explorer import LatentExplorer

    e = LatentExplorer.from_checkpoint("cgan-3d", test_checkpoints, cache_dir=tmp_path)
    model = e.browser_model(tmp_path / "graphs")
    assert [layer["name"] for layer in model.manifest["layers"]] == [
        "conditioned_z", "reshape", "conv1_act", "conv2_act", "image"]  # fmt: skip
    assert_matches_probe(e, model, Z[3], 6)
    keep = {"conv2_act": np.ones((1, 14, 14, 64), np.float32),
            "conv1_act": np.ones((1, 7, 7, 128), np.float32)}  # fmt: skip
    put = {"conv1_act": np.zeros((1, 7, 7, 128), np.float32)}
    keep["conv2_act"][0, :7] = 0  # rows 0-6 zeroed
    keep["conv1_act"][0, 2:5, 2:5, :] = 0  # a rectangle set to 0.5
    put["conv1_act"][0, 2:5, 2:5, :] = 0.5
    out = run_graph(model, Z[3], 6, keep, put)
    server = e.probe.edit(Z[3], [Edit("conv2_act", "rows", list(range(7))),
                                 Edit("conv1_act", "region", region=(2, 5, 2, 5), value=0.5)],
                          label=6)  # fmt: skip
    np.testing.assert_allclose(out["image"][0, ..., 0], server.edited, atol=1e-4)
    assert np.abs(server.edited - server.original).max() > 0.01  # the edit changed the image


def test_a_generator_that_is_not_a_chain_is_refused_with_the_reason(test_checkpoints, tmp_path):
    import keras

    from gan_core.browser_model import BrowserModelError, export_browser_model
    from gan_core.checkpoints import load_classifier

    z = keras.Input((3,), name="z")
    a = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z))
    b = keras.layers.Reshape((28, 28, 1))(keras.layers.Dense(784)(z))
    skip = keras.Model(z, keras.layers.Activation("tanh")(keras.layers.Add()([a, b])))
    path = tmp_path / "g.keras"
    skip.save(path)
    clf_path = test_checkpoints / "classifier" / "classifier.keras"
    with pytest.raises(BrowserModelError, match="not a simple chain.*server draws it"):
        export_browser_model(skip, load_classifier(test_checkpoints), path, clf_path,
                             tmp_path / "graphs")  # fmt: skip
    assert not list((tmp_path / "graphs").glob("*.onnx"))  # nothing half-written


def test_graphs_are_named_by_content_and_made_once(test_checkpoints, tmp_path):
    import shutil

    from gan_core.explorer import LatentExplorer

    e = LatentExplorer.from_checkpoint("gan-2d", test_checkpoints, cache_dir=tmp_path)
    first = e.browser_model(tmp_path / "graphs")
    stamp = first.path.stat().st_mtime_ns
    again = e.browser_model(tmp_path / "graphs")
    assert again.name == first.name and again.path.stat().st_mtime_ns == stamp  # not re-exported
    assert (
        json.loads((tmp_path / "graphs" / (first.name[:-5] + ".json")).read_text())["file"]
        == first.name
    )
    other = tmp_path / "other"
    shutil.copytree(test_checkpoints / "gan-3d", other / "gan-3d")
    shutil.copytree(test_checkpoints / "classifier", other / "classifier")
    e3 = LatentExplorer.from_checkpoint("gan-3d", other, cache_dir=tmp_path)
    assert e3.browser_model(tmp_path / "graphs").name != first.name


def test_the_vendored_runtime_matches_its_pinned_hashes():
    script = REPO / "scripts" / "vendor_onnxruntime_web.sh"
    out = subprocess.run(["bash", str(script), "--check"], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    vendor = REPO / "assets" / "vendor" / "onnxruntime-web"
    assert (vendor / "VERSION").read_text().strip() == "1.30.0"
    assert json.loads((vendor / "package.json").read_text())["version"] == "1.30.0"
    listed = {line.split()[1] for line in (vendor / "SHA256SUMS").read_text().splitlines()}
    assert {
        "ort.wasm.min.js",
        "ort-wasm-simd-threaded.mjs",
        "ort-wasm-simd-threaded.wasm",
    } <= listed
    assert Path(vendor / "ort-wasm-simd-threaded.wasm").stat().st_size > 10 * 2**20


def test_the_graph_route_serves_only_graphs_it_made(test_checkpoints, tmp_path):
    from dashboard import live
    from dashboard.app import create_app

    app = create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    manifest = live.live_manifest("gan-2d")
    client = app.server.test_client()
    resp = client.get(manifest["url"], headers=CHROME)
    assert resp.status_code == 200
    assert (
        "immutable" in resp.headers["Cache-Control"]
        and "max-age=31536000" in resp.headers["Cache-Control"]
    )
    assert resp.headers.get("Content-Encoding") in (
        "gzip",
        "br",
        "zstd",
        "deflate",
    )  # compressed on the wire
    for bad in ("x.onnx", "0" * 20 + ".onnx", manifest["url"].split("/")[-1][:-5] + ".json"):
        assert client.get(live.ROUTE + bad).status_code == 404, bad  # not a graph it made
    for escape in ("../gan-2d/config.json", "..%2Fcache.db"):  # normalised away from the route
        escaped = client.get(live.ROUTE + escape)
        assert escaped.mimetype == "text/html" and b"latent_dim" not in escaped.data
    wasm = client.get("/assets/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm",
                      headers=CHROME)  # fmt: skip
    assert wasm.status_code == 200 and wasm.headers["Content-Type"] == "application/wasm"
    assert wasm.headers.get("Content-Encoding") in ("gzip", "br", "zstd", "deflate")
    assert len(wasm.data) < 6 * 2**20  # 14 MB on disk
    page = client.get("/explore").get_data(as_text=True)
    assert "vendor/onnxruntime-web" not in page  # loaded on demand, not with every page


def test_the_cube_route_gives_the_cached_cubes_for_the_page(test_checkpoints, tmp_path):
    from dashboard import live
    from dashboard.app import create_app
    from gan_core.latent import fourth_axis_values

    app = create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    client = app.server.test_client()
    explorer = live.registry.get("gan-4d")
    ws = fourth_axis_values(4)
    cube = explorer.cube(4, w=ws[2])  # computed: sent at once; the others get queued
    body = client.get(live.CUBES_ROUTE + "?model=gan-4d").get_json()
    assert "2" in body["cubes"] and "2" not in map(str, body["missing"])
    assert sorted(body["missing"] + [int(k) for k in body["cubes"]]) == [0, 1, 2, 3]
    assert body["n"] == 4 and body["w"] == pytest.approx(ws.tolist())
    deadline = time.monotonic() + 120  # the missing cubes fill in the background
    while body["missing"] and time.monotonic() < deadline:
        time.sleep(0.2)
        body = client.get(live.CUBES_ROUTE + "?model=gan-4d").get_json()
    assert body["missing"] == [] and sorted(body["cubes"]) == ["0", "1", "2", "3"]
    np.testing.assert_allclose(body["axes"], np.asarray(cube.axes), atol=1e-6)
    digits = np.array([int(c) for c in body["cubes"]["2"]]).reshape(4, 4, 4)
    np.testing.assert_array_equal(digits, cube.classes)  # C order, one digit per point
    cgan = live.registry.get("cgan-3d")
    labelled = cgan.cube(4, label=6)
    body = client.get(live.CUBES_ROUTE + "?model=cgan-3d&label=6").get_json()
    assert body["label"] == 6 and body["w"] is None and body["missing"] == []
    np.testing.assert_array_equal(np.array([int(c) for c in body["cubes"]["0"]]).reshape(4, 4, 4),
                                  labelled.classes)  # fmt: skip
    assert cgan.conditional
    for query, code in (("model=nope", 404), ("model=..%2Fgan-2d", 404), ("model=gan-2d", 400),
                        ("model=cgan-3d", 400), ("model=cgan-3d&label=11", 400),
                        ("model=cgan-3d&label=x", 400)):  # fmt: skip
        resp = client.get(live.CUBES_ROUTE + "?" + query)
        assert resp.status_code == code and resp.get_json()["error"], query


# --- any image shape and class count ------------------------------------------------------

COLOUR_Z = [[0.9, -0.2], [-0.3, 0.8], [-0.6, -0.5], [0.05, 0.1]]  # red, green, blue, grey


@pytest.mark.parametrize(
    ("shape", "names"),
    [((32, 32, 3), ["red", "green", "blue"]), ((16, 24, 1), ["dark", "light"])],
)
def test_a_colour_or_small_grey_model_runs_the_same_in_the_graph(tmp_path, shape, names):
    from gan_core.explorer import LatentExplorer
    from tests.colour_models import write_colour_model

    write_colour_model(tmp_path / "models", "m", shape=shape, names=names)
    e = LatentExplorer.from_checkpoint("m", tmp_path / "models", cache_dir=tmp_path / "c")
    model = e.browser_model(tmp_path / "graphs")
    h, w, c = shape
    assert model.manifest["image_shape"] == [h, w, c]
    assert model.manifest["classes"] == len(names)
    assert model.manifest["layers"][-1] == {
        "name": "image", "shape": [h, w, c],
        "title": f"image ({h}×{w}{'×3' if c == 3 else ''})"}  # fmt: skip
    classes = set()
    for z in COLOUR_Z:
        out = run_graph(model, z)
        image = np.asarray(e.generator(np.asarray([z], np.float32), training=False))
        probs = np.asarray(e.classifier(image, training=False))
        assert out["image"].shape == (1, h, w, c) and out["probs"].shape == (1, len(names))
        np.testing.assert_allclose(out["image"], image, atol=1e-5)
        np.testing.assert_allclose(out["probs"], probs, atol=1e-4)
        np.testing.assert_allclose(out["act_image"], image, atol=1e-5)
        classes.add(int(np.argmax(out["probs"])))
    if c == 3:  # the colours are the channels: red, green and blue images
        reds = run_graph(model, COLOUR_Z[0])["image"][0]
        assert reds[..., 0].mean() > 0.5 and reds[..., 1].mean() < 0 and reds[..., 2].mean() < 0
        assert classes >= {0, 1, 2}
    else:
        assert classes == {0, 1}


def test_an_edit_of_a_colour_images_channel_in_the_graph(tmp_path):
    from gan_core.explorer import LatentExplorer
    from tests.colour_models import write_colour_model

    write_colour_model(tmp_path / "models", "rgb")
    e = LatentExplorer.from_checkpoint("rgb", tmp_path / "models", cache_dir=tmp_path / "c")
    model = e.browser_model(tmp_path / "graphs")
    keep = {"image": np.ones((1, 32, 32, 3), np.float32)}
    put = {"image": np.zeros((1, 32, 32, 3), np.float32)}
    keep["image"][0, :, :, 1] = 0  # the green channel set to 1: the classifier's "green"
    put["image"][0, :, :, 1] = 1.0
    out = run_graph(model, COLOUR_Z[0], keep=keep, put=put)
    edited = np.array(e.generator(np.asarray([COLOUR_Z[0]], np.float32)))
    edited[..., 1] = 1.0
    np.testing.assert_allclose(out["image"], edited, atol=1e-5)
    np.testing.assert_allclose(out["probs"], np.asarray(e.classifier(edited)), atol=1e-4)
    assert int(np.argmax(run_graph(model, COLOUR_Z[0])["probs"])) == 0  # red, unedited
    assert int(np.argmax(out["probs"])) == 1  # green once its channel is full


@pytest.mark.parametrize(
    ("clf_shape", "classes", "why"),
    [((28, 28, 1), 3, r"takes images \(28, 28, 1\), but the generator makes \(32, 32, 3\)"),
     ((32, 32, 3), 25, r"not \(None, K\) with K = 2..20"),
     ((32, 32, 3), 1, r"not \(None, K\) with K = 2..20")],
)  # fmt: skip
def test_a_pair_the_page_cannot_take_is_refused_with_the_reason(tmp_path, clf_shape, classes, why):
    from gan_core.browser_model import BrowserModelError, export_browser_model
    from tests.colour_models import colour_classifier, colour_generator, save

    gen, clf = colour_generator(2), colour_classifier(clf_shape, classes)
    save(gen, tmp_path / "g.keras")
    save(clf, tmp_path / "c.keras")
    with pytest.raises(BrowserModelError, match=why + ".*server draws it"):
        export_browser_model(gen, clf, tmp_path / "g.keras", tmp_path / "c.keras",
                             tmp_path / "graphs")  # fmt: skip
    assert not (tmp_path / "graphs").exists() or not list((tmp_path / "graphs").iterdir())


def test_the_page_is_told_the_image_shape_class_names_and_palette(tmp_path):
    from dashboard import live
    from dashboard.app import create_app
    from gan_core.export import DIGIT_COLORS
    from gan_core.images import class_palette
    from tests.colour_models import write_colour_model
    from tests.conftest import copy_classifier, make_checkpoint

    root = tmp_path / "models"
    write_colour_model(root, "colour-rgb")
    write_colour_model(root, "grey-wide", shape=(16, 24, 1), names=["dark", "light"])
    make_checkpoint(root, "gan-2d", 2, False, seed=0)
    copy_classifier(root)
    create_app(root, cache_dir=tmp_path / "c", grid_2d=8, cube_n=4)
    rgb = live.live_manifest("colour-rgb")
    assert rgb["image_shape"] == [32, 32, 3] and rgb["classes"] == 3
    assert rgb["class_names"] == ["red", "green", "blue"] and rgb["noun"] == "class"
    assert rgb["palette"] == class_palette(3) == list(DIGIT_COLORS[:3])
    grey = live.live_manifest("grey-wide")
    assert grey["image_shape"] == [16, 24, 1] and grey["class_names"] == ["dark", "light"]
    digits = live.live_manifest("gan-2d")  # the MNIST models: as before, and now named
    assert digits["image_shape"] == [28, 28, 1] and digits["classes"] == 10
    assert digits["class_names"] == [str(d) for d in range(10)] and digits["noun"] == "digit"
    assert digits["palette"] == list(DIGIT_COLORS)
    assert [layer["title"] for layer in digits["layers"]][-1] == "image (28×28)"


def test_cube_classes_travel_as_one_character_each():
    from dashboard.live import encode_classes

    assert encode_classes(np.arange(20)) == "0123456789:;<=>?@ABC"
    assert encode_classes(np.array([[3, 1], [0, 9]])) == "3109"  # C order
    for bad in ([20], [-1]):
        with pytest.raises(ValueError, match=r"classes must be in 0..19"):
            encode_classes(np.array(bad))
