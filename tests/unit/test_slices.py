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


# ---- points, principal, recentring, JSON, norms ------------------------------------------
def test_a_points_slice_goes_through_its_seeds_and_literal_points():
    from gan_core.slices import points_slice

    d = 12
    p, q = NORMAL.sample(1, d, 3)[0], NORMAL.sample(1, d, 7)[0]
    r = np.linspace(-1, 1, d)
    spec = f"points:seed=3;seed=7;v={','.join(map(str, r))}"
    s = parse_slice(spec, d, NORMAL)
    assert s.spec == spec and s.k == 2 and s.lo == -s.hi
    np.testing.assert_allclose(s.basis @ s.basis.T, np.eye(2), atol=1e-12)
    np.testing.assert_allclose(s.origin, (p + q + r) / 3, atol=1e-12)
    for point in (p, q, r):
        t = s.coordinates(point)
        np.testing.assert_allclose(s.origin + t @ s.basis, point, atol=1e-9)  # in the plane
        assert np.all(np.abs(t) <= s.hi / 1.25 + 1e-9)  # inside, with a margin
    assert s.hi == pytest.approx(1.25 * max(np.abs(s.coordinates(x)).max() for x in (p, q, r)))
    cube = parse_slice("points:seed=0;seed=1;seed=2;seed=3", 5, UNIFORM, k=3)
    assert cube.k == 3 and cube.hi >= UNIFORM.default_half_range / 2
    close = points_slice(np.array([[0, 0, 0], [1e-3, 0, 0], [0, 1e-3, 0]]), NORMAL)
    assert close.hi == NORMAL.default_half_range / 2  # points close together: the minimum range


@pytest.mark.parametrize(
    ("spec", "message"),
    [("points:seed=0;seed=0;seed=1", "one line"),
     ("points:v=0,0,0;v=1,1,1;v=2,2,2", "one line"),
     ("points:seed=0;seed=1", "3 points"),
     ("points:v=0,0;seed=1;seed=2", "2 coordinates"),
     ("points:v=0,0,nan;seed=1;seed=2", "NaN or infinite"),
     ("points:v=0,0,inf;seed=1;seed=2", "NaN or infinite"),
     ("points:v=a,b,c;seed=1;seed=2", "comma-separated"),
     ("points:x=1;seed=1;seed=2", "neither"),
     ("points:seed=-1;seed=1;seed=2", "0..4294967295"),
     ("axes:0,1@v=1,2", "2 coordinates"),
     ("axes:0,1@w=1,2,3", "@v="),
     ("axes:0,3", "0..2"),
     ("random:0@v=0,0,1e999", "NaN or infinite"),
     ("lines:0", "unknown slice kind"),
     ("principal:0,1", "need the model"),
     ("axes:0,1@v=" + ",".join(["0"] * 10_000), "at most 20,000 characters")],
)  # fmt: skip
def test_malformed_specs_are_refused_with_the_reason(spec, message):
    with pytest.raises(SliceError, match=message):
        parse_slice(spec, 3, UNIFORM)


def test_a_recentred_slice_round_trips_through_its_spec():
    rng = np.random.default_rng(5)
    for spec, k in (("random:4", 2), ("axes:0,2,5", 3), ("points:seed=1;seed=2;seed=3", 2)):
        s = parse_slice(spec, 9, NORMAL, k=k)
        z = rng.normal(0, 1, 9)
        moved = s.recentred(z)
        assert moved.spec.startswith(spec + "@v=")
        np.testing.assert_allclose(moved.origin, z, atol=1e-6)
        again = parse_slice(moved.spec, 9, NORMAL, k=k)
        np.testing.assert_array_equal(again.origin, moved.origin)
        np.testing.assert_array_equal(again.basis, s.basis)
        assert (again.lo, again.hi) == (s.lo, s.hi) and again.spec == moved.spec
        twice = again.recentred(-z)  # a second move replaces the suffix
        assert twice.spec.count("@") == 1 and twice.spec.startswith(spec + "@v=")
        np.testing.assert_allclose(parse_slice(twice.spec, 9, NORMAL, k=k).origin, -z, atol=1e-6)
    with pytest.raises(SliceError, match="coordinates"):
        s.recentred(np.zeros(4))


