"""The WSGI callable for production servers: `gunicorn 'shopcore.entrypoints.wsgi:app'`.

Importing this module builds the app (and its container) from the environment: it is
meant to be imported by a WSGI server only, once per worker process.
"""

from __future__ import annotations

from shopcore.entrypoints.http.app import create_app

app = create_app()
