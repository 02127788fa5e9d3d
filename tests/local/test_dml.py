"""INSERT, UPDATE, DELETE and MERGE report affected rows as Databricks does."""

from __future__ import annotations

from decimal import Decimal

import pytest

from appkit_adapters.local import LocalEngine
from appkit_domain.errors import InvalidInput


@pytest.fixture
def accounts(engine: LocalEngine) -> LocalEngine:
    engine.execute(
        "CREATE TABLE main.default.accounts (id BIGINT NOT NULL, owner STRING, balance DECIMAL(12,2),"
        " status STRING, PRIMARY KEY (id)) USING DELTA"
    )
    engine.execute(
        "INSERT INTO main.default.accounts VALUES (1, 'ann', 100.00, 'open'), (2, 'bob', 50.00, 'open'),"
        " (3, 'cat', 0.00, 'closed')"
    )
    engine.execute(
        "CREATE TABLE main.default.changes (id BIGINT, owner STRING, balance DECIMAL(12,2), status STRING)"
    )
    engine.execute(
        "INSERT INTO main.default.changes VALUES (1, 'ann', 150.00, 'open'), (3, 'cat', 0.00, 'purge'),"
        " (4, 'dan', 10.00, 'open')"
    )
    return engine


def _balances(engine: LocalEngine) -> list[tuple[object, ...]]:
    return engine.execute("SELECT id, balance, status FROM accounts ORDER BY id").rows


def test_update_and_delete_report_affected_rows(accounts: LocalEngine) -> None:
    updated = accounts.execute(
        "UPDATE accounts SET balance = balance + :delta WHERE status = :status",
        {"delta": Decimal("1.50"), "status": "open"},
    )
    assert updated.affected_rows == 2
    assert updated.dicts() == [{"num_affected_rows": 2}]
    deleted = accounts.execute("DELETE FROM accounts WHERE status = 'closed'")
    assert deleted.affected_rows == 1
    assert _balances(accounts) == [(1, Decimal("101.50"), "open"), (2, Decimal("51.50"), "open")]


def test_insert_reports_inserted_rows(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "INSERT INTO accounts SELECT id + 10, owner, balance, status FROM accounts"
    )
    assert result.affected_rows == 3
    assert result.dicts() == [{"num_affected_rows": 3, "num_inserted_rows": 3}]


def test_merge_updates_matched_and_inserts_unmatched(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "MERGE INTO accounts AS t USING changes AS s ON t.id = s.id"
        " WHEN MATCHED THEN UPDATE SET balance = s.balance"
        " WHEN NOT MATCHED THEN INSERT (id, owner, balance, status) VALUES (s.id, s.owner, s.balance, s.status)"
    )
    assert result.affected_rows == 3
    assert result.dicts() == [
        {
            "num_affected_rows": 3,
            "num_updated_rows": 2,
            "num_deleted_rows": 0,
            "num_inserted_rows": 1,
        }
    ]
    assert _balances(accounts) == [
        (1, Decimal("150.00"), "open"),
        (2, Decimal("50.00"), "open"),
        (3, Decimal("0.00"), "closed"),
        (4, Decimal("10.00"), "open"),
    ]


def test_merge_with_conditions_deletes_updates_and_inserts_star(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "MERGE INTO main.default.accounts t USING main.default.changes s ON t.id = s.id"
        " WHEN MATCHED AND s.status = 'purge' THEN DELETE"
        " WHEN MATCHED THEN UPDATE SET *"
        " WHEN NOT MATCHED AND s.balance > :floor THEN INSERT *",
        {"floor": Decimal("5")},
    )
    assert result.rows == [(3, 1, 1, 1)]
    assert _balances(accounts) == [
        (1, Decimal("150.00"), "open"),
        (2, Decimal("50.00"), "open"),
        (4, Decimal("10.00"), "open"),
    ]


def test_merge_not_matched_by_source_and_parameterised_source(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "MERGE INTO accounts t USING (SELECT :id AS id, :balance AS balance) s ON t.id = s.id"
        " WHEN MATCHED THEN UPDATE SET t.balance = s.balance"
        " WHEN NOT MATCHED BY SOURCE AND t.status = 'closed' THEN DELETE",
        {"id": 2, "balance": Decimal("75.25")},
    )
    assert result.affected_rows == 2
    assert _balances(accounts) == [(1, Decimal("100.00"), "open"), (2, Decimal("75.25"), "open")]


def test_primary_key_is_informational_as_in_databricks(accounts: LocalEngine) -> None:
    accounts.execute("INSERT INTO accounts VALUES (1, 'again', 1.00, 'open')")
    assert accounts.execute("SELECT count(*) FROM accounts WHERE id = 1").scalar() == 2


def test_not_null_is_enforced(accounts: LocalEngine) -> None:
    with pytest.raises(InvalidInput, match="NOT_NULL") as caught:
        accounts.execute("INSERT INTO accounts (id, owner) VALUES (NULL, 'x')")
    assert caught.value.details["sql_state"] == "23502"


def test_failed_statement_changes_nothing(accounts: LocalEngine) -> None:
    with pytest.raises(InvalidInput):
        accounts.execute(
            "INSERT INTO accounts VALUES (9, 'x', 1.00, 'open'), (NULL, 'y', 1.00, 'open')"
        )
    assert accounts.execute("SELECT count(*) FROM accounts").scalar() == 3


def test_merge_refuses_two_source_rows_updating_one_target_row(accounts: LocalEngine) -> None:
    accounts.execute("INSERT INTO changes VALUES (1, 'ann', 175.00, 'open')")
    with pytest.raises(InvalidInput, match="MULTIPLE_SOURCE_ROW_MATCHING_TARGET_ROW") as caught:
        accounts.execute(
            "MERGE INTO accounts t USING changes s ON t.id = s.id"
            " WHEN MATCHED THEN UPDATE SET balance = s.balance"
        )
    assert caught.value.details["sql_state"] == "21506"
    assert _balances(accounts)[0] == (1, Decimal("100.00"), "open")
    deleted = accounts.execute(
        "MERGE INTO accounts t USING changes s ON t.id = s.id WHEN MATCHED THEN DELETE"
    )
    assert deleted.affected_rows == 2


def test_insert_overwrite_replaces_every_row_in_one_transaction(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "INSERT OVERWRITE accounts SELECT id, owner, balance, status FROM changes WHERE id > :n",
        {"n": 2},
    )
    assert result.dicts() == [{"num_affected_rows": 2, "num_inserted_rows": 2}]
    assert [row[0] for row in _balances(accounts)] == [3, 4]
    with pytest.raises(InvalidInput):
        accounts.execute("INSERT OVERWRITE accounts SELECT NULL, 'x', 1.00, 'open'")
    assert [row[0] for row in _balances(accounts)] == [3, 4]


def test_merge_from_a_common_table_expression(accounts: LocalEngine) -> None:
    result = accounts.execute(
        "WITH src AS (SELECT :id AS id, :balance AS balance) MERGE INTO accounts t USING src"
        " ON t.id = src.id WHEN MATCHED THEN UPDATE SET balance = src.balance",
        {"id": 2, "balance": Decimal("60.00")},
    )
    assert result.affected_rows == 1
    assert _balances(accounts)[1] == (2, Decimal("60.00"), "open")
