"""The home page's "Precompute all maps": a Celery task per model when REDIS_URL is set
(done by the worker into the shared cache), else a thread of this server process.

Redis being down is reported as a one-line message; the views never need it (a map they
lack is computed on demand), so they keep working.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit, urlunsplit

from dashboard import registry
from dashboard.jobs import JOBS
from dashboard.logic import user_error


class BackgroundUnavailable(RuntimeError):
    """Background work cannot be queued or followed (Redis unreachable)."""


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


def usable_models() -> tuple[dict[str, int], list[str]]:
    """({model id: number of maps}, [ids that cannot be loaded])."""
    totals, broken = {}, []
    s = registry.SETTINGS
    for model_id in registry.model_ids():
        try:
            totals[model_id] = len(registry.get(model_id).map_jobs(s.grid_2d, s.cube_n))
        except Exception:  # noqa: BLE001 - shown as "unusable" on the same page
            broken.append(model_id)
    return totals, broken


def start() -> dict:
    """Queue the maps of every usable model; the handle :func:`progress` follows."""
    totals, broken = usable_models()
    s = registry.SETTINGS
    url = redis_url()
    handle = {"mode": "celery" if url else "local", "totals": totals, "broken": broken, "jobs": {}}
    if url:
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
    for model_id in totals:
        key = f"precompute|{s.checkpoints}|{model_id}|{s.grid_2d}|{s.cube_n}"
        explorer = registry.get(model_id)
        JOBS.submit(key, lambda report, e=explorer: e.all_maps(
            s.grid_2d, s.cube_n, progress=lambda done, total, _name: report(done, total)))  # fmt: skip
        handle["jobs"][model_id] = key
    return handle


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
            state = JOBS.get(str(job))
            if state is None:  # finished and already reported
                done, finished, err = total, True, None
            else:
                done, finished, err = int(state.fraction * total), state.finished, state.error
                if finished:
                    JOBS.forget(str(job))
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


def error_text(exc: Exception) -> str:
    return str(exc) if isinstance(exc, BackgroundUnavailable) else user_error(exc)
