"""Start the real app on a free port and drive it with headless Chromium (Selenium)."""

from __future__ import annotations

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from gan_explorer.harness import chromium_paths, free_port, headless_chromium

SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "screenshots"
DOWNLOADS = Path("/tmp") / f"gan-explorer-downloads-{os.getpid()}"
PROFILE = Path("/tmp") / f"chr-{os.getpid()}"
CHROMIUM, CHROMEDRIVER = chromium_paths()


@pytest.fixture(scope="session")
def app_url(test_checkpoints, tmp_path_factory):
    """The dashboard served by werkzeug in a thread, on small grids for speed."""
    from werkzeug.serving import make_server

    from dashboard.app import create_app

    app = create_app(
        test_checkpoints, cache_dir=tmp_path_factory.mktemp("cache"), grid_2d=24, cube_n=8,
        uploads=tmp_path_factory.mktemp("uploads"),
    )  # fmt: skip
    port = free_port()
    server = make_server("127.0.0.1", port, app.server, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture(scope="session")
def driver():
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip(
            "chromium/chromedriver not installed (run scripts/install_system_deps.sh as root)"
        )
    drv = headless_chromium(1280, 800, profile=PROFILE, downloads=DOWNLOADS, browser_log=True)
    yield drv
    drv.quit()
    for folder in (DOWNLOADS, PROFILE):  # per-run folders: nothing left behind in /tmp
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(autouse=True)
def _page_left_behind(request):
    """After a browser test, leave its page and drop what its console said, so a page
    still loading cannot fetch during the next test (which may clear the cache) and each
    test's console errors are its own."""
    yield
    if "driver" in request.fixturenames:
        drv = request.getfixturevalue("driver")
        drv.get("about:blank")
        drv.get_log("browser")


def wait_for(predicate, timeout=60.0, interval=0.25, message="condition"):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:  # noqa: BLE001 - the page may still be rendering
            last = exc
        time.sleep(interval)
    raise AssertionError(f"timed out waiting for {message} (last: {last!r})")


def element(drv, css: str, timeout: float = 30.0, clickable: bool = True):
    """The element at ``css`` once the page has rendered it (Dash loads components lazily).

    A file input stays hidden, so ``clickable=False`` only waits for it to exist.
    """
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    condition = ec.element_to_be_clickable if clickable else ec.presence_of_element_located
    return WebDriverWait(drv, timeout).until(
        condition((By.CSS_SELECTOR, css)), message=f"no {css} after {timeout:.0f} s"
    )


def severe_console_errors(drv) -> list[str]:
    return [
        e["message"]
        for e in drv.get_log("browser")
        if e["level"] == "SEVERE" and "favicon" not in e["message"]
    ]


def screenshot(drv, name: str) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    drv.save_screenshot(str(path))
    return path
