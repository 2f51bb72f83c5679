"""Models of other image shapes and class counts through the core and its exports.

Hand-set models (tests/colour_models.py): a 32x32x3 colour generator whose red, green and
blue follow z0, z1 and -(z0 + z1), coloured by its own 3-class classifier (red/green/blue);
the same at 64x64x3 and with 3-D and 6-D latent spaces; and a grey 16x24 generator (its
level follows z0) with a 2-class classifier ("dark", "light"). Every export is read back
from its bytes.
"""

from __future__ import annotations

import io
import json

import numpy as np
import pytest
from PIL import Image

from gan_core import export
from gan_core.activations import LAYER_TITLES, Edit, GeneratorProbe
from gan_core.explorer import LatentExplorer
from gan_core.images import class_palette
from gan_core.latent import area_labels, area_statistics
from tests.colour_models import COLOUR_NAMES, colour_generator, save, write_colour_model

GAIN = 3.0  # colour_generator's: channel c is tanh(GAIN * v_c . z)
GREY_SHAPE = (16, 24, 1)
GREY_NAMES = ["dark", "light"]


def _grey_classifier(shape):
    """(None, H, W, 1) -> 2 classes: "dark" (mean level < 0), "light" (> 0)."""
    import keras

    x_in = keras.Input(shape=shape)
    pooled = keras.layers.GlobalAveragePooling2D()(x_in)
    dense = keras.layers.Dense(2, activation="softmax")
    model = keras.Model(x_in, dense(pooled))
    dense.set_weights([np.array([[-8.0, 8.0]], np.float32), np.zeros(2, np.float32)])
    return model


@pytest.fixture(scope="module")
def root(tmp_path_factory):
    root = tmp_path_factory.mktemp("shapes")
    write_colour_model(root, "colour-2d", 2)
    write_colour_model(root, "colour-3d", 3)
    write_colour_model(root, "colour-6d", 6)
    write_colour_model(root, "colour-64", 2, shape=(64, 64, 3))
    grey = root / "grey-16x24"
    save(colour_generator(2, GREY_SHAPE), grey / "generator.keras")
    save(_grey_classifier(GREY_SHAPE), grey / "classifier.keras")
    config = {"latent_dim": 2, "data_source": "imported", "class_names": GREY_NAMES}
    (grey / "config.json").write_text(json.dumps(config))
    return root


@pytest.fixture(scope="module")
def explorers(root):
    ids = ("colour-2d", "colour-3d", "colour-6d", "colour-64", "grey-16x24")
    return {i: LatentExplorer.from_checkpoint(i, root, cache_dir=root / "cache") for i in ids}


def _colour(z):
    """The colour generator's (R, G, B) at z, the same at every pixel."""
    z0, z1 = float(z[0]), float(z[1])
    return np.tanh(GAIN * np.array([z0, z1, -(z0 + z1)], np.float32))


def _rgb(hex_colour):
    return export._hex_to_rgb(hex_colour)


# ---- palette ---------------------------------------------------------------------------
def test_palettes_of_2_to_20_classes_keep_the_digit_colours():
    assert export.DIGIT_COLORS == (
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    )  # fmt: skip
    for n in range(2, 21):
        colours = class_palette(n)
        assert len(colours) == n == len(set(colours))
        assert colours[: min(n, 10)] == list(export.DIGIT_COLORS[: min(n, 10)])
        rgb = export.palette_rgb(n)
        assert rgb.shape == (n, 3) and tuple(rgb[-1]) == _rgb(colours[-1])
    for bad in (0, 21):
        with pytest.raises(ValueError, match="1..20"):
            class_palette(bad)
        with pytest.raises(export.ExportError, match="2..20 classes"):
            export.class_map_rgb(np.zeros((2, 2), int), n_classes=bad)


def test_class_map_colours_follow_the_k_class_palette_and_refuse_other_classes():
    classes = np.array([[0, 1], [2, 2]])
    rgb = export.class_map_rgb(classes, n_classes=3)
    assert [tuple(rgb[0, 0]), tuple(rgb[0, 1]), tuple(rgb[1, 0])] == [
        _rgb(c) for c in class_palette(3)
    ]
    big = export.class_map_rgb(np.array([[19, 10]]), n_classes=20)
    assert tuple(big[0, 0]) == _rgb(class_palette(20)[19])
    with pytest.raises(export.ExportError, match=r"0..2 for a 3-class map, got values from 0 to 3"):
        export.class_map_rgb(np.array([[0, 3]]), n_classes=3)
    with pytest.raises(export.ExportError, match="0..9 for a 10-class map"):
        export.class_map_rgb(np.array([[-1, 0]]))


