"""Idempotency keys and their replays: one contract for memory, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from shopcore.ports.repositories import IdempotentRequest
from tests.helpers import UowFactory

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
USER, CHECKOUT, PAYMENT = 1, "orders.create", "payments.process"


def claim(new_uow: UowFactory, key: str, fingerprint: str = "f1", user_id: int = USER,
          endpoint: str = CHECKOUT, at: datetime = NOW) -> IdempotentRequest | None:
    """Claim in its own committed transaction; what the store already held, or None."""
    with new_uow() as uow:
        found = uow.idempotency.claim(user_id, endpoint, key, fingerprint, at)
        uow.commit()
    return found


def test_a_first_claim_is_free_and_a_second_finds_it_in_flight_with_its_fingerprint(
    new_uow: UowFactory,
) -> None:
    assert claim(new_uow, "k1") is None

    with new_uow() as uow:
        running = uow.idempotency.claim(USER, CHECKOUT, "k1", "f2", NOW)

    assert running is not None
    assert (running.fingerprint, running.replay, running.finished) == ("f1", None, False)


def test_a_finished_key_gives_back_its_replay_as_json_holds_it(new_uow: UowFactory) -> None:
    claim(new_uow, "k1")
    with new_uow() as uow:
        uow.idempotency.finish(USER, CHECKOUT, "k1", {
            "status": 201, "body": {"id": 7, "total": "9.99", "tags": ("a", "b"), "note": "é"}})
        uow.commit()

    with new_uow() as uow:
        done = uow.idempotency.claim(USER, CHECKOUT, "k1", "f2", NOW)

    assert done is not None and done.finished
    assert done.fingerprint == "f1"
    assert done.replay == {
        "status": 201, "body": {"id": 7, "total": "9.99", "tags": ["a", "b"], "note": "é"}}


def test_an_uncommitted_claim_or_replay_is_not_kept(new_uow: UowFactory) -> None:
    with new_uow() as uow:
        uow.idempotency.claim(USER, CHECKOUT, "k1", "f1", NOW)
    claim(new_uow, "k2")
    with new_uow() as uow:
        uow.idempotency.finish(USER, CHECKOUT, "k2", {"id": 1})

    assert claim(new_uow, "k1") is None
    running = claim(new_uow, "k2")
    assert running is not None and not running.finished


def test_a_key_is_kept_apart_per_user_and_per_endpoint(new_uow: UowFactory) -> None:
    claim(new_uow, "k1")
    with new_uow() as uow:
        uow.idempotency.finish(USER, CHECKOUT, "k1", {"id": 1})
        uow.commit()

    assert claim(new_uow, "k1", user_id=USER + 1) is None
    assert claim(new_uow, "k1", endpoint=PAYMENT) is None
    with new_uow() as uow:
        mine = uow.idempotency.claim(USER, CHECKOUT, "k1", "f1", NOW)
        theirs = uow.idempotency.claim(USER + 1, CHECKOUT, "k1", "f1", NOW)
    assert mine is not None and mine.replay == {"id": 1}
    assert theirs is not None and theirs.replay is None


def test_forgetting_a_key_frees_it_and_leaves_the_others(new_uow: UowFactory) -> None:
    claim(new_uow, "k1")
    claim(new_uow, "k1", endpoint=PAYMENT)
    with new_uow() as uow:
        uow.idempotency.forget(USER, CHECKOUT, "k1")
        uow.idempotency.forget(USER, CHECKOUT, "never-claimed")
        uow.commit()

    assert claim(new_uow, "k1", fingerprint="f3") is None
    assert claim(new_uow, "k1", endpoint=PAYMENT) is not None


def test_purging_drops_the_keys_claimed_before_the_moment_and_counts_them(
    new_uow: UowFactory,
) -> None:
    claim(new_uow, "old", at=NOW - timedelta(hours=25))
    claim(new_uow, "edge", at=NOW - timedelta(hours=24))
    claim(new_uow, "new", at=NOW)

    with new_uow() as uow:
        assert uow.idempotency.purge(NOW - timedelta(hours=24)) == 1
        uow.commit()

    assert claim(new_uow, "old") is None
    assert claim(new_uow, "edge") is not None
    assert claim(new_uow, "new") is not None


def test_a_retry_takes_over_a_key_left_in_flight_before_the_moment_and_only_once(
    new_uow: UowFactory,
) -> None:
    claim(new_uow, "dead", at=NOW - timedelta(minutes=5))
    claim(new_uow, "alive", at=NOW)
    claim(new_uow, "done", at=NOW - timedelta(minutes=5))
    with new_uow() as uow:
        uow.idempotency.finish(USER, CHECKOUT, "done", {"id": 1})
        uow.commit()

    stale_before = NOW - timedelta(minutes=1)
    with new_uow() as uow:
        taken = [uow.idempotency.take_over(USER, CHECKOUT, k, stale_before, NOW)
                 for k in ("dead", "dead", "alive", "done")]
        uow.commit()

    assert taken == [True, False, False, False]
    with new_uow() as uow:
        assert uow.idempotency.purge(NOW - timedelta(seconds=1)) == 1  # only "done" is old
        uow.commit()
