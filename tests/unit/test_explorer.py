"""The latent explorer: maps, cache, paths, activations and edits on small real-architecture models."""

import numpy as np
import pytest

from gan_core.activations import Edit, apply_edits, channel_maps, mean_heatmap
from gan_core.cache import MapCache
from gan_core.explorer import LatentExplorer
from gan_core.interpolation import crossed_areas, interpolate_path
from gan_core.latent import (
    LatentInputError,
    area_labels,
    class_area_grid,
    cube_slice,
    label_fidelity,
    point_projections,
    snap_fourth,
)


@pytest.fixture(scope="module")
def explorers(test_checkpoints, tmp_path_factory):
    cache = tmp_path_factory.mktemp("cache")
    return {m: LatentExplorer.from_checkpoint(m, test_checkpoints, cache_dir=cache)
            for m in ("gan-2d", "gan-3d", "gan-4d", "cgan-3d")}  # fmt: skip


def test_2d_grid_shape_range_and_probabilities(explorers):
    e = explorers["gan-2d"]
    cmap = class_area_grid(e.generator, e.classifier, n=7)
    assert cmap.classes.shape == (7, 7) and cmap.probs.shape == (7, 7, 10)
    assert cmap.axes[0][0] == -1.0 and cmap.axes[0][-1] == 1.0
    np.testing.assert_allclose(cmap.probs.sum(-1), 1.0, atol=1e-4)
    np.testing.assert_array_equal(cmap.classes, cmap.probs.argmax(-1))


def test_grid_point_classes_match_single_point_probes(explorers):
    e = explorers["gan-2d"]
    cmap = e.map_2d(5)
    for i, j in [(0, 0), (2, 3), (4, 1)]:
        z = [cmap.axes[0][i], cmap.axes[1][j]]
        np.testing.assert_allclose(e.probe_point(z).probs, cmap.probs[i, j], atol=1e-4)


def test_cube_slices_and_projections(explorers):
    cube = explorers["gan-3d"].cube(6)
    assert cube.classes.shape == (6, 6, 6)
    s = cube_slice(cube, axis=2, index=5)
    np.testing.assert_array_equal(s.classes, cube.classes[:, :, 5])
    assert s.fixed == (1.0,)
    assert point_projections([0.1, -0.2, 0.3]) == {
        "xy": (0.1, -0.2),
        "xz": (0.1, 0.3),
        "yz": (-0.2, 0.3),
    }
    with pytest.raises(LatentInputError, match="slice index"):
        cube_slice(cube, 0, 6)


def test_4d_cube_snaps_to_the_precomputed_fourth_coordinate(explorers):
    e = explorers["gan-4d"]
    assert snap_fourth(0.05, 16) == (8, pytest.approx(1 / 15))
    a, b = e.cube(6, w=0.25), e.cube(6, w=0.2)  # both snap to 0.2 on a 6-point axis
    assert a.fixed == b.fixed == (pytest.approx(0.2),)
    assert len(e.map_jobs(n3d=6)) == 6


def test_cgan_has_one_cube_per_label_and_label_fidelity(explorers):
    e = explorers["cgan-3d"]
    c3 = e.cube(4, label=3)
    assert c3.label == 3
    assert label_fidelity(c3) == pytest.approx(100.0 * (c3.classes == 3).mean())
    assert len(e.map_jobs(n3d=4)) == 10
    assert not np.array_equal(e.cube(4, label=3).probs, e.cube(4, label=8).probs)


def test_cache_hit_miss_and_invalidation_on_changed_model(fresh_checkpoints, tmp_path):
    e = LatentExplorer.from_checkpoint("gan-2d", fresh_checkpoints, cache_dir=tmp_path / "c")
    first = e.map_2d(6)
    assert (e.cache.hits, e.cache.misses) == (0, 1)
    np.testing.assert_array_equal(e.map_2d(6).probs, first.probs)
    assert e.cache.hits == 1
    # Retrain (here: rewrite) the generator file: the old map must not be served.
    from tests.conftest import make_checkpoint

    make_checkpoint(fresh_checkpoints, "gan-2d", 2, seed=99)
    e2 = LatentExplorer.from_checkpoint("gan-2d", fresh_checkpoints, cache_dir=tmp_path / "c")
    second = e2.map_2d(6)
    assert e2.cache.misses == 1 and not np.allclose(second.probs, first.probs)


