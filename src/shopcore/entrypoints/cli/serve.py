"""`shopcore serve`: the API on the development server, with the relay and expiry beside it."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

import click

from shopcore import __version__
from shopcore.entrypoints.cli.context import configure_logging, load_settings, shown
from shopcore.library import App


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads/--no-threads", default=True, show_default=True,
              help="Serve each request in its own thread.")
@click.option("--debug", is_flag=True, help="Interactive debugger and auto-reload (never public).")
@click.option("--relay/--no-relay", default=True, show_default=True,
              help="Relay the outbox (to Kafka too, when configured) in a background thread.")
def serve(host: str, port: int, threads: bool, debug: bool, relay: bool) -> None:
    """Run the API on the development server.

    Being one process, it relays the outbox itself, whatever the bus: with Kafka, run
    `shopcore consume-events` in another terminal to see each event. In production use
    gunicorn -c docker/gunicorn.conf.py 'shopcore.entrypoints.wsgi:app', with
    `shopcore relay-outbox` as its own process.
    """
    from werkzeug.serving import run_simple

    from shopcore.entrypoints.http.app import create_app
    from shopcore.entrypoints.relay import Periodic, RelayLoop, expire_all

    settings = load_settings()
    configure_logging(settings)
    if not settings.public_url:
        # The simulator sends its webhooks to the shop itself, at the address it listens on.
        shown_host = f"[{host}]" if ":" in host else host
        settings = settings.with_(public_url=f"http://{shown_host}:{port}")
    shop = App(settings)
    app = create_app(shop=shop)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    loop = RelayLoop(lambda: shop.relay_outbox(limit=100),
                     interval=settings.relay_interval_seconds)
    relaying = loop.start() if relay else None
    if relay:
        Periodic(lambda: expire_all(lambda: shop.expire_orders), every=60,
                 name="shopcore-expiry").start()
    try:
        if os.environ.get("WERKZEUG_RUN_MAIN") != "true":
            shown_host = f"[{host}]" if ":" in host else host
            url = f"http://{shown_host}:{port}/"
            click.echo(f"shopcore {__version__} on {url}  (API docs: {url}api/docs/)")
            click.echo(f"database: {shown(settings.database_url)}; press Ctrl+C to stop")
        run_simple(host, port, app, threaded=threads, use_debugger=debug, use_reloader=debug)
    finally:
        loop.stop.set()
        if relaying is not None:
            relaying.join(timeout=15)  # the batch in flight is marked sent before closing
        shop.close()


def _exit_on_sigterm(_signum: int, _frame: Any) -> None:
    sys.exit(0)
