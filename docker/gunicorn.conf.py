"""Gunicorn settings for shopcore: `gunicorn -c docker/gunicorn.conf.py 'shopcore.entrypoints.wsgi:app'`.

The app is imported by each worker after the fork (`preload_app = False`), so every worker
builds its own composition root: its own database pool and Redis connections, never shared
across a fork. Workers never relay the outbox: `shopcore relay-outbox` does.

Knobs (environment):
  SHOPCORE_BIND              0.0.0.0:8000
  SHOPCORE_WEB_WORKERS       2 x cores + 1
  SHOPCORE_WEB_THREADS       1 (more than one switches to the gthread worker)
  SHOPCORE_WEB_TIMEOUT       30 seconds (a worker silent that long is restarted)
  SHOPCORE_WEB_GRACEFUL_TIMEOUT  20 seconds to finish the requests in hand on SIGTERM
  SHOPCORE_DB_POOL_SIZE      per worker; default: its threads (one connection a request)
  SHOPCORE_DB_MAX_OVERFLOW   per worker; default: its threads
  SHOPCORE_ACCESS_LOG        off (on: the app logs one line a request, with its request id)
  SHOPCORE_METRICS           off (on: /metrics adds up every worker's counts through
                             PROMETHEUS_MULTIPROC_DIR, made here when unset)
"""

import multiprocessing
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

bind = os.environ.get("SHOPCORE_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("SHOPCORE_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("SHOPCORE_WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("SHOPCORE_WEB_TIMEOUT") or 30)
graceful_timeout = int(os.environ.get("SHOPCORE_WEB_GRACEFUL_TIMEOUT") or 20)
keepalive = 5
backlog = 2048
preload_app = False
max_requests = 0
# The app writes the request lines itself (SHOPCORE_ACCESS_LOG=on), request id included.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("SHOPCORE_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

# A worker serves `threads` requests at once: its pool holds that many connections.
os.environ.setdefault("SHOPCORE_DB_POOL_SIZE", str(threads))
os.environ.setdefault("SHOPCORE_DB_MAX_OVERFLOW", str(threads))

METRICS = os.environ.get("SHOPCORE_METRICS", "").lower() in ("1", "on", "true", "yes")
if METRICS and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    # Set before any worker imports prometheus_client, which picks its storage on import.
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="shopcore-metrics-")


def on_starting(server: Any) -> None:
    """Counts left by an earlier run of the same directory would be added to this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if METRICS and directory:
        shutil.rmtree(directory, ignore_errors=True)
        Path(directory).mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A dead worker's live gauges must not be scraped any more."""
    if METRICS:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
