# ruff: noqa: S608  (fixed generator SQL: every interpolated piece is a constant of this module)
"""``samples.nyctaxi.trips`` and ``samples.tpch.*``, generated deterministically.

The tables have the columns and types of the Databricks sample datasets; their rows are
made by formulas over ``range()`` (no randomness, no download), so every emulator holds
the same data: ``trips`` has ``TRIPS`` rows between Manhattan ZIP codes 10001 and 10282
(every 97th one from 10282 to one of 10001-10005, so such routes exist); TPC-H is at a small scale (``CUSTOMERS``
customers, ten orders each, one to seven line items per order, the 25 nations and 5
regions of the specification). The values are plausible, not the official TPC-H ones.
The statements are Databricks SQL run through the local engine like any other.
"""

from __future__ import annotations

TRIPS = 21_932
"""As many trips as the Databricks dataset holds."""
CUSTOMERS = 150
SUPPLIERS = 10
PARTS = 200

_NATIONS = (
    "ALGERIA:0 ARGENTINA:1 BRAZIL:1 CANADA:1 EGYPT:4 ETHIOPIA:0 FRANCE:3 GERMANY:3 INDIA:2"
    " INDONESIA:2 IRAN:4 IRAQ:4 JAPAN:2 JORDAN:4 KENYA:0 MOROCCO:0 MOZAMBIQUE:0 PERU:1 CHINA:2"
    " ROMANIA:3 SAUDI_ARABIA:4 VIETNAM:2 RUSSIA:3 UNITED_KINGDOM:3 UNITED_STATES:1"
)
_REGIONS = ("AFRICA", "AMERICA", "ASIA", "EUROPE", "MIDDLE EAST")


def _fraction(expression: str, salt: int) -> str:
    """A deterministic value in [0, 1) from an integer expression (a linear congruence)."""
    return f"(CAST(((({expression}) * 1103515245 + {salt * 12345}) % 2147483648) AS DOUBLE) / 2147483648.0)"


def _pick(values: tuple[str, ...], expression: str, salt: int) -> str:
    items = ", ".join(f"'{v}'" for v in values)
    return f"element_at(array({items}), CAST(floor({_fraction(expression, salt)} * {len(values)}) AS INT) + 1)"