# ---- images, probes, maps ------------------------------------------------------------
def test_images_and_probes_have_the_models_shape_and_values(explorers):
    from gan_core.grids import classify_latents, generate_images

    colour, grey, big = explorers["colour-2d"], explorers["grey-16x24"], explorers["colour-64"]
    assert colour.image_shape == (32, 32, 3) and colour.class_names == COLOUR_NAMES
    assert grey.image_shape == GREY_SHAPE and grey.class_names == GREY_NAMES
    z = np.array([0.5, -0.2], np.float32)
    img = colour.image(z)
    assert img.shape == (32, 32, 3)
    np.testing.assert_allclose(img, np.broadcast_to(_colour(z), (32, 32, 3)), atol=1e-5)
    probe = colour.probe_point(z)
    np.testing.assert_allclose(probe.image, img, atol=1e-6)
    assert probe.probs.shape == (3,) and probe.probs.sum() == pytest.approx(1.0, abs=1e-5)
    assert probe.class_index == probe.digit == 0 and probe.class_name == "red"
    assert colour.probe_point([-0.3, 0.6]).class_name == "green"
    assert colour.probe_point([-0.6, -0.6]).class_name == "blue"
    assert big.image([0.1, 0.2]).shape == (64, 64, 3)
    assert big.probe_point([0.1, 0.2]).image.shape == (64, 64, 3)

    g = grey.image([-0.4, 0.9])
    assert g.shape == (16, 24)
    np.testing.assert_allclose(g, np.tanh(GAIN * -0.4), atol=1e-5)
    dark, light = grey.probe_point([-0.4, 0.9]), grey.probe_point([0.3, -0.9])
    assert dark.probs.shape == (2,) and dark.image.shape == (16, 24)
    assert (dark.class_name, light.class_name) == ("dark", "light")
    assert (dark.class_index, light.class_index) == (0, 1)
    # empty batches keep the models' shapes
    empty = np.zeros((0, 2), np.float32)
    assert generate_images(colour.generator, empty).shape == (0, 32, 32, 3)
    assert generate_images(grey.generator, empty).shape == (0, 16, 24, 1)
    assert classify_latents(colour.generator, colour.classifier, empty).shape == (0, 3)


def test_the_colour_models_map_has_its_three_areas_where_the_colours_lead(explorers):
    e = explorers["colour-2d"]
    cmap = e.map_2d(21)
    xs, ys = cmap.axes
    assert cmap.classes.shape == (21, 21) and cmap.probs.shape == (21, 21, 3)
    assert cmap.n_classes == 3 and cmap.class_counts().shape == (3,)
    assert cmap.class_counts().sum() == 21 * 21 and (cmap.class_counts() > 40).all()
    for i, x in enumerate(xs):
        for j, y in enumerate(ys):
            lead = int(np.argmax(_colour((x, y))))
            if np.sort(_colour((x, y)))[-1] - np.sort(_colour((x, y)))[-2] > 0.05:
                assert cmap.classes[i, j] == lead, (x, y)
    # red where z0 is large, green where z1 is, blue where both are negative
    assert cmap.classes[-1, 5] == 0 and cmap.classes[5, -1] == 1 and cmap.classes[0, 0] == 2
    labels = area_labels(cmap, min_share=0.0)
    assert sorted(lab["class"] for lab in labels) == [0, 1, 2]
    for lab in labels:
        assert lab["digit"] == lab["class"]
        assert int(np.argmax(_colour((lab["x"], lab["y"])))) == lab["class"]
    stats = area_statistics(cmap)
    assert stats["classes"] == stats["digits"] == [0, 1, 2]
    assert stats["pieces"] == {0: 1, 1: 1, 2: 1} and stats["total_pieces"] == 3
    # the map comes back from the cache with its three classes
    hits = e.cache.hits
    again = LatentExplorer.from_checkpoint("colour-2d", e.checkpoint.path.parent, cache=e.cache)
    cached = again.map_2d(21)
    assert e.cache.hits == hits + 1 and cached.probs.shape == (21, 21, 3)
    np.testing.assert_array_equal(cached.classes, cmap.classes)


