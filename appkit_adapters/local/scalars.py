"""String, number, date and JSON functions with Databricks semantics, rewritten for DuckDB.

- STRING literals passed where a date or timestamp is expected are cast as Databricks
  casts them implicitly (``date_trunc('MM', '2015-03-05T09:32:05')``, ``hour('...')``);
- ``DATE ± INTERVAL`` of days, weeks, months or years stays a DATE, and so do
  ``date_from_unix_date`` and dates from ``sequence``;
- ``ceil``/``floor`` of one argument are BIGINT; ``div`` truncates toward zero; ``bround``
  rounds half to even; ``pmod``, ``width_bucket``, ``nanvl``, ``e``, ``expm1``, ``log1p``,
  ``hypot``, ``rint``, ``positive``, ``negative`` exist; ``try_add``/``try_subtract``/
  ``try_multiply`` give NULL on overflow;
- ``months_between`` and ``timestampdiff`` count as Databricks does (whole units);
- ``'{...}':path`` yields the value as text; ``from_json`` takes a DDL schema;
- ``percentile`` interpolates; ``kurtosis`` and ``skewness`` are the population measures;
  ``string_agg`` without a delimiter concatenates; ``rank(x)`` takes its ignored argument;
- ``typeof`` names Databricks types.
"""

from __future__ import annotations

from sqlglot import exp
from sqlglot.errors import ParseError

from appkit_adapters.local.errors import unsupported
from appkit_adapters.local.information_schema import databricks_type_text
from appkit_adapters.local.templates import fill, literal_int

_TIMESTAMP_ARGS = (
    exp.TimestampTrunc,
    exp.Hour,
    exp.Minute,
    exp.Second,
    exp.Quarter,
    exp.DayOfYear,
    exp.WeekOfYear,
    exp.Month,
    exp.Year,
    exp.Day,
    exp.DayOfMonth,
    exp.DayOfWeek,
)
_DATE_ARGS = (exp.LastDay, exp.NextDay, exp.DateTrunc)
_DATE_UNITS = frozenset({"DAY", "DAYS", "WEEK", "WEEKS", "MONTH", "MONTHS", "YEAR", "YEARS"})


def _is_text(node: exp.Expr | None) -> bool:
    return isinstance(node, exp.Literal) and node.is_string


def _cast(node: exp.Expr, type_text: str) -> exp.Expr:
    return exp.Cast(this=node.copy(), to=exp.DataType.build(type_text))


def _is_date(node: exp.Expr) -> bool:
    if isinstance(node, exp.Cast):
        return node.to.is_type("date")
    if isinstance(node, (exp.CurrentDate, exp.TsOrDsToDate, exp.DateFromParts, exp.LastDay)):
        return True
    return node.type is not None and node.type.is_type("date")


def _interval_unit(node: exp.Expr) -> str | None:
    if isinstance(node, exp.Interval):
        unit = node.args.get("unit")
        return str(unit.name if unit is not None else "").upper()
    return None


def _typeof(value: exp.Expr) -> exp.Expr:
    return fill(databricks_type_text("typeof(_1)"), value)


def _months_between(node: exp.MonthsBetween) -> exp.Expr:
    left = _cast(node.this, "TIMESTAMP")
    right = _cast(node.expression, "TIMESTAMP")
    raw = (
        "CASE WHEN day(_1) = day(_2) OR (_1::DATE = last_day(_1::DATE) AND _2::DATE ="
        " last_day(_2::DATE)) THEN CAST((year(_1) * 12 + month(_1)) - (year(_2) * 12 + month(_2))"
        " AS DOUBLE) ELSE ((year(_1) * 12 + month(_1)) - (year(_2) * 12 + month(_2)))"
        " + ((day(_1) - day(_2)) * 86400 + (epoch(_1) - epoch(date_trunc('day', _1)))"
        " - (epoch(_2) - epoch(date_trunc('day', _2)))) / (31.0 * 86400) END"
    )
    round_off = node.args.get("roundoff")
    if isinstance(round_off, exp.Boolean) and not round_off.this:
        return fill(raw, left, right)
    return fill(f"round({raw}, 8)", left, right)


