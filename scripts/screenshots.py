"""Screenshots of the dashboard's views, taken in headless Chromium at 1280x800.

Starts the app on a free port (the bundled checkpoints, or ``--checkpoints DIR``), opens
each view, waits until it has drawn (its figures hold data, its map is computed, no
spinner or pending callback, the in-page generator running where the page has one) and
saves ``<view>.png`` in ``--out`` (default ``docs/``), each squeezed under ``--max-kb``.

    python scripts/screenshots.py                        # the README's pictures, into docs/
    python scripts/screenshots.py --all --out shots/     # every view
    python scripts/screenshots.py --views morph compare --out shots/ --cache /tmp/maps

The maps are computed at the dashboard's full resolution on first use (``--cache`` keeps
them between runs). To photograph another copy of the project, run the script from that
copy with ``PYTHONPATH`` pointing at it: the app is imported from ``dashboard``.
"""

from __future__ import annotations

import argparse
import io
import os
import shutil
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from gan_explorer.harness import chromium_paths, free_port, headless_chromium

WIDTH, HEIGHT = 1280, 800
DOCS = Path(__file__).resolve().parent.parent / "docs"


@dataclass(frozen=True)
class View:
    """One picture: the address to open, what must be drawn, and what to do first."""

    name: str
    path: str  # the address after the host, state in the query as the page writes it
    graphs: tuple[str, ...] = ()  # dcc.Graph (or latent-view map) ids that must hold data
    texts: tuple[tuple[str, str], ...] = ()  # (element ids, comma-separated; text to show)
    click: str | None = None  # CSS selector clicked once the graphs are drawn
    live: str | None = None  # the page's root id when it runs the generator itself


VIEWS: tuple[View, ...] = (
    View("home", "/", texts=(("_pages_content", "gan-3d"),)),
    View("explore-2d", "/explore?model=gan-2d&z=0.3,-0.4",
         graphs=("explore-image", "explore-probs", "explore-map"), live="explore-root"),
    View("explore-3d", "/explore?model=gan-3d&z=0.3,-0.4,0.2",
         graphs=("explore-image", "explore-map", "explore-projections"), live="explore-root"),
    View("explore-4d", "/explore?model=gan-4d&z=0.3,-0.4,0.2,0",
         graphs=("explore-image", "explore-map", "explore-projections"), live="explore-root"),
    View("explore-fashion", "/explore?model=fashion-2d&z=0.3,-0.4",
         graphs=("explore-image", "explore-probs", "explore-map"), live="explore-root"),
    View("explore-100d", "/explore?model=gan-100d&slice=random%3A0&z=0.6,-1.2",
         graphs=("explore-map",), texts=(("explore-map", "(100x100)"),), live="explore-root"),
    View("morph-100d", "/morph?model=gan-100d", graphs=("morph-map",),
         texts=(("morph-map", "(100x100)"), ("morph-live-sequence", "Crossed areas:")),
         live="morph-root"),
    View("cgan", "/cgan?model=cgan-3d&z=0.3,-0.4,0.2&label=7&map=7",
         graphs=("explore-image", "explore-map", "explore-projections"), live="explore-root"),
    View("morph", "/morph?model=gan-2d&a=-0.8,0.6&b=0.8,-0.6",
         graphs=("morph-strip", "morph-map"),
         texts=(("morph-sequence,morph-live-sequence", "Crossed areas:"),), live="morph-root"),
    View("activations", "/activations?model=gan-2d&z=0.3,-0.4",
         graphs=("act-layer-fig", "act-original", "act-edited"), live="act-root"),
    View("invert", "/invert?model=gan-2d&index=0", graphs=("inv-target", "inv-map"),
         click="#inv-run", texts=(("inv-result", "z = ("),)),
    View("compare", "/compare?left=gan-2d&right=gan-3d&z=0.3,-0.4,0.2",
         graphs=("cmp-left-image", "cmp-right-image", "cmp-left-map", "cmp-right-map"),
         texts=(("cmp-left-sequence", "Crossed areas:"), ("cmp-right-sequence", "Crossed areas:"))),
    View("training", "/training?model=gan-2d",
         graphs=("train-samples", "train-map", "train-history", "train-change")),
)  # fmt: skip
BY_NAME = {v.name: v for v in VIEWS}
DOCS_SET = (
    "explore-2d",
    "explore-100d",
    "explore-fashion",
    "morph",
    "training",
)  # the README's pictures


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Screenshots of the dashboard's views (1280x800).")
    pick = p.add_mutually_exclusive_group()
    pick.add_argument(
        "--views",
        nargs="+",
        metavar="VIEW",
        choices=sorted(BY_NAME),
        help=f"which views (default: {' '.join(DOCS_SET)})",
    )
    pick.add_argument("--all", action="store_true", help="every view: " + " ".join(BY_NAME))
    p.add_argument("--out", type=Path, default=DOCS, help="folder for the PNGs (default docs/)")
    p.add_argument("--checkpoints", type=Path, help="models folder (default: the bundled ones)")
    p.add_argument("--cache", type=Path, help="map cache folder (default: a temporary one)")
    p.add_argument(
        "--max-kb",
        type=int,
        default=250,
        help="squeeze each PNG under this size (fewer colours if need be; 0: keep)",
    )
    p.add_argument("--timeout", type=float, default=240, help="seconds a view may take to draw")
    p.add_argument("--grid-2d", type=int, default=100, help="2D map resolution (default 100)")
    p.add_argument("--cube-n", type=int, default=16, help="cube resolution (default 16)")
    return p.parse_args(argv)  # fmt: skip