def test_the_grey_models_map_has_two_classes_split_at_z0_zero(explorers):
    cmap = explorers["grey-16x24"].map_2d(10)
    assert cmap.probs.shape == (10, 10, 2) and cmap.n_classes == 2
    xs = cmap.axes[0]
    expected = np.repeat((xs > 0).astype(np.uint8)[:, None], 10, axis=1)  # 1 = "light"
    np.testing.assert_array_equal(cmap.classes, expected)
    assert area_statistics(cmap)["classes"] == [0, 1]


def test_a_cube_of_a_3d_colour_model(explorers):
    e = explorers["colour-3d"]
    cube = e.cube(5)
    assert cube.classes.shape == (5, 5, 5) and cube.probs.shape == (5, 5, 5, 3)
    for k in range(5):  # z2 only shades a faint gradient: the areas stay
        assert cube.classes[-1, 1, k] == 0 and cube.classes[1, -1, k] == 1
        assert cube.classes[0, 0, k] == 2
    png = Image.open(io.BytesIO(export.map_png(e, 10, 5, scale=1)))
    assert png.mode == "RGB" and png.size == (3 * (5 + 2), 2 * (5 + 2))  # 3x2 tiles and gaps
    colours = {tuple(c) for c in np.asarray(png).reshape(-1, 3)}
    assert colours <= {_rgb(c) for c in class_palette(3)} | {(255, 255, 255)}
    assert {_rgb(c) for c in class_palette(3)} <= colours


def test_slice_maps_of_a_6d_colour_model(explorers, monkeypatch):
    monkeypatch.setenv("GAN_EXPLORER_MAP_ENGINE", "tensorflow")
    e = explorers["colour-6d"]
    plane = e.latent_slice("axes:0,1")
    cmap = e.slice_map(plane, 11)
    assert cmap.classes.shape == (11, 11) and cmap.probs.shape == (11, 11, 3)
    assert cmap.classes[-1, 2] == 0 and cmap.classes[2, -1] == 1 and cmap.classes[0, 0] == 2
    data = json.loads(json.dumps(export.slice_map_json(e.model_id, cmap, e.class_names)))
    assert data["class_names"] == COLOUR_NAMES and data["classes"] == cmap.classes.tolist()
    assert data["slice"]["spec"] == "axes:0,1" and data["slice"]["n"] == 11
    assert export.slice_map_json(e.model_id, cmap)["class_names"] == [
        "class 0", "class 1", "class 2"
    ]  # fmt: skip
    with pytest.raises(export.ExportError, match="2 class names for 3 classes"):
        export.slice_map_json(e.model_id, cmap, ["a", "b"])
    random_plane = e.slice_map(e.latent_slice("random:1"), 6)
    assert random_plane.probs.shape == (6, 6, 3)
    assert set(np.unique(random_plane.classes)) <= {0, 1, 2}


def test_morphs_keep_the_frames_shape_and_name_the_crossed_areas(explorers):
    colour, grey = explorers["colour-2d"], explorers["grey-16x24"]
    m = colour.morph([[0.9, -0.6], [-0.6, 0.9]], frames=9)
    assert m.images.shape == (9, 32, 32, 3) and m.probs.shape == (9, 3)
    np.testing.assert_allclose(m.images[0, 0, 0], _colour((0.9, -0.6)), atol=1e-5)
    assert m.classes[0] == 0 and m.classes[-1] == 1 and m.sequence[0] == 0
    assert m.sequence_names(colour.class_names).startswith("red → ")
    assert m.sequence_names(colour.class_names).endswith(" → green")
    g = grey.morph([[-0.9, 0.0], [0.9, 0.0]], frames=7)
    assert g.images.shape == (7, 16, 24) and g.probs.shape == (7, 2)
    assert g.sequence == [0, 1] and g.sequence_names(grey.class_names) == "dark → light"


