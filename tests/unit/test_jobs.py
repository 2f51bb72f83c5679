"""Map jobs: a cold map computes in a worker thread while the page polls its progress."""

import threading
import time

import pytest

from dashboard.jobs import MapJobs


def _wait(pred, timeout=5.0):
    end = time.time() + timeout
    while time.time() < end:
        if pred():
            return True
        time.sleep(0.01)
    return False


def test_job_reports_progress_then_finishes():
    jobs = MapJobs()
    gate = threading.Event()

    def work(progress):
        progress(10, 40)
        gate.wait(5)
        progress(40, 40)

    state = jobs.submit("k", work)
    assert _wait(lambda: state.done == 10)
    assert state.fraction == pytest.approx(0.25) and not state.finished
    assert jobs.submit("k", work) is state  # no second computation of the same map
    gate.set()
    assert _wait(lambda: state.finished)
    assert state.fraction == 1.0 and state.error is None


def test_failed_job_reports_a_clear_message_and_can_be_retried():
    jobs = MapJobs()

    def boom(progress):
        raise RuntimeError("internal detail")

    state = jobs.submit("k", boom)
    assert _wait(lambda: state.finished)
    assert "internal detail" not in state.error and "RuntimeError" in state.error
    again = jobs.submit("k", lambda progress: None)
    assert again is not state


def test_urgent_jobs_run_before_background_ones_and_a_request_moves_one_forward():
    from dashboard.jobs import BACKGROUND, URGENT

    jobs, ran, gate = MapJobs(), [], threading.Event()

    def blocker(progress):
        gate.wait(5)

    def record(name):
        return lambda progress: ran.append(name)

    jobs.submit("running", blocker, BACKGROUND)
    assert _wait(lambda: jobs.get("running").started)
    for name in ("bg1", "bg2", "bg3"):
        jobs.submit(name, record(name), BACKGROUND)
    jobs.submit("view", record("view"), URGENT)
    assert jobs.submit("bg3", record("bg3-again"), URGENT) is jobs.get("bg3")  # moved forward
    assert not jobs.get("bg1").started and jobs.pending() == 5
    gate.set()
    assert _wait(lambda: jobs.pending() == 0)
    assert ran == ["view", "bg3", "bg1", "bg2"]


def test_background_fill_and_views_share_one_job_per_map(test_checkpoints, tmp_path):
    from dashboard import precompute, registry
    from dashboard.app import create_app

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    handle = precompute.start()
    assert handle["mode"] == "local"
    first = next(iter(handle["jobs"]))
    assert first == registry.default_model(list(handle["totals"]))  # the default model first
    explorer = registry.get("gan-3d")
    request = explorer.view_request(8, 4)
    # A view asking for a map the fill already queued gets that job, not a second one.
    ready, state, key = precompute.request_map(explorer, request)
    assert key in handle["jobs"]["gan-3d"]
    assert ready is not None or state is precompute.JOBS.get(key)
    cube = precompute.map_now(explorer, request)
    assert cube.classes.shape == (4, 4, 4)
    assert _wait(lambda: precompute.progress(handle)["finished"], timeout=120)
    state = precompute.progress(handle)
    assert state["done"] == state["total"] == sum(handle["totals"].values())
    assert all(registry.get(m).is_ready(r) for m in handle["totals"]
               for r in registry.get(m).map_requests(8, 4))  # fmt: skip
