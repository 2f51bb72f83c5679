"""Speed of the latent engine on this machine: single-point probes and map throughput.

Usage: python benchmarks/latent_engine.py [--calls 200] [--grid 100] [--cube 16] [--json]

Measures
- single-point latency (image + every shown layer's output) of the compiled
  :class:`GeneratorProbe` against a naive ``model.predict`` per call, p50/p95;
- map throughput (generated + classified images per second) of the 2D grid, the 3D cube,
  one 4D cube (w fixed) and one CGAN cube (one label);
- a reference: a plain chain of dense matmuls with about the FLOPs of one generated and
  classified image, to see how close the convolutions get to the CPU's matmul speed.

Uses the bundled checkpoint of each model where ``checkpoints/<id>/generator.keras``
exists, else a fresh untrained generator of the same architecture (same speed).
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
MODELS = (("gan-2d", 2, False), ("gan-3d", 3, False), ("gan-4d", 4, False), ("cgan-3d", 3, True))


def load_models():
    """{model id: (generator, source)} and the digit classifier."""
    from gan_core.checkpoints import DEFAULT_CHECKPOINTS, load_classifier, load_generator
    from gan_core.models import build_gan_pair

    out = {}
    for model_id, dim, cond in MODELS:
        if (DEFAULT_CHECKPOINTS / model_id / "generator.keras").is_file():
            out[model_id] = (load_generator(model_id).generator, "bundled")
        else:
            out[model_id] = (build_gan_pair(dim, cond)[0], "untrained")
    return out, load_classifier()


def layer_flops(model) -> int:
    """Multiply-adds x 2 of a model's Dense / Conv2D / Conv2DTranspose layers, per image."""
    import keras

    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Dense):
            total += 2 * int(layer.kernel.shape[0]) * int(layer.kernel.shape[1])
        elif isinstance(layer, keras.layers.Conv2DTranspose):
            _, h, w, cin = layer.input.shape
            kh, kw, cout, _ = layer.kernel.shape
            total += 2 * h * w * cin * cout * kh * kw  # every input pixel scatters a kernel
        elif isinstance(layer, keras.layers.Conv2D):
            _, h, w, cout = layer.output.shape
            kh, kw, cin, _ = layer.kernel.shape
            total += 2 * h * w * cout * cin * kh * kw
    return int(total)


