"""Filling the map cache while the server already answers.

At start (and from the home page's "Precompute all maps") every map of every model is
queued: a Celery task per model when REDIS_URL is set (done by the worker into the shared
cache), else one background job per map in this server's worker thread, the default
model's first. A view that needs a map asks for it with :func:`request_map`, which moves
it to the front of the queue; the fill and the views share one job per map.

Redis being down is reported as a one-line message; the views never need it (a map they
lack is computed on demand), so they keep working.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from dashboard import registry
from dashboard.errors import user_error
from dashboard.jobs import BACKGROUND, JOBS, URGENT, JobState
from gan_core.explorer import LatentExplorer, MapRequest


class BackgroundUnavailable(RuntimeError):
    """Background work cannot be queued or followed (Redis unreachable)."""

    user_facing = True  # its message is written for the page


def redis_url() -> str | None:
    return os.environ.get("REDIS_URL") or None


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password:
        host = parts.hostname or ""
        netloc = f"{parts.username or ''}:***@{host}" + (f":{parts.port}" if parts.port else "")
        parts = parts._replace(netloc=netloc)
    return urlunsplit(parts)


def _unavailable(url: str, exc: Exception) -> BackgroundUnavailable:
    return BackgroundUnavailable(
        f"Background work is unavailable: cannot reach Redis at {redact(url)} "
        f"({type(exc).__name__}). The views still work and compute any missing map on demand."
    )


def ping_redis(url: str, timeout: float = 2.0) -> None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout).ping()
    except Exception as exc:  # noqa: BLE001 - any failure means the same to the user
        raise _unavailable(url, exc) from exc


def map_key(model_id: str, request: MapRequest) -> str:
    """The job key of one map of one model (the same for the fill and for every view)."""
    root = registry.root_for(model_id)
    return (
        f"{root}|{model_id}|{request.kind}|{request.n}|{request.label}|{request.w}|{request.slice}"
    )


def _is_slice_key(key: str) -> bool:
    parts = key.rsplit("|", 6)
    return len(parts) == 7 and parts[2] == "slice"


def key_ready(key: str) -> bool:
    """Whether the map of a job key (see :func:`map_key`) is in the shared cache; True for a
    key this app did not make (nothing to wait for)."""
    try:
        _root, model_id, kind, n, label, w, plane = key.rsplit("|", 6)
        request = MapRequest(kind, int(n), None if label == "None" else int(label),
                             None if w == "None" else float(w),
                             None if plane == "None" else plane)  # fmt: skip
        return registry.get(model_id).is_ready(request)
    except Exception:  # noqa: BLE001 - not a key this app made
        return True


MAX_WAITING_SLICES = 4  # planes asked for on demand that may wait at once, all pages together


class ServerBusy(RuntimeError):
    """Too many maps of new planes are waiting: the request is refused, nothing queued."""

    user_facing = True


def request_map(
    explorer: LatentExplorer, request: MapRequest, priority: int = URGENT, replaces=None
) -> tuple[object | None, JobState | None, str]:
    """(the map, None, key) when it is ready, else (None, its job, key) with the job queued
    at ``priority`` (moved forward if it was already waiting).

    ``replaces``: the key of the job the same view asked for before; if it is still
    waiting it is dropped, so one page never queues more than the map it shows. Maps of
    new planes (unbounded in number) are refused with :class:`ServerBusy` while
    ``MAX_WAITING_SLICES`` of them wait."""
    key = map_key(explorer.model_id, request)
    if isinstance(replaces, str) and replaces != key:
        JOBS.forget(replaces)  # only a job not started yet is dropped
    state = JOBS.get(key)
    if state is not None and state.finished and state.error is None and state.result is not None:
        # The finished job hands its map over once, directly, so the page draws it even
        # when the cache could not store it (full disk, folder removed while serving);
        # after that the cache is the one source.
        JOBS.forget(key)
        return state.result, None, key
    if explorer.is_ready(request):
        return explorer.compute(request), None, key
    if request.kind == "slice" and JOBS.get(key) is None:
        waiting = JOBS.pending(_is_slice_key)
        if waiting >= MAX_WAITING_SLICES:
            raise ServerBusy(
                f"{waiting} maps of other planes are being computed; try this plane again in "
                "a few seconds"
            )
    return (
        None,
        JOBS.submit(key, lambda progress: explorer.compute(request, progress), priority),
        key,
    )


def map_now(explorer: LatentExplorer, request: MapRequest, timeout: float = 300.0):
    """The map of ``request``, waiting for its job (queued ahead of the background fill)
    when it is not ready: one computation even if the fill or another view asked too."""
    import time

    ready, state, key = request_map(explorer, request)
    deadline = time.monotonic() + timeout
    while ready is None:
        if state.finished:
            if state.error:
                JOBS.forget(key)
                raise RuntimeError(state.error)
            return explorer.compute(request)  # finished but taken by a view: in the cache
        if time.monotonic() > deadline:
            raise TimeoutError(f"the map {request.name} of {explorer.model_id} is still computing")
        time.sleep(0.05)
        if state.finished and state.error is None and state.result is not None:
            JOBS.forget(key)
            ready = state.result
    return ready


def job_text(state: JobState) -> str:
    """What the page says about the map it waits for."""
    if not state.started:
        return "Waiting for the map being computed now; this one is next…"
    return (
        f"Computing the class map for the first time ({state.done:,} of {state.total:,} "
        f"images, {100 * state.fraction:.0f}%)…"
    )


def usable_models() -> tuple[dict[str, int], list[str]]:
    """({model id: number of maps}, [ids that cannot be loaded])."""
    totals, broken = {}, []
    s = registry.SETTINGS
    for model_id in registry.model_ids():
        try:
            totals[model_id] = len(registry.get(model_id).map_requests(s.grid_2d, s.cube_n))
        except Exception:  # noqa: BLE001 - shown as "unusable" on the same page
            broken.append(model_id)
    return totals, broken


def start() -> dict:
    """Queue the maps of every usable model; the handle :func:`progress` follows."""
    url = redis_url()
    if not url:
        handle = {"mode": "local", "totals": {}, "broken": [], "jobs": {}}
        _queue_local(handle)
        return handle
    totals, broken = usable_models()
    s = registry.SETTINGS
    handle = {"mode": "celery", "totals": totals, "broken": broken, "jobs": {}}
    ping_redis(url)
    from dashboard.worker import precompute_maps

    args = dict(checkpoints=str(s.checkpoints), cache_dir=str(registry.cache().directory),
                grid_2d=s.grid_2d, cube_n=s.cube_n)  # fmt: skip
    try:
        for model_id in totals:
            result = precompute_maps.apply_async((model_id,), kwargs=args, retry=False)
            handle["jobs"][model_id] = result.id
    except Exception as exc:  # noqa: BLE001 - broker gone between ping and publish
        raise _unavailable(url, exc) from exc
    return handle


def _queue_local(handle: dict) -> None:
    """Load each model and queue its maps at once, the default model first, so the first
    map starts computing while the other models still load."""
    s = registry.SETTINGS
    ids = registry.model_ids()
    first = registry.default_model(ids)
    for model_id in sorted(ids, key=lambda m: m != first):
        try:
            explorer = registry.get(model_id)
        except Exception:  # noqa: BLE001 - shown as "unusable" on the home page
            handle["broken"].append(model_id)
            continue
        requests = explorer.map_requests(s.grid_2d, s.cube_n)
        handle["jobs"][model_id] = [request_map(explorer, r, BACKGROUND)[2] for r in requests]
        handle["totals"][model_id] = len(requests)


def _celery_state(task_id: str, total: int) -> tuple[int, bool, str | None]:
    from celery.result import AsyncResult

    from dashboard.worker import celery_app

    result = AsyncResult(task_id, app=celery_app)
    state, info = result.state, result.info
    if state == "SUCCESS":
        err = info.get("error") if isinstance(info, dict) else None
        return total, True, err
    if state in ("FAILURE", "REVOKED"):
        return 0, True, f"{type(info).__name__}: {info}" if info else state.lower()
    done = int(info.get("done", 0)) if isinstance(info, dict) else 0
    return done, False, None


def progress(handle: dict) -> dict:
    """{"done", "total", "finished", "errors", "waiting"} of a :func:`start` handle."""
    if not isinstance(handle, dict) or not isinstance(handle.get("jobs"), dict):
        raise ValueError("no precompute job")
    totals, jobs = handle.get("totals") or {}, handle["jobs"]
    done_all, finished_all, errors, waiting = 0, True, [], 0
    url = redis_url()
    for model_id, job in jobs.items():
        total = int(totals.get(model_id, 1))
        if handle.get("mode") == "celery":
            if not url:
                raise BackgroundUnavailable("REDIS_URL is no longer set")
            try:
                done, finished, err = _celery_state(str(job), total)
            except Exception as exc:  # noqa: BLE001 - lost the result backend
                raise _unavailable(url, exc) from exc
            waiting += int(done == 0 and not finished)
        else:
            states = [JOBS.get(str(key)) for key in job] if isinstance(job, list) else [None]
            # A job no longer listed was finished and taken by a view (or already cached).
            done = sum(st is None or st.finished for st in states)
            finished = done == len(states)
            errs = [st.error for st in states if st is not None and st.error]
            err = errs[0] if errs else None
        done_all += min(done, total)
        finished_all &= finished
        if err:
            errors.append(f"{model_id}: {err}")
    total_all = sum(int(totals.get(m, 1)) for m in jobs)
    return {"done": done_all, "total": total_all, "finished": finished_all, "errors": errors,
            "waiting": waiting}  # fmt: skip


def describe(state: dict, handle: dict) -> str:
    where = "by the Celery worker" if handle.get("mode") == "celery" else "by this server"
    text = f"{state['done']} of {state['total']} maps precomputed {where}"
    if state["finished"]:
        text = f"Done: {text}."
    elif state["waiting"] == len(handle.get("jobs", {})) and handle.get("mode") == "celery":
        text += " (waiting for a worker)…"
    else:
        text += "…"
    if handle.get("broken"):
        text += f" Skipped (unusable): {', '.join(handle['broken'])}."
    return text


def fill_in_background(show_progress: bool = True, poll_seconds: float = 1.0):
    """Queue every map (as :func:`start`) from a daemon thread and show the overall
    progress in the terminal; returns the thread. The server answers meanwhile."""
    import threading

    def run() -> None:
        try:
            handle = start()
        except Exception as exc:  # noqa: BLE001 - the views still compute maps on demand
            print(f"warning: maps are not precomputed: {error_text(exc)}", flush=True)
            return
        for model_id in handle["broken"]:
            print(f"warning: {model_id} is not served: it cannot be loaded", flush=True)
        _follow(handle, show_progress, poll_seconds)

    thread = threading.Thread(target=run, name="map-fill", daemon=True)
    thread.start()
    return thread


def _follow(handle: dict, show_progress: bool, poll_seconds: float) -> None:
    import time

    from tqdm.auto import tqdm

    state = progress(handle)
    with tqdm(
        total=state["total"], desc="class maps", unit="map", disable=not show_progress
    ) as bar:
        while True:
            state = progress(handle)
            bar.update(state["done"] - bar.n)
            if state["finished"]:
                break
            time.sleep(poll_seconds)
    for err in state["errors"]:
        print(f"warning: map not computed: {err}", flush=True)


def error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, BackgroundUnavailable) else user_error(exc)
