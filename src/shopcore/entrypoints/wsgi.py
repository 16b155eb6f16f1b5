"""The WSGI callable for production servers: `gunicorn 'shopcore.entrypoints.wsgi:app'`.

Importing this module builds the app (and its container) from the environment: it is
meant to be imported by a WSGI server only, once per worker process. Workers never relay
the outbox: `shopcore relay-outbox` runs beside them.
"""

from __future__ import annotations

import gc

from shopcore.entrypoints.http.app import create_app
from shopcore.entrypoints.logs import configure_logging
from shopcore.settings import Settings

settings = Settings.from_env()
configure_logging(settings.log_format)
app = create_app(settings)
# What the worker built to serve (modules, the app, its pools) lives as long as it does: out
# of the collector's sight, a full collection scans only what requests left since, instead of
# stalling a request for a pass over the ~130,000 objects of start-up (50-90 ms here).
gc.freeze()