def _from_json(node: exp.FromJson) -> exp.Expr | None:
    schema = node.expression
    if not _is_text(schema):
        return None
    text = str(schema.this).strip()
    if not text.upper().startswith(("STRUCT", "ARRAY", "MAP")):
        text = f"STRUCT<{text}>"
    try:
        wanted = exp.DataType.build(text, dialect="databricks")
    except (ParseError, ValueError):
        return None
    return exp.Cast(this=fill("json(_1)", node.this), to=wanted)


def _moments(value: exp.Expr, which: str) -> exp.Expr:
    value = _cast(value, "DOUBLE")
    mean = "(sum(_1) / count(_1))"
    m2 = f"(sum(_1 * _1) / count(_1) - {mean} * {mean})"
    if which == "skewness":
        m3 = (
            f"(sum(_1 * _1 * _1) / count(_1) - 3 * {mean} * sum(_1 * _1) / count(_1)"
            f" + 2 * {mean} * {mean} * {mean})"
        )
        return fill(f"CAST({m3} / pow({m2}, 1.5) AS DOUBLE)", value)
    m4 = (
        f"(sum(_1 * _1 * _1 * _1) / count(_1) - 4 * {mean} * sum(_1 * _1 * _1) / count(_1)"
        f" + 6 * {mean} * {mean} * sum(_1 * _1) / count(_1) - 3 * pow({mean}, 4))"
    )
    return fill(f"CAST({m4} / ({m2} * {m2}) - 3 AS DOUBLE)", value)


_UNITS = {
    "YEAR": "YEAR",
    "YYYY": "YEAR",
    "YY": "YEAR",
    "QUARTER": "QUARTER",
    "MONTH": "MONTH",
    "MM": "MONTH",
    "MON": "MONTH",
    "WEEK": "WEEK",
    "DAY": "DAY",
    "DD": "DAY",
    "HOUR": "HOUR",
    "MINUTE": "MINUTE",
    "SECOND": "SECOND",
    "MILLISECOND": "MILLISECOND",
    "MICROSECOND": "MICROSECOND",
}


def _normalize_unit(node: exp.Expr) -> None:
    """Databricks accepts ``'MM'``, ``'YYYY'``, ``'DD'``... where DuckDB wants full names."""
    unit = node.args.get("unit")
    if isinstance(unit, (exp.Var, exp.Literal)):
        name = _UNITS.get(str(unit.this).upper())
        if name is not None:
            node.set(
                "unit", exp.Literal.string(name) if isinstance(unit, exp.Literal) else exp.var(name)
            )


def _strptime_format(node: exp.Expr) -> exp.Expr | None:
    """A Java-style format literal as DuckDB's ``strptime`` reads it."""
    from sqlglot.dialects.databricks import Databricks
    from sqlglot.time import format_time

    found = node.args.get("format")
    if found is None or not _is_text(found):
        return None
    text = str(found.this)
    if "%" not in text:
        text = str(format_time(text, Databricks.TIME_MAPPING, Databricks.TIME_TRIE))
    return exp.Literal.string(text.replace("strict", ""))


def _implicit_casts(node: exp.Expr) -> None:
    if isinstance(node, _TIMESTAMP_ARGS) and _is_text(node.this):
        node.set("this", _cast(node.this, "TIMESTAMPTZ"))
    elif isinstance(node, _DATE_ARGS) and _is_text(node.this):
        node.set("this", _cast(node.this, "DATE"))
    elif isinstance(node, exp.Extract) and not isinstance(node.expression, exp.Interval):
        # the session time zone is UTC, so a TIMESTAMP's wall clock is its UTC fields
        node.set("expression", _cast(node.expression, "TIMESTAMP"))
    if isinstance(node, (exp.TimestampTrunc, exp.DateTrunc)):
        _normalize_unit(node)


_INT_PARTS = (
    exp.Year,
    exp.Month,
    exp.Day,
    exp.DayOfMonth,
    exp.Hour,
    exp.Minute,
    exp.Second,
    exp.Quarter,
    exp.DayOfYear,
    exp.WeekOfYear,
)
"""Date parts Databricks answers as INT (DuckDB as BIGINT)."""


