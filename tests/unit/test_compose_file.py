"""docker/compose.yaml, read without a Docker engine: real commands, known variables, true ports."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from shopcore.entrypoints.cli import main

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docker" / "compose.yaml"
GUNICORN_CONF = ROOT / "docker" / "gunicorn.conf.py"
# Settings.from_env reads the variables in settings_env.py.
SETTINGS = ROOT / "src" / "shopcore" / "settings_env.py"
SHOPCORE_IMAGE = "shopcore:latest"
# What the images of the other services listen on (their documented defaults).
INFRASTRUCTURE_PORTS = {"postgres": {5432}, "redis": {6379}, "kafka": {9092, 9093},
                        "opensearch": {9200, 9600}}
VARIABLE = re.compile(r"\b((?:SHOPCORE|STRIPE)_[A-Z0-9_]+)\b")


def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


def services() -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose()["services"]
    return found


def ours() -> dict[str, dict[str, Any]]:
    return {name: s for name, s in services().items() if s.get("image") == SHOPCORE_IMAGE}


def read_by(path: Path) -> set[str]:
    return set(VARIABLE.findall(path.read_text()))


def command_of(service: dict[str, Any]) -> list[str]:
    command = service["command"]
    return command if isinstance(command, list) else command.split()


def click_command(args: list[str]) -> click.Context:
    """The context `shopcore ARGS` would run in; raises on an unknown command or option."""
    command: click.Command = main
    rest = list(args)
    while isinstance(command, click.Group) and rest and rest[0] in command.commands:
        command = command.commands[rest.pop(0)]
    assert not isinstance(command, click.Group), f"{args}: names a group, not a command"
    return command.make_context(command.name or "shopcore", rest)


def gunicorn_app(args: list[str]) -> tuple[str, str]:
    """`gunicorn -c CONF MODULE:ATTR`: the config file and the module:attribute it serves."""
    assert args[:2] == ["gunicorn", "-c"], args
    return args[2], args[3]


def listens_on(name: str, service: dict[str, Any]) -> set[int]:
    """The container ports the service's process listens on."""
    if name in INFRASTRUCTURE_PORTS:
        return INFRASTRUCTURE_PORTS[name]
    args = command_of(service)
    if args[0] == "gunicorn":
        bind = service.get("environment", {}).get("SHOPCORE_BIND") or re.search(
            r'"SHOPCORE_BIND", "([^"]+)"', GUNICORN_CONF.read_text())[1]  # type: ignore[index]
        return {int(bind.rsplit(":", 1)[1])}
    context = click_command(args[1:])
    return {context.params["metrics_port"]} if context.params.get("metrics_port") else set()


def test_the_stack_has_every_part_the_issue_names() -> None:
    assert {"postgres", "redis", "kafka", "opensearch", "migrate", "web", "relay",
            "consumer"} <= set(services())
    assert set(compose()["volumes"]) >= {"pgdata", "kafkadata", "osdata"}


@pytest.mark.parametrize("name", sorted(ours()))
def test_each_shopcore_service_runs_a_real_command_or_module(name: str) -> None:
    args = command_of(ours()[name])
    if args[0] == "gunicorn":
        conf, target = gunicorn_app(args)
        module, attribute = target.split(":")
        assert (ROOT / conf).is_file()
        dockerfile = (ROOT / "docker" / "Dockerfile").read_text()
        assert f"COPY {conf} {conf}" in dockerfile  # where the image's WORKDIR finds it
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        assert re.search(rf"^{attribute} = ", Path(spec.origin).read_text(), re.MULTILINE)
    else:
        assert args[0] == "shopcore"
        click_command(args[1:])


def test_the_checker_refuses_an_unknown_command_or_option() -> None:
    with pytest.raises(AssertionError):
        click_command(["events"])
    with pytest.raises(click.UsageError):
        click_command(["relay-outbox", "--no-such-option"])


@pytest.mark.parametrize("name", sorted(ours()))
def test_every_variable_a_shopcore_service_sets_is_one_shopcore_reads(name: str) -> None:
    service = ours()[name]
    readers = read_by(SETTINGS)
    if command_of(service)[0] == "gunicorn":
        readers |= read_by(GUNICORN_CONF)
    set_here = {v for v in service.get("environment", {}) if VARIABLE.fullmatch(v)}
    assert set_here, "no SHOPCORE_* variable set"
    assert set_here - readers == set()


@pytest.mark.parametrize("name", sorted(services()))
def test_every_published_port_is_one_the_service_listens_on(name: str) -> None:
    service = services()[name]
    published = {int(str(p).split(":")[-1].split("/")[0]) for p in service.get("ports", [])}
    assert published <= listens_on(name, service)


def test_no_secret_is_written_in_the_file() -> None:
    for name, service in services().items():
        for variable, value in (service.get("environment") or {}).items():
            if re.search(r"SECRET|PASSWORD", variable) and value:
                assert str(value).startswith("${"), f"{name}: {variable} is written in the file"
    assert "${POSTGRES_PASSWORD:?" in services()["web"]["environment"]["SHOPCORE_DATABASE_URL"]


def test_every_service_that_serves_has_a_health_check_and_waits_for_what_it_needs() -> None:
    for name in ("postgres", "redis", "kafka", "opensearch", "consumer"):
        assert "test" in services()[name]["healthcheck"], name
    web = services()["web"]["depends_on"]
    assert web["migrate"]["condition"] == "service_completed_successfully"
    assert {web[n]["condition"] for n in ("redis", "kafka", "opensearch")} == {"service_healthy"}
    assert "HEALTHCHECK" in (ROOT / "docker" / "Dockerfile").read_text()