def statements() -> list[str]:
    """The Databricks SQL that creates the samples catalog."""
    nations = ", ".join(
        f"({i}, '{name.replace('_', ' ')}', {region})"
        for i, (name, region) in enumerate(item.split(":") for item in _NATIONS.split())
    )
    regions = ", ".join(f"({i}, '{name}')" for i, name in enumerate(_REGIONS))
    segments = ("AUTOMOBILE", "BUILDING", "FURNITURE", "HOUSEHOLD", "MACHINERY")
    priorities = ("1-URGENT", "2-HIGH", "3-MEDIUM", "4-NOT SPECIFIED", "5-LOW")
    modes = ("AIR", "FOB", "MAIL", "RAIL", "REG AIR", "SHIP", "TRUCK")
    instructions = ("COLLECT COD", "DELIVER IN PERSON", "NONE", "TAKE BACK RETURN")
    brands = tuple(f"Brand#{m}{n}" for m in range(1, 6) for n in range(1, 6))
    containers = (
        "SM CASE",
        "SM BOX",
        "MED BAG",
        "MED BOX",
        "LG CASE",
        "LG BOX",
        "JUMBO PKG",
        "WRAP JAR",
    )
    kinds = (
        "STANDARD ANODIZED TIN",
        "SMALL PLATED COPPER",
        "MEDIUM BURNISHED STEEL",
        "LARGE BRUSHED BRASS",
        "ECONOMY POLISHED NICKEL",
        "PROMO ANODIZED STEEL",
    )
    orders = CUSTOMERS * 10
    pickup = f"timestampadd(SECOND, CAST(floor({_fraction('id', 1)} * 5184000) AS INT), TIMESTAMP'2016-01-01 00:00:00')"
    return [
        "CREATE CATALOG IF NOT EXISTS samples COMMENT 'Sample datasets (generated locally)'",
        "CREATE SCHEMA IF NOT EXISTS samples.nyctaxi",
        "CREATE SCHEMA IF NOT EXISTS samples.tpch",
        "CREATE TABLE samples.nyctaxi.trips AS SELECT"
        " pickup AS tpep_pickup_datetime,"
        f" timestampadd(SECOND, CAST(120 + floor({_fraction('id', 2)} * 2400) AS INT), pickup) AS tpep_dropoff_datetime,"
        f" round(0.3 + {_fraction('id', 3)} * 12, 2) AS trip_distance,"
        f" round(3.5 + {_fraction('id', 4)} * 45, 1) AS fare_amount,"
        f" CASE WHEN id % 97 = 0 THEN 10282 ELSE CAST(10001 + floor({_fraction('id', 5)} * 282) AS INT) END AS pickup_zip,"
        f" CASE WHEN id % 97 = 0 THEN CAST(10001 + id % 5 AS INT) ELSE CAST(10001 + floor({_fraction('id', 6)} * 282) AS INT) END AS dropoff_zip"
        f" FROM (SELECT id, {pickup} AS pickup FROM range({TRIPS}))",
        "CREATE TABLE samples.tpch.region AS SELECT CAST(r_regionkey AS BIGINT) AS r_regionkey,"
        " r_name, concat('region ', r_name) AS r_comment"
        f" FROM VALUES {regions} AS r(r_regionkey, r_name)",
        "CREATE TABLE samples.tpch.nation AS SELECT CAST(n_nationkey AS BIGINT) AS n_nationkey,"
        " n_name, CAST(n_regionkey AS BIGINT) AS n_regionkey, concat('nation ', n_name) AS n_comment"
        f" FROM VALUES {nations} AS n(n_nationkey, n_name, n_regionkey)",
        "CREATE TABLE samples.tpch.supplier AS SELECT id + 1 AS s_suppkey,"
        " concat('Supplier#', lpad(CAST(id + 1 AS STRING), 9, '0')) AS s_name,"
        " concat('address ', CAST(id AS STRING)) AS s_address, id % 25 AS s_nationkey,"
        " concat(CAST(10 + id % 25 AS STRING), '-555-', lpad(CAST(id AS STRING), 4, '0')) AS s_phone,"
        f" CAST(round(-999.99 + {_fraction('id', 7)} * 10998.98, 2) AS DECIMAL(18,2)) AS s_acctbal,"
        " 'supplier' AS s_comment"
        f" FROM range({SUPPLIERS})",
        "CREATE TABLE samples.tpch.part AS SELECT id + 1 AS p_partkey,"
        " concat('part ', CAST(id + 1 AS STRING)) AS p_name,"
        " concat('Manufacturer#', CAST(1 + id % 5 AS STRING)) AS p_mfgr,"
        f" {_pick(brands, 'id', 8)} AS p_brand, {_pick(kinds, 'id', 9)} AS p_type,"
        f" CAST(1 + floor({_fraction('id', 10)} * 50) AS INT) AS p_size,"
        f" {_pick(containers, 'id', 11)} AS p_container,"
        " CAST(900 + (id % 200) + 0.01 * (id % 100) AS DECIMAL(18,2)) AS p_retailprice,"
        " 'part' AS p_comment"
        f" FROM range({PARTS})",
        "CREATE TABLE samples.tpch.partsupp AS SELECT p.id + 1 AS ps_partkey,"
        f" (p.id + s.id * {PARTS // 4}) % {SUPPLIERS} + 1 AS ps_suppkey,"
        f" CAST(1 + floor({_fraction('p.id * 4 + s.id', 12)} * 9999) AS INT) AS ps_availqty,"
        f" CAST(round(1 + {_fraction('p.id * 4 + s.id', 13)} * 999, 2) AS DECIMAL(18,2)) AS ps_supplycost,"
        " 'partsupp' AS ps_comment"
        f" FROM range({PARTS}) AS p CROSS JOIN range(4) AS s",
        "CREATE TABLE samples.tpch.customer AS SELECT id + 1 AS c_custkey,"
        " concat('Customer#', lpad(CAST(id + 1 AS STRING), 9, '0')) AS c_name,"
        " concat('address ', CAST(id AS STRING)) AS c_address, id % 25 AS c_nationkey,"
        " concat(CAST(10 + id % 25 AS STRING), '-555-', lpad(CAST(id AS STRING), 4, '0')) AS c_phone,"
        f" CAST(round(-999.99 + {_fraction('id', 14)} * 10998.98, 2) AS DECIMAL(18,2)) AS c_acctbal,"
        f" {_pick(segments, 'id', 15)} AS c_mktsegment, 'customer' AS c_comment"
        f" FROM range({CUSTOMERS})",
        "CREATE TABLE samples.tpch.orders AS SELECT id + 1 AS o_orderkey,"
        f" id % {CUSTOMERS} + 1 AS o_custkey,"
        " CASE WHEN o_orderdate < DATE'1995-06-17' THEN 'F' ELSE 'O' END AS o_orderstatus,"
        f" CAST(round(1000 + {_fraction('id', 16)} * 400000, 2) AS DECIMAL(18,2)) AS o_totalprice,"
        f" o_orderdate, {_pick(priorities, 'id', 17)} AS o_orderpriority,"
        " concat('Clerk#', lpad(CAST(1 + id % 1000 AS STRING), 9, '0')) AS o_clerk,"
        " 0 AS o_shippriority, 'order' AS o_comment"
        f" FROM (SELECT id, date_add(DATE'1992-01-01', CAST(floor({_fraction('id', 18)} * 2400) AS INT))"
        f" AS o_orderdate FROM range({orders}))",
        "CREATE TABLE samples.tpch.lineitem AS SELECT o.o_orderkey AS l_orderkey,"
        f" (o.o_orderkey * 7 + n.id) % {PARTS} + 1 AS l_partkey,"
        f" (o.o_orderkey + n.id) % {SUPPLIERS} + 1 AS l_suppkey,"
        " CAST(n.id + 1 AS INT) AS l_linenumber,"
        f" CAST(1 + floor({_fraction('o.o_orderkey * 8 + n.id', 19)} * 50) AS DECIMAL(18,2)) AS l_quantity,"
        f" CAST(round(900 + {_fraction('o.o_orderkey * 8 + n.id', 20)} * 100000, 2) AS DECIMAL(18,2)) AS l_extendedprice,"
        f" CAST(floor({_fraction('o.o_orderkey * 8 + n.id', 21)} * 11) / 100 AS DECIMAL(18,2)) AS l_discount,"
        f" CAST(floor({_fraction('o.o_orderkey * 8 + n.id', 22)} * 9) / 100 AS DECIMAL(18,2)) AS l_tax,"
        " CASE WHEN o.o_orderstatus = 'F' THEN 'R' ELSE 'N' END AS l_returnflag,"
        " o.o_orderstatus AS l_linestatus,"
        " date_add(o.o_orderdate, CAST(1 + n.id * 9 AS INT)) AS l_shipdate,"
        " date_add(o.o_orderdate, CAST(30 + n.id * 5 AS INT)) AS l_commitdate,"
        " date_add(o.o_orderdate, CAST(10 + n.id * 9 AS INT)) AS l_receiptdate,"
        f" {_pick(instructions, 'o.o_orderkey * 8 + n.id', 23)} AS l_shipinstruct,"
        f" {_pick(modes, 'o.o_orderkey * 8 + n.id', 24)} AS l_shipmode, 'lineitem' AS l_comment"
        " FROM samples.tpch.orders AS o CROSS JOIN range(7) AS n"
        " WHERE n.id < 1 + o.o_orderkey % 7",
    ]