def by_class(node: exp.Expr) -> exp.Expr | None:
    """The rewrite of a typed sqlglot node, or None to leave it (maybe changed in place)."""
    _implicit_casts(node)
    if isinstance(node, _INT_PARTS):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("INT"))
    if isinstance(node, (exp.Add, exp.Sub)):
        unit = _interval_unit(node.expression)
        if unit in _DATE_UNITS and _is_date(node.this):
            return exp.Cast(this=node.copy(), to=exp.DataType.build("DATE"))
        return None
    if isinstance(node, (exp.Ceil, exp.Floor)) and node.args.get("decimals") is None:
        return exp.Cast(this=node.copy(), to=exp.DataType.build("BIGINT"))
    if isinstance(node, exp.IntDiv):
        return fill(
            "CASE WHEN _2 = 0 THEN error('[DIVIDE_BY_ZERO] Division by zero. Use `try_divide`"
            " to tolerate divisor being 0.') ELSE CAST(trunc(_1 / _2) AS BIGINT) END",
            node.this,
            node.expression,
        )
    if isinstance(node, (exp.SafeAdd, exp.SafeSubtract, exp.SafeMultiply)):
        op = {exp.SafeAdd: "+", exp.SafeSubtract: "-", exp.SafeMultiply: "*"}[type(node)]
        tried = fill(f"try(_1 {op} _2)", node.this, node.expression)
        if _interval_unit(node.expression) in _DATE_UNITS and _is_date(node.this):
            return exp.Cast(this=tried, to=exp.DataType.build("DATE"))
        return tried
    if isinstance(node, (exp.StrToTime, exp.TimestampFromParts)):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("TIMESTAMPTZ"))
    if isinstance(node, exp.RegexpSplit) and node.args.get("limit") is not None:
        return fill(
            "CASE WHEN _3 <= 0 OR len(regexp_split_to_array(_1, _2)) <= _3 THEN"
            " regexp_split_to_array(_1, _2) ELSE list_concat(list_slice(regexp_split_to_array(_1,"
            " _2), 1, _3 - 1), [array_to_string(list_transform(range(_3, len(regexp_split_to_array("
            "_1, _2)) + 1), __k -> regexp_split_to_array(_1, _2)[__k] || coalesce("
            "regexp_extract_all(_1, _2)[__k], '')), '')]) END",
            node.this,
            node.expression,
            node.args["limit"],
        )
    if isinstance(node, exp.DateFromUnixDate):
        return fill("CAST(DATE '1970-01-01' + to_days(CAST(_1 AS INT)) AS DATE)", node.this)
    if isinstance(node, exp.MonthsBetween):
        return _months_between(node)
    if isinstance(node, (exp.TimestampDiff, exp.DateDiff)) and node.args.get("unit") is not None:
        part = exp.Literal.string(str(node.args["unit"].name).lower())
        return fill(
            "date_sub(_1, CAST(_2 AS TIMESTAMP), CAST(_3 AS TIMESTAMP))",
            part,
            node.expression,
            node.this,
        )
    if isinstance(node, exp.JSONExtract) and node.args.get("variant_extract"):
        return exp.JSONExtractScalar(this=node.this.copy(), expression=node.expression.copy())
    if isinstance(node, exp.FromJson):
        return _from_json(node)
    if isinstance(node, exp.Quantile):
        return fill("quantile_cont(_1, _2)", node.this, node.args["quantile"])
    if isinstance(node, (exp.Kurtosis, exp.Skewness)):
        return _moments(node.this, "skewness" if isinstance(node, exp.Skewness) else "kurtosis")
    if isinstance(node, exp.GroupConcat) and node.args.get("separator") is None:
        node.set("separator", exp.Literal.string(""))
        return None
    if isinstance(node, (exp.Rank, exp.DenseRank, exp.PercentRank)) and node.expressions:
        node.set("expressions", [])
        return None
    if isinstance(node, exp.Typeof):
        return _typeof(node.this)
    if isinstance(node, exp.Uuid):
        return fill("CAST(uuid() AS VARCHAR)")
    if isinstance(node, exp.StrToUnix) and node.args.get("format") is not None:
        pattern = _strptime_format(node)
        if pattern is None or pattern.this == "%Y-%m-%d %H:%M:%S":
            return None  # the default format: left to the timestamp-or-string rule
        return fill("CAST(epoch(strptime(_1, _2)) AS BIGINT)", node.this, pattern)
    if isinstance(node, exp.DateTrunc):
        return exp.Cast(this=node.copy(), to=exp.DataType.build("DATE"))
    return None


