"""Long first computations (a map not yet in the cache) run in one worker thread of the
server process while the page polls their progress; the drag callbacks stay responsive.

Jobs wait in a priority queue: the map a person is looking at (``URGENT``) runs before the
background fill of every other map (``BACKGROUND``), and asking again for a queued job
moves it forward. One worker, so jobs never fight for the cores.

Threads, not forked processes: TensorFlow deadlocks in a child forked from a process that
already ran it, which is what the embedded multiprocess background-callback manager does.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

URGENT, BACKGROUND = 0, 10


@dataclass
class JobState:
    done: int = 0
    total: int = 1
    started: bool = False
    finished: bool = False
    error: str | None = None
    result: object = None
    priority: int = URGENT

    @property
    def fraction(self) -> float:
        return 1.0 if self.finished else min(1.0, self.done / max(self.total, 1))


class MapJobs:
    """At most one computation per key, run one at a time, most urgent first."""

    def __init__(self):
        self._jobs: dict[str, JobState] = {}
        self._work: dict[str, Callable] = {}
        self._queue: list[tuple[int, int, str]] = []
        self._order = itertools.count()
        self._lock = threading.Lock()
        self._wake = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None

    def submit(
        self,
        key: str,
        work: Callable[[Callable[[int, int], None]], object],
        priority: int = URGENT,
    ) -> JobState:
        """Queue ``work(progress)`` unless a job with ``key`` is queued, running or done; a
        queued one is moved up to ``priority`` if that is more urgent."""
        with self._lock:
            state = self._jobs.get(key)
            if state is not None and (not state.finished or state.error is None):
                if not state.started and priority < state.priority:
                    state.priority = priority
                    heapq.heappush(self._queue, (priority, next(self._order), key))
                    self._wake.notify()
                return state
            state = JobState(priority=priority)
            self._jobs[key] = state
            self._work[key] = work
            heapq.heappush(self._queue, (priority, next(self._order), key))
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="map-job", daemon=True)
                self._worker.start()
            self._wake.notify()
            return state

    def _next(self) -> tuple[str, JobState, Callable]:
        with self._lock:
            while True:
                while not self._queue:
                    self._wake.wait()
                _prio, _n, key = heapq.heappop(self._queue)
                state, work = self._jobs.get(key), self._work.pop(key, None)
                if state is not None and work is not None and not state.started:
                    state.started = True
                    return key, state, work

    def _run(self) -> None:
        while True:
            _key, state, work = self._next()

            def progress(done: int, total: int, state=state) -> None:
                state.done, state.total = int(done), int(total)

            try:
                state.result = work(progress)
            except Exception as exc:  # noqa: BLE001 - reported to the page, not raised
                from dashboard.errors import user_error

                state.error = user_error(exc)
            finally:
                state.finished = True

    def get(self, key: str) -> JobState | None:
        with self._lock:
            return self._jobs.get(key)

    def pending(self, which: Callable[[str], bool] | None = None) -> int:
        """Jobs queued or running (only those whose key ``which`` accepts, if given)."""
        with self._lock:
            return sum(not s.finished and (which is None or which(k))
                       for k, s in self._jobs.items())  # fmt: skip

    def forget(self, key: str) -> None:
        with self._lock:
            state = self._jobs.get(key)
            if state is not None and (state.finished or not state.started):
                self._jobs.pop(key, None)
                self._work.pop(key, None)


JOBS = MapJobs()
