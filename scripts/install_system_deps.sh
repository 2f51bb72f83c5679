#!/usr/bin/env bash
# Install the Debian packages the tests use: headless Chromium + its driver (browser tests),
# redis-server (the gunicorn + Celery + Redis topology) and dataset-fashion-mnist (the
# second dataset's images, gzipped IDX files in /usr/share/datasets/fashion-mnist). Skips what is present; needs
# root for apt-get, otherwise says what is missing and lets those tests skip.
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
[ -f /usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz ] || need+=(dataset-fashion-mnist)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages present: chromium, chromedriver, redis-server, dataset-fashion-mnist"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "warning: missing ${need[*]} and not root: browser/Redis/Fashion-MNIST tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" fonts-dejavu-core >/dev/null
echo "installed: ${need[*]}"