def test_corrupt_cache_entry_is_recomputed(fresh_checkpoints, tmp_path):
    from gan_core.cache import map_key

    e = LatentExplorer.from_checkpoint("gan-2d", fresh_checkpoints, cache_dir=tmp_path / "c")
    good = e.map_2d(5)
    key = map_key("grid2d", {"n": 5, "fixed": (), "label": None}, e._files)
    e.cache._cache.set(key, b"garbage bytes")
    again = e.map_2d(5)
    np.testing.assert_allclose(again.probs, good.probs, atol=1e-6)
    assert e.cache.recovered == 1


def test_cache_shared_between_instances(fresh_checkpoints, tmp_path):
    a = LatentExplorer.from_checkpoint("gan-2d", fresh_checkpoints, cache=MapCache(tmp_path / "c"))
    a.map_2d(5)
    b = LatentExplorer.from_checkpoint("gan-2d", fresh_checkpoints, cache=MapCache(tmp_path / "c"))
    b.map_2d(5)
    assert b.cache.hits == 1 and b.cache.misses == 0


def test_interpolation_endpoints_segments_and_slerp():
    path = interpolate_path([[-1, 0], [1, 0]], 5)
    np.testing.assert_allclose(path[:, 0], [-1, -0.5, 0, 0.5, 1])
    multi = interpolate_path([[0, 0], [1, 0], [1, 1]], 5)
    np.testing.assert_allclose(multi[2], [1, 0], atol=1e-6)  # halfway is the middle point
    s = interpolate_path([[1, 0], [0, 1]], 3, "slerp")
    np.testing.assert_allclose(np.linalg.norm(s, axis=1), 1.0, atol=1e-6)
    with pytest.raises(LatentInputError, match="unknown interpolation"):
        interpolate_path([[0, 0], [1, 1]], 4, "cubic")


def test_morph_endpoints_equal_the_generator_output(explorers):
    e = explorers["gan-2d"]
    a, b = [-0.8, 0.5], [0.6, -0.4]
    m = e.morph([a, b], frames=9)
    np.testing.assert_allclose(m.images[0], e.image(a), atol=1e-5)
    np.testing.assert_allclose(m.images[-1], e.image(b), atol=1e-5)
    assert m.latents.shape == (9, 2) and m.sequence[0] == m.classes[0]


def test_crossed_areas_on_a_constructed_sequence():
    seq, crossings = crossed_areas([7, 7, 7, 1, 1, 8, 8, 8, 8])
    assert seq == [7, 1, 8]
    assert [(c.from_class, c.to_class, c.frame) for c in crossings] == [(7, 1, 3), (1, 8, 5)]
    assert crossings[0].t == pytest.approx(3 / 8)


def test_empty_edit_equals_forward_pass(explorers):
    for name, label in (("gan-2d", None), ("cgan-3d", 4)):
        e = explorers[name]
        z = [0.3] * e.latent_dim
        r = e.edit(z, [], label=label)
        np.testing.assert_allclose(r.edited, e.image(z, label=label), atol=1e-5)


def test_editing_a_layer_to_its_own_values_is_a_no_op_through_the_rest(explorers):
    """Runs the rest of the network from each layer: same values in, same image out."""
    e = explorers["gan-3d"]
    z = [0.2, -0.4, 0.6]
    acts = e.probe_point(z).activations
    for layer in ("reshape", "conv1_act", "conv2_act"):
        edits = [Edit(layer, "units", [[0, 0, 0]], value=float(acts[layer][0, 0, 0]))]
        np.testing.assert_allclose(e.edit(z, edits).edited, e.image(z), atol=1e-5)


def test_zeroing_a_whole_layer_changes_the_output(explorers):
    e = explorers["gan-2d"]
    z = [0.5, -0.5]
    r = e.edit(z, [Edit("conv1_act", "rows", list(range(7)))])
    assert np.abs(r.diff).max() > 1e-4
    assert np.allclose(r.edited_activations["conv1_act"], 0.0)


def test_edits_combine_across_layers(explorers):
    e = explorers["gan-2d"]
    z = [0.1, 0.9]
    one = e.edit(z, [Edit("reshape", "channels", list(range(128)))]).edited
    both = e.edit(
        z,
        [
            Edit("reshape", "channels", list(range(128))),
            Edit("conv2_act", "region", region=(0, 7, 0, 7)),
        ],
    ).edited
    assert not np.allclose(one, both)


