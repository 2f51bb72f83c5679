"""Start `gan-explorer serve` on an empty map cache and time what a newcomer waits for.

Usage: python benchmarks/startup.py [--checkpoints DIR] [--port 8093] [--json]

Measured from the launch of the server process:
- first page: the first HTTP 200 of ``/``;
- 2D map drawn: headless Chromium opens ``/explore`` as soon as the page answers and
  waits until the class-map graph holds its heatmap;
- all maps: the terminal's "class maps" bar reaching its total (the background fill).
The map cache is a fresh temporary folder, so every map is computed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from gan_explorer.harness import headless_chromium  # noqa: E402


def _first_200(url: str, deadline: float) -> bool:
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def _map_drawn(url: str, deadline: float) -> bool:
    drv = headless_chromium(1280, 800)
    try:
        drv.get(url)
        while time.time() < deadline:
            kinds = drv.execute_script(
                "const el = document.querySelector('#explore-map .js-plotly-plot');"
                "return el && el.data ? el.data.map(t => t.type) : null;"
            )
            if kinds and "heatmap" in kinds:
                return True
            time.sleep(0.1)
        return False
    finally:
        drv.quit()


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoints", default=str(REPO / "checkpoints"))
    p.add_argument("--port", type=int, default=8093)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--json", action="store_true")
    a = p.parse_args()
    cache = tempfile.mkdtemp(prefix="gx-startup-")
    env = dict(os.environ, GAN_EXPLORER_CACHE=cache, TF_CPP_MIN_LOG_LEVEL="2")
    gx = Path(sys.executable).parent / "gan-explorer"
    start = time.time()
    proc = subprocess.Popen(
        [str(gx), "--checkpoints", a.checkpoints, "serve", "--port", str(a.port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    out: dict = {}
    total_re = re.compile(r"class maps: 100%\|.*\| (\d+)/(\d+)")
    log: list[str] = []

    def read_output() -> None:
        buf = ""
        while True:
            ch = proc.stdout.read(1)
            if not ch:
                return
            buf += ch
            if ch in "\r\n":
                log.append(buf)
                m = total_re.search(buf)
                if m and m.group(1) == m.group(2) and "all_maps_s" not in out:
                    out["all_maps_s"] = round(time.time() - start, 1)
                    out["maps"] = int(m.group(2))
                buf = ""

    reader = threading.Thread(target=read_output, daemon=True)
    reader.start()
    try:
        deadline = start + a.timeout
        base = f"http://127.0.0.1:{a.port}"
        if _first_200(base + "/", deadline):
            out["first_page_s"] = round(time.time() - start, 1)
        if _map_drawn(base + "/explore", deadline):
            out["explore_map_drawn_s"] = round(time.time() - start, 1)
        while "all_maps_s" not in out and time.time() < deadline and proc.poll() is None:
            time.sleep(0.5)
    finally:
        proc.terminate()
        proc.wait(20)
        shutil.rmtree(cache, ignore_errors=True)
    if a.json:
        print(json.dumps(out))
    else:
        for key, value in out.items():
            print(f"{key:<22}{value}")
    return 0 if "first_page_s" in out else 1


if __name__ == "__main__":
    raise SystemExit(main())