def chosen_views(args: argparse.Namespace) -> list[View]:
    names = list(BY_NAME) if args.all else (args.views or list(DOCS_SET))
    return [BY_NAME[n] for n in dict.fromkeys(names)]  # in the order given, once each


def squeeze_png(data: bytes, max_bytes: int) -> bytes:
    """``data`` (a PNG) re-encoded to fit ``max_bytes``: optimised first, then quantised to
    256, 128, 64 or 32 colours, the first that fits (the smallest tried if none does).
    ``max_bytes <= 0`` keeps it as it is."""
    from PIL import Image

    if max_bytes <= 0 or len(data) <= max_bytes:
        return data
    image = Image.open(io.BytesIO(data)).convert("RGB")
    best = data
    candidates = [image] + [
        image.quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        for n in (256, 128, 64, 32)
    ]
    for candidate in candidates:
        buf = io.BytesIO()
        candidate.save(buf, format="PNG", optimize=True)
        out = buf.getvalue()
        if len(out) < len(best):
            best = out
        if len(out) <= max_bytes:
            return out
    return best


def start_app(checkpoints, cache, uploads, grid_2d: int, cube_n: int) -> tuple[str, object]:
    """The dashboard served by werkzeug in a thread; its base URL and the server."""
    import logging

    from werkzeug.serving import make_server

    import dashboard
    from dashboard.app import create_app

    print(f"app: {Path(dashboard.__file__).parent}", flush=True)
    app = create_app(checkpoints, cache_dir=cache, grid_2d=grid_2d, cube_n=cube_n,
                     uploads=uploads)  # fmt: skip
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{port}", server


def start_browser(profile: Path):
    if not all(chromium_paths()):
        sys.exit("chromium and chromedriver are needed (scripts/install_system_deps.sh)")
    # the viewport, not the window, is 1280x800 (headless windows have no frame, but check)
    return headless_chromium(
        WIDTH, HEIGHT, profile=profile, extra_args=("--hide-scrollbars",), exact_viewport=True
    )


