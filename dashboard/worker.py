"""Celery app for background work when REDIS_URL is set (see docker-compose.yml).

``precompute_maps`` fills the shared map cache for one model, reporting its progress
through the result backend; the home page's "Precompute all maps" button queues it.
Run a worker with ``celery --app dashboard.worker:celery_app worker --pool solo``.
"""

from __future__ import annotations

import os

from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
celery_app = Celery(__name__, broker=REDIS_URL, backend=REDIS_URL)
celery_app.conf.update(
    broker_connection_retry_on_startup=True,
    broker_connection_timeout=3,
    redis_socket_connect_timeout=3,
    redis_socket_timeout=10,
    result_expires=24 * 3600,
    task_track_started=True,
    worker_prefetch_multiplier=1,
    task_acks_late=True,
)


@celery_app.task(bind=True, name="gan_explorer.precompute_maps")
def precompute_maps(
    self, model_id: str, checkpoints: str | None = None, cache_dir: str | None = None,
    grid_2d: int = 100, cube_n: int = 16,
) -> dict:  # fmt: skip
    """Compute (or load) every map of ``model_id`` into the cache folder the web app reads."""
    from gan_core.cache import MapCache
    from gan_core.checkpoints import CheckpointError
    from gan_core.explorer import LatentExplorer

    try:
        explorer = LatentExplorer.from_checkpoint(model_id, checkpoints, cache=MapCache(cache_dir))
    except CheckpointError as exc:
        return {"model": model_id, "done": 0, "total": 0, "error": str(exc)}
    total = len(explorer.map_jobs(grid_2d, cube_n))
    self.update_state(state="PROGRESS", meta={"model": model_id, "done": 0, "total": total})

    def progress(done: int, total: int, name: str) -> None:
        meta = {"model": model_id, "done": done, "total": total, "map": name}
        self.update_state(state="PROGRESS", meta=meta)

    report = explorer.all_maps(grid_2d, cube_n, progress=progress)
    computed = sum(not row["cached"] for row in report)
    return {"model": model_id, "done": len(report), "total": len(report), "computed": computed}
