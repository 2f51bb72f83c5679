"""Drag the explorer's x slider in headless Chromium: input-to-new-image time and bytes.

Usage: python benchmarks/browser_drag.py [--model gan-2d] [--steps 60] [--checkpoints DIR]
       [--json]

The dashboard runs in this process (werkzeug, threaded) on one model (``--model``: gan-2d,
gan-3d, gan-4d or any model folder); Chromium opens /explore?model=<id>, holds the x
slider's thumb and moves it step by step. For each step:

- latency: from the browser's own ``pointermove`` event (``performance.now()``) to the
  ``plotly_afterplot`` of the generated-image graph whose pixels changed (what a person
  sees), measured inside the page, so Selenium's round trips are not counted;
- map latency: from the same ``pointermove`` to the first ``plotly_afterplot`` after it of
  the graph holding the point marker: the 2D class map (marker in ``layout.shapes``) or,
  for 3D/4D models, the class cube (marker in trace 0 of a Plotly 3D scene);
- bytes: the ``_dash-update-component`` requests the step caused, from Chrome's
  performance log (CDP ``Network.*`` events): request body size and the response's
  encoded (on-the-wire) size.

Without ``--checkpoints`` the benchmark serves a private copy of the bundled model (or,
for a ``gan-<n>d`` id with no bundled generator, an untrained generator of the same
architecture) with the bundled digit classifier, and a fresh map cache.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from gan_explorer.harness import chromium_paths, free_port, headless_chromium  # noqa: E402

# Installed in the page: stamps every pointer move, every redraw of the image graph with
# new pixel data (a new z array: each update sends one, even if the pixels repeat), and
# every redraw of the graph holding the point marker (arguments[0]: the map or the cube).
# Dash applies one callback's outputs in one task and Plotly emits ``plotly_afterplot``
# for all of them together afterwards, so each graph's own cost is timed separately: the
# synchronous part of every ``Plotly.react`` call (graph id, start, duration).
HOOK_JS = """
window.__bench = {inputs: [], renders: [], maps: [], draws: []};
const react = Plotly.react;
Plotly.react = function (gd, ...rest) {
  const el = gd && gd.closest ? gd.closest('[id]') : null, t0 = performance.now();
  const out = react.call(this, gd, ...rest);
  window.__bench.draws.push([el ? el.id : '?', t0, performance.now() - t0]);
  return out;
};
document.addEventListener('pointermove', () => window.__bench.inputs.push(performance.now()), true);
const gd = document.querySelector('#explore-image .js-plotly-plot');
let last = gd.data[0].z;
gd.on('plotly_afterplot', () => {
  if (gd.data[0].z !== last) { last = gd.data[0].z; window.__bench.renders.push(performance.now()); }
});
const md = document.querySelector('#' + arguments[0] + ' .js-plotly-plot');
md.on('plotly_afterplot', () => window.__bench.maps.push(performance.now()));
return true;
"""


def percentile(values, q):
    import numpy as np

    return float(np.percentile(np.asarray(values, float), q)) if values else float("nan")


def model_root(model_id: str = "gan-2d") -> tuple[Path, str]:
    """A private checkpoints folder with ``model_id``'s generator and the bundled classifier.

    The generator is a copy of the bundled one when there is one (copied, so a training
    run replacing the file meanwhile is never read half-written), else, for a ``gan-<n>d``
    id, a fresh untrained generator of the same architecture (same speed, but a nearly
    flat grey image).
    """
    import re

    import keras

    from gan_core.checkpoints import (
        DEFAULT_CHECKPOINTS,
        ModelConfig,
        atomic_write_json,
        save_keras_model,
    )
    from gan_core.models import build_generator

    bundled = DEFAULT_CHECKPOINTS / model_id
    has_bundled = (bundled / "generator.keras").is_file() and (bundled / "config.json").is_file()
    untrained = re.fullmatch(r"gan-([1-9][0-9]*)d", model_id)
    if not (has_bundled or untrained):
        raise SystemExit(f"no model {model_id!r} in {DEFAULT_CHECKPOINTS}")
    root = Path(tempfile.mkdtemp(prefix="bench-ckpt-"))
    (root / model_id).mkdir()
    shutil.copytree(DEFAULT_CHECKPOINTS / "classifier", root / "classifier")
    if has_bundled:
        shutil.copy2(bundled / "config.json", root / model_id / "config.json")
        shutil.copy2(bundled / "generator.keras", root / model_id / "generator.keras")
        epochs = json.loads((bundled / "config.json").read_text()).get("epochs_trained", "?")
        return root, f"bundled {model_id} ({epochs} epochs)"
    latent_dim = int(untrained.group(1))
    keras.utils.set_random_seed(0)
    save_keras_model(build_generator(latent_dim), root / model_id / "generator.keras")
    atomic_write_json(
        root / model_id / "config.json",
        ModelConfig(latent_dim=latent_dim, data_source="untrained benchmark model").to_json(),
    )
    return root, f"untrained {model_id}"


def serve(checkpoints: Path, cache_dir: Path, grid: int) -> tuple[str, object]:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.ERROR)

    from dashboard.app import create_app

    app = create_app(checkpoints, cache_dir=cache_dir, grid_2d=grid)
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def start_browser():
    if not all(chromium_paths()):
        raise SystemExit(
            "chromium and chromedriver are needed (apt-get install chromium chromium-driver)"
        )
    profile = tempfile.mkdtemp(prefix="bench-chrome-")
    return headless_chromium(1280, 800, profile=profile, browser_log=True, performance_log=True)


def wait(predicate, timeout: float, what: str):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except Exception:  # noqa: BLE001 - the page may still be rendering
            pass
        time.sleep(0.05)
    raise TimeoutError(f"timed out waiting for {what}")


def update_traffic(drv) -> list[dict]:
    """Sizes of the Dash update requests in the performance log since the last call."""
    requests: dict[str, dict] = {}
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        method, params = msg.get("method"), msg.get("params", {})
        if method == "Network.requestWillBeSent":
            req = params["request"]
            if "_dash-update-component" in req["url"]:
                body = req.get("postData") or ""
                try:
                    output = json.loads(body).get("output", "?")
                except ValueError:
                    output = "?"
                requests[params["requestId"]] = {"request": len(body.encode()), "response": None,
                                                 "output": output[:80]}  # fmt: skip
        elif method == "Network.responseReceived" and params.get("requestId") in requests:
            timing = params["response"].get("timing") or {}
            if "receiveHeadersEnd" in timing and "sendStart" in timing:
                # From the request's first byte sent to the response headers: the server's time.
                server_ms = timing["receiveHeadersEnd"] - timing["sendStart"]
                requests[params["requestId"]]["server_ms"] = server_ms
        elif method == "Network.loadingFinished" and params.get("requestId") in requests:
            requests[params["requestId"]]["response"] = int(params["encodedDataLength"])
    return [r for r in requests.values() if r["response"] is not None]


def press_thumb(drv, index: int = 0):
    """Press a latent slider's thumb (x by default) and move it to the left end (so every
    step then moves the point to a new value); returns (mouse(kind, x), x). CDP input events
    are trusted and keep the slider's pointer capture, which WebDriver actions lose after
    the press in headless Chromium."""
    from selenium.webdriver.common.by import By

    thumb = drv.find_element(
        By.CSS_SELECTOR, f"[id*='\"index\":{index}'][id*='explore-slider'] [role=slider]"
    )
    box = drv.execute_script(
        "const t = arguments[0].getBoundingClientRect();"
        "const r = arguments[0].closest('.dash-slider-root').getBoundingClientRect();"
        "return [t.x + t.width / 2, t.y + t.height / 2, r.x];",
        thumb,
    )
    x, y, left = int(box[0]), int(box[1]), int(box[2])

    def mouse(kind: str, at: int) -> None:
        drv.execute_cdp_cmd(
            "Input.dispatchMouseEvent",
            {"type": kind, "x": at, "y": y, "button": "left",
             "buttons": 0 if kind == "mouseReleased" else 1,
             "clickCount": 0 if kind == "mouseMoved" else 1},
        )  # fmt: skip

    mouse("mouseMoved", x)
    mouse("mousePressed", x)
    mouse("mouseMoved", left + 2)
    return mouse, left + 2


def move_and_wait(drv, mouse, x: int, counter: str, timeout: float) -> bool:
    """Move the held thumb to ``x``; whether ``window.__bench[counter]`` grew (a new image)."""
    js = f"return window.__bench.{counter}.length"
    before = drv.execute_script(js)
    mouse("mouseMoved", x)
    try:
        wait(lambda: drv.execute_script(js) > before, timeout, "a new image")
    except TimeoutError:
        return False
    return True


def run(
    steps: int, step_px: int, checkpoints: Path | None, grid: int, model_id: str = "gan-2d",
    served: tuple | None = None,
) -> dict:  # fmt: skip
    from urllib.parse import quote

    if checkpoints:
        if not (checkpoints / model_id).is_dir():
            raise SystemExit(f"no model {model_id!r} in {checkpoints}")
        root, model = checkpoints, f"{model_id} of {checkpoints}"
    else:
        root, model = model_root(model_id)
    url, server = served or serve(root, Path(tempfile.mkdtemp(prefix="bench-cache-")), grid)

    from dashboard import registry
    from dashboard.components.latent_view import explore_view_kind

    kind = explore_view_kind(registry.get(model_id).latent_dim)
    map_graph = "explore-map"  # the latent view's map or cube
    drv = start_browser()
    try:
        drv.get(f"{url}/explore?model={quote(model_id)}&live=0")  # the server path
        graph = "return (document.querySelector('#%s .js-plotly-plot')||{}).data"
        wait(lambda: drv.execute_script(graph % "explore-image"), 180, "the image")
        if kind == "map":
            marker = "return ((document.querySelector('#explore-map .js-plotly-plot') || {}).layout || {}).shapes"
            wait(
                lambda: drv.execute_script(graph % "explore-map") and drv.execute_script(marker),
                300,
                "the map",
            )
        else:
            # The cube is drawn: the marker (trace 0) and the class point clouds, in a scene.
            cube = (
                "const gd = document.querySelector('#explore-map .js-plotly-plot');"
                "return !!(gd && gd.data && gd.data.length > 1 && gd._fullLayout"
                " && gd._fullLayout.scene && gd._fullLayout.scene._scene);"
            )
            wait(lambda: drv.execute_script(cube), 300, "the cube")
        time.sleep(1.0)
        drv.execute_script(HOOK_JS, map_graph)
        update_traffic(drv)  # drop the page-load traffic
        latencies, map_latencies, traffic, unchanged, phases = [], [], [], 0, []
        no_map, draws = 0, {}
        mouse, x = press_thumb(drv)
        wait(lambda: drv.execute_script("return window.__bench.renders.length") > 0, 30, "reset")
        time.sleep(0.5)
        update_traffic(drv)
        for _ in range(steps):
            x += step_px
            if not move_and_wait(drv, mouse, x, "renders", 10):
                unchanged += 1  # the move did not change the slider's value
                continue
            bench = drv.execute_script("return window.__bench")
            t_render = bench["renders"][-1]
            t_input = max(t for t in bench["inputs"] if t <= t_render)
            latencies.append(t_render - t_input)
            # The map (or cube) redraw of the same step: may land before or after the image.
            try:
                maps = wait(
                    lambda t=t_input: [
                        m for m in drv.execute_script("return window.__bench.maps") if m >= t
                    ],
                    10,
                    "the map redraw",
                )
                map_latencies.append(maps[0] - t_input)
                t_end = max(t_render, maps[0])
            except TimeoutError:
                no_map += 1
                t_end = t_render
            step_draws: dict[str, float] = {}
            for graph_id, t0, dt in drv.execute_script("return window.__bench.draws"):
                if t_input <= t0 <= t_end:
                    step_draws[graph_id] = step_draws.get(graph_id, 0.0) + dt
            for graph_id, dt in step_draws.items():
                draws.setdefault(graph_id, []).append(dt)
            # The same step split by the page's resource timing: input -> request sent,
            # request -> response received, response -> image drawn.
            entries = drv.execute_script(
                "const e = performance.getEntriesByType('resource')"
                ".filter(r => r.name.includes('_dash-update-component'))"
                ".map(r => [r.startTime, r.responseEnd]);"
                "performance.clearResourceTimings(); return e;"
            )
            hits = [e for e in entries if t_input <= e[0] and e[1] <= t_render]
            if hits:
                start, end = hits[-1]
                phases.append((start - t_input, end - start, t_render - end))
            time.sleep(0.05)  # let the responses' loadingFinished events land
            traffic.extend(update_traffic(drv))
        mouse("mouseReleased", x)
        severe = [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        drv.quit()
        if served is None:
            server.shutdown()
    resp = [t["response"] for t in traffic]
    server_ms = [t["server_ms"] for t in traffic if "server_ms" in t]
    req = [t["request"] for t in traffic]
    return {
        "steps": steps,
        "updates": len(traffic),
        "moves_without_new_image": unchanged,
        "moves_without_map_redraw": no_map,
        "model": model,
        "model_id": model_id,
        "map_graph": map_graph,
        "kind": kind,
        "latency_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                       "min": min(latencies), "max": max(latencies)},
        "map_latency_ms": {"p50": percentile(map_latencies, 50),
                           "p95": percentile(map_latencies, 95),
                           "min": min(map_latencies, default=float("nan")),
                           "max": max(map_latencies, default=float("nan"))},
        "draw_ms": {graph_id: {"p50": percentile(v, 50), "p95": percentile(v, 95), "steps": len(v)}
                    for graph_id, v in sorted(draws.items())},
        "phases_ms_p50": {
            name: percentile([ph[i] for ph in phases], 50)
            for i, name in enumerate(("input_to_request", "request_to_response", "response_to_image"))
        },
        "server_ms": {"p50": percentile(server_ms, 50), "p95": percentile(server_ms, 95)},
        "response_bytes": {"p50": percentile(resp, 50), "p95": percentile(resp, 95)},
        "request_bytes": {"p50": percentile(req, 50), "p95": percentile(req, 95)},
        "console_errors": severe,
    }  # fmt: skip


# The page path: stamps every pointer move and the end of every in-page draw (after the
# canvases are written, on the next animation frame: when the browser paints them).
PAGE_HOOK_JS = """
const live = window.ganLive.pages.explore;
window.__bench = {inputs: [], draws: [], reacts: []};
const react = Plotly.react;
Plotly.react = function (gd, ...rest) {  // the page's cube swaps (a 4D model's w)
  const el = gd && gd.closest ? gd.closest('[id]') : null, t0 = performance.now();
  const out = react.call(this, gd, ...rest);
  window.__bench.reacts.push([el ? el.id : '?', performance.now() - t0]);
  return out;
};
document.addEventListener('pointermove', () => window.__bench.inputs.push(performance.now()), true);
const draw = live.draw.bind(live);
live.draw = function (values, out, marker) {
  draw(values, out, marker);
  requestAnimationFrame(() => window.__bench.draws.push(performance.now()));
};
return true;
"""


def first_load(url: str, model_id: str) -> dict:
    """A cold browser (new profile, empty cache) opens the explorer: time until the page
    draws with its own generator, and the bytes it downloaded (on the wire)."""
    from urllib.parse import quote

    drv = start_browser()
    try:
        t0 = time.time()
        drv.get(f"{url}/explore?model={quote(model_id)}")
        wait(lambda: drv.execute_script(
            "return document.getElementById('explore-root').classList.contains('live-on')"),
            300, "the page to draw in the page")  # fmt: skip
        seconds = time.time() - t0
        entries = drv.execute_script(
            "return performance.getEntriesByType('resource').map(r => [r.name, r.transferSize,"
            " r.decodedBodySize]).concat(performance.getEntriesByType('navigation')"
            ".map(r => [r.name, r.transferSize, r.decodedBodySize]));"
        )
    finally:
        drv.quit()
    big = sorted(entries, key=lambda e: -e[1])[:4]
    return {"seconds_to_live": round(seconds, 2),
            "bytes_on_wire": int(sum(e[1] for e in entries)),
            "bytes_decoded": int(sum(e[2] for e in entries)),
            "largest": [{"url": e[0].split("?")[0].replace(url, ""), "wire": e[1], "decoded": e[2]}
                        for e in big]}  # fmt: skip


def run_page(
    steps: int, step_px: int, checkpoints: Path | None, grid: int, model_id: str,
    served: tuple | None = None, slider: int = 0,
) -> dict:  # fmt: skip
    """The same drag with the generator in the page (the default): pointer -> canvas painted,
    and the Dash requests the drag causes (none per step); on a 4D model's w (``slider``
    3) also the cube swaps the page makes (one Plotly.react of the cube each)."""
    from urllib.parse import quote

    root = checkpoints if checkpoints else model_root(model_id)[0]
    url, server = served or serve(root, Path(tempfile.mkdtemp(prefix="bench-cache-")), grid)
    load = first_load(url, model_id)
    drv = start_browser()
    latencies, unchanged = [], 0
    try:
        drv.get(f"{url}/explore?model={quote(model_id)}")
        wait(lambda: drv.execute_script(
            "return document.getElementById('explore-root').classList.contains('live-on')"),
            300, "the page to draw in the page")  # fmt: skip
        # the map first (computing it would share the cores with the page)
        wait(lambda: drv.execute_script(
            "const gd = document.querySelector('#explore-map .js-plotly-plot');"
            "return !!(gd && gd.data && gd.data.length);"), 300, "the map")  # fmt: skip
        # a plane's map (above 4-D) is drawn coarse first: wait for the full one too
        wait(lambda: drv.execute_script(
            "const box = document.querySelector('#explore-progress .progress-box');"
            "return !box || box.style.display === 'none';"), 300, "the full map")  # fmt: skip
        time.sleep(1.0)
        if slider == 3:  # the page swaps cubes only once it holds them all
            wait(lambda: drv.execute_script(
                "const d = window.ganLive.cubesFor(arguments[0], null);"
                "return !!(d && d.missing.length === 0);", model_id), 600, "the cubes")  # fmt: skip
        drv.execute_script(PAGE_HOOK_JS)
        mouse, x = press_thumb(drv, slider)
        wait(lambda: drv.execute_script("return window.__bench.draws.length") > 0, 30, "reset")
        time.sleep(0.3)
        update_traffic(drv)
        for _ in range(steps):
            x += step_px
            if not move_and_wait(drv, mouse, x, "draws", 5):
                unchanged += 1
                continue
            bench = drv.execute_script("return window.__bench")
            t_draw = bench["draws"][-1]
            latencies.append(t_draw - max(t for t in bench["inputs"] if t <= t_draw))
        during = update_traffic(drv)
        swaps = [d for g, d in drv.execute_script("return window.__bench.reacts")
                 if slider == 3 and '"figure"' in g]  # fmt: skip
        mouse("mouseReleased", x)
        time.sleep(2.0)
        after = update_traffic(drv)
        severe = [e["message"] for e in drv.get_log("browser") if e["level"] == "SEVERE"]
    finally:
        drv.quit()
        if served is None:
            server.shutdown()
    return {
        "path": "page", "model_id": model_id, "steps": steps,
        "moves_without_new_image": unchanged,
        "latency_ms": {"p50": percentile(latencies, 50), "p95": percentile(latencies, 95),
                       "min": min(latencies), "max": max(latencies)},
        "requests_during_drag": len(during),
        "requests_per_step": len(during) / max(1, steps - unchanged),
        "bytes_per_step": sum(r["request"] + r["response"] for r in during) / max(1, steps - unchanged),
        "requests_after_release": len(after),
        "outputs_during_drag": sorted({r["output"] for r in during}),
        "slider": slider,
        "cube_swaps": len(swaps),
        "cube_swap_ms_p50": percentile(swaps, 50) if swaps else None,
        "first_load": load,
        "console_errors": severe,
    }  # fmt: skip


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--steps", type=int, default=60, help="slider moves to time")
    p.add_argument("--step-px", type=int, default=4, help="pixels per move (~0.03 in z)")
    p.add_argument(
        "--model",
        default="gan-2d",
        help="model id (gan-2d, gan-3d, gan-4d or any folder in checkpoints/)",
    )
    p.add_argument("--checkpoints", type=Path, help="use this checkpoints folder's --model")
    p.add_argument("--grid", type=int, default=100, help="2D map size (computed once)")
    p.add_argument("--slider", type=int, default=0,
                   help="which latent slider to drag (0 = x; 3 = a 4D model's w)")  # fmt: skip
    p.add_argument("--path", choices=("page", "server", "both"), default="both",
                   help="the generator in the page (default), the server path, or both")  # fmt: skip
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    root = args.checkpoints if args.checkpoints else model_root(args.model)[0]
    served = serve(root, Path(tempfile.mkdtemp(prefix="bench-cache-")), args.grid)
    try:
        page = out = None
        if args.path in ("page", "both"):
            page = run_page(args.steps, args.step_px, args.checkpoints, args.grid, args.model,
                            served, args.slider)  # fmt: skip
        if args.path in ("server", "both"):
            out = run(args.steps, args.step_px, args.checkpoints, args.grid, args.model, served)
    except TimeoutError as exc:
        raise SystemExit(str(exc)) from exc
    finally:
        served[1].shutdown()
    if args.json:
        print(json.dumps({"page": page, "server": out}, indent=2))
        return 0
    if page is not None:
        lat, load = page["latency_ms"], page["first_load"]
        print(f"page path, {page['steps']} slider moves on {page['model_id']}: pointer -> pixels "
              f"p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms (min {lat['min']:.1f}, max "
              f"{lat['max']:.1f}); {page['requests_per_step']:.2f} requests and "
              f"{page['bytes_per_step']:.0f} bytes per step; {page['requests_after_release']} "
              f"requests after release")  # fmt: skip
        if page["cube_swaps"]:
            print(f"cube swaps in the page: {page['cube_swaps']}, Plotly.react p50 "
                  f"{page['cube_swap_ms_p50']:.1f} ms each")  # fmt: skip
        print(
            f"first load (cold browser cache): {load['seconds_to_live']:.1f} s to the first "
            f"in-page image, {load['bytes_on_wire'] / 2**20:.1f} MiB on the wire "
            f"({load['bytes_decoded'] / 2**20:.1f} MiB decoded); largest: "
            + ", ".join(f"{e['url']} {e['wire'] / 2**20:.2f} MiB" for e in load["largest"])
        )
    if out is None:
        return 0
    print("server path (live=0):")
    lat, resp, req = out["latency_ms"], out["response_bytes"], out["request_bytes"]
    print(f"{out['steps']} slider moves on {out['model']}, {out['updates']} update requests, "
          f"{out['moves_without_new_image']} moves without a new image")  # fmt: skip
    print(f"input -> new image: p50 {lat['p50']:.1f} ms, p95 {lat['p95']:.1f} ms "
          f"(min {lat['min']:.1f}, max {lat['max']:.1f})")  # fmt: skip
    mlat, what = out["map_latency_ms"], out.get("kind", "map")
    print(f"input -> {what} redrawn (#{out['map_graph']}): p50 {mlat['p50']:.1f} ms, "
          f"p95 {mlat['p95']:.1f} ms (min {mlat['min']:.1f}, max {mlat['max']:.1f}); "
          f"{out['moves_without_map_redraw']} moves without a {what} redraw")  # fmt: skip
    ph = out["phases_ms_p50"]
    print(f"p50 phases: input -> request sent {ph['input_to_request']:.1f} ms, request -> "
          f"response {ph['request_to_response']:.1f} ms, response -> image drawn "
          f"{ph['response_to_image']:.1f} ms")  # fmt: skip
    print("p50 synchronous Plotly.react time per graph and step: "
          + ", ".join(f"#{g} {d['p50']:.1f} ms" for g, d in out["draw_ms"].items()))  # fmt: skip
    srv = out["server_ms"]
    print(f"of which request sent -> response headers (server): p50 {srv['p50']:.1f} ms, "
          f"p95 {srv['p95']:.1f} ms")  # fmt: skip
    print(f"bytes per update: response p50 {resp['p50']:.0f} B, p95 {resp['p95']:.0f} B; "
          f"request p50 {req['p50']:.0f} B")  # fmt: skip
    if out["console_errors"]:
        print("console errors:", *out["console_errors"], sep="\n  ")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
