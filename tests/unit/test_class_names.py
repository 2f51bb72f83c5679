"""Every server-drawn view speaks the model's class names and draws its images at any
shape: MNIST's digits ("digit 3") unchanged, Fashion-MNIST's names, an own classifier's
names (2..20 classes), grey (H, W) and colour (H, W, 3) images."""

from __future__ import annotations

import json

import numpy as np
import plotly
import pytest

from dashboard import figures, texts
from gan_core.datasets import dataset_info
from gan_core.explorer import PointProbe
from gan_core.images import D3, class_palette
from gan_core.latent import ClassMap

FASHION = list(dataset_info("fashion-mnist").class_names)
COLOURS = ["red", "green", "blue"]
TWENTY = [f"kind {k}" for k in range(20)]


def _map(names, n=20) -> ClassMap:
    """A map whose classes fill vertical bands, one band per class, with probabilities."""
    k = len(names)
    classes = (np.arange(n)[:, None] * k // n).repeat(n, axis=1).astype(np.uint8)
    probs = np.full((n, n, k), 0.1 / k, np.float32)
    np.put_along_axis(probs, classes[..., None].astype(int), 0.9, axis=-1)
    return ClassMap(classes, probs, [np.linspace(-1, 1, n, dtype=np.float32)] * 2)


def _cube(names, n=6) -> ClassMap:
    k = len(names)
    classes = (np.arange(n)[:, None, None] * k // n).repeat(n, 1).repeat(n, 2).astype(np.uint8)
    probs = np.full((n, n, n, k), 1.0 / k, np.float32)
    return ClassMap(classes, probs, [np.linspace(-1, 1, n, dtype=np.float32)] * 3)


def _colours_of(scale) -> list[str]:
    """The colour of each class in a discrete colourscale ([[lo, c], [hi, c]] per class)."""
    return [scale[2 * k][1] for k in range(len(scale) // 2)]


def _json(fig) -> str:
    return json.dumps(fig.to_plotly_json(), cls=plotly.utils.PlotlyJSONEncoder)


# --- class names ----------------------------------------------------------------------


def test_an_mnist_map_keeps_its_digits_and_colours():
    fig = figures.class_map_figure(_map(texts.DIGITS), (0.0, 0.0))
    assert [a.text for a in fig.layout.annotations] == [f"<b>{d}</b>" for d in range(10)]
    assert "digit %{z}" in fig.data[0].hovertemplate and fig.data[0].text is None
    assert _colours_of(fig.data[0].colorscale) == list(D3) == list(figures.DIGIT_COLORS)
    assert (fig.data[0].zmin, fig.data[0].zmax) == (0, 10)


def test_a_fashion_map_labels_and_hovers_its_areas_by_name():
    cmap = _map(FASHION)
    fig = figures.class_map_figure(cmap, (0.0, 0.0), class_names=FASHION, height=2000)
    labels = [a.text for a in fig.layout.annotations]
    assert labels == [f"<b>{name}</b>" for name in FASHION]  # a map big enough for all ten
    small = figures.class_map_figure(cmap, (0.0, 0.0), class_names=FASHION)
    shown = [a.text for a in small.layout.annotations]  # 0.2-wide bands: labels would overlap
    assert shown and set(shown) < set(labels)
    heat = fig.data[0]
    assert "digit" not in heat.hovertemplate and "%{text}" in heat.hovertemplate
    # The hover text of each cell is its class's name ([row = y][col = x]).
    text = np.asarray(heat.text)
    assert text.shape == (20, 20) and text[0, 0] == "T-shirt" and text[0, 19] == "Ankle boot"
    assert _colours_of(heat.colorscale) == list(D3)  # ten classes: the digit colours


def test_three_colour_names_and_a_twenty_class_palette():
    fig = figures.class_map_figure(_map(COLOURS), class_names=COLOURS)
    assert [a.text for a in fig.layout.annotations] == ["<b>red</b>", "<b>green</b>", "<b>blue</b>"]
    assert fig.data[0].zmax == 3 and _colours_of(fig.data[0].colorscale) == class_palette(3)
    many = figures.class_map_figure(_map(TWENTY), class_names=TWENTY, height=2000)
    colours = _colours_of(many.data[0].colorscale)
    assert colours == class_palette(20) and len(set(colours)) == 20
    assert many.data[0].zmax == 20
    # Every one of the 20 bands is labelled by its name (classes 10..19 too).
    assert {a.text for a in many.layout.annotations} == {f"<b>{n}</b>" for n in TWENTY}


def test_a_class_name_is_escaped_where_plotly_reads_html():
    names = ["a<b>", "c&d"]
    fig = figures.class_map_figure(_map(names), class_names=names)
    assert [a.text for a in fig.layout.annotations] == ["<b>a&lt;b&gt;</b>", "<b>c&amp;d</b>"]
    assert figures.probs_figure([0.3, 0.7], class_names=names).data[0].x == (
        "a&lt;b&gt;",
        "c&amp;d",
    )


def test_the_cube_and_its_projections_name_their_classes():
    cube = figures.cube_figure(_cube(FASHION), (0, 0, 0), class_names=FASHION)
    shown = [t for t in cube.data if t.name != "point"]
    assert [t.name for t in shown] == [FASHION[k] for k in (0, 1, 3, 5, 6, 8)]
    assert shown[0].hovertemplate.startswith("T-shirt<br>")
    assert cube.layout.legend.title.text == "class"
    assert [t.marker.color for t in shown] == [D3[k] for k in (0, 1, 3, 5, 6, 8)]
    digits = figures.cube_figure(_cube(texts.DIGITS), (0, 0, 0))
    assert digits.layout.legend.title.text == "digit"
    assert digits.data[1].name == "0" and digits.data[1].hovertemplate.startswith("digit 0<br>")
    proj = figures.projections_figure(_cube(COLOURS), (0, 0, 0), class_names=COLOURS)
    assert proj.data[0].zmax == 3 and "%{text}" in proj.data[0].hovertemplate
    assert set(np.asarray(proj.data[0].text).ravel()) <= set(COLOURS)


def test_the_probabilities_are_bars_named_by_class():
    probs = np.linspace(0.0, 1.0, 10)
    fig = figures.probs_figure(probs, class_names=FASHION)
    assert list(fig.data[0].x) == FASHION and fig.layout.xaxis.tickangle == -45
    assert fig.layout.height == 220 + 5 * len("Ankle boot")  # room for the slanted names
    assert fig.data[0].hovertemplate.startswith("%{x}:")
    digits = figures.probs_figure(probs)
    assert list(digits.data[0].x) == [str(d) for d in range(10)]
    assert digits.layout.xaxis.title.text == "digit" and digits.layout.height == 220
    assert list(digits.data[0].marker.color) == list(D3)
    three = figures.probs_figure([0.2, 0.5, 0.3], class_names=COLOURS)
    assert list(three.data[0].marker.color) == class_palette(3)
    twenty = figures.probs_figure(np.full(20, 0.05), class_names=TWENTY)
    assert list(twenty.data[0].marker.color) == class_palette(20)
    with pytest.raises(ValueError, match="3 probabilities for 10 class names"):
        figures.probs_figure([0.2, 0.5, 0.3], class_names=FASHION)


def test_paths_strips_and_training_grids_use_the_class_colours_and_names():
    latents = np.zeros((4, 2), np.float32)
    dots = figures.path_traces(latents, [0, 1, 2, 2], class_names=COLOURS)[1]
    assert list(dots.marker.color) == class_palette(3)[:3] + [class_palette(3)[2]]
    dots3 = figures.path_traces_3d(np.zeros((2, 3)), [15, 19], class_names=TWENTY)[1]
    assert list(dots3.marker.color) == [class_palette(20)[15], class_palette(20)[19]]
    strip = figures.strip_figure(np.zeros((5, 28, 28)), [0, 0, 3, 3, 4], class_names=FASHION)
    # Names only where the class changes (a name is wider than a frame).
    assert [a.text for a in strip.layout.annotations] == ["T-shirt", "Dress", "Coat"]
    assert [a.x for a in strip.layout.annotations] == [-0.5, 59.5, 119.5]
    # A name too close to the one before it goes on a second row.
    assert [a.y for a in strip.layout.annotations] == [-3.0, -9.0, -3.0]
    close = figures.strip_figure(np.zeros((4, 28, 28)), [9, 5, 5, 3], class_names=FASHION)
    assert [(a.text, a.y) for a in close.layout.annotations] == [
        ("Ankle boot", -3.0), ("Sandal", -9.0), ("Dress", -3.0)]  # fmt: skip
    assert close.layout.yaxis.range == (28, -14.0)
    digits = figures.strip_figure(np.zeros((3, 28, 28)), [7, 7, 1])
    assert [a.text for a in digits.layout.annotations] == ["7", "7", "1"]
    assert {a.y for a in digits.layout.annotations} == {-3.0}
    assert digits.layout.yaxis.range == (28, -8.0)
    classes = np.array([[0, 1], [2, 2]], np.uint8)
    grid = figures.class_grid_figure(classes, "epoch 3", class_names=COLOURS)
    assert "%{text}" in grid.data[0].hovertemplate and grid.data[0].zmax == 3
    assert "digit %{z}" in figures.class_grid_figure(classes, "epoch 3").data[0].hovertemplate


def test_texts_name_a_class_the_way_its_model_does():
    probs = np.full(10, 0.01, np.float32)
    probs[5] = 0.91
    probe = PointProbe(np.zeros(2, np.float32), None, np.zeros((28, 28)), {}, probs)
    assert texts.readout_text((0.1, -0.5), probe) == "z = (+0.10, -0.50) → digit 5 (p = 0.91)"
    assert (texts.readout_text((0.1, -0.5), probe, "t", FASHION)
            == "t = (+0.10, -0.50) → Sandal (p = 0.91)")  # fmt: skip
    assert texts.sequence_text([0, 3, 4], FASHION) == "T-shirt → Dress → Coat"
    assert texts.sequence_text([7, 1, 8]) == "7 → 1 → 8"
    assert texts.class_text(3) == "digit 3" and texts.class_text(1, COLOURS) == "green"
    assert texts.class_noun(FASHION) == "class" and texts.class_noun(None) == "digit"
    assert (texts.labelling_text("the bundled Fashion-MNIST classifier", FASHION)
            == "Class areas coloured by the bundled Fashion-MNIST classifier (10 classes).")  # fmt: skip


# --- images at any shape --------------------------------------------------------------


def _colour_image(h=32, w=32) -> np.ndarray:
    """Red left half, blue right half, in [-1, 1]."""
    img = np.full((h, w, 3), -1.0, np.float32)
    img[:, : w // 2, 0] = 1.0
    img[:, w // 2 :, 2] = 1.0
    return img


def test_a_colour_image_is_drawn_as_rgb_and_a_grey_one_at_its_size():
    fig = figures.image_figure(_colour_image())
    assert [t.type for t in fig.data] == ["image"]
    z = np.asarray(fig.data[0].z)
    assert z.shape == (32, 32, 3) and z.dtype == np.uint8
    assert tuple(z[0, 0]) == (255, 0, 0) and tuple(z[0, 31]) == (0, 0, 255)
    assert fig.layout.yaxis.scaleanchor == "x"  # square pixels
    grey = figures.image_figure(np.zeros((16, 24), np.float32))
    assert grey.data[0].type == "heatmap" and np.asarray(grey.data[0].z).shape == (16, 24)
    assert grey.layout.yaxis.scaleanchor == "x" and grey.data[0].colorscale[0][1] == "rgb(0, 0, 0)"
    # (H, W, 1) is a grey image too; anything else is refused.
    assert figures.image_figure(np.zeros((20, 20, 1))).data[0].type == "heatmap"
    with pytest.raises(ValueError, match="an image is"):
        figures.image_figure(np.zeros((4, 20, 20)))
    # What a drag step patches into the drawn figure's trace.
    assert np.asarray(figures.image_trace_values(_colour_image())).shape == (32, 32, 3)
    assert np.asarray(figures.image_trace_values(np.zeros((16, 24)))).shape == (16, 24)
    assert '"dtype":"u1"' in _json(fig).replace(" ", "")  # 8 bits a channel on the wire


def test_strips_sheets_and_differences_of_colour_images():
    frames = np.stack([_colour_image(32, 32)] * 4)
    strip = figures.strip_figure(frames, [0, 0, 2, 2], current=1, class_names=COLOURS)
    z = np.asarray(strip.data[0].z)
    assert strip.data[0].type == "image" and z.shape == (32, 4 * 34, 3)
    assert tuple(z[0, 0]) == (255, 0, 0) and tuple(z[0, 32]) == (0, 0, 0)  # frame, then a gap
    rect = strip.layout.shapes[0]
    assert (rect.x0, rect.x1, rect.y1) == (33.5, 65.5, 31.5)
    grey_strip = figures.strip_figure(np.zeros((3, 16, 24)))
    assert np.asarray(grey_strip.data[0].z).shape == (16, 3 * 26)
    sheet = figures.samples_grid_figure(np.zeros((36, 32, 32, 3), np.uint8), "fixed noise")
    assert sheet.data[0].type == "image" and np.asarray(sheet.data[0].z).shape == (192, 192, 3)
    grey_sheet = figures.samples_grid_figure(np.zeros((36, 16, 24), np.uint8), "fixed noise")
    assert np.asarray(grey_sheet.data[0].z).shape == (96, 144)
    diff = np.zeros((32, 32, 3), np.float32)
    diff[0, 0] = (2.0, -2.0, 0.0)
    shown = figures.difference_figure(diff, "Difference")
    dz = np.asarray(shown.data[0].z)
    assert shown.data[0].type == "image" and tuple(dz[0, 0]) == (255, 0, 128)
    assert tuple(dz[5, 5]) == (128, 128, 128)  # unchanged: mid-grey
    grey_diff = figures.difference_figure(np.zeros((16, 24)), "Difference")
    assert grey_diff.data[0].colorscale[0][1] == "rgb(103,0,31)"  # RdBu, -2..2
    assert (grey_diff.data[0].zmin, grey_diff.data[0].zmax) == (-2, 2)


def test_a_colour_image_layer_is_shown_as_rgb_among_the_activations():
    acts = {"pixels": np.linspace(-1, 1, 12, dtype=np.float32),
            "image": _colour_image()}  # fmt: skip
    row = figures.activations_figure(acts, rgb_layers=("image",))
    assert [t.type for t in row.data] == ["heatmap", "image"]
    assert np.asarray(row.data[1].z).shape == (32, 32, 3)
    assert np.asarray(figures.activation_values(acts["image"], rgb=True)).shape == (32, 32, 3)
    assert np.asarray(figures.activation_values(acts["image"])).shape == (32, 32)  # the mean
    # Not asked for: the channel mean as before.
    assert [t.type for t in figures.activations_figure(acts).data] == ["heatmap", "heatmap"]
    layer = figures.layer_figure(acts["image"], "mean", title="image (32×32×3)", rgb=True)
    assert layer.data[0].type == "image" and tuple(np.asarray(layer.data[0].z)[0, 0]) == (255, 0, 0)
    channels = figures.layer_figure(acts["image"], "channels", rgb=True)  # tiles stay heatmaps
    assert channels.data[0].type == "heatmap"


def _data_url(img) -> str:
    import base64
    import io

    buf = io.BytesIO()
    img.save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_an_upload_is_resized_to_the_models_shape_grey_or_colour():
    from PIL import Image

    from dashboard.payloads import PayloadError, decode_upload

    red = np.zeros((64, 64, 3), np.uint8)
    red[..., 0] = 255
    rgb = decode_upload(_data_url(Image.fromarray(red)), (32, 32, 3))
    assert rgb.shape == (32, 32, 3) and tuple(rgb[5, 5]) == (1.0, -1.0, -1.0)
    # A colour upload to a grey model becomes grey (light on dark, as the datasets are).
    grey = decode_upload(_data_url(Image.fromarray(red)), (28, 28, 1))
    assert grey.shape == (28, 28) and -1.0 < grey[5, 5] < 0.0
    # A 30x30 upload fits a 28x28 model; a grey one fills all three channels of a colour one.
    square = decode_upload(_data_url(Image.new("L", (30, 30), 200)), (32, 32, 3))
    assert square.shape == (32, 32, 3) and np.ptp(square[5, 5]) == 0.0
    tall = decode_upload(_data_url(Image.new("L", (16, 24))), (24, 16, 1))
    assert tall.shape == (24, 16)
    with pytest.raises(PayloadError, match="this model's images are 32x32"):
        decode_upload(_data_url(Image.new("RGB", (90, 30))), (32, 32, 3))
    with pytest.raises(PayloadError, match="at most 2048 a side"):
        decode_upload(_data_url(Image.new("L", (4000, 4000))), (28, 28, 1))


# --- the pages' functions on a real colour model with its own classifier -----------------


@pytest.fixture(scope="module")
def colour_explorer(tmp_path_factory):
    """A 2-D generator of 32x32 colour images with its own red/green/blue classifier."""
    from gan_core.explorer import LatentExplorer
    from tests.colour_models import write_colour_model

    root = tmp_path_factory.mktemp("colour-models")
    write_colour_model(root, "rgb-2d")
    return LatentExplorer.from_checkpoint("rgb-2d", root, cache_dir=root / "cache")


def _pages(explorer, tmp_path) -> None:
    """An app serving the colour model (the page modules register with it)."""
    from dashboard.app import create_app

    create_app(explorer.checkpoint.path.parent, cache_dir=tmp_path, grid_2d=8, cube_n=4)


def test_the_explorer_draws_a_colour_model_by_its_own_names(colour_explorer, tmp_path):
    _pages(colour_explorer, tmp_path)
    from dashboard.components.latent_view import view_figure
    from dashboard.pages.explore import point_figures

    e = colour_explorer
    assert e.class_names == COLOURS and e.dataset is None
    fig, traces = view_figure(e, e.map_2d(12), (0.9, -0.2))
    assert {a.text for a in fig.layout.annotations} == {"<b>red</b>", "<b>green</b>", "<b>blue</b>"}
    assert _colours_of(fig.data[0].colorscale) == class_palette(3) and traces == {"path": None}
    probe = e.probe_point([0.9, -0.2])  # z0 high: a red image
    drawn = point_figures(e, probe, dragging=False)
    assert list(drawn["probs"].data[0].x) == COLOURS
    image = np.asarray(drawn["image"].data[0].z)
    assert drawn["image"].data[0].type == "image" and image.shape == (32, 32, 3)
    assert image[..., 0].mean() > 200 and image[..., 2].mean() < 60
    assert drawn["acts"].data[-1].type == "image"  # the image layer, in colour
    patched = point_figures(e, e.probe_point([-0.9, 0.9]), dragging=True)
    sent = {part: {tuple(o["location"]): o["params"]["value"]
                   for o in patched[part].to_plotly_json()["operations"]}
            for part in ("image", "acts")}  # fmt: skip
    assert np.asarray(sent["image"][("data", 0, "z")]).shape == (32, 32, 3)  # in colour
    last = len(drawn["acts"].data) - 1
    assert np.asarray(sent["acts"][("data", last, "z")]).shape == (32, 32, 3)  # its layer too
    assert texts.readout_text((0.9, -0.2), probe, "z", e.class_names).endswith(
        f"→ red (p = {probe.probs.max():.2f})"
    )
    assert texts.labelling_text(e.labelling.note, e.class_names) == (
        "Class areas coloured by its own classifier (3 classes)."
    )


def test_a_colour_morph_lists_its_crossings_by_name_and_downloads_them(colour_explorer, tmp_path):
    import base64

    _pages(colour_explorer, tmp_path)
    from dashboard.downloads import explore_download, morph_download
    from dashboard.pages.morph import morph_record

    e = colour_explorer
    m = e.morph([np.array([0.9, -0.3]), np.array([-0.3, 0.9])], frames=12)
    assert texts.sequence_text(m.sequence, e.class_names) == "red → green"
    record = morph_record(m, e.model_id, None, "linear", [np.zeros(2)] * 2, e.class_names)
    assert record["class_names"] == COLOURS and record["sequence_names"] == ["red", "green"]
    assert record["noun"] == "class"  # the frame's title in the page: "class red"
    assert record["crossings"][0]["from_name"] == "red" and record["names"][-1] == "green"
    assert np.asarray(record["images"]).shape == (12, 32, 32, 3)
    strip = figures.strip_figure(m.images, m.classes, class_names=e.class_names)
    assert strip.data[0].type == "image" and [a.text for a in strip.layout.annotations] == [
        "red",
        "green",
    ]
    # The JSON download names each class beside its index, from the model's names even
    # when the page stored the morph without them.
    bare = {k: v for k, v in record.items() if k not in ("class_names", "names")}
    sent = morph_download("morph-dl-json", bare, 8, e.class_names)
    data = json.loads(base64.b64decode(sent["content"]))
    assert data["class_names"] == COLOURS and data["sequence_names"] == ["red", "green"]
    assert data["names"][0] == "red" and data["crossings"][0]["to_name"] == "green"
    view = explore_download("explore-dl-json", e, [0.9, -0.2], None, None, "none", 0, 12, 4)
    state = json.loads(base64.b64decode(view["content"]))
    assert state["class_names"] == COLOURS and state["class"] == "red"
    assert set(state["probabilities_by_name"]) == set(COLOURS)
    assert state["probabilities_by_name"]["red"] == pytest.approx(state["probabilities"][0])


def test_inverting_into_a_model_without_a_dataset_takes_uploads_only(colour_explorer, tmp_path):
    from PIL import Image

    _pages(colour_explorer, tmp_path)
    from dashboard.pages import invert
    from dashboard.payloads import PayloadError

    e = colour_explorer
    fig, stored = invert.target_view(e, 0, None, upload=False)
    assert stored is None and "own classifier and no dataset" in fig.layout.annotations[0].text
    assert "upload an image (32x32 colour)" in fig.layout.annotations[0].text
    with pytest.raises(PayloadError, match="no dataset"):
        invert.target_image(e, 0, None)
    title, number, upload, off = invert.target_texts(e)
    assert off and "own classifier" in number and "32x32 colour" in upload
    blue = np.zeros((40, 40, 3), np.uint8)
    blue[..., 2] = 255
    fig, stored = invert.target_view(e, 0, _data_url(Image.fromarray(blue)), upload=True)
    assert fig.layout.title.text == "Uploaded image" and fig.data[0].type == "image"
    target = invert.target_image(e, 0, stored)
    assert target.shape == (32, 32, 3) and tuple(target[0, 0]) == (-1.0, -1.0, 1.0)
    with pytest.raises(PayloadError, match="does not fit this model"):
        invert.target_image(e, 0, np.zeros((28, 28)).tolist())


def test_a_fashion_model_names_its_areas_its_point_and_its_test_images(test_checkpoints, tmp_path):
    from dashboard.app import create_app
    from dashboard.components.latent_view import view_figure
    from gan_core.explorer import LatentExplorer
    from tests.conftest import FASHION as FASHION_ID

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    from dashboard.pages import invert  # registered with the app

    e = LatentExplorer.from_checkpoint(FASHION_ID, test_checkpoints, cache_dir=tmp_path / "c")
    assert e.class_names == FASHION and e.labelling.note == "the bundled Fashion-MNIST classifier"
    fig, _ = view_figure(e, e.map_2d(16), (0.3, -0.4))
    labels = [a.text[3:-4] for a in fig.layout.annotations]
    assert labels and set(labels) <= set(FASHION)
    probe = e.probe_point([0.3, -0.4])
    name = FASHION[probe.digit]
    assert texts.readout_text((0.3, -0.4), probe, "z", e.class_names) == (
        f"z = (+0.30, -0.40) → {name} (p = {probe.probs.max():.2f})"
    )
    # /invert shows the model's own dataset's test images, named by class.
    x, y = invert.test_images("fashion-mnist")
    target, _ = invert.target_view(e, 5, None, upload=False)
    assert target.layout.title.text == f"Fashion-MNIST test image #5 ({FASHION[int(y[5])]})"
    np.testing.assert_allclose(np.asarray(target.data[0].z), x[5], atol=1e-6)
    assert invert.target_texts(e)[:2] == ("Image", "Fashion-MNIST test image number")
    # An MNIST model keeps its digits.
    mnist = LatentExplorer.from_checkpoint("gan-2d", test_checkpoints, cache_dir=tmp_path / "c")
    digit = int(invert.test_images("mnist")[1][5])
    assert invert.target_title(mnist, 5, digit) == f"MNIST test digit #5 (a {digit})"
    assert invert.target_texts(mnist)[:2] == ("Digit", "MNIST test image number")


# --- area labels: inside their areas, never on top of each other --------------------------


def test_an_area_label_sits_where_its_area_has_the_most_room():
    from gan_core.latent import area_labels

    n = 21  # a U of class 1 around a block of class 0, on a background of class 2
    classes = np.full((n, n), 2, np.uint8)
    classes[2:19, 2:19] = 1
    classes[6:15, 6:19] = 0  # the U opens to the right: its centroid is near class 0
    cmap = ClassMap(classes, np.full((n, n, 3), 0.5, np.float32),
                    [np.arange(n, dtype=np.float32)] * 2)  # fmt: skip
    labels = area_labels(cmap, min_share=0.0)
    assert [lab["class"] for lab in labels] == sorted(
        range(3), key=lambda c: -(classes == c).sum()
    )  # largest first
    for lab in labels:
        i, j = int(lab["x"]), int(lab["y"])
        assert classes[i, j] == lab["class"]  # on its own area
        assert lab["room"] >= (1 if lab["class"] == 2 else 2)  # off the edge (the frame: 2 wide)
    u = next(lab for lab in labels if lab["class"] == 1)
    assert int(u["x"]) < 6  # in the U's bar, not beside the block it wraps


def test_labels_that_would_cover_a_larger_areas_label_are_left_out():
    names = ["Ankle boot", "Sneaker", "Sandal"]
    cmap = _map(names, n=30)  # three bands 2/3 of a unit wide
    roomy = figures.placed_area_labels(cmap, names, plot_px=600)
    assert [name for _lab, name, _size in roomy] == names  # all three fit
    cramped = figures.placed_area_labels(cmap, names, plot_px=120)
    shown = [name for _lab, name, _size in cramped]
    assert shown and len(shown) < 3 and shown[0] == cramped[0][1]
    fig = figures.class_map_figure(cmap, (0, 0), class_names=names, height=160)
    texts_drawn = [a.text for a in fig.layout.annotations]
    assert len(texts_drawn) < 3 and all(f"<b>{t}</b>" in texts_drawn for t in shown[:1])
    digits = figures.placed_area_labels(_map(texts.DIGITS), texts.DIGITS, plot_px=330)
    assert {size for _lab, _name, size in digits} == {16}  # one-character labels stay large