# What still keeps a view from being drawn: [] once it is.
_MISSING_JS = """
const [graphs, texts, live] = arguments;
const missing = [];
const shown = (el) => el && el.offsetParent !== null && getComputedStyle(el).visibility !== 'hidden';
for (const id of graphs) {
  const gd = document.querySelector('#' + CSS.escape(id) + ' .js-plotly-plot')
          || document.querySelector('#' + CSS.escape(id) + '.js-plotly-plot');
  if (!(gd && gd.data && gd.data.length)) { missing.push('figure ' + id); }
}
for (const [ids, text] of texts) {
  const found = ids.split(',').some((id) => {
    const el = document.getElementById(id); return el && el.innerText.includes(text); });
  if (!found) { missing.push(JSON.stringify(text) + ' in ' + ids); }
}
if (live && !document.getElementById(live)?.classList.contains('live-on')) {
  missing.push('in-page generator');
}
if (document.title === 'Updating...') { missing.push('pending callbacks'); }
if ([...document.querySelectorAll('[id*="progress-box"]')].some(shown)) { missing.push('map progress'); }
if ([...document.querySelectorAll('[class*="spinner"]')].some(shown)) { missing.push('spinner'); }
if (document.querySelector('[data-dash-is-loading="true"]')) { missing.push('loading'); }
return missing;
"""


def wait_drawn(drv, view: View, timeout: float, live: bool = True, settle: float = 2.0) -> None:
    """Until nothing is missing for ``settle`` seconds in a row (a view may redraw once its
    map arrives); the in-page generator is waited for only while ``live``."""
    texts = [list(t) for t in view.texts]
    live_root = view.live if live else None
    deadline = time.time() + timeout
    since = None
    while True:
        missing = drv.execute_script(_MISSING_JS, list(view.graphs), texts, live_root)
        if missing:
            since = None
        elif since is None:
            since = time.time()
        elif time.time() - since >= settle:
            return
        if time.time() > deadline:
            raise TimeoutError(f"{view.name}: still waiting for {', '.join(missing)}")
        time.sleep(0.25)


def shoot(drv, base: str, view: View, out: Path, timeout: float, max_bytes: int) -> Path:
    from selenium.webdriver.common.by import By

    drv.get(base + view.path)
    started = time.time()
    if view.click:  # e.g. the inversion's button: pressed once the page has drawn
        wait_drawn(drv, View(view.name, view.path, view.graphs), timeout, live=False)
        drv.find_element(By.CSS_SELECTOR, view.click).click()
        time.sleep(0.5)
    wait_drawn(drv, view, timeout, live=False)
    # the page runs its generator once its runtime loads; without WebAssembly it falls back
    # to the server, which draws the same: give the in-page path a minute, then go on
    if view.live:
        try:
            wait_drawn(drv, view, 60.0)
        except TimeoutError as exc:
            print(f"  note: {exc}; photographed as the server drew it", flush=True)
    drv.execute_script("window.scrollTo(0, 0); document.activeElement?.blur?.();")
    time.sleep(0.3)
    png = squeeze_png(drv.get_screenshot_as_png(), max_bytes)
    path = out / f"{view.name}.png"
    path.write_bytes(png)
    print(f"{path}  {len(png) / 1024:.0f} kB  {time.time() - started:.0f} s  {view.path}",
          flush=True)  # fmt: skip
    return path


def main(argv=None) -> int:
    args = parse_args(argv)
    views = chosen_views(args)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    scratch = Path(tempfile.mkdtemp(prefix="gan-explorer-shots-"))
    try:
        cache = args.cache or scratch / "cache"
        base, server = start_app(args.checkpoints, cache, scratch / "uploads",
                                 args.grid_2d, args.cube_n)  # fmt: skip
        drv = start_browser(scratch / "profile")
        failed = []
        try:
            for view in views:
                try:
                    shoot(drv, base, view, args.out, args.timeout, args.max_kb * 1024)
                except TimeoutError as exc:
                    failed.append(view.name)
                    print(f"FAILED {exc}", flush=True)
        finally:
            drv.quit()
            server.shutdown()
        if failed:
            print("not drawn: " + " ".join(failed), file=sys.stderr)
        return 1 if failed else 0
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
