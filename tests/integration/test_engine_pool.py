"""The PostgreSQL engine: its pool replaces a connection that died idle; its sessions are UTC."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy import create_engine, func, select, text

from shopcore.adapters.sqlalchemy.engine import make_engine

pytestmark = pytest.mark.postgres


def test_a_pooled_connection_that_died_while_idle_is_replaced_not_answered_with_an_error(
    postgres_url: str,
) -> None:
    engine = make_engine(postgres_url, idle_ping_seconds=0.0)
    with engine.connect() as connection:
        pid = connection.scalar(select(func.pg_backend_pid()))
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.scalar(select(func.pg_terminate_backend(pid))) is True
    admin.dispose()

    with engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1
        assert connection.scalar(select(func.pg_backend_pid())) != pid
    engine.dispose()



def test_sessions_are_in_utc_by_name_and_keep_the_urls_own_options(postgres_url: str) -> None:
    """Timestamps come back in datetime.UTC itself, not converted to the server's zone."""
    engine = make_engine(f"{postgres_url}?options=-c%20application_name%3Dshopcore-test")
    with engine.connect() as connection:
        assert connection.scalar(text("SHOW TimeZone")) == "UTC"
        assert connection.scalar(text("SHOW application_name")) == "shopcore-test"
        assert connection.scalar(select(func.now())).tzinfo is UTC
    engine.dispose()
