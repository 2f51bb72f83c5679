"""What the latent view (the 2D map, or the cube with its projections) shows for a model."""

from __future__ import annotations

from gan_core.latent import ClassMap


def explore_view_kind(latent_dim: int) -> str:
    """'map' for 2D latent spaces, 'cube' for 3D and 4D."""
    return "map" if latent_dim == 2 else "cube"


def projection_key(model_id: str, cube: ClassMap, point) -> list:
    """What the projections' slices depend on: the model, the cube (label, fixed w) and the
    grid cell of the point. JSON-ready, so a dcc.Store can hold the last one sent."""
    from dashboard.figures import slice_indices

    return [
        str(model_id),
        cube.label,
        [float(v) for v in cube.fixed],
        slice_indices(cube, point),
    ]
