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


def test_poll_callback_shows_progress_and_hands_over(monkeypatch, test_checkpoints, tmp_path):
    from dashboard.app import create_app
    from dashboard.jobs import JobState

    create_app(test_checkpoints, cache_dir=tmp_path, grid_2d=8, cube_n=4)
    from dashboard.pages import explore

    state = JobState(done=512, total=1024)
    monkeypatch.setattr(explore.JOBS, "get", lambda key: state)
    style, value, text, done, disabled, _err = explore.poll_job(1, "key")
    assert style == {} and value == 0.5 and "512 of 1,024" in text and not disabled
    state.finished = True
    monkeypatch.setattr(explore.JOBS, "forget", lambda key: None)
    style, value, _text, done, disabled, _err = explore.poll_job(2, "key")
    assert style == {"display": "none"} and done == "key" and disabled
