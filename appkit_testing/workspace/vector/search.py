"""Similarity search over an index's rows: scores, filters, the answer's shape.

The score is Databricks' similarity for L2 distance, ``1 / (1 + d^2)``; an
index created with the emulator's ``similarity_metric: "COSINE"`` scores by
cosine similarity instead. Results are ordered by score, best first (ties by
primary key). ``filters_json`` follows the standard endpoint syntax:
``{"col": v}`` equality, ``{"col": [v1, v2]}`` membership, ``{"col NOT": v}``,
``{"col <": v}`` (also ``<=``, ``>``, ``>=``), ``{"col LIKE": "word"}``
(the column's text contains the word) and ``{"a OR b": [va, vb]}``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from appkit_testing.workspace.errors import bad_request

_COMPARE = {"<": lambda a, b: a < b, "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b, ">=": lambda a, b: a >= b}  # fmt: skip


def score(metric: str, query: Sequence[float], vector: Sequence[float]) -> float:
    if metric == "COSINE":
        norms = math.sqrt(sum(q * q for q in query)) * math.sqrt(sum(v * v for v in vector))
        return sum(q * v for q, v in zip(query, vector)) / norms if norms else 0.0
    distance = sum((q - v) ** 2 for q, v in zip(query, vector))
    return 1.0 / (1.0 + distance)


def _condition(key: str, expected: Any, row: Mapping[str, Any]) -> bool:
    if " OR " in key:
        columns = [c.strip() for c in key.split(" OR ")]
        values = expected if isinstance(expected, list) else [expected] * len(columns)
        return any(_condition(c, v, row) for c, v in zip(columns, values))
    column, _, operator = key.strip().partition(" ")
    if column not in row:
        raise bad_request(f"Filter column {column} does not exist in the index.")
    actual = row[column]
    if operator == "":
        return actual in expected if isinstance(expected, list) else actual == expected
    if operator == "NOT":
        return actual not in expected if isinstance(expected, list) else actual != expected
    if operator == "LIKE":
        return str(expected).lower() in str(actual).lower().split()
    if operator in _COMPARE:
        try:
            return actual is not None and bool(_COMPARE[operator](actual, expected))
        except TypeError:
            raise bad_request(f"Filter {key!r} compares values of different types.") from None
    raise bad_request(f"Unsupported filter operator in {key!r}.")


def parse_filters(raw: object) -> dict[str, Any]:
    if raw is None or raw == "":
        return {}
    try:
        filters = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError:
        raise bad_request("filters_json is not valid JSON.") from None
    if not isinstance(filters, dict):
        raise bad_request("filters_json must be a JSON object.")
    return filters


def matches(filters: Mapping[str, Any], row: Mapping[str, Any]) -> bool:
    return all(_condition(key, value, row) for key, value in filters.items())


def answer(
    rows: Sequence[tuple[float, Mapping[str, Any]]], columns: Sequence[str]
) -> dict[str, Any]:
    """The query response: a manifest of the asked columns plus ``score``, and the rows."""
    return {
        "manifest": {
            "column_count": len(columns) + 1,
            "columns": [{"name": c} for c in columns] + [{"name": "score"}],
        },
        "result": {
            "row_count": len(rows),
            "data_array": [[row.get(c) for c in columns] + [round(s, 6)] for s, row in rows],
        },
        "next_page_token": "",
    }
