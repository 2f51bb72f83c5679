"""Celery app for background callbacks when REDIS_URL is set (see docker-compose.yml)."""

from __future__ import annotations

import os

from celery import Celery

REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
celery_app = Celery(__name__, broker=REDIS_URL, backend=REDIS_URL)