def test_apply_edits_kinds():
    act = np.ones((4, 5, 3), np.float32)
    out = apply_edits(act, [Edit("l", "rows", [0]), Edit("l", "columns", [4], value=2.0),
                            Edit("l", "region", region=(2, 4, 0, 2), indices=[1], value=-1.0),
                            Edit("l", "units", [[3, 3, 2]], value=5.0)])  # fmt: skip
    assert out[0, :4].sum() == 0 and (out[:, 4] == 2.0).all()
    assert (out[2:4, 0:2, 1] == -1.0).all() and (out[2:4, 0:2, 0] == 1.0).all()
    assert out[3, 3, 2] == 5.0 and act.sum() == 60  # input untouched
    assert mean_heatmap(act).shape == (4, 5) and channel_maps(act, [2]).shape == (1, 4, 5)
    assert mean_heatmap(np.arange(3.0)).tolist() == [[0.0, 1.0, 2.0]]  # short: one row
    square = mean_heatmap(np.arange(20.0))
    assert square.shape == (5, 5) and np.isnan(square[4]).all() and square[3, 4] == 19.0


@pytest.mark.parametrize(
    ("z", "message"),
    [([0.1], "2 coordinates"), ([0.1, float("nan")], "NaN"), ([0.0, 1.5], "outside"),
     (["a", "b"], "numbers"), ([0.0, float("inf")], "NaN or infinite")],
)  # fmt: skip
def test_bad_points_raise_clear_errors(explorers, z, message):
    with pytest.raises(LatentInputError, match=message):
        explorers["gan-2d"].probe_point(z)


def test_bad_layer_edit_and_label_raise_clear_errors(explorers):
    e, c = explorers["gan-2d"], explorers["cgan-3d"]
    with pytest.raises(LatentInputError, match="unknown layer 'nope'"):
        e.edit([0, 0], [Edit("nope", "rows", [0])])
    with pytest.raises(LatentInputError, match="unknown edit kind"):
        e.edit([0, 0], [Edit("conv1_act", "diagonal", [0])])
    with pytest.raises(LatentInputError, match=r"rows of layer 'conv1_act' must be in \[0, 6\]"):
        e.edit([0, 0], [Edit("conv1_act", "rows", [7])])
    with pytest.raises(LatentInputError, match="not conditional"):
        e.probe_point([0, 0], label=3)
    with pytest.raises(LatentInputError, match="digit label"):
        c.probe_point([0, 0, 0])
    with pytest.raises(LatentInputError, match="digit 0..9"):
        c.probe_point([0, 0, 0], label=12)
    with pytest.raises(LatentInputError, match="malformed edit"):
        Edit.from_dict({"kind": "rows"})


def test_area_labels_name_each_visible_area(explorers):
    cmap = explorers["gan-2d"].map_2d(10)
    labels = area_labels(cmap, min_share=0.0)
    assert {lab["digit"] for lab in labels} == set(np.unique(cmap.classes).tolist())
    for lab in labels:  # each label sits on a point of its own area
        i = int(np.argmin(np.abs(cmap.axes[0] - lab["x"])))
        j = int(np.argmin(np.abs(cmap.axes[1] - lab["y"])))
        assert cmap.classes[i, j] == lab["digit"]


def test_realism_grid_is_a_probability_map(explorers):
    r = explorers["gan-2d"].realism_grid(4)
    assert r.shape == (4, 4) and (r >= 0).all() and (r <= 1).all()


def test_compiled_probe_matches_generator_and_classifier(explorers):
    for name, label in (("gan-4d", None), ("cgan-3d", 7)):
        e = explorers[name]
        z = np.linspace(-0.9, 0.8, e.latent_dim).astype(np.float32)
        p = e.probe_point(z, label)
        image = e.image(z, label)
        np.testing.assert_allclose(p.image, image, atol=1e-5)
        probs = np.asarray(e.classifier(image[None, ..., None], training=False))[0]
        np.testing.assert_allclose(p.probs, probs, atol=1e-5)
        assert p.activations["conv2_act"].shape == (14, 14, 64)
        assert p.activations["reshape"].shape == (7, 7, 256)


def test_cgan_conditioned_z_is_shown_and_zeroing_it_equals_the_origin(explorers):
    e = explorers["cgan-3d"]
    assert e.probe.layer_names[0] == "conditioned_z"
    assert "conditioned_z" not in explorers["gan-3d"].probe.layer_names
    r = e.edit([0.5, -0.7, 0.9], [Edit("conditioned_z", "units", [0, 1, 2])], label=2)
    np.testing.assert_allclose(r.edited, e.image([0, 0, 0], label=2), atol=1e-5)
    assert r.layer_outputs["conditioned_z"].shape == (3,)