# ---- activations and edits ---------------------------------------------------------------
def test_edits_of_a_dense_reshape_colour_generator(explorers):
    e = explorers["colour-2d"]
    z = [0.4, -0.3]
    assert e.probe.layer_names == ["pixels", "image"]
    assert e.probe.layer_title("image") == "image (32×32×3)"
    assert e.probe.layer_title("pixels") == "pixels (3072)"
    base = e.image(z)
    red_off = e.edit(z, [Edit("image", "channels", [0], value=-1.0)])
    assert red_off.edited.shape == red_off.diff.shape == (32, 32, 3)
    np.testing.assert_allclose(red_off.original, base, atol=1e-6)
    assert (red_off.edited[..., 0] == -1).all()
    np.testing.assert_allclose(red_off.edited[..., 1:], base[..., 1:], atol=1e-6)
    rows = e.edit(z, [Edit("image", "rows", [0, 31], value=1.0)]).edited
    assert (rows[[0, 31]] == 1).all() and np.allclose(rows[1:31], base[1:31], atol=1e-6)
    cols = e.edit(z, [Edit("image", "columns", [5])]).edited
    assert (cols[:, 5] == 0).all() and np.allclose(cols[:, 6:], base[:, 6:], atol=1e-6)
    # the Dense layer's units, run on through the Reshape: unit (r * W + c) * 3 + ch
    units = e.edit(z, [Edit("pixels", "units", [(2 * 32 + 3) * 3 + 1], value=0.5)])
    assert units.edited[2, 3, 1] == pytest.approx(0.5)
    changed = np.argwhere(np.abs(units.diff) > 1e-6)
    assert changed.tolist() == [[2, 3, 1]]
    assert units.edited_activations["pixels"][(2 * 32 + 3) * 3 + 1] == pytest.approx(0.5)
    zeroed = e.edit(z, [Edit("pixels", "channels", list(range(3072)))])
    assert np.allclose(zeroed.edited, 0.0)


def test_edits_and_titles_of_the_grey_16x24_generator(explorers):
    e = explorers["grey-16x24"]
    assert e.probe.layer_title("image") == "image (16×24)"
    res = e.edit([-0.5, 0.0], [Edit("image", "columns", [23], value=1.0)])
    assert res.edited.shape == (16, 24) and (res.edited[:, 23] == 1).all()
    np.testing.assert_allclose(res.edited[:, :23], np.tanh(GAIN * -0.5), atol=1e-5)
    region = e.edit([-0.5, 0.0], [Edit("image", "region", region=(0, 16, 0, 12), value=1.0)])
    assert (region.edited[:, :12] == 1).all() and (region.diff[:, 12:] == 0).all()
    probs = np.asarray(e.classifier(region.edited[None, ..., None]))[0]
    assert e.probe_point([-0.5, 0.0]).class_name == "dark" and probs.argmax() == 1  # light now


def test_the_study_generators_keep_their_layer_titles():
    from gan_core.models import build_conditional_generator, build_generator

    for g in (build_generator(2), build_conditional_generator(3)):
        probe = GeneratorProbe(g)
        for name in probe.layer_names:
            assert probe.layer_title(name) == LAYER_TITLES[name]
        assert probe.layer_title("dense_act") == LAYER_TITLES["reshape"]


