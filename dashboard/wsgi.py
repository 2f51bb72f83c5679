"""WSGI entry for gunicorn: `gunicorn dashboard.wsgi:server`.

Settings come from the environment: GAN_EXPLORER_CHECKPOINTS (models), GAN_EXPLORER_CACHE
(map cache folder, shared with the Celery worker), GAN_EXPLORER_GRID_2D and
GAN_EXPLORER_CUBE_N (map sizes; defaults 100 and 16), REDIS_URL (background work).
"""

import os

from dashboard.app import create_app


def _env_int(name: str, default: int, low: int = 2, high: int = 400) -> int:
    raw = os.environ.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SystemExit(f"{name} must be an integer, got {raw!r}") from None
    if not low <= value <= high:
        raise SystemExit(f"{name} must be between {low} and {high}, got {value}")
    return value


app = create_app(
    os.environ.get("GAN_EXPLORER_CHECKPOINTS") or None,
    cache_dir=os.environ.get("GAN_EXPLORER_CACHE") or None,
    grid_2d=_env_int("GAN_EXPLORER_GRID_2D", 100),
    cube_n=_env_int("GAN_EXPLORER_CUBE_N", 16),
)
server = app.server
