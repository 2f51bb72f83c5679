"""Latent slices (gan_core.slices): axes and random planes and cubes."""

import numpy as np
import pytest

from gan_core.priors import NORMAL, UNIFORM
from gan_core.slices import SliceError, axes_slice, default_spec, parse_slice, random_slice


def test_an_axes_slice_spans_its_coordinates_through_the_origin():
    plane = parse_slice("axes:1,3", 5, UNIFORM)
    assert plane.k == 2 and plane.latent_dim == 5 and (plane.lo, plane.hi) == (-1.0, 1.0)
    grid = plane.grid(3)
    assert grid.shape == (9, 5) and grid.dtype == np.float32
    assert np.all(grid[:, [0, 2, 4]] == 0) and set(grid[:, 1]) == {-1.0, 0.0, 1.0}
    assert grid[0].tolist() == [0, -1, 0, -1, 0] and grid[1].tolist() == [0, -1, 0, 0, 0]
    cube = parse_slice("axes:0,1,2", 3, NORMAL, k=3)
    assert cube.grid(2).shape == (8, 3) and cube.hi == 3.0  # three standard deviations
    shifted = axes_slice(3, (0, 1), UNIFORM, origin=[0, 0, 0.5])
    assert np.all(shifted.grid(2)[:, 2] == 0.5)
    assert "axes:1,3" in plane.describe(3)


@pytest.mark.parametrize("seed", [0, 1, 12345])
@pytest.mark.parametrize("prior", [UNIFORM, NORMAL])
def test_a_random_slice_is_orthonormal_and_orthogonal_to_its_origin(seed, prior):
    for k in (2, 3):
        s = random_slice(8, seed, prior, k=k)
        np.testing.assert_allclose(s.basis @ s.basis.T, np.eye(k), atol=1e-12)
        np.testing.assert_allclose(s.basis @ s.origin, 0.0, atol=1e-12)
        assert prior.contains(s.origin[None])[0]
        norms = np.linalg.norm(s.grid(5), axis=1)
        assert norms.min() >= np.linalg.norm(s.origin) - 1e-5  # every point keeps the norm
    again = parse_slice(f"random:{seed}", 8, prior)
    np.testing.assert_array_equal(again.basis, random_slice(8, seed, prior).basis)
    assert not np.allclose(random_slice(8, seed + 1, prior).basis, again.basis)


def test_the_default_slice_and_bad_specs():
    assert default_spec(2) == default_spec(4) == "axes:0,1" and default_spec(5) == "random:0"
    for spec, dim, k in (("axes:0,0", 4, 2), ("axes:0,4", 4, 2), ("axes:0", 4, 2),
                         ("axes:0,1", 4, 3), ("axes:a,b", 4, 2), ("random:x", 8, 2),
                         ("random:-1", 8, 2), (f"random:{2**32}", 8, 2), ("random:0", 2, 2),
                         ("plane:0", 4, 2), ("axes", 4, 2), (None, 4, 2)):  # fmt: skip
        with pytest.raises(SliceError):
            parse_slice(spec, dim, UNIFORM, k=k)