def test_edits_apply_in_network_order(explorers):
    """Zeroing all of conv2_act gives tanh(0) = 0 whatever was edited upstream."""
    e = explorers["gan-2d"]
    edits = [Edit("conv2_act", "channels", list(range(64))), Edit("dense_act", "rows", [0, 3])]
    r = e.edit([0.2, 0.2], edits)
    np.testing.assert_allclose(r.edited, 0.0, atol=1e-6)
    assert np.allclose(r.edited_activations["reshape"][[0, 3]], 0.0)  # dense_act is an alias
    img = e.edit([0.2, 0.2], [Edit("image", "region", region=(0, 4, 0, 28), value=1.0)]).edited
    assert (img[:4] == 1.0).all()


def test_maps_reject_bad_labels_and_fixed_coordinates(explorers):
    g3, c3 = explorers["gan-3d"], explorers["cgan-3d"]
    from gan_core.latent import class_area_cube

    with pytest.raises(LatentInputError, match="needs 1 fixed"):
        class_area_grid(g3.generator, g3.classifier, n=4)
    with pytest.raises(LatentInputError, match="outside"):
        class_area_grid(g3.generator, g3.classifier, n=4, fixed=(1.5,))
    with pytest.raises(LatentInputError, match="digit label"):
        class_area_cube(c3.generator, c3.classifier, n=3)
    with pytest.raises(LatentInputError, match="digit 0..9"):
        c3.cube(3, label=10)
    with pytest.raises(LatentInputError, match="grid size"):
        class_area_cube(g3.generator, g3.classifier, n=1)
    cmap = class_area_grid(g3.generator, g3.classifier, n=4, lo=-0.5, hi=0.5, fixed=(0.25,))
    np.testing.assert_allclose(cmap.axes[1], [-0.5, -1 / 6, 1 / 6, 0.5], atol=1e-6)
    assert cmap.fixed == (0.25,)


def test_snap_fourth_edges_and_range():
    from gan_core.latent import fourth_axis_values, nearest_index

    values = fourth_axis_values(16)
    assert values.shape == (16,) and values[0] == -1.0 and values[-1] == 1.0
    assert snap_fourth(-1.0) == (0, -1.0) and snap_fourth(1.0) == (15, 1.0)
    assert snap_fourth(1.0 + 1e-9)[0] == 15  # within the tolerance
    assert nearest_index(values, 0.0) in (7, 8)
    with pytest.raises(LatentInputError, match="outside"):
        snap_fourth(1.2)
    with pytest.raises(LatentInputError, match="NaN"):
        snap_fourth(float("nan"))


def test_slerp_falls_back_to_linear_and_paths_validate_input():
    through_zero = interpolate_path([[0, 0, 0], [1, 1, 1]], 3, "slerp")
    np.testing.assert_allclose(through_zero[1], [0.5, 0.5, 0.5], atol=1e-6)
    opposite = interpolate_path([[-1, 0], [1, 0]], 5, "slerp")
    np.testing.assert_allclose(opposite[:, 0], [-1, -0.5, 0, 0.5, 1], atol=1e-6)
    slerp = interpolate_path([[0.2, 0.9], [0.9, -0.3], [-0.5, -0.5]], 11, "slerp")
    np.testing.assert_array_equal(slerp[[0, -1]], np.float32([[0.2, 0.9], [-0.5, -0.5]]))
    with pytest.raises(LatentInputError, match="two points"):
        interpolate_path([[0, 0]], 4)
    with pytest.raises(LatentInputError, match="NaN"):
        interpolate_path([[0, 0], [np.nan, 0]], 4)
    with pytest.raises(LatentInputError, match="frames"):
        interpolate_path([[0, 0], [1, 1]], 1)


def test_cgan_morph_keeps_its_label(explorers):
    e = explorers["cgan-3d"]
    m = e.morph([[-0.5, 0.2, 0.1], [0.5, -0.2, 0.9]], frames=5, label=6)
    np.testing.assert_allclose(m.images[-1], e.image([0.5, -0.2, 0.9], label=6), atol=1e-5)
    assert m.probs.shape == (5, 10) and m.images.shape == (5, 28, 28)
    with pytest.raises(LatentInputError, match="outside"):
        e.morph([[0, 0, 0], [0, 0, 2]], frames=4, label=6)


def test_precompute_cli_fills_the_cache_then_hits_it(fresh_checkpoints, tmp_path, capsys):
    from gan_explorer.cli import main

    args = ["--checkpoints", str(fresh_checkpoints), "precompute", "gan-2d", "--grid", "4",
            "--cache-dir", str(tmp_path / "c")]  # fmt: skip
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "computed" in out and "0 from cache" in out
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "1 from cache" in out and "cache hit" in out
    assert main(["--checkpoints", str(fresh_checkpoints), "precompute", "nope",
                 "--cache-dir", str(tmp_path / "c")]) == 1  # fmt: skip
