"""Prepared statements answer what SQLAlchemy's own execute answers, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, event, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from shopcore.adapters.sqlalchemy.engine import make_engine
from shopcore.adapters.sqlalchemy.prepared import Prepared, any_of
from shopcore.adapters.sqlalchemy.tables import categories, outbox, products

pytestmark = pytest.mark.both_databases

NOW = datetime(2026, 12, 3, 9, 30, 15, 123456, tzinfo=UTC)
BY_IDS = Prepared(lambda dialect: select(products).where(any_of(dialect, products.c.id, "ids"))
                  .order_by(products.c.id))
RESTOCK = Prepared(lambda _: update(products).where(products.c.id == bindparam("product_id"))
                   .values(stock=bindparam("stock")))
EVENT = ("event_id", "type", "version", "topic", "key", "sequence", "occurred_at", "payload")
ADD_EVENT = Prepared(lambda _: insert(outbox).values({name: bindparam(name) for name in EVENT})
                     .returning(outbox.c.id, outbox.c.payload, outbox.c.occurred_at))


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    with engine.begin() as c:
        c.execute(insert(categories).values(id=1, name="Books", name_key="books", slug="books"))
        c.execute(insert(products), [
            {"id": n, "name": f"Book {n}", "slug": f"book-{n}", "description": "",
             "price_cents": 100 * n, "currency": "EUR", "category_id": 1,
             "stock": None if n == 3 else n, "created_at": NOW, "updated_at": NOW}
            for n in range(1, 6)])
    yield engine
    engine.dispose()


def test_rows_are_the_rows_sqlalchemy_answers_types_included(engine: Engine) -> None:
    with engine.connect() as c:
        theirs = c.execute(select(products).where(products.c.id.in_([4, 1, 3]))
                           .order_by(products.c.id)).all()
        ours = BY_IDS.rows(c, {"ids": [4, 1, 3]})
    assert [tuple(r) for r in ours] == [tuple(r) for r in theirs]
    assert [r.id for r in ours] == [1, 3, 4]
    assert ours[1].stock is None
    assert isinstance(ours[0].created_at, datetime)


def test_any_of_an_empty_or_a_long_list_is_one_statement_text(engine: Engine) -> None:
    with engine.connect() as c:
        assert BY_IDS.rows(c, {"ids": []}) == []
        assert [r.id for r in BY_IDS.rows(c, {"ids": list(range(1, 500))})] == [1, 2, 3, 4, 5]
        assert BY_IDS.first(c, {"ids": [999]}) is None


def test_writes_bind_through_the_dialect_and_count_rows(engine: Engine) -> None:
    with engine.connect() as c:
        assert RESTOCK.run(c, [{"product_id": 1, "stock": 40}, {"product_id": 2, "stock": 41}]) >= 1
        assert RESTOCK.run(c, {"product_id": 999, "stock": 1}) == 0
        row = ADD_EVENT.first(c, {"event_id": "e-1", "type": "t", "version": 1, "topic": "x",
                                  "key": "1", "sequence": 1, "occurred_at": NOW,
                                  "payload": {"items": [{"a": 1}], "name": "é"}})
        c.commit()
    assert row.payload == {"items": [{"a": 1}], "name": "é"}
    with engine.connect() as c:
        assert c.scalar(select(products.c.stock).where(products.c.id == 2)) == 41
        stored = c.execute(select(outbox.c.payload, outbox.c.occurred_at)).one()
    assert stored.payload == {"items": [{"a": 1}], "name": "é"}
    assert stored.occurred_at.replace(tzinfo=UTC) == NOW


def test_a_statement_outside_a_transaction_begins_one_that_rolls_back(engine: Engine) -> None:
    with engine.connect() as c:
        RESTOCK.run(c, {"product_id": 1, "stock": 0})
        assert c.in_transaction()
        c.rollback()
    with engine.connect() as c:
        assert c.scalar(select(products.c.stock).where(products.c.id == 1)) == 1


def test_driver_errors_are_sqlalchemy_errors_and_the_connection_stays_usable(
    engine: Engine,
) -> None:
    duplicate = Prepared(lambda _: insert(categories).values(
        name=bindparam("name"), name_key=bindparam("name_key"), slug=bindparam("slug")))
    with engine.connect() as c:
        with pytest.raises(IntegrityError):
            duplicate.run(c, {"name": "Books", "name_key": "books", "slug": "books"})
        c.rollback()
        assert [r.id for r in BY_IDS.rows(c, {"ids": [2]})] == [2]


def test_statement_listeners_see_every_prepared_statement(engine: Engine) -> None:
    seen: list[str] = []

    def listen(*args: Any) -> None:
        seen.append(args[2])

    event.listen(engine, "before_cursor_execute", listen)
    try:
        with engine.connect() as c:
            BY_IDS.rows(c, {"ids": [1]})
            RESTOCK.run(c, {"product_id": 1, "stock": 3})
    finally:
        event.remove(engine, "before_cursor_execute", listen)
    assert [s.split()[0] for s in seen if not s.startswith("BEGIN")] == ["SELECT", "UPDATE"]


def test_an_expanding_in_list_is_refused_when_prepared(engine: Engine) -> None:
    expanding = Prepared(lambda _: select(func.count()).where(products.c.id.in_([1, 2])))
    with engine.connect() as c, pytest.raises(ValueError, match="any_of"):
        expanding.rows(c)


def test_json_columns_keep_what_orjson_refuses_huge_integers_and_lone_surrogates(
    engine: Engine,
) -> None:
    payload = {"big": 2**70, "odd": "\ud800", "plain": [1, "é"]}
    with engine.connect() as c:
        ADD_EVENT.run(c, {"event_id": "e-2", "type": "t", "version": 1, "topic": "x",
                          "key": "1", "sequence": 1, "occurred_at": NOW, "payload": payload})
        c.commit()
        assert c.scalar(select(outbox.c.payload)) == payload
