"""What table versions cost: the local engine with versions against the same engine without.

Run: .venv/bin/python bench/bench_table_versions.py [--rows N] [--writes N] [--disk]
     [--ducklake-python PATH]

Figures, each beside its goal (versions on / versions off, same engine, same data):
- single-row INSERT statements (goal: at most 3x the cost without versions);
- single-row UPDATE by key on a table of ``--rows`` rows (goal: at most 6x: the
  update is three more statements, each a DuckDB round trip);
- a governed-write-shaped atomic block: one UPDATE of the governed row plus two
  INSERTs (ledger, audit) in one ``BEGIN ATOMIC`` (goal: at most 2x);
- a whole-table aggregate over the current version (goal: at most 1.1x: reads of
  the current version never touch the row versions);
- the same aggregate over an old version through ``VERSION AS OF`` (reported;
  goal: under 10x the current read);
- storage: row images kept per current row after the writes.

The candidates the engine did not take are measured on the same machine when
they are installed: ``deltalake`` (delta-rs) in this environment, and DuckDB's
DuckLake extension through ``--ducklake-python`` (a Python with
``duckdb==1.5.5`` and ``duckdb-extension-ducklake==1.5.5``: the extension pins
DuckDB, so it cannot share this environment's DuckDB). Both are compared with
native DuckDB tables doing the same statements.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from appkit_adapters.local import LocalEngine


def _per_op_ms(run: Callable[[int], None], count: int) -> float:
    started = time.perf_counter()
    for i in range(count):
        run(i)
    return (time.perf_counter() - started) * 1000 / count


def _median_ms(run: Callable[[], None], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


BLOCK = textwrap.dedent(
    """\
    BEGIN ATOMIC
      IF (SELECT COUNT(*) FROM main.default.governed WHERE id = :id AND tier = :old) <> 1 THEN
        SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'APPKIT_STALE 0';
      END IF;
      UPDATE main.default.governed SET tier = :new WHERE id = :id AND tier = :old;
      INSERT INTO main.default.ledger VALUES (:id, :new);
      INSERT INTO main.default.audit VALUES (:id, :new, current_timestamp());
    END;"""
)


def measure_engine(keep: bool, rows: int, writes: int, data_dir: Path | None) -> dict[str, float]:
    engine = LocalEngine(data_dir, table_versions=keep)
    managed = "TBLPROPERTIES ('delta.feature.catalogManaged' = 'supported')"
    try:
        engine.execute("CREATE TABLE main.default.events (id BIGINT, label STRING, at TIMESTAMP)")
        insert_ms = _per_op_ms(
            lambda i: engine.execute(
                "INSERT INTO main.default.events VALUES (:id, :label, current_timestamp())",
                {"id": i, "label": f"event-{i}"},
            ),
            writes,
        )
        engine.execute(
            f"CREATE TABLE main.default.governed {managed} AS SELECT id,"
            " concat('name-', CAST(id AS STRING)) AS name, 'bronze' AS tier,"
            " CAST(id * 1.5 AS DECIMAL(12,2)) AS amount FROM range(:n) AS r(id)",
            {"n": rows},
        )
        update_ms = _per_op_ms(
            lambda i: engine.execute(
                "UPDATE main.default.governed SET tier = 'silver' WHERE id = :id",
                {"id": (i * 7919) % rows},
            ),
            writes,
        )
        engine.execute(f"CREATE TABLE main.default.ledger (id BIGINT, tier STRING) {managed}")
        engine.execute(
            f"CREATE TABLE main.default.audit (id BIGINT, tier STRING, at TIMESTAMP) {managed}"
        )
        tiers = ("bronze", "silver", "gold")

        def block(i: int) -> None:
            key = (i * 104729) % rows
            current = engine.execute(
                "SELECT tier FROM main.default.governed WHERE id = :id", {"id": key}
            ).scalar()
            new = tiers[(tiers.index(current) + 1) % 3]
            engine.execute(BLOCK, {"id": key, "old": current, "new": new})

        block_ms = _per_op_ms(block, writes) - _per_op_ms(
            lambda i: engine.execute(
                "SELECT tier FROM main.default.governed WHERE id = :id", {"id": i % rows}
            ),
            writes,
        )
        aggregate = "SELECT tier, count(*), sum(amount) FROM main.default.governed GROUP BY tier"
        read_ms = _median_ms(lambda: engine.execute(aggregate))
        figures = {
            "insert": insert_ms,
            "update": update_ms,
            "block": block_ms,
            "read": read_ms,
        }
        if keep:
            old = aggregate.replace("governed", "governed VERSION AS OF 1")
            figures["travel"] = _median_ms(lambda: engine.execute(old))
            figures["images_per_row"] = _images_per_row(engine)
        return figures
    finally:
        engine.close()


def _images_per_row(engine: LocalEngine) -> float:
    cursor = engine._cursor()  # the row-version tables are internal: read them directly
    total = 0
    for schema, table in cursor.execute(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'uc__main'"
        " AND schema_name = '__appkit_history'"
    ).fetchall():
        found = cursor.execute(f'SELECT count(*) FROM uc__main."{schema}"."{table}"').fetchone()
        total += int(found[0]) if found else 0
    current = engine.execute(
        "SELECT (SELECT count(*) FROM main.default.governed) + (SELECT count(*) FROM"
        " main.default.events) + (SELECT count(*) FROM main.default.ledger) + (SELECT count(*)"
        " FROM main.default.audit)"
    ).scalar()
    return total / max(int(current), 1)


NATIVE_VS_CANDIDATE = textwrap.dedent(
    """\
    import os, sys, tempfile, time, json
    import duckdb
    rows, writes, kind = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    def per_op(fn, n):
        t = time.perf_counter()
        for i in range(n): fn(i)
        return (time.perf_counter() - t) * 1000 / n
    def median(fn, k=7):
        out = []
        for _ in range(k):
            t = time.perf_counter(); fn(); out.append((time.perf_counter() - t) * 1000)
        return sorted(out)[k // 2]
    tmp = tempfile.mkdtemp()
    c = duckdb.connect()
    if kind == "ducklake":
        import duckdb_extension_ducklake as d
        folder = os.path.join(os.path.dirname(d.__file__), "extensions")
        ext = os.path.join(folder, os.listdir(folder)[0], "ducklake.duckdb_extension")
        c.execute(f"LOAD '{ext}'")
        c.execute(f"ATTACH 'ducklake:{tmp}/meta.ducklake' AS db (DATA_PATH '{tmp}/data')")
    else:
        c.execute(f"ATTACH '{tmp}/native.duckdb' AS db")
    c.execute("CREATE TABLE db.main.events (id BIGINT, label VARCHAR, created TIMESTAMPTZ)")
    ins = per_op(lambda i: c.execute("INSERT INTO db.main.events VALUES ($1, $2, now())", [i, f"e{i}"]), writes)
    c.execute(f"CREATE TABLE db.main.governed AS SELECT range AS id, 'name-' || range AS name, 'bronze' AS tier, CAST(range * 1.5 AS DECIMAL(12,2)) AS amount FROM range({rows})")
    upd = per_op(lambda i: c.execute("UPDATE db.main.governed SET tier = 'silver' WHERE id = $1", [(i * 7919) % rows]), writes)
    rd = median(lambda: c.execute("SELECT tier, count(*), sum(amount) FROM db.main.governed GROUP BY tier").fetchall())
    print(json.dumps({"insert": ins, "update": upd, "read": rd}))
    """
)


def measure_deltalake(rows: int, writes: int) -> dict[str, float] | None:
    """delta-rs: one Delta commit per write (append; update by predicate), read through Arrow."""
    try:
        import deltalake
        import pyarrow as pa
    except ImportError:
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/events"
        schema = pa.schema([("id", pa.int64()), ("label", pa.string())])
        deltalake.write_deltalake(path, pa.table({"id": [], "label": []}, schema=schema))
        insert_ms = _per_op_ms(
            lambda i: deltalake.write_deltalake(
                path, pa.table({"id": [i], "label": [f"e{i}"]}, schema=schema), mode="append"
            ),
            writes,
        )
        governed = f"{folder}/governed"
        deltalake.write_deltalake(
            governed,
            pa.table({"id": list(range(rows)), "tier": ["bronze"] * rows}),
        )
        update_ms = _per_op_ms(
            lambda i: deltalake.DeltaTable(governed).update(
                predicate=f"id = {(i * 7919) % rows}", updates={"tier": "'silver'"}
            ),
            max(writes // 10, 5),
        )
        read_ms = _median_ms(lambda: deltalake.DeltaTable(governed).to_pyarrow_table())
        return {"insert": insert_ms, "update": update_ms, "read": read_ms}


def measure_other_python(python: str, kind: str, rows: int, writes: int) -> dict[str, float]:
    import json

    done = subprocess.run(
        [python, "-c", NATIVE_VS_CANDIDATE, str(rows), str(writes), kind],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{kind} measurement with {python} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--writes", type=int, default=300)
    parser.add_argument(
        "--disk", action="store_true", help="keep catalogs in files (as `run` does)"
    )
    parser.add_argument("--ducklake-python", help="a Python with duckdb 1.5.5 and DuckLake")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) if args.disk else None
        off = measure_engine(False, args.rows, args.writes, root / "off" if root else None)
        on = measure_engine(True, args.rows, args.writes, root / "on" if root else None)
    where = "on disk" if args.disk else "in memory"
    print(f"local engine, {args.rows:,}-row governed table, {args.writes} writes each, {where}")
    print(f"{'operation':34} {'versions':>10} {'none':>10} {'ratio':>7}  goal")
    goals = {"insert": 3.0, "update": 6.0, "block": 2.0, "read": 1.1}
    labels = {
        "insert": "single-row INSERT",
        "update": "single-row UPDATE by key",
        "block": "atomic block (UPDATE + 2 INSERTs)",
        "read": "aggregate, current version",
    }
    for key, label in labels.items():
        ratio = on[key] / off[key]
        verdict = "ok" if ratio <= goals[key] else "MISSED"
        print(
            f"{label:34} {on[key]:8.3f}ms {off[key]:8.3f}ms {ratio:6.2f}x  <= {goals[key]}x {verdict}"
        )
    travel_ratio = on["travel"] / on["read"]
    print(
        f"{'aggregate, VERSION AS OF 1':34} {on['travel']:8.3f}ms {'':>10} {travel_ratio:6.2f}x"
        f"  < 10x the current read {'ok' if travel_ratio < 10 else 'MISSED'}"
    )
    print(f"row images kept per current row after the writes: {on['images_per_row']:.2f}")
    print()
    print("candidates not taken (same statements; ratio against native DuckDB tables)")
    delta = measure_deltalake(args.rows, args.writes)
    if delta is None:
        print("  delta-rs: not installed here (pip install deltalake to measure it)")
    native = measure_other_python(sys.executable, "native", args.rows, args.writes)
    if delta is not None:
        for key in ("insert", "update", "read"):
            print(
                f"  delta-rs {key:7} {delta[key]:9.3f}ms  native DuckDB {native[key]:8.3f}ms"
                f"  {delta[key] / native[key]:7.1f}x"
            )
    if args.ducklake_python:
        lake = measure_other_python(args.ducklake_python, "ducklake", args.rows, args.writes)
        base = measure_other_python(args.ducklake_python, "native", args.rows, args.writes)
        for key in ("insert", "update", "read"):
            print(
                f"  DuckLake {key:7} {lake[key]:9.3f}ms  native DuckDB {base[key]:8.3f}ms"
                f"  {lake[key] / base[key]:7.1f}x  (DuckDB 1.5.5)"
            )
    else:
        print("  DuckLake: pass --ducklake-python (its extension pins duckdb==1.5.5)")


if __name__ == "__main__":
    main()
