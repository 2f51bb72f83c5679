"""Load test: N users dragging explore sliders against gunicorn for a fixed time.

Starts gunicorn itself (127.0.0.1, a free port) on small checkpoints with the study's
architecture (built in a temp folder; ``--checkpoints DIR`` uses others), reads the real
callback list from /_dash-dependencies and has each user post the explore drag callback
(what the browser sends while a slider moves: the Patch path) with a random walk of slider
values. Prints requests/s, latency percentiles and errors (any non-200 or body without the
image patch).

    .venv/bin/python benchmarks/load.py --users 20 --seconds 60
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import requests

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
UPDATE = "/_dash-update-component"
SLIDERS = '{"index":["ALL"],"type":"explore-slider"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def training_running() -> bool:
    """Whether a `gan-explorer train` process shares the machine."""
    for cmd in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmd.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(a.endswith(b"gan-explorer") for a in args) and b"train" in args:
            return True
    return False


def build_checkpoints(folder: Path) -> Path:
    from tests.conftest import copy_classifier, make_checkpoint

    make_checkpoint(folder, "gan-2d", 2, False, seed=0)
    copy_classifier(folder)
    return folder


def drag_body(deps: list[dict], model: str, values: list[float]) -> dict:
    """The explore drag request as the browser sends it once the map is drawn."""
    dep = next(d for d in deps if d["output"].startswith("..explore-image.figure"))
    outputs = []
    for name in dep["output"][2:-2].split("..."):
        id_str, prop = name.rsplit(".", 1)
        outputs.append({"id": id_str, "property": prop})
    pattern = json.loads(SLIDERS)
    sliders = [{"id": {**pattern, "index": i}, "property": "value", "value": v}
               for i, v in enumerate(values)]  # fmt: skip
    by_key = {
        "explore-label.value": 0,
        "explore-ready.data": model,
        "explore-model.value": model,
        "explore-w-index.data": None,
        "explore-map-label.value": 0,
        "explore-drawn.data": model,
    }

    def entry(spec):
        if spec["id"] == SLIDERS:
            return sliders
        key = f"{spec['id']}.{spec['property']}"
        return {"id": spec["id"], "property": spec["property"], "value": by_key.get(key)}

    changed = json.dumps({**pattern, "index": 0}, separators=(",", ":"), sort_keys=True)
    return {
        "output": dep["output"],
        "outputs": outputs,
        "inputs": [entry(s) for s in dep["inputs"]],
        "state": [entry(s) for s in dep["state"]],
        "changedPropIds": [changed + ".value"],
    }


def user(base, deps, model, dims, stop_at, latencies, errors, seed):
    rng = random.Random(seed)
    values = [round(rng.uniform(-0.9, 0.9), 2) for _ in range(dims)]
    with requests.Session() as s:
        while time.perf_counter() < stop_at:
            k = rng.randrange(dims)
            values[k] = round(min(1.0, max(-1.0, values[k] + rng.choice([-0.03, 0.03]))), 2)
            body = json.dumps(drag_body(deps, model, values))
            t0 = time.perf_counter()
            try:
                r = s.post(base + UPDATE, data=body, timeout=60,
                           headers={"Content-Type": "application/json"})  # fmt: skip
                ok = r.status_code == 200 and "explore-image" in r.json().get("response", {})
            except (requests.RequestException, ValueError):
                ok = False
            latencies.append(time.perf_counter() - t0)
            if not ok:
                errors.append(1)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    ap.add_argument("--checkpoints", default=None, help="default: small models in a temp folder")
    ap.add_argument("--model", default="gan-2d")
    args = ap.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="gx-load-"))
    root = Path(args.checkpoints) if args.checkpoints else build_checkpoints(tmp / "checkpoints")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, GAN_EXPLORER_CHECKPOINTS=str(root), GAN_EXPLORER_CACHE=str(tmp / "cache"),
               GAN_EXPLORER_GRID_2D="24", GAN_EXPLORER_CUBE_N="8", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=str(REPO))  # fmt: skip
    env.pop("REDIS_URL", None)
    gunicorn = Path(sys.executable).parent / "gunicorn"
    log = open(tmp / "gunicorn.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen([str(gunicorn), "--workers", str(args.workers), "--timeout", "120",
                             "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"],
                            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)  # fmt: skip
    try:
        deadline = time.time() + 180
        while True:
            try:
                if requests.get(base + "/", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.time() > deadline or proc.poll() is not None:
                print((tmp / "gunicorn.log").read_text()[-2000:])
                return 2
            time.sleep(1)
        deps = requests.get(base + "/_dash-dependencies", timeout=30).json()
        dims = 2 if "2d" in args.model else (4 if "4d" in args.model else 3)
        # warm every worker (model load, compiled probe) before timing
        for _ in range(8 * args.workers):
            r = requests.post(base + UPDATE, data=json.dumps(drag_body(deps, args.model, [0.1] * dims)),
                              headers={"Content-Type": "application/json"}, timeout=120)  # fmt: skip
            r.raise_for_status()
        latencies: list[float] = []
        errors: list[int] = []
        shared = training_running()
        start = time.perf_counter()
        stop_at = start + args.seconds
        threads = [threading.Thread(target=user, args=(base, deps, args.model, dims, stop_at,
                                                       latencies, errors, i)) for i in range(args.users)]  # fmt: skip
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
        log.close()
    lat = np.asarray(latencies) * 1000
    rps = len(lat) / elapsed
    p50, p95, p99 = np.percentile(lat, [50, 95, 99])
    print(f"{args.users} users, {args.seconds:.0f} s, gunicorn --workers {args.workers}, "
          f"model {args.model}, {os.cpu_count()} CPUs, training job running: {shared}")  # fmt: skip
    print(f"requests {len(lat)}  req/s {rps:.1f}  p50 {p50:.0f} ms  p95 {p95:.0f} ms  "
          f"p99 {p99:.0f} ms  max {lat.max():.0f} ms  errors {len(errors)}")  # fmt: skip
    print(f"| {args.users} | {args.workers} | {len(lat)} | {rps:.1f} | {p50:.0f} ms | {p95:.0f} ms | "
          f"{p99:.0f} ms | {len(errors)} | {'yes' if shared else 'no'} |")  # fmt: skip
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
