"""A key whose request died in flight is taken over by a retry once its lease ran out."""

from __future__ import annotations

from datetime import timedelta

import pytest

from shopcore.adapters.clock import FixedClock
from shopcore.adapters.memory.store import MemoryStore
from shopcore.adapters.memory.unit_of_work import MemoryUnitOfWork
from shopcore.application.idempotency import Idempotently, fingerprint
from shopcore.domain.errors import Conflict
from shopcore.ports.repositories import Replay


def answer() -> Replay:
    return {"status": 201, "body": {"id": 7}}


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock()


@pytest.fixture
def idempotently(clock: FixedClock) -> Idempotently:
    store = MemoryStore()
    uow = MemoryUnitOfWork(store)
    with uow:  # a request claimed the key, then died before answering or freeing it
        uow.idempotency.claim(1, "orders.create", "k", fingerprint({}), clock.now())
        uow.commit()
    return Idempotently(uow, clock, lease=timedelta(seconds=60))


def test_a_retry_within_the_lease_is_told_the_first_is_still_running(
    idempotently: Idempotently, clock: FixedClock
) -> None:
    clock.advance(seconds=59)
    with pytest.raises(Conflict, match="still being processed"):
        idempotently(user_id=1, endpoint="orders.create", key="k", body={}, action=answer)


def test_a_retry_after_the_lease_runs_the_request_and_keeps_its_answer(
    idempotently: Idempotently, clock: FixedClock
) -> None:
    clock.advance(seconds=61)
    first = idempotently(user_id=1, endpoint="orders.create", key="k", body={}, action=answer)
    again = idempotently(user_id=1, endpoint="orders.create", key="k", body={},
                         action=lambda: {"status": 500, "body": {}})

    assert first == again == answer()


def test_a_retry_after_the_lease_with_another_body_is_still_refused(
    idempotently: Idempotently, clock: FixedClock
) -> None:
    clock.advance(seconds=61)
    with pytest.raises(Conflict, match="another request body"):
        idempotently(user_id=1, endpoint="orders.create", key="k", body={"x": 1},
                     action=answer)
