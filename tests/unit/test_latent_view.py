"""What the latent view sends while a point is dragged."""

import numpy as np

from gan_core.latent import ClassMap


def _cube(n=4):
    classes = np.arange(n**3).reshape(n, n, n) % 3
    return ClassMap(classes.astype(np.uint8), np.full((n, n, n, 10), 0.1, np.float32),
                    [np.linspace(-1, 1, n, dtype=np.float32)] * 3)  # fmt: skip


def test_projection_key_changes_only_with_the_grid_cell_or_the_cube():
    import dataclasses
    import json

    from dashboard.latent_view import projection_key

    cube = _cube()  # 4 values per axis on [-1, 1]: cells change at -2/3, 0, 2/3
    key = projection_key("gan-3d", cube, (0.1, 0.2, 0.3))
    assert json.loads(json.dumps(key)) == key  # what the page's Store gives back
    assert projection_key("gan-3d", cube, (0.3, 0.1, 0.2)) == key  # same slices
    for moved in ((-0.1, 0.2, 0.3), (0.1, 0.7, 0.3), (0.1, 0.2, -0.3)):
        assert projection_key("gan-3d", cube, moved) != key, moved
    assert projection_key("gan-4d", cube, (0.1, 0.2, 0.3)) != key
    other_label = dataclasses.replace(cube, label=4)
    other_w = dataclasses.replace(cube, fixed=(0.5,))
    for other in (other_label, other_w):
        assert projection_key("gan-3d", other, (0.1, 0.2, 0.3)) != key
