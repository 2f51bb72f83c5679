"""Latent engine: maps, cache, paths, activations and edits on small real-architecture models."""

import numpy as np
import pytest

from gan_core.activations import Edit, apply_edits, channel_maps, mean_heatmap
from gan_core.cache import MapCache
from gan_core.engine import LatentExplorer
from gan_core.latent import (
    LatentInputError,
    area_labels,
    class_area_grid,
    cube_slice,
    label_fidelity,
    point_projections,
    snap_fourth,
)
from gan_core.paths import crossed_areas, interpolate_path


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
    assert mean_heatmap(np.arange(10.0)).shape == (4, 4)


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
