"""Class maps on latent slices: the same numbers as the study's grid, the explorer's cached
maps on every kind of slice, their JSON export, and the benchmark's smoke run."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from gan_core.cache import MapCache
from gan_core.explorer import LatentExplorer
from gan_core.grids import grid_points
from gan_core.latent import class_area_grid, class_area_slice
from gan_core.priors import UNIFORM
from gan_core.slices import SliceError, parse_slice
from tests.conftest import REAL_3D

REPO = Path(__file__).resolve().parent.parent.parent


def test_the_axes_slice_of_a_2d_model_is_the_studys_grid(test_checkpoints, classifier, tmp_path):
    """The same points as the study's grid; on TensorFlow the same numbers exactly, through
    the explorer (the ONNX Runtime map engine) within 1e-4 and 99.9% of the classes."""
    from gan_core.checkpoints import load_generator

    generator = load_generator("gan-2d", test_checkpoints).generator
    plane = parse_slice("axes:0,1", 2, UNIFORM)
    np.testing.assert_array_equal(plane.grid(7), grid_points(7, 2))
    on_slice = class_area_slice(generator, classifier, plane, 7)
    grid = class_area_grid(generator, classifier, 7)
    np.testing.assert_array_equal(on_slice.classes, grid.classes)
    np.testing.assert_array_equal(on_slice.probs, grid.probs)
    np.testing.assert_array_equal(on_slice.axes[0], grid.axes[0])
    explorer = LatentExplorer.from_checkpoint("gan-2d", test_checkpoints, cache=MapCache(tmp_path))
    engine_map = explorer.slice_map(explorer.latent_slice("axes:0,1"), 7)
    assert explorer.map_engine() is not None, explorer.map_engine_error
    assert np.abs(engine_map.probs - grid.probs).max() <= 1e-4
    assert (engine_map.classes == grid.classes).mean() >= 0.999
    np.testing.assert_array_equal(engine_map.axes[0], grid.axes[0])


@pytest.fixture
def explorer(test_checkpoints, tmp_path):
    return LatentExplorer.from_checkpoint(REAL_3D, test_checkpoints, cache=MapCache(tmp_path / "c"))


def test_every_kind_of_slice_maps_through_the_explorer_and_is_cached(explorer):
    z = explorer.prior.sample(1, 3, 9)[0]
    specs = ("axes:0,2", "random:1", "points:seed=1;seed=2;v=0.5,-0.5,0",
             "principal:0,1", "principal:1,2@v=0.1,0.2,0.3")  # fmt: skip
    for spec in specs:
        s = explorer.latent_slice(spec)
        cmap = explorer.slice_map(s, 5)
        assert cmap.classes.shape == (5, 5) and cmap.meta["slice"]["spec"] == s.spec
        assert explorer.slice_map_cached(s, 5)
        hits = explorer.cache.hits
        np.testing.assert_array_equal(explorer.slice_map(s, 5).classes, cmap.classes)
        assert explorer.cache.hits == hits + 1
        moved = s.recentred(z)
        assert not explorer.slice_map_cached(moved, 5)  # another origin: another map
    cube = explorer.latent_slice("principal:0,1,2", k=3)
    assert explorer.slice_map(cube, 3).classes.shape == (3, 3, 3)


def test_slice_map_json_is_the_maps_slice_and_classes(explorer):
    from gan_core.export import ExportError, slice_map_json

    s = explorer.latent_slice("random:4")
    data = slice_map_json(explorer.model_id, explorer.slice_map(s, 4))
    assert data == {
        "model": REAL_3D,
        "slice": {**s.to_dict(), "n": 4},
        "classes": explorer.slice_map(s, 4).classes.astype(int).tolist(),
        "class_names": [str(d) for d in range(10)],  # the digit classifier's classes
    }
    assert all(type(v) is int for row in data["classes"] for v in row)
    with pytest.raises(ExportError, match="not computed on a latent slice"):
        slice_map_json("m", explorer.map_2d(4, fixed=(0.0,)))


def test_principal_slices_need_the_model():
    with pytest.raises(SliceError, match="need the model"):
        parse_slice("principal:0,1", 3, UNIFORM)


def test_benchmark_smoke(capsys):
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import slice_maps
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    results = slice_maps.main(["--untrained", "--latent-dim", "12", "--coarse", "3",
                               "--grid", "4", "--cube", "2", "--compare", "--json"])  # fmt: skip
    assert results["latent_dim"] == 12 and results["prior"] == "normal(0,1)"
    sizes = {name: r["images"] for name, r in results["maps"].items()}
    assert sizes == {"coarse plane 3^2": 9, "full plane 4^2": 16, "cube 2^3": 8,
                     "grid path (class_area_grid)": 16,
                     "compiled tf.function (generator + classifier)": 16}  # fmt: skip
    assert all(r["images_per_s"] > 0 for r in results["maps"].values())
    engine = {name: r["images"] for name, r in results["engine"].items()}
    assert engine == {"coarse plane 3^2": 9, "full plane 4^2": 16, "cube 2^3": 8}
    assert all(r["images_per_s"] > 0 for r in results["engine"].values())
    assert results["engine_export_s"] > 0
    assert '"latent_dim": 12' in capsys.readouterr().out
