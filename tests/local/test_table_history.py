"""Table versions on the local engine, with Delta's semantics: every committed write is a
version; history, time travel, RESTORE, OPTIMIZE, VACUUM and DETAIL read and act on them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from appkit_adapters.local import LocalEngine
from appkit_domain.errors import InvalidInput, NotFound
from appkit_testing.fakes import ControllableClock

START = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.timezone.utc)
MANAGED = "TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"


@pytest.fixture
def clock() -> ControllableClock:
    return ControllableClock(START)


@pytest.fixture
def lake(clock: ControllableClock) -> Iterator[LocalEngine]:
    with LocalEngine(clock=clock) as engine:
        yield engine


def _history(engine: LocalEngine, table: str = "t") -> list[dict[str, object]]:
    return engine.execute(f"DESCRIBE HISTORY {table}").dicts()


def _rows(engine: LocalEngine, query: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in engine.execute(query).rows]


def _four_versions(engine: LocalEngine, clock: ControllableClock) -> None:
    engine.execute("CREATE TABLE t (id INT, tier STRING)")
    clock.advance(hours=1)
    engine.execute("INSERT INTO t VALUES (1, 'bronze'), (2, 'silver')")
    clock.advance(hours=1)
    engine.execute("UPDATE t SET tier = 'gold' WHERE id = 1")
    clock.advance(hours=1)
    engine.execute("DELETE FROM t WHERE id = 2")


def test_history_shows_each_write_newest_first(lake: LocalEngine, clock: ControllableClock) -> None:
    _four_versions(lake, clock)
    history = _history(lake)
    assert [(h["version"], h["operation"]) for h in history] == [
        (3, "DELETE"),
        (2, "UPDATE"),
        (1, "WRITE"),
        (0, "CREATE TABLE"),
    ]
    assert history[0]["timestamp"] == START + dt.timedelta(hours=3)
    assert history[0]["userName"] == "app@local"
    assert history[0]["readVersion"] == 2
    assert history[1]["operationMetrics"] == {"numUpdatedRows": "1"}
    assert history[2]["operationParameters"]["mode"] == "Append"  # type: ignore[index]
    assert history[2]["isBlindAppend"] is True
    assert [c.name for c in lake.execute("DESCRIBE HISTORY t LIMIT 1").columns][:6] == [
        "version",
        "timestamp",
        "userId",
        "userName",
        "operation",
        "operationParameters",
    ]
    assert len(lake.execute("DESCRIBE HISTORY t LIMIT 2").rows) == 2


def test_time_travel_returns_each_versions_rows(
    lake: LocalEngine, clock: ControllableClock
) -> None:
    _four_versions(lake, clock)
    expected = {
        0: [],
        1: [(1, "bronze"), (2, "silver")],
        2: [(1, "gold"), (2, "silver")],
        3: [(1, "gold")],
    }
    for version, rows in expected.items():
        assert _rows(lake, f"SELECT * FROM t VERSION AS OF {version} ORDER BY id") == rows
        assert _rows(lake, f"SELECT id, tier FROM t@v{version} ORDER BY id") == rows
    at = "2025-03-01 10:30:00"
    assert _rows(lake, f"SELECT * FROM t TIMESTAMP AS OF '{at}' ORDER BY id") == expected[1]
    assert _rows(lake, "SELECT * FROM t@20250301113000000 ORDER BY id") == expected[2]
    joined = _rows(
        lake,
        "SELECT n.id, o.tier, n.tier FROM t AS n JOIN t VERSION AS OF 1 AS o ON o.id = n.id",
    )
    assert joined == [(1, "bronze", "gold")]


def test_version_given_as_a_parameter(lake: LocalEngine, clock: ControllableClock) -> None:
    _four_versions(lake, clock)
    result = lake.execute("SELECT count(*) FROM t VERSION AS OF :v", {"v": 1})
    assert result.scalar() == 2


def test_time_travel_outside_the_history_fails_as_delta_does(
    lake: LocalEngine, clock: ControllableClock
) -> None:
    _four_versions(lake, clock)
    with pytest.raises(InvalidInput, match=r"DELTA_VERSION_NOT_FOUND.*\[0, 3\]"):
        lake.execute("SELECT * FROM t VERSION AS OF 9")
    with pytest.raises(InvalidInput, match="DELTA_TIMESTAMP_GREATER_THAN_COMMIT"):
        lake.execute("SELECT * FROM t TIMESTAMP AS OF '2025-03-02 00:00:00'")
    with pytest.raises(InvalidInput, match="DELTA_TIMESTAMP_EARLIER_THAN_COMMIT_RETENTION"):
        lake.execute("SELECT * FROM t TIMESTAMP AS OF '2025-01-01 00:00:00'")
    lake.execute("CREATE VIEW v AS SELECT * FROM t")
    with pytest.raises(InvalidInput, match="DELTA_ONLY_OPERATION"):
        lake.execute("DESCRIBE HISTORY v")


def test_merge_overwrite_truncate_and_schema_changes_are_versions(lake: LocalEngine) -> None:
    lake.execute("CREATE TABLE t (id INT, tier STRING)")
    lake.execute("INSERT INTO t VALUES (1, 'bronze'), (2, 'silver')")
    lake.execute(
        "MERGE INTO t USING (SELECT 2 AS id, 'gold' AS tier UNION ALL SELECT 3, 'bronze') AS s"
        " ON t.id = s.id WHEN MATCHED THEN UPDATE SET * WHEN NOT MATCHED THEN INSERT *"
    )
    lake.execute(
        "MERGE INTO t USING (SELECT 3 AS id) AS s ON t.id = s.id"
        " WHEN NOT MATCHED BY SOURCE THEN DELETE"
    )
    lake.execute("ALTER TABLE t ADD COLUMN note STRING")
    lake.execute("UPDATE t SET note = 'kept' WHERE id = 3")
    lake.execute("INSERT OVERWRITE t VALUES (9, 'gold', 'new')")
    lake.execute("TRUNCATE TABLE t")
    operations = [h["operation"] for h in reversed(_history(lake))]
    assert operations == [
        "CREATE TABLE",
        "WRITE",
        "MERGE",
        "MERGE",
        "ADD COLUMNS",
        "UPDATE",
        "WRITE",
        "TRUNCATE",
    ]
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 2 ORDER BY id") == [
        (1, "bronze"),
        (2, "gold"),
        (3, "bronze"),
    ]
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 3") == [(3, "bronze")]
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 5") == [(3, "bronze", "kept")]
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 6") == [(9, "gold", "new")]
    assert _rows(lake, "SELECT * FROM t") == []


def test_equal_rows_and_list_columns_keep_their_counts(lake: LocalEngine) -> None:
    lake.execute("CREATE TABLE t (tier STRING, tags ARRAY<STRING>)")
    lake.execute("INSERT INTO t VALUES ('a', array('x')), ('a', array('x')), ('b', array())")
    lake.execute("UPDATE t SET tags = array('y') WHERE tier = 'a'")
    assert _rows(lake, "SELECT tier, count(*) FROM t VERSION AS OF 1 GROUP BY tier ORDER BY 1") == [
        ("a", 2),
        ("b", 1),
    ]
    assert _rows(lake, "SELECT tags, count(*) FROM t VERSION AS OF 2 GROUP BY tags ORDER BY 2") == [
        ([], 1),
        (["y"], 2),
    ]


def test_an_atomic_block_is_one_version_per_table_and_a_no_op_is_none(lake: LocalEngine) -> None:
    lake.execute(f"CREATE TABLE t (id INT, tier STRING) {MANAGED}")
    lake.execute(f"CREATE TABLE ledger (id INT) {MANAGED}")
    lake.execute("INSERT INTO t VALUES (1, 'bronze')")
    block = (
        "BEGIN ATOMIC\n"
        "  UPDATE t SET tier = 'silver' WHERE id = 1 AND tier = :old;\n"
        "  UPDATE t SET tier = 'gold' WHERE id = 1 AND tier = 'silver';\n"
        "  INSERT INTO ledger SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM ledger WHERE id = 1);\n"
        "END;"
    )
    lake.execute(block, {"old": "bronze"})
    assert [h["version"] for h in _history(lake)] == [2, 1, 0]
    assert _rows(lake, "SELECT tier FROM t VERSION AS OF 2") == [("gold",)]
    assert [h["operation"] for h in _history(lake, "ledger")] == ["WRITE", "CREATE TABLE"]
    lake.execute(block, {"old": "bronze"})  # sent again: its guards find the work done
    assert [h["version"] for h in _history(lake)] == [2, 1, 0]
    assert len(_history(lake, "ledger")) == 2
    with pytest.raises(InvalidInput):
        lake.execute(
            "BEGIN ATOMIC UPDATE t SET tier = 'x' WHERE id = 1;"
            " SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'stop'; END;"
        )
    assert [h["version"] for h in _history(lake)] == [2, 1, 0]


def test_restore_brings_a_version_back_as_a_new_version(
    lake: LocalEngine, clock: ControllableClock
) -> None:
    _four_versions(lake, clock)
    result = lake.execute("RESTORE TABLE t TO VERSION AS OF 1").dicts()[0]
    assert result["num_restored_files"] == 1
    assert _rows(lake, "SELECT * FROM t ORDER BY id") == [(1, "bronze"), (2, "silver")]
    latest = _history(lake)[0]
    assert (latest["version"], latest["operation"]) == (4, "RESTORE")
    assert latest["operationParameters"] == {"version": "1"}
    lake.execute("RESTORE t TO TIMESTAMP AS OF '2025-03-01 11:00:00'")
    assert _rows(lake, "SELECT * FROM t ORDER BY id") == [(1, "gold"), (2, "silver")]
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 3") == [(1, "gold")]


def test_optimize_compacts_the_current_files_once(
    lake: LocalEngine, clock: ControllableClock
) -> None:
    _four_versions(lake, clock)
    lake.execute("INSERT INTO t VALUES (3, 'bronze')")
    metrics = lake.execute("OPTIMIZE t").dicts()[0]["metrics"]
    assert (metrics["numFilesAdded"], metrics["numFilesRemoved"]) == (1, 2)  # type: ignore[index]
    assert _history(lake)[0]["operation"] == "OPTIMIZE"
    assert lake.execute("DESCRIBE DETAIL t").dicts()[0]["numFiles"] == 1
    again = lake.execute("OPTIMIZE t").dicts()[0]["metrics"]
    assert again["numFilesAdded"] == 0  # type: ignore[index]
    assert _history(lake)[0]["version"] == 5
    assert _rows(lake, "SELECT * FROM t ORDER BY id") == [(1, "gold"), (3, "bronze")]
    with pytest.raises(InvalidInput, match="DELTA_ZORDERING_COLUMN_DOES_NOT_EXIST"):
        lake.execute("OPTIMIZE t ZORDER BY (nope)")
    lake.execute("INSERT INTO t VALUES (0, 'silver')")
    lake.execute("OPTIMIZE t ZORDER BY (tier)")
    assert _history(lake)[0]["operationParameters"]["zOrderBy"] == '["tier"]'  # type: ignore[index]


def test_vacuum_honours_the_retention(lake: LocalEngine, clock: ControllableClock) -> None:
    _four_versions(lake, clock)
    with pytest.raises(InvalidInput, match="DELTA_VACUUM_RETENTION_PERIOD_TOO_SHORT"):
        lake.execute("VACUUM t RETAIN 1 HOURS")
    lake.execute("VACUUM t")  # nothing was removed a week ago yet
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 1 ORDER BY id") == [
        (1, "bronze"),
        (2, "silver"),
    ]
    clock.advance(days=7, minutes=90)  # versions 2 and 3 were committed more than 7 days ago
    dry = _rows(lake, "VACUUM t DRY RUN")
    assert len(dry) == 2 and all(str(p).endswith(".parquet") for (p,) in dry)
    lake.execute("VACUUM t")
    assert [h["operation"] for h in _history(lake)[:2]] == ["VACUUM END", "VACUUM START"]
    with pytest.raises(NotFound, match="DELTA_FILE_NOT_FOUND_DETAILED"):
        lake.execute("SELECT * FROM t VERSION AS OF 2")
    assert _rows(lake, "SELECT * FROM t VERSION AS OF 3") == [(1, "gold")]
    lake.execute(
        "ALTER TABLE t SET TBLPROPERTIES ('delta.deletedFileRetentionDuration' = 'interval 1 hours')"
    )
    lake.execute("VACUUM t RETAIN 1 HOURS")


def test_describe_detail(lake: LocalEngine, clock: ControllableClock) -> None:
    _four_versions(lake, clock)
    lake.execute("COMMENT ON TABLE t IS 'customer tiers'")
    detail = lake.execute("DESCRIBE DETAIL t").dicts()[0]
    assert detail["format"] == "delta"
    assert detail["name"] == "main.default.t"
    assert detail["description"] == "customer tiers"
    assert detail["createdAt"] == START
    assert detail["lastModified"] == _history(lake)[0]["timestamp"]
    assert _history(lake)[0]["operation"] == "SET TBLPROPERTIES"
    assert detail["numFiles"] == 1
    assert isinstance(detail["sizeInBytes"], int) and detail["sizeInBytes"] > 0
    assert detail["partitionColumns"] == []


def test_versions_persist_across_a_restart(tmp_path: Path, clock: ControllableClock) -> None:
    with LocalEngine(tmp_path, clock=clock) as engine:
        _four_versions(engine, clock)
    with LocalEngine(tmp_path, clock=clock) as engine:
        assert [h["version"] for h in _history(engine)] == [3, 2, 1, 0]
        assert _rows(engine, "SELECT tier FROM t VERSION AS OF 1 ORDER BY id") == [
            ("bronze",),
            ("silver",),
        ]
        clock.advance(minutes=1)
        engine.execute("INSERT INTO t VALUES (5, 'gold')")
        assert _history(engine)[0]["version"] == 4


def test_a_table_from_before_versions_starts_its_history(
    tmp_path: Path, clock: ControllableClock
) -> None:
    with LocalEngine(tmp_path, clock=clock, table_versions=False) as engine:
        engine.execute("CREATE TABLE t AS SELECT 1 AS id")
    with LocalEngine(tmp_path, clock=clock) as engine:
        engine.execute("INSERT INTO t VALUES (2)")
        assert [(h["version"], h["operation"]) for h in _history(engine)] == [
            (1, "WRITE"),
            (0, "CONVERT"),
        ]
        assert _rows(engine, "SELECT * FROM t VERSION AS OF 0") == [(1,)]


def test_dropping_a_table_drops_its_history(lake: LocalEngine) -> None:
    lake.execute("CREATE TABLE t (id INT)")
    lake.execute("INSERT INTO t VALUES (1)")
    lake.execute("DROP TABLE t")
    lake.execute("CREATE TABLE t (id INT)")
    assert [h["version"] for h in _history(lake)] == [0]
    lake.execute("ALTER TABLE t RENAME TO u")
    assert [h["operation"] for h in _history(lake, "u")] == ["CREATE TABLE"]
