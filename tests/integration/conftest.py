"""Fixtures of the integration tier: real services, every store, a small shop, the CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from tests.helpers import (
    TEST_SECRET,
    Headers,
    Shop,
    UowFactory,
    free_port,
    make_category,
    make_product,
    service_missing,
    truncate_postgres,
)
from tests.integration.broker import BrokerFailed, TansuBroker, tansu_binary


@pytest.fixture
def kafka_broker(tmp_path: Path) -> Iterator[TansuBroker]:
    """A fresh Tansu broker for one test (it is ready in well under a second)."""
    try:
        broker = TansuBroker(tansu_binary(), tmp_path / "tansu.log")
        broker.start()
    except (BrokerFailed, OSError) as exc:
        service_missing("Kafka broker (tansu)", exc)
    yield broker
    broker.stop()


# localstripe serves loopback only and keeps nothing on disk (it would pickle its whole store
# to /tmp on every POST).
LOCALSTRIPE = """
import sys
from aiohttp import web
from localstripe.resources import store
from localstripe.server import app
store.dump_to_disk = lambda: None
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def _answers(url: str) -> bool:
    try:
        urllib.request.urlopen(url, timeout=1).close()
    except urllib.error.HTTPError:
        return True  # 401 without a key: it is up
    except OSError:
        return False
    return True


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of one localstripe (a Stripe stand-in) for the whole session."""
    port = free_port()
    log = tmp_path_factory.mktemp("localstripe") / "localstripe.log"
    with log.open("w") as out:
        process = subprocess.Popen([sys.executable, "-c", LOCALSTRIPE, str(port)],
                                   stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while (up := _answers(f"{url}/v1/balance")) is False and process.poll() is None \
            and time.monotonic() < deadline:
        time.sleep(0.1)
    if not up:
        process.kill()
        process.wait()
        service_missing("localstripe", log.read_text()[-2000:] or "it did not answer")
    yield url
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(params=["memory", "sqlite", "postgres"])
def new_uow(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[UowFactory]:
    """Units of work on one clean store: in memory, SQLite and PostgreSQL in turn."""
    from shopcore.adapters.memory.store import MemoryStore
    from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
    from shopcore.adapters.sqlalchemy.engine import make_engine
    from shopcore.adapters.sqlalchemy.unit_of_work import SqlUnitOfWork

    if request.param == "memory":
        store = MemoryStore()
        yield lambda: MemoryUnitOfWork(store)
        return
    if request.param == "sqlite":
        path = tmp_path / "repo.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_url")
        truncate_postgres(url)
    engine = make_engine(url)
    yield lambda: SqlUnitOfWork(engine)
    engine.dispose()


# The CLI


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The variables of a fresh SQLite database; the working directory has no .env."""
    monkeypatch.chdir(tmp_path)
    return {"SHOPCORE_DATABASE_URL": f"sqlite:///{tmp_path / 'shop.sqlite3'}",
            "SHOPCORE_SECRET_KEY": TEST_SECRET, "SHOPCORE_BCRYPT_ROUNDS": "4",
            "SHOPCORE_VAR_DIR": str(tmp_path / "var"), "SHOPCORE_REDIS_URL": ""}


@pytest.fixture
def shopcore(env: dict[str, str]) -> Any:
    """Run `shopcore ARGS...` in-process with `env`; stdin is not a terminal."""
    from shopcore.entrypoints.cli import main

    def run(*args: str, input: str | None = None, **overrides: str) -> Result:
        return CliRunner().invoke(main, list(args), input=input, env={**env, **overrides})

    return run


@pytest.fixture
def migrated(shopcore: Any, env: dict[str, str]) -> dict[str, str]:
    """`env` once `shopcore db upgrade` has built its database."""
    result = shopcore("db", "upgrade")
    assert result.exit_code == 0, result.output
    return env


# A small shop over HTTP


@pytest.fixture
def staff(shop: Shop) -> Headers:
    return shop.staff()


@pytest.fixture
def alice(shop: Shop) -> Headers:
    return shop.customer("alice")


@pytest.fixture
def bob(shop: Shop) -> Headers:
    return shop.customer("bob")


@pytest.fixture
def books(client: Any, staff: Headers) -> int:
    return int(make_category(client, staff, "Books")["id"])


@pytest.fixture
def dune(client: Any, staff: Headers, books: int) -> dict[str, Any]:
    """12.50, five in stock."""
    return make_product(client, staff, books, "Dune", "12.50", stock=5)


@pytest.fixture
def emma(client: Any, staff: Headers, books: int) -> dict[str, Any]:
    """3.00, stock not tracked."""
    return make_product(client, staff, books, "Emma", "3.00")
