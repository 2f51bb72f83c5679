"""The production topology without Docker: redis-server, a Celery worker and gunicorn with
two workers, as separate processes on 127.0.0.1, driven in headless Chromium.

Covers: the explore view under gunicorn, "Precompute all maps" done by the Celery worker
into the shared cache, and Redis stopped mid-run (the button reports it, views keep working).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from selenium.webdriver.common.by import By

from gan_explorer.harness import free_port
from tests.integration.conftest import screenshot, wait_for
from tests.integration.test_views import drag_slider, graph_data, map_marker, open_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
REDIS_SERVER = shutil.which("redis-server")


def stop(proc: subprocess.Popen, timeout: float = 20) -> None:
    """SIGTERM the process group this test started, SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    except ProcessLookupError:
        pass


class Topology:
    def __init__(self, tmp: Path, checkpoints: Path):
        self.tmp = tmp
        self.redis_port, self.web_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.web_port}"
        self.cache = tmp / "cache"
        self.env = dict(
            os.environ,
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            GAN_EXPLORER_CHECKPOINTS=str(checkpoints),
            GAN_EXPLORER_CACHE=str(self.cache),
            GAN_EXPLORER_GRID_2D="12",
            GAN_EXPLORER_CUBE_N="6",
            TF_CPP_MIN_LOG_LEVEL="2",
            PYTHONPATH=str(REPO),
        )
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "wb")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def redis_ok(self) -> bool:
        import redis

        try:
            return redis.Redis(port=self.redis_port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            return False

    def web_ok(self) -> bool:
        try:
            return requests.get(self.url + "/", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def stop_all(self) -> None:
        for proc in reversed(list(self.procs.values())):
            stop(proc)


@pytest.fixture(scope="module")
def topology(test_checkpoints, tmp_path_factory):
    if not REDIS_SERVER:
        pytest.skip("redis-server not installed (run scripts/install_system_deps.sh as root)")
    for tool in ("gunicorn", "celery"):
        if not (BIN / tool).exists():
            pytest.skip(f"{tool} not installed in {BIN} (pip install '.[serve]')")
    top = Topology(tmp_path_factory.mktemp("topology"), test_checkpoints)
    try:
        top.start("redis", [REDIS_SERVER, "--port", str(top.redis_port), "--bind", "127.0.0.1",
                            "--save", "", "--appendonly", "no"])  # fmt: skip
        wait_for(top.redis_ok, 30, message="redis-server to answer")
        top.start("worker", [str(BIN / "celery"), "--app", "dashboard.worker:celery_app", "worker",
                             "--pool", "solo", "--concurrency", "1", "--loglevel", "info",
                             "--without-gossip", "--without-mingle"])  # fmt: skip
        top.start("web", [str(BIN / "gunicorn"), "--workers", "2", "--timeout", "180",
                          "--bind", f"127.0.0.1:{top.web_port}", "dashboard.wsgi:server"])  # fmt: skip
        wait_for(top.web_ok, 180, interval=1, message="gunicorn to serve /")
        wait_for(lambda: "ready" in top.log("worker"), 180, interval=1, message="celery worker")
        yield top
    finally:
        top.stop_all()


def _image(drv):
    data = graph_data(drv, "explore-image")
    return data[0]["z"] if data else None


def _page_image(drv):
    """The image the page drew itself (its graph served by this topology), or None."""
    return drv.execute_script(
        "const p = window.ganLive && window.ganLive.pages.explore;"
        "return p && p.on && p.last ? p.last.image : null;"
    )


def explore_drag_changes_image(drv, base: str, tag: str) -> None:
    open_page(drv, base + "/explore", "explore-image")
    wait_for(lambda: _image(drv) is not None, 60, message="the server's first image")
    before = wait_for(lambda: _page_image(drv), 120, message="the page's own image")
    marker = wait_for(lambda: map_marker(drv), 120, message="map with marker")
    drag_slider(drv, "explore-slider", 0, 60)
    wait_for(lambda: _page_image(drv) != before, 60, message="image to change after the drag")
    wait_for(lambda: (m := map_marker(drv)) is not None and m != marker, 60,
             message="the map's own marker at the released point (the server heard of it)")  # fmt: skip
    screenshot(drv, f"topology-explore-{tag}")
    assert drv.find_element(By.ID, "explore-error").text == ""
    drv.get("about:blank")  # nothing left in flight when this topology's servers stop


def test_explore_under_gunicorn_follows_the_slider(driver, topology):
    explore_drag_changes_image(driver, topology.url, "gunicorn")


def test_precompute_button_runs_on_the_celery_worker(driver, topology):
    from gan_core.cache import MapCache
    from gan_core.explorer import LatentExplorer

    driver.get(topology.url + "/")
    button = wait_for(lambda: driver.find_element(By.ID, "home-precompute"), 60, message="button")
    button.click()
    status = wait_for(
        lambda: (
            (t := driver.find_element(By.ID, "home-precompute-status").text).startswith("Done")
            and t
        ),
        300,
        interval=0.5,
        message="precompute to finish",
    )
    screenshot(driver, "topology-precompute-done")
    assert "by the Celery worker" in status
    done, total = status.split(":")[1].split("maps")[0].split(" of ")
    assert int(done) == int(total) > 0
    assert driver.find_element(By.ID, "home-precompute-error").text == ""
    assert "gan_explorer.precompute_maps" in topology.log("worker")
    assert "succeeded" in topology.log("worker")
    # every map is in the cache folder the web workers read
    root = Path(topology.env["GAN_EXPLORER_CHECKPOINTS"])
    cache = MapCache(topology.cache)
    for model_id in ("gan-2d", "gan-3d", "gan-4d", "cgan-3d"):
        explorer = LatentExplorer.from_checkpoint(model_id, root, cache=cache)
        for name, job in explorer.map_jobs(12, 6):
            hits = cache.hits
            job()
            assert cache.hits == hits + 1, f"{model_id} {name} was not precomputed"


def test_redis_stopped_mid_run(driver, topology):
    stop(topology.procs["redis"])
    assert not topology.redis_ok()
    driver.get(topology.url + "/")
    button = wait_for(lambda: driver.find_element(By.ID, "home-precompute"), 60, message="button")
    button.click()
    error = wait_for(
        lambda: driver.find_element(By.ID, "home-precompute-error").text, 30, message="error"
    )
    screenshot(driver, "topology-redis-down")
    assert "cannot reach Redis" in error and "Traceback" not in error
    # the interactive views never needed Redis
    explore_drag_changes_image(driver, topology.url, "redis-down")
    assert topology.procs["web"].poll() is None
