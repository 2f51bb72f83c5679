"""Settings of a tiny training run (2-D, 256 images, a 6x6 monitor map) for the tests."""

from gan_core.training import TrainSettings


def tiny_settings(root, **kw) -> TrainSettings:
    base = dict(
        model_id="tiny",
        latent_dim=2,
        batch_size=64,
        limit_images=256,
        bn_samples=1024,
        weak_every=2,
        map_points=6,
        root=str(root),
    )
    base.update(kw)
    return TrainSettings(**base)