def test_slice_from_dict_accepts_to_dict_and_refuses_bad_json():
    from gan_core.slices import slice_from_dict

    s = parse_slice("random:2", 6, NORMAL)
    back = slice_from_dict(s.to_dict(), 6, k=2)
    np.testing.assert_array_equal(back.basis, s.basis)
    assert back.spec == s.spec and (back.lo, back.hi) == (s.lo, s.hi)
    good = s.to_dict()
    bad_basis = [[2 * v for v in row] for row in good["basis"]]
    cases = [
        ({**good, "origin": good["origin"][:5]}, "5 coordinates"),
        ({**good, "origin": [float("nan")] * 6}, "NaN or infinite"),
        ({**good, "basis": bad_basis}, "not orthonormal"),
        ({**good, "basis": [r[:5] for r in good["basis"]]}, "rows of 6 numbers"),
        ({**good, "basis": [good["basis"][0], [float("inf")] * 6]}, "NaN or infinite"),
        ({**good, "range": [1.0, -1.0]}, "lo < hi"),
        ({**good, "range": [0, float("inf")]}, "lo < hi"),
        ({**good, "range": "wide"}, "two numbers"),
        ({k: v for k, v in good.items() if k != "spec"}, "lacks spec"),
        ("not a dict", "JSON object"),
    ]
    for data, message in cases:
        with pytest.raises(SliceError, match=message):
            slice_from_dict(data, 6)
    with pytest.raises(SliceError, match="a 3-D slice is needed"):
        slice_from_dict(good, 6, k=3)
    with pytest.raises(SliceError, match="latent space is 5-D"):
        slice_from_dict(good, 5)


def test_norm_report_counts_grid_points_in_the_priors_typical_shell():
    from gan_core.slices import slice_norm_report

    far = slice_norm_report(parse_slice("random:0", 100, NORMAL), NORMAL, 20)
    near = slice_norm_report(parse_slice("axes:0,1", 100, NORMAL), NORMAL, 20)
    lo, hi = NORMAL.norm_interval(100, 0.99)
    assert far["interval"] == near["interval"] == [lo, hi] and 7 < lo < 10 < hi < 13
    assert far["total"] == near["total"] == 400
    assert far["share"] > 0.9 and near["inside"] == 0 and near["share"] == 0.0
    s = parse_slice("axes:0,1,2", 10, NORMAL, k=3).recentred([0, 0, 0, 3] + [0] * 6)
    report = slice_norm_report(s, NORMAL, 5)
    norms = np.linalg.norm(s.grid(5).astype(np.float64), axis=1)
    assert report["total"] == 125
    lo10, hi10 = report["interval"]
    assert report["inside"] == int(np.count_nonzero((norms >= lo10) & (norms <= hi10)))
    assert 0 < report["inside"] < 125


def test_principal_slices_are_orthonormal_and_deterministic():
    import keras

    from gan_core.models import build_generator
    from gan_core.slices import principal_directions

    keras.utils.set_random_seed(3)
    generator = build_generator(6)
    s = parse_slice("principal:0,1", 6, NORMAL, generator=generator)
    np.testing.assert_allclose(s.basis @ s.basis.T, np.eye(2), atol=1e-10)
    np.testing.assert_array_equal(s.origin, NORMAL.sample(1, 6, 0)[0].astype(np.float64))
    np.testing.assert_array_equal(s.origin, parse_slice("random:0", 6, NORMAL).origin)
    assert (s.lo, s.hi) == (-3.0, 3.0) and s.spec == "principal:0,1"
    again = parse_slice("principal:0,1", 6, NORMAL, generator=generator)
    np.testing.assert_array_equal(again.basis, s.basis)
    cube = parse_slice("principal:2,0,5", 6, NORMAL, k=3, generator=generator)
    np.testing.assert_allclose(cube.basis @ cube.basis.T, np.eye(3), atol=1e-10)
    # A fresh copy of the same weights (no cache shared) gives the same directions.
    copy = keras.models.clone_model(generator)
    copy.set_weights(generator.get_weights())
    np.testing.assert_allclose(principal_directions(copy, NORMAL), principal_directions(generator, NORMAL),
                               rtol=1e-6, atol=1e-9)  # fmt: skip
    # The first component carries the most variance of the first layer's activations.
    assert principal_directions(generator, NORMAL).shape == (6, 6)
    with pytest.raises(SliceError, match="0..5"):
        parse_slice("principal:0,6", 6, NORMAL, generator=generator)
    with pytest.raises(SliceError, match="7-D"):
        parse_slice("principal:0,1", 7, NORMAL, generator=generator)


def test_the_plane_through_the_origin_and_two_samples_holds_both_paths_between_them():
    from gan_core.interpolation import interpolate_path

    plane = parse_slice("points:0;seed=1;seed=2", 100, NORMAL)
    a, b = NORMAL.sample(1, 100, 1)[0], NORMAL.sample(1, 100, 2)[0]
    for mode in ("linear", "slerp"):
        path = interpolate_path([a, b], 16, mode)
        back = plane.points(plane.coordinates(path))  # the path's projection on the plane
        np.testing.assert_allclose(back, path, atol=1e-4)  # is the path itself
        assert np.abs(plane.coordinates(path)).max() <= plane.hi
    np.testing.assert_allclose(plane.points(plane.coordinates(np.zeros(100))), 0, atol=1e-5)
