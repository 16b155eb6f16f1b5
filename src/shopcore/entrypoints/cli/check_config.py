"""`shopcore check-config`: the effective settings, secrets masked, and each service asked."""

from __future__ import annotations

import dataclasses
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


SETTING = {"SHOPCORE_REDIS_URL": "redis_url",
           "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS": "kafka_bootstrap_servers",
           "SHOPCORE_OPENSEARCH_URL": "opensearch_url", "STRIPE_SECRET_KEY": "stripe_secret_key"}
# Which readiness check answers for each service, and the variable that configures it.
SERVICES = (("redis", "cache", "SHOPCORE_REDIS_URL", "carts cached and logins throttled in "
             "process"),
            ("kafka", "events", "SHOPCORE_KAFKA_BOOTSTRAP_SERVERS",
             "events relayed to the in-process bus"),
            ("opensearch", "search", "SHOPCORE_OPENSEARCH_URL", "search by the database"),
            ("stripe", "payments", "STRIPE_SECRET_KEY", "the payment simulator answers"))


def _line(answer: str, where: str, variable: str) -> tuple[str, str]:
    if answer == "up":
        return OK, f"answers at {where}"
    if answer == "degraded":
        return FAILED, f"cannot be reached at {where}, a fallback answers (check {variable})"
    return FAILED, f"cannot be reached at {where} (check {variable})"


def services(settings: Settings, checks: dict[str, str]) -> list[tuple[str, str, str]]:
    """(service, ok|FAILED|-, what was found) for each service, from the readiness checks."""
    database = shown_value("database_url", settings.database_url)
    if settings.in_memory:
        lines = [("database", SKIPPED, "memory:// (lives and dies with the process)")]
    else:
        status, detail = _line(checks["database"], database, "SHOPCORE_DATABASE_URL")
        lines = [("database", status, detail + (" (schema: `shopcore db current`)"
                                                if status == OK else ""))]
    for name, check, variable, default in SERVICES:
        configured = getattr(settings, SETTING[variable])
        if not configured:
            lines.append((name, SKIPPED, f"not configured ({variable} unset): {default}"))
        else:
            where = (settings.stripe_api_base or "https://api.stripe.com" if name == "stripe"
                     else shown_value(SETTING[variable], configured))
            lines.append((name, *_line(checks[check], where, variable)))
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
        found = services(settings, app.check_readiness().checks)
    for name, status, detail in found:
        click.echo(f"  {name:<11} {status:<7} {detail}")
    if any(status == FAILED for _, status, _ in found):
        raise SystemExit(1)
