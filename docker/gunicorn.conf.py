"""Gunicorn settings for shopcore: `gunicorn -c docker/gunicorn.conf.py 'shopcore.entrypoints.wsgi:app'`.

The app is imported by each worker after the fork (`preload_app = False`), so every worker
builds its own composition root: its own database pool and Redis connections, never shared
across a fork. Workers never relay the outbox: `shopcore relay-outbox` does.

Knobs (environment):
  SHOPCORE_BIND              0.0.0.0:8000
  SHOPCORE_WEB_WORKERS       2 x cores + 1
  SHOPCORE_WEB_THREADS       1 (more than one switches to the gthread worker)
  SHOPCORE_WEB_TIMEOUT       30 seconds
  SHOPCORE_ACCESS_LOG        off (on: one line a request on stdout)
"""

import multiprocessing
import os

bind = os.environ.get("SHOPCORE_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("SHOPCORE_WEB_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("SHOPCORE_WEB_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"
timeout = int(os.environ.get("SHOPCORE_WEB_TIMEOUT") or 30)
graceful_timeout = 20
keepalive = 5
backlog = 2048
preload_app = False
max_requests = 0
accesslog = "-" if os.environ.get("SHOPCORE_ACCESS_LOG", "off").lower() in ("1", "on", "true") \
    else None
errorlog = "-"
loglevel = os.environ.get("SHOPCORE_LOG_LEVEL", "info").lower()
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
