"""Many request threads: reads run concurrently and stay consistent while one writer works."""

from __future__ import annotations

import threading
from decimal import Decimal

from appkit_adapters.local import LocalEngine


def test_concurrent_readers_see_consistent_totals_while_a_writer_transfers(
    engine: LocalEngine,
) -> None:
    engine.execute("CREATE TABLE main.default.balances (id INT, amount DECIMAL(12,2))")
    engine.execute("INSERT INTO balances SELECT id, 100.00 FROM range(10) AS r(id)")
    errors: list[BaseException] = []
    totals: list[Decimal] = []
    done = threading.Event()

    def transfer() -> None:
        try:
            for step in range(60):
                source, target = step % 10, (step + 3) % 10
                # one statement moves money between two rows: the sum never changes
                engine.execute(
                    "UPDATE balances SET amount = amount + CASE WHEN id = :target THEN 5"
                    " WHEN id = :source THEN -5 ELSE 0 END WHERE id IN (:source, :target)",
                    {"source": source, "target": target},
                )
        except BaseException as error:
            errors.append(error)
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                totals.append(engine.execute("SELECT sum(amount) FROM balances").scalar())
        except BaseException as error:
            errors.append(error)

    readers = [threading.Thread(target=read) for _ in range(4)]
    writer = threading.Thread(target=transfer)
    for thread in [*readers, writer]:
        thread.start()
    for thread in [*readers, writer]:
        thread.join(timeout=60)
    assert errors == []
    assert totals and set(totals) == {Decimal("1000.00")}


def test_concurrent_writers_are_serialised_without_lost_updates(engine: LocalEngine) -> None:
    engine.execute("CREATE TABLE main.default.counter (n BIGINT)")
    engine.execute("INSERT INTO counter VALUES (0)")
    errors: list[BaseException] = []

    def bump() -> None:
        try:
            for _ in range(25):
                engine.execute("UPDATE counter SET n = n + 1")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=bump) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert engine.execute("SELECT n FROM counter").scalar() == 100


def test_an_open_stream_does_not_block_other_statements_on_the_same_thread(
    engine: LocalEngine,
) -> None:
    engine.execute("CREATE TABLE main.default.items AS SELECT id FROM range(100) AS r(id)")
    with engine.stream("SELECT id FROM items ORDER BY id", batch_rows=10) as stream:
        batches = iter(stream)
        first = next(batches)
        engine.execute("INSERT INTO items VALUES (1000)")
        rest = [row for batch in batches for row in batch]
    assert [row[0] for row in first + rest] == list(range(100))
    assert engine.execute("SELECT count(*) FROM items").scalar() == 101


def test_introspection_and_statements_from_many_threads_do_not_share_a_connection(
    engine: LocalEngine,
) -> None:
    engine.execute("CREATE SCHEMA main.gov")
    engine.execute("CREATE TABLE main.gov.t (a INT)")
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for i in range(30):
                assert "main" in engine.list_catalogs()
                assert "gov" in engine.list_schemas("main")
                assert engine.get_table("main.gov.t").name == "t"
                engine.list_tables("main", "gov")
                engine.execute("INSERT INTO main.gov.t VALUES (:v)", {"v": n * 100 + i})
                engine.execute("SELECT count(*) FROM main.gov.t")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert engine.execute("SELECT count(*) FROM main.gov.t").scalar() == 180
