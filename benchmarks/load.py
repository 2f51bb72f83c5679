"""Load test: N users replaying what a browser sends to /explore, against gunicorn.

Starts gunicorn itself (127.0.0.1, a free port) on copies of the bundled models (a temp
folder with a fresh map cache; ``--checkpoints DIR`` uses others), records one visit per
model in headless Chromium (benchmarks/traffic.py: the page load with its scripts, Dash
callbacks, the in-page generator's graph and runtime and a 3D model's class cubes, then a
slider dragged and let go), and has each user replay it for a fixed time: a page load, then
releases of the slider at new points (a random walk in the sliders' range), then the page
again (with the browser's cache) and so on. Prints requests, errors (the first few texts),
throughput and latency percentiles per kind of request. An error is a status other than
2xx (or 304 to a revalidation), or a Dash callback response that writes a message into
one of the page's error boxes.

    .venv/bin/python benchmarks/load.py --users 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(1, str(REPO))
import traffic  # noqa: E402

from gan_explorer.harness import free_port  # noqa: E402

BUNDLED = REPO / "checkpoints"


def training_running() -> bool:
    """Whether a `gan-explorer train` process shares the machine (and is not stopped)."""
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            args = (proc / "cmdline").read_bytes().split(b"\0")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        named = any(a.endswith((b"gan-explorer", b"gan_explorer.cli")) for a in args)
        if named and b"train" in args and state != "T":
            return True
    return False


def copy_models(folder: Path, models: list[str]) -> Path:
    """The bundled ``models`` and the digit classifier, without their training state."""
    folder.mkdir(parents=True)
    for name in [*models, "classifier"]:
        src = BUNDLED / name
        if not src.is_dir():
            raise SystemExit(f"no bundled model {name!r} in {BUNDLED} (use --checkpoints)")
        shutil.copytree(src, folder / name,
                        ignore=shutil.ignore_patterns("train_state*", "history"))  # fmt: skip
    return folder


def start_gunicorn(root: Path, tmp: Path, workers: int):
    port = free_port()
    env = dict(os.environ, GAN_EXPLORER_CHECKPOINTS=str(root), GAN_EXPLORER_CACHE=str(tmp / "cache"),
               GAN_EXPLORER_GRID_2D="24", GAN_EXPLORER_CUBE_N="8", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(REPO))  # fmt: skip
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([str(gunicorn), "--workers", str(workers), "--timeout", "120",
                             "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    return proc, log, f"http://127.0.0.1:{port}"


def wait_ready(base: str, proc, log_path: Path, timeout: float = 180) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        try:
            if requests.get(base + "/", timeout=5).status_code == 200:
                return True
        except requests.RequestException:
            pass
        time.sleep(1)
    print(log_path.read_text(errors="replace")[-2000:])
    return False


def warm_up(base: str, recordings: list, workers: int) -> list[str]:
    """Each recording's visit and a few releases, enough times to reach every worker."""
    results = traffic.Results()
    for rec in recordings:
        for k in range(2 * workers):
            user = traffic.User(base, rec, results, seed=10_000 + k)
            user.visit(math.inf)
            for _ in range(3):
                user.let_go(math.inf)
    return results.texts


def markdown(results: traffic.Results, elapsed: float) -> str:
    rows = ["| request | requests | req/s | p50 | p95 | p99 | errors |",
            "| --- | --- | --- | --- | --- | --- | --- |"]  # fmt: skip
    everything = []
    for kind in sorted(results.latencies, key=lambda k: -len(results.latencies[k])):
        lat = results.latencies[kind]
        everything += lat
        p50, p95, p99 = (1000 * v for v in traffic.percentiles(lat))
        rows.append(f"| {kind} | {len(lat):,} | {len(lat) / elapsed:.1f} | {p50:.0f} ms | "
                    f"{p95:.0f} ms | {p99:.0f} ms | {results.errors.get(kind, 0)} |")  # fmt: skip
    p50, p95, p99 = (1000 * v for v in traffic.percentiles(everything))
    rows.append(f"| all | {len(everything):,} | {len(everything) / elapsed:.1f} | {p50:.0f} ms | "
                f"{p95:.0f} ms | {p99:.0f} ms | {results.total_errors} |")  # fmt: skip
    return "\n".join(rows)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument(
        "--models",
        default="gan-2d,gan-3d",
        help="models whose /explore visit is recorded (users take turns)",
    )
    ap.add_argument(
        "--checkpoints",
        default=None,
        help="a checkpoints folder (default: copies of the bundled models)",
    )
    ap.add_argument(
        "--releases-per-visit",
        type=int,
        default=20,
        help="slider releases a user sends before loading the page again",
    )
    ap.add_argument("--save-recording", default=None, help="write the recorded traffic as JSON")
    args = ap.parse_args(argv)
    models = [m.strip() for m in args.models.split(",") if m.strip()]

    tmp = Path(tempfile.mkdtemp(prefix="gx-load-"))
    root = Path(args.checkpoints) if args.checkpoints else copy_models(tmp / "checkpoints", models)
    proc, log, base = start_gunicorn(root, tmp, args.workers)
    try:
        if not wait_ready(base, proc, tmp / "gunicorn.log"):
            return 2
        t0 = time.perf_counter()
        recordings = [traffic.record(base, model) for model in models]
        print(f"recorded {len(recordings)} visits in {time.perf_counter() - t0:.0f} s:")
        for rec in recordings:
            print(f"  {rec.model}: {len(rec.load)} requests to load, {len(rec.release)} on "
                  f"release ({', '.join(r.kind for r in rec.release)}); point {rec.point}")  # fmt: skip
        if args.save_recording:
            Path(args.save_recording).write_text(
                json.dumps([r.to_json() for r in recordings], indent=1)
            )
        warm_errors = warm_up(base, recordings, args.workers)
        if warm_errors:
            print("errors while warming up:", *warm_errors, sep="\n  ")
        shared = training_running()
        results, elapsed = traffic.replay(base, recordings, args.users, args.seconds,
                                          releases_per_visit=args.releases_per_visit)  # fmt: skip
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
    print(f"{args.users} users, {args.seconds:.0f} s, gunicorn --workers {args.workers}, "
          f"models {', '.join(models)}, {os.cpu_count()} CPUs, training job running: {shared}")  # fmt: skip
    print(traffic.report(results, elapsed))
    print()
    print(markdown(results, elapsed))
    shutil.rmtree(tmp, ignore_errors=True)
    return 0 if results.total_errors == 0 and results.total else 1


if __name__ == "__main__":
    sys.exit(main())
