"""`shopcore check-config`: the effective settings, secrets masked, and each service asked."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import click

from shopcore.entrypoints.cli.context import load_settings
from shopcore.library import App
from shopcore.settings import Settings

SECRET_ENDINGS = ("secret", "secret_key", "password")
MASK = "***"
OK, FAILED, SKIPPED = "ok", "FAILED", "-"


def masked_url(value: str) -> str:
    """`value` with the password of its `user:password@` part masked."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return "<unparsable URL>"
    if parts.password is None:
        return value
    user = parts.username or ""
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{user}:{MASK}@{host}"))


def shown_value(name: str, value: Any) -> str:
    if value is None or value == "" or value == ():
        return "-"
    if name.endswith(SECRET_ENDINGS):
        return MASK
    if isinstance(value, str) and "://" in value:
        return masked_url(value)
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def effective(settings: Settings) -> list[tuple[str, str]]:
    """Every setting as it will be used, secrets and URL passwords masked."""
    return [(f.name, shown_value(f.name, getattr(settings, f.name)))
            for f in dataclasses.fields(settings)]


def _answer(check: Callable[[], str]) -> tuple[str, str]:
    try:
        answer = check()
    except Exception as exc:  # an unreachable service is a line of the report
        return FAILED, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0][:160]}"
    if answer == "up":
        return OK, "answers"
    return FAILED, "cannot be reached" if answer == "down" else f"answered {answer!r}"


def _database(app: App) -> tuple[str, str]:
    from shopcore.adapters.sqlalchemy.migrate import current, head

    if app.settings.in_memory:
        return SKIPPED, "memory:// (nothing to reach; lives and dies with the process)"
    engine = app.container.gateways.engine()
    status, detail = _answer(app.container.adapters.database_probe().check)
    if status != OK:
        return status, f"{detail} (check SHOPCORE_DATABASE_URL)"
    at, latest = current(engine), head()
    migrated = "at head" if at == latest else f"NOT at head {latest}: run `shopcore db upgrade`"
    return OK, f"answers; schema {at or 'empty'} ({migrated})"


def services(app: App) -> list[tuple[str, str, str]]:
    """(service, ok|FAILED|-, what was found) for each service the settings name."""
    s, adapters = app.settings, app.container.adapters
    lines = [("database", *_database(app))]

    def asked(name: str, configured: object, variable: str, probe: Callable[[], str],
              default: str) -> None:
        if not configured:
            lines.append((name, SKIPPED, f"not configured ({variable} unset): {default}"))
            return
        status, detail = _answer(probe)
        where = shown_value(variable.lower(), configured)
        lines.append((name, status, f"{detail} at {where}" if status == OK
                      else f"{detail} at {where} (check {variable})"))

    asked("redis", s.redis_url, "SHOPCORE_REDIS_URL", adapters.cache_probe().check,
          "carts cached and logins throttled in process")
    asked("kafka", s.kafka_bootstrap_servers, "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS",
          lambda: adapters.event_publisher().check(), "events relayed to the in-process bus")
    asked("opensearch", s.opensearch_url, "SHOPCORE_OPENSEARCH_URL",
          lambda: adapters.product_search().check(), f"search by {s.search_engine}")
    asked("stripe", s.stripe_secret_key, "STRIPE_SECRET_KEY",
          lambda: adapters.payment_gateway().check(), "the payment simulator answers")
    return lines


@click.command("check-config")
def check_config() -> None:
    """Print the effective configuration (secrets masked) and check every configured service.

    Exits with 1 when a configured service cannot be reached.
    """
    settings = load_settings()
    click.echo(f"configuration ({settings.environment}):")
    for name, value in effective(settings):
        click.echo(f"  {name:<28} {value}")
    click.echo("services:")
    with App(settings) as app:
        found = services(app)
    for name, status, detail in found:
        click.echo(f"  {name:<11} {status:<7} {detail}")
    if any(status == FAILED for _, status, _ in found):
        raise SystemExit(1)
