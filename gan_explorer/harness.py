"""Running the app locally for the notebook, tests, benchmarks and screenshots: a free port,
and a headless Chromium driven by Selenium.

Selenium is a development dependency: it is imported only when a browser is started.
"""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterable
from pathlib import Path

# Headless Chromium without a sandbox, a GPU, /dev/shm or background traffic (the window
# size and the profile folder are added by ``headless_chromium``).
CHROME_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
MISSING_BROWSER = (
    "chromium and chromedriver are needed (run scripts/install_system_deps.sh as root)"
)


def free_port(host: str = "127.0.0.1") -> int:
    """A port on ``host`` that nothing listens on now (the OS picks it)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def chromium_paths() -> tuple[str | None, str | None]:
    """The Chromium and chromedriver executables on the PATH (None where missing)."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    return chromium, shutil.which("chromedriver")


def headless_chromium(
    width: int = 1280,
    height: int = 800,
    *,
    profile: str | Path | None = None,
    downloads: str | Path | None = None,
    browser_log: bool = False,
    performance_log: bool = False,
    extra_args: Iterable[str] = (),
    exact_viewport: bool = False,
):
    """A Selenium ``webdriver.Chrome`` on headless Chromium, its window ``width`` x ``height``.

    ``profile``: the user-data folder (else chromedriver makes a temporary one);
    ``downloads``: the folder downloads go to without asking (created);
    ``browser_log`` / ``performance_log``: keep the console / the performance log (CDP
    events) for ``driver.get_log``; ``extra_args``: more command-line flags;
    ``exact_viewport``: resize the window until the page's viewport (``innerWidth`` x
    ``innerHeight``) is exactly ``width`` x ``height``.

    Raises RuntimeError when chromium or chromedriver is not installed.
    """
    chromium, chromedriver = chromium_paths()
    if not (chromium and chromedriver):
        raise RuntimeError(MISSING_BROWSER)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = chromium
    args = [*CHROME_ARGS, *extra_args, f"--window-size={width},{height}"]
    if profile is not None:
        args.append(f"--user-data-dir={profile}")
    for arg in args:
        opts.add_argument(arg)
    logs = {}
    if performance_log:
        logs["performance"] = "ALL"
    if browser_log:
        logs["browser"] = "ALL"
    if logs:
        opts.set_capability("goog:loggingPrefs", logs)
    if downloads is not None:
        Path(downloads).mkdir(parents=True, exist_ok=True)
        opts.add_experimental_option(
            "prefs",
            {"download.default_directory": str(downloads), "download.prompt_for_download": False},
        )
    drv = webdriver.Chrome(service=Service(chromedriver), options=opts)
    try:
        drv.set_window_size(width, height)
        if exact_viewport:  # headless windows have no frame, but check
            inner = drv.execute_script("return [window.innerWidth, window.innerHeight]")
            if inner != [width, height]:
                dw, dh = width - inner[0], height - inner[1]
                drv.set_window_size(width + dw, height + dh)
    except BaseException:
        drv.quit()
        raise
    return drv