def percentiles(seconds: list[float]) -> dict:
    ms = np.asarray(seconds) * 1e3
    return {"p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95))}


def single_point_latency(generator, calls: int) -> dict:
    """Compiled probe vs model.predict of the same multi-output model, one point per call."""
    from gan_core.activations import GeneratorProbe

    probe = GeneratorProbe(generator)
    rng = np.random.default_rng(0)
    points = rng.uniform(-1, 1, (calls, probe.latent_dim)).astype(np.float32)
    for z in points[:5]:
        probe.probe(z)
    compiled = []
    for z in points:
        start = time.perf_counter()
        probe.probe(z)
        compiled.append(time.perf_counter() - start)
    naive_calls = max(10, calls // 4)
    for z in points[:3]:
        probe._multi.predict(z[None], verbose=0)
    naive = []
    for z in points[:naive_calls]:
        start = time.perf_counter()
        [np.asarray(o) for o in probe._multi.predict(z[None], verbose=0)]
        naive.append(time.perf_counter() - start)
    return {"compiled": percentiles(compiled), "predict": percentiles(naive)}


def map_throughput(generator, classifier, kind: str, n: int) -> dict:
    """Images/s of one class map (generate + classify), after a small warm-up map."""
    from gan_core.latent import class_area_cube, class_area_grid

    cond = len(generator.inputs) > 1
    dim = int(generator.inputs[0].shape[1])
    label = 3 if cond else None
    if kind == "2d":
        fn, fixed = class_area_grid, (0.0,) * (dim - 2)
    else:
        fn, fixed = class_area_cube, (0.0,) * (dim - 3)
    fn(generator, classifier, n=4, fixed=fixed, label=label)  # trace + warm up
    start = time.perf_counter()
    cmap = fn(generator, classifier, n=n, fixed=fixed, label=label)
    seconds = time.perf_counter() - start
    images = int(cmap.classes.size)
    return {"images": images, "seconds": seconds, "images_per_s": images / seconds}


def matmul_reference(flops_per_row: int, rows: int = 1024, width: int = 4096) -> dict:
    """Rows/s and GFLOP/s of a chain of (rows x width) @ (width x width) matmuls."""
    import tensorflow as tf

    depth = max(1, round(flops_per_row / (2 * width * width)))
    rng = np.random.default_rng(0)
    weights = [
        tf.constant(rng.standard_normal((width, width), np.float32) / 64) for _ in range(depth)
    ]
    x = tf.constant(rng.standard_normal((rows, width), np.float32))

    @tf.function
    def chain(x):
        for w in weights:
            x = tf.matmul(x, w)
        return x

    chain(x).numpy()
    reps = 3
    start = time.perf_counter()
    for _ in range(reps):
        chain(x).numpy()
    seconds = (time.perf_counter() - start) / reps
    flops = 2 * width * width * depth
    return {
        "depth": depth,
        "width": width,
        "flops_per_row": flops,
        "rows_per_s": rows / seconds,
        "gflops": rows * flops / seconds / 1e9,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200, help="single-point calls to time")
    parser.add_argument("--grid", type=int, default=100, help="2D map points per axis")
    parser.add_argument("--cube", type=int, default=16, help="cube points per axis")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    import tensorflow as tf

    models, classifier = load_models()
    results: dict = {
        "cpu_threads": os.cpu_count(),
        "tf_threads": [
            tf.config.threading.get_intra_op_parallelism_threads(),
            tf.config.threading.get_inter_op_parallelism_threads(),
        ],
        "sources": {k: v[1] for k, v in models.items()},
    }
    g2 = models["gan-2d"][0]
    results["flops"] = {"generator": layer_flops(g2), "classifier": layer_flops(classifier)}
    results["latency"] = single_point_latency(g2, args.calls)
    results["maps"] = {
        "2D grid": map_throughput(g2, classifier, "2d", args.grid),
        "3D cube": map_throughput(models["gan-3d"][0], classifier, "cube", args.cube),
        "4D cube": map_throughput(models["gan-4d"][0], classifier, "cube", args.cube),
        "CGAN cube": map_throughput(models["cgan-3d"][0], classifier, "cube", args.cube),
    }
    per_image = results["flops"]["generator"] + results["flops"]["classifier"]
    ref = matmul_reference(per_image)
    results["matmul"] = ref
    best = max(m["images_per_s"] for m in results["maps"].values())
    results["map_gflops"] = best * per_image / 1e9
    results["ratio_to_matmul"] = results["map_gflops"] / ref["gflops"]

    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    lat = results["latency"]
    print(f"models: {results['sources']}")
    print(
        f"FLOPs per image: generator {results['flops']['generator'] / 1e6:.1f} M, "
        f"classifier {results['flops']['classifier'] / 1e6:.1f} M"
    )
    print("| measurement | value |")
    print("| --- | --- |")
    print(
        f"| single point, compiled probe (image + 4 layers) | p50 {lat['compiled']['p50_ms']:.2f} ms, "
        f"p95 {lat['compiled']['p95_ms']:.2f} ms |"
    )
    print(
        f"| single point, `model.predict` per call | p50 {lat['predict']['p50_ms']:.2f} ms, "
        f"p95 {lat['predict']['p95_ms']:.2f} ms |"
    )
    for name, m in results["maps"].items():
        gflops = m["images_per_s"] * per_image / 1e9
        print(
            f"| {name} ({m['images']:,} images, generate + classify) | {m['seconds']:.2f} s, "
            f"{m['images_per_s']:,.0f} images/s, {gflops:.1f} GFLOP/s "
            f"({100 * gflops / ref['gflops']:.0f}% of the matmul rate) |"
        )
    print(
        f"| dense matmul chain ({ref['depth']} x {ref['width']}², "
        f"{ref['flops_per_row'] / 1e6:.0f} MFLOP per row) | {ref['rows_per_s']:,.0f} rows/s, "
        f"{ref['gflops']:.1f} GFLOP/s |"
    )
    print(
        f"| best map vs matmul | {results['map_gflops']:.1f} GFLOP/s = "
        f"{100 * results['ratio_to_matmul']:.0f}% of the matmul rate |"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
