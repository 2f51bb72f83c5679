"""Long first computations (a map not yet in the cache) run in a worker thread of the
server process while the page polls their progress; the drag callbacks stay responsive.

Threads, not forked processes: TensorFlow deadlocks in a child forked from a process that
already ran it, which is what the embedded multiprocess background-callback manager does.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass


@dataclass
class JobState:
    done: int = 0
    total: int = 1
    finished: bool = False
    error: str | None = None
    result: object = None

    @property
    def fraction(self) -> float:
        return 1.0 if self.finished else min(1.0, self.done / max(self.total, 1))


class MapJobs:
    """At most one computation per key; one worker thread so jobs never fight for the cores."""

    def __init__(self, workers: int = 1):
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="map-job")
        self._jobs: dict[str, JobState] = {}
        self._lock = threading.Lock()

    def submit(self, key: str, work: Callable[[Callable[[int, int], None]], object]) -> JobState:
        """Start ``work(progress)`` unless a job with ``key`` is already running or done."""
        with self._lock:
            state = self._jobs.get(key)
            if state is not None and (not state.finished or state.error is None):
                return state
            state = JobState()
            self._jobs[key] = state

        def progress(done: int, total: int) -> None:
            state.done, state.total = int(done), int(total)

        def run() -> None:
            try:
                state.result = work(progress)
            except Exception as exc:  # noqa: BLE001 - reported to the page, not raised
                from dashboard.logic import user_error

                state.error = user_error(exc)
            finally:
                state.finished = True

        self._pool.submit(run)
        return state

    def get(self, key: str) -> JobState | None:
        with self._lock:
            return self._jobs.get(key)

    def forget(self, key: str) -> None:
        with self._lock:
            self._jobs.pop(key, None)


JOBS = MapJobs()
