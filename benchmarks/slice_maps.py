"""Class maps on a new latent slice of a high-dimensional model: how long a plane takes.

Usage: python benchmarks/slice_maps.py [--model gan-100d] [--coarse 24] [--grid 100]
       [--cube 16] [--compare] [--json]

Times, on a new random slice each (``random:SEED``, so nothing is cached), the class map
(generate + classify) of
- a coarse plane (24 x 24: what the latent view draws first, COARSE_POINTS),
- the full plane (100 x 100),
- a cube (16^3),
and with ``--compare`` the same 100 x 100 points through the engine's grid path
(``class_area_grid`` with the other coordinates fixed, what benchmarks/latent_engine.py
measures) and through one compiled ``tf.function`` of generator + classifier, to see
whether the slice path or the eager per-chunk calls of ``generate_images`` cost anything.

Each map is timed on both engines: TensorFlow (``class_area_slice``'s eager calls) and
ONNX Runtime (gan_core.map_engine, what ``LatentExplorer.slice_map`` uses), the same
slices; the graph's one-time export is timed apart (``engine_export_s``).

Uses ``checkpoints/<model>`` when it exists (default gan-100d), else a fresh untrained
generator of the study's architecture with a 100-D input under a normal(0,1) prior (the
same speed: only the first Dense layer grows with d).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent


def load_model(model_id: str, latent_dim: int, untrained: bool):
    """(generator, prior, source, generator file or None) of ``model_id``, or an untrained
    stand-in."""
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS, load_generator
    from gan_core.priors import NORMAL, model_prior

    if not untrained and (DEFAULT_CHECKPOINTS / model_id / "generator.keras").is_file():
        ckpt = load_generator(model_id)
        return ckpt.generator, model_prior(ckpt.config), model_id, ckpt.generator_file
    import keras

    from gan_core.models import build_generator

    keras.utils.set_random_seed(0)
    return build_generator(latent_dim), NORMAL, f"untrained {latent_dim}-D generator", None


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def row(images: int, seconds: float) -> dict:
    return {"images": images, "seconds": seconds, "images_per_s": images / seconds}


def slice_map(generator, classifier, prior, seed: int, n: int, k: int, engine=None) -> dict:
    """A new random slice's map: parsing the spec, then generating and classifying (with
    TensorFlow, or ``engine``, an OnnxMapEngine)."""
    from gan_core.latent import class_area_slice
    from gan_core.slices import parse_slice

    latent_dim = int(generator.inputs[0].shape[1])
    classify = None if engine is None else engine.probs
    seconds, cmap = timed(
        lambda: class_area_slice(
            generator, classifier, parse_slice(f"random:{seed}", latent_dim, prior, k), n,
            classify=classify,
        )
    )  # fmt: skip
    return row(int(cmap.classes.size), seconds)


def make_engine(generator, classifier, generator_file, folder: Path):
    """(export seconds, OnnxMapEngine) for the model; a stand-in is saved first."""
    from gan_core.browser_model import export_browser_model
    from gan_core.checkpoints import classifier_path, save_keras_model
    from gan_core.map_engine import OnnxMapEngine

    if generator_file is None:
        generator_file = folder / "generator.keras"
        save_keras_model(generator, generator_file)
    seconds, model = timed(
        lambda: export_browser_model(generator, classifier, generator_file, classifier_path(),
                                     folder / "browser-models")
    )  # fmt: skip
    return seconds, OnnxMapEngine(model.path, model.manifest)


def compare_paths(generator, classifier, prior, n: int) -> dict:
    """The same n x n points through the grid path and through one compiled function."""
    import numpy as np
    import tensorflow as tf

    from gan_core.latent import class_area_grid
    from gan_core.slices import parse_slice

    latent_dim = int(generator.inputs[0].shape[1])
    out = {}
    seconds, cmap = timed(
        lambda: class_area_grid(generator, classifier, n, fixed=(0.0,) * (latent_dim - 2))
    )
    out["grid path (class_area_grid)"] = row(int(cmap.classes.size), seconds)

    @tf.function(reduce_retracing=True)
    def probs(z):
        return classifier(generator(z, training=False), training=False)

    points = parse_slice("random:99", latent_dim, prior).grid(n)
    probs(tf.constant(points[:1024])).numpy()  # trace
    probs(tf.constant(points[: len(points) % 1024 or 1024])).numpy()  # the last chunk's shape

    def compiled():
        return np.concatenate(
            [probs(tf.constant(points[i : i + 1024])).numpy() for i in range(0, len(points), 1024)]
        )

    seconds, p = timed(compiled)
    out["compiled tf.function (generator + classifier)"] = row(len(p), seconds)
    return out


def main(argv=None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="gan-100d", help="checkpoint id (default gan-100d)")
    parser.add_argument("--latent-dim", type=int, default=100, help="of the untrained stand-in")
    parser.add_argument("--untrained", action="store_true", help="always use the stand-in")
    parser.add_argument("--coarse", type=int, default=24, help="coarse plane points per axis")
    parser.add_argument("--grid", type=int, default=100, help="full plane points per axis")
    parser.add_argument("--cube", type=int, default=16, help="cube points per axis")
    parser.add_argument("--compare", action="store_true", help="also the grid and compiled paths")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    from gan_core.checkpoints import load_classifier
    from gan_core.latent import class_area_slice
    from gan_core.slices import parse_slice

    generator, prior, source, generator_file = load_model(
        args.model, args.latent_dim, args.untrained
    )
    classifier = load_classifier()
    latent_dim = int(generator.inputs[0].shape[1])
    warm = parse_slice("random:0", latent_dim, prior)
    class_area_slice(generator, classifier, warm, 4)  # trace and warm up
    with tempfile.TemporaryDirectory() as tmp:
        export_s, engine = make_engine(generator, classifier, generator_file, Path(tmp))
        class_area_slice(generator, classifier, warm, 4, classify=engine.probs)  # warm up
        sizes = {f"coarse plane {args.coarse}^2": (1, args.coarse, 2),
                 f"full plane {args.grid}^2": (2, args.grid, 2),
                 f"cube {args.cube}^3": (3, args.cube, 3)}  # fmt: skip
        load_before = list(os.getloadavg())
        maps, on_engine = {}, {}
        for name, (seed, n, k) in sizes.items():  # the two engines in turn, map by map
            maps[name] = slice_map(generator, classifier, prior, seed, n, k)
            on_engine[name] = slice_map(generator, classifier, prior, seed, n, k, engine)
    results: dict = {
        "model": source,
        "latent_dim": latent_dim,
        "prior": prior.spec,
        "load_average": load_before,
        "load_average_after": list(os.getloadavg()),
        "engine_export_s": export_s,
        "maps": maps,
        "engine": on_engine,
    }
    if args.compare:
        results["maps"].update(compare_paths(generator, classifier, prior, args.grid))
    if args.json:
        print(json.dumps(results, indent=2))
        return results
    print(f"{source}, prior {prior.spec}, load average {load_before[0]:.1f} before, "
          f"{results['load_average_after'][0]:.1f} after; "
          f"graph export (once per model) {export_s:.1f} s")  # fmt: skip
    print("| map | images | TensorFlow s | images/s | ONNX Runtime s | images/s |")
    print("| --- | --- | --- | --- | --- | --- |")
    for name, r in results["maps"].items():
        e = on_engine.get(name)
        tail = f" {e['seconds']:.2f} | {e['images_per_s']:,.0f} |" if e else " | |"
        print(f"| {name} | {r['images']:,} | {r['seconds']:.2f} | {r['images_per_s']:,.0f} |"
              + tail)  # fmt: skip
    return results


if __name__ == "__main__":
    main()
