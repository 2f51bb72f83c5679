"""gan_explorer.harness: a free port to serve on, and a clear error without a browser."""

from __future__ import annotations

import socket

import pytest

from gan_explorer import harness


def test_free_port_can_be_bound_at_once():
    port = harness.free_port()
    assert 1 <= port <= 65535
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))
        s.listen()
        assert s.getsockname()[1] == port


def test_free_port_on_a_given_host():
    port = harness.free_port("127.0.0.1")
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))


def test_chromium_paths_come_from_the_path(monkeypatch):
    found = {"chromium-browser": "/opt/chromium-browser", "chromedriver": "/opt/chromedriver"}
    monkeypatch.setattr(harness.shutil, "which", found.get)
    assert harness.chromium_paths() == ("/opt/chromium-browser", "/opt/chromedriver")


@pytest.mark.parametrize("missing", ["chromium", "chromedriver"])
def test_headless_chromium_without_the_browser_says_what_to_install(monkeypatch, missing):
    paths = {"chromium": "/usr/bin/chromium", "chromedriver": "/usr/bin/chromedriver"}
    paths[missing] = None
    monkeypatch.setattr(harness.shutil, "which", paths.get)
    with pytest.raises(RuntimeError, match="chromium and chromedriver are needed") as err:
        harness.headless_chromium()
    assert "scripts/install_system_deps.sh" in str(err.value)


def test_the_common_flags_leave_size_and_profile_to_the_caller():
    assert "--headless=new" in harness.CHROME_ARGS and "--no-sandbox" in harness.CHROME_ARGS
    assert not any(a.startswith(("--window-size", "--user-data-dir")) for a in harness.CHROME_ARGS)