# ---- exports, read back ----------------------------------------------------------------
def test_gif_of_a_colour_morph_is_colour_at_the_scaled_size(explorers):
    for model, side, scale in (("colour-2d", 32, 4), ("colour-64", 64, 2)):
        m = explorers[model].morph([[0.9, -0.6], [-0.6, 0.9]], frames=6)
        gif = Image.open(io.BytesIO(export.frames_to_gif(m.images)))
        width = side * scale
        bar = round(width / 28)
        assert gif.format == "GIF" and gif.n_frames == 6 and gif.size == (width, width + bar)
        gif.seek(0)
        first = np.asarray(gif.convert("RGB")).astype(int)
        want = np.clip((_colour((0.9, -0.6)) + 1) * 127.5 + 0.5, 0, 255)
        assert np.abs(first[width // 2, width // 2] - want).max() <= 8  # red
        gif.seek(5)
        last = np.asarray(gif.convert("RGB")).astype(int)
        assert last[width // 2, width // 2, 1] > 200 > last[width // 2, width // 2, 0]  # green
        assert (last[-bar:, :] == 200).all()  # the full progress bar under the last frame


def test_gif_and_sheet_of_a_grey_16x24_morph_stay_grey(explorers):
    m = explorers["grey-16x24"].morph([[-0.9, 0.0], [0.9, 0.0]], frames=5)
    gif = Image.open(io.BytesIO(export.frames_to_gif(m.images)))
    assert gif.n_frames == 5 and gif.size == (24 * 5, 16 * 5 + 4)  # scale 5, a 4-pixel bar
    frame = np.asarray(gif.convert("RGB"))
    assert (frame[..., 0] == frame[..., 1]).all() and (frame[..., 1] == frame[..., 2]).all()
    sheet = Image.open(io.BytesIO(export.frames_png(m.images, scale=2, cols=5)))
    assert sheet.mode == "L" and sheet.size == (5 * 48 + 4 * 2, 32)
    arr = np.asarray(sheet)
    assert arr[0, 0] < arr[0, 4 * 50 + 10]  # dark first frame, light last one
    colour = explorers["colour-2d"].morph([[0.9, -0.6], [-0.6, 0.9]], frames=4)
    sheet = Image.open(io.BytesIO(export.frames_png(colour.images, scale=1)))
    assert sheet.mode == "RGB" and sheet.size == (2 * 32 + 1, 2 * 32 + 1)
    pixels = np.asarray(sheet).astype(int)
    assert pixels[5, 5, 0] > 200 > pixels[5, 5, 1]  # the red first frame
    assert pixels[32, 32].tolist() == [255, 255, 255]  # the gap


@pytest.mark.skipif(not export.mp4_available(), reason="imageio-ffmpeg not installed")
def test_mp4s_of_colour_and_grey_morphs(explorers, tmp_path):
    import imageio.v2 as imageio

    def frames_of(data):
        path = tmp_path / "m.mp4"
        path.write_bytes(data)
        reader = imageio.get_reader(path)
        try:
            return [np.asarray(f).astype(int) for f in reader]
        finally:
            reader.close()

    colour = explorers["colour-2d"].morph([[0.9, -0.6], [-0.6, 0.9]], frames=6)
    frames = frames_of(export.frames_to_mp4(colour.images))
    assert len(frames) == 6 and frames[0].shape == (224, 224, 3)  # 32 x 7
    assert frames[0][112, 112, 0] > 200 and frames[0][112, 112, 1] < 60  # still red
    assert frames[-1][112, 112, 1] > 200 and frames[-1][112, 112, 0] < 60  # green
    grey = explorers["grey-16x24"].morph([[-0.9, 0.0], [0.9, 0.0]], frames=5)
    frames = frames_of(export.frames_to_mp4(grey.images))
    assert len(frames) == 5 and frames[0].shape == (144, 224, 3)  # 16x24 x 9, width padded
    centre = frames[-1][72, 108]
    assert centre.max() - centre.min() <= 6 and centre.mean() > 200  # grey, light


def test_export_frames_are_checked(explorers):
    with pytest.raises(export.ExportError, match="sides must be 16..128"):
        export.frames_to_gif(np.zeros((2, 8, 8), np.float32))
    with pytest.raises(export.ExportError, match=r"colour \(N, H, W, 3\)"):
        export.frames_to_gif(np.zeros((2, 16, 16, 2), np.float32))
    with pytest.raises(export.ExportError, match="columns"):
        export.frames_png(np.zeros((2, 16, 16), np.float32), cols=3)


def test_map_png_of_the_colour_model_uses_the_three_colour_palette(explorers):
    e = explorers["colour-2d"]
    png = Image.open(io.BytesIO(export.map_png(e, 21, 5, scale=2)))
    assert png.mode == "RGB" and png.size == (42, 42)
    cmap = e.map_2d(21)
    expected = export.class_map_rgb(cmap.classes, cmap.confidence, n_classes=3)
    arr = np.asarray(png)
    np.testing.assert_array_equal(arr[::2, ::2], np.flipud(np.transpose(expected, (1, 0, 2))))
    palette = [np.array(_rgb(c)) for c in class_palette(3)]
    # bottom right (z0 high, z1 low): red's class 0; top left: green's 1; bottom left: blue's 2
    for (row, col), k in (((38, 40), 0), ((1, 2), 1), ((40, 0), 2)):
        nearest = int(np.argmin([np.abs(arr[row, col].astype(int) - p).sum() for p in palette]))
        assert nearest == k
    plain = Image.open(io.BytesIO(export.class_map_png(cmap.classes, scale=1, n_classes=3)))
    colours = {tuple(c) for c in np.asarray(plain).reshape(-1, 3)}
    assert colours == {_rgb(c) for c in class_palette(3)}


def test_state_json_names_the_class_beside_its_index(explorers):
    for model, z, names, name in (
        ("colour-2d", [-0.2, 0.7], COLOUR_NAMES, "green"),
        ("grey-16x24", [0.6, 0.1], GREY_NAMES, "light"),
    ):
        e = explorers[model]
        data = json.loads(export.state_json(export.view_state(e, z, view="test")))
        index = names.index(name)
        assert data["class_names"] == names and data["class"] == name
        assert data["digit"] == data["class_index"] == index
        assert len(data["probabilities"]) == len(names) and data["view"] == "test"
        assert np.asarray(data["image"]).shape == tuple(s for s in e.image_shape if s != 1)
        assert data["image_shape"] == list(e.image_shape)
        assert data["model"] == model and data["point"] == pytest.approx(z)
    other = export.view_state(explorers["colour-2d"], [0.9, 0.0], class_names=["r", "g", "b"])
    assert other["class"] == "r" and other["class_names"] == ["r", "g", "b"]


# ---- inversion and evaluation ------------------------------------------------------------
@pytest.mark.slow
def test_inversion_of_grey_and_colour_targets(explorers):
    from gan_core.inversion import InversionError, invert_image, prepare_target

    for model, z0 in (("grey-16x24", (-0.3, 0.0)), ("colour-2d", (0.35, -0.25))):
        e = explorers[model]
        target = e.image(z0)
        result = invert_image(e.generator, target, 2, steps=120, restarts=4)
        assert result.image.shape == target.shape and result.mse < 1e-3
        np.testing.assert_allclose(result.image, e.image(result.z), atol=1e-5)
    with pytest.raises(InversionError, match="16x24 image"):
        invert_image(explorers["grey-16x24"].generator, np.zeros((28, 28)), 2, steps=1)
    with pytest.raises(InversionError, match=r"32x32 colour \(32x32x3\)"):
        prepare_target(np.zeros((32, 32)), (32, 32, 3))
    u8 = prepare_target(np.full((32, 32, 3), 255, np.uint8), (32, 32, 3))
    assert u8.shape == (32, 32, 3) and u8.min() == 1.0


def test_class_coverage_and_strokes_of_colour_images(explorers):
    from gan_core.evaluation import build_strong_classifier, class_coverage, stroke_statistics
    from gan_core.grids import generate_images, grid_points

    e = explorers["colour-2d"]
    images = generate_images(e.generator, grid_points(10, 2))
    cover = class_coverage(e.classifier, images)
    assert sorted(cover["class_share_percent"]) == ["0", "1", "2"]
    assert cover["classes_present"] == 3
    assert sum(cover["class_share_percent"].values()) == pytest.approx(100.0, abs=0.1)
    assert stroke_statistics(images)["ink_pixels_mean"] >= 0
    grey = generate_images(explorers["grey-16x24"].generator, grid_points(4, 2))
    assert stroke_statistics(grey)["ink_pixels_mean"] == pytest.approx(0.5 * 16 * 24)
    assert tuple(build_strong_classifier((32, 32, 3)).inputs[0].shape) == (None, 32, 32, 3)


def test_class_names_default_to_digits_for_ten_classes_else_numbered():
    from gan_core.explorer import PointProbe
    from gan_core.labelling import class_name, class_names_or_default, default_class_names

    assert class_names_or_default(None, 10) == [str(d) for d in range(10)]
    assert class_names_or_default(None, 3) == ["class 0", "class 1", "class 2"]
    assert class_names_or_default(("a", "b"), 2) == ["a", "b"]
    assert default_class_names(10)[:2] == ["class 0", "class 1"]  # an own classifier's
    assert class_name(4) == "4" and class_name(1, ["dark", "light"]) == "light"
    assert class_name(12) == "12"  # beyond the names: its number
    probe = PointProbe(np.zeros(2), None, np.zeros((16, 24)), {}, np.array([0.2, 0.5, 0.3]))
    assert (probe.class_index, probe.digit, probe.class_name) == (1, 1, "class 1")