_TEMPLATES = {
    "btrim": "trim(_1)",
    "bround": "round_even(_1, _2)",
    "pmod": "((_1 % _2) + _2) % _2",
    "nanvl": "CASE WHEN isnan(_1) THEN _2 ELSE _1 END",
    "e": "exp(1)",
    "expm1": "exp(_1) - 1",
    "log1p": "ln(1 + _1)",
    "hypot": "sqrt(_1 * _1 + _2 * _2)",
    "rint": "CAST(round_even(CAST(_1 AS DOUBLE), 0) AS DOUBLE)",
    "positive": "(+ _1)",
    "negative": "(- _1)",
    "isnull": "(_1 IS NULL)",
    "isnotnull": "(_1 IS NOT NULL)",
    "zeroifnull": "coalesce(_1, 0)",
    "nullifzero": "nullif(_1, 0)",
    "weekday": "CAST(isodow(CAST(_1 AS DATE)) - 1 AS INT)",
    "timestamp_micros": "CAST(make_timestamp(CAST(_1 AS BIGINT)) AS TIMESTAMPTZ)",
    "timestamp_millis": "CAST(epoch_ms(CAST(_1 AS BIGINT)) AS TIMESTAMPTZ)",
    "timestamp_seconds": "to_timestamp(_1)",
    "every": "bool_and(_1)",
    "some": "bool_or(_1)",
    "std": "stddev_samp(_1)",
    "octet_length": "strlen(_1)",
    "regexp_substr": "CASE WHEN regexp_matches(_1, _2) THEN regexp_extract(_1, _2) END",
    "mask": "regexp_replace(regexp_replace(regexp_replace(_1, '[A-Z]', 'X', 'g'), '[a-z]', 'x', 'g'), '[0-9]', 'n', 'g')",
    "width_bucket": (
        "CASE WHEN _2 < _3 THEN (CASE WHEN _1 < _2 THEN 0 WHEN _1 >= _3 THEN _4 + 1"
        " ELSE CAST(floor((_1 - _2) / (_3 - _2) * _4) AS BIGINT) + 1 END)"
        " ELSE (CASE WHEN _1 > _2 THEN 0 WHEN _1 <= _3 THEN _4 + 1"
        " ELSE CAST(floor((_2 - _1) / (_2 - _3) * _4) AS BIGINT) + 1 END) END"
    ),
    "substring_index": (
        "CASE WHEN _3 = 0 THEN '' WHEN _3 > 0 THEN array_to_string(list_slice(string_split(_1, _2),"
        " 1, _3), _2) ELSE array_to_string(list_slice(string_split(_1, _2),"
        " greatest(len(string_split(_1, _2)) + _3 + 1, 1), len(string_split(_1, _2))), _2) END"
    ),
}
_ARITY = {"btrim": {1, 2}, "mask": {1}, "bround": {1, 2}}


def by_name(name: str, args: list[exp.Expr]) -> exp.Expr | None:
    """The rewrite of a call by its Databricks name, or None to leave it."""
    if name == "btrim" and len(args) == 2:
        return fill("trim(_1, _2)", *args)
    if name == "bround" and len(args) == 1:
        args.append(exp.Literal.number(0))
    if name == "elt" and len(args) > 1:
        return fill("list_extract(_1, _2)", exp.Array(expressions=args[1:]), args[0])
    nulls = any(isinstance(a, exp.Null) for a in args)
    if name in ("contains", "startswith", "endswith") and len(args) == 2 and nulls:
        return exp.Null()
    if name == "format_number" and len(args) == 2:
        digits = literal_int(args[1])
        if digits is None:
            raise unsupported("format_number with a format pattern")
        pattern = exp.Literal.string(f"{{:,.{digits}f}}")
        return exp.Anonymous(this="format", expressions=[pattern, _cast(args[0], "DOUBLE")])
    if name == "concat_ws" and len(args) == 1:
        return exp.Literal.string("")
    if name in _TEMPLATES and len(args) in _ARITY.get(name, {len(args)}):
        return fill(_TEMPLATES[name], *args)
    return None
