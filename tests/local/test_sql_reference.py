"""The Databricks SQL reference corpus: documented examples and their documented results.

Every ``tests/local/sql_reference/*.yaml`` entry is one example from a page of the
Databricks SQL language reference (``p``) with the result that page documents. Each runs
on the local engine; the pass rate is printed and must stay at or above
``PASS_RATE_FLOOR``. An entry the engine does not yet answer as documented carries
``known:`` with what it does instead; every other entry must pass, and a known entry
that starts passing is reported so its mark can be removed. ``utc: true`` marks an example
whose page shows its instant in a US Pacific session, written here in UTC.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from appkit_adapters.local import LocalEngine
from appkit_domain.errors import AppkitError

PASS_RATE_FLOOR = 0.99
CORPUS = Path(__file__).parent / "sql_reference"
PAGE_BASE = "https://docs.databricks.com/en/sql/language-manual/"


def _entries() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CORPUS.glob("*.yaml")):
        for entry in yaml.safe_load(path.read_text()):
            entry["file"] = path.name
            found.append(entry)
    return found


def _shown(value: Any) -> Any:
    """A result value in the form the reference pages write it."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        text = value.replace(tzinfo=None).isoformat(sep=" ")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict):
        return {str(k): _shown(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_shown(v) for v in value]
    return value


def _same(actual: Any, expected: Any) -> bool:
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and len(actual) == len(expected)
            and all(str(k) in actual and _same(actual[str(k)], v) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(actual) == len(expected)
            and all(_same(a, e) for a, e in zip(actual, expected))
        )
    if isinstance(expected, bool) or isinstance(actual, bool):
        return actual is expected if isinstance(expected, bool) else False
    if isinstance(expected, float):
        try:
            number = float(actual)
        except (TypeError, ValueError):
            return False
        return math.isclose(number, expected, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(expected, int) and isinstance(actual, (int, float)):
        return actual == expected and type(actual) is int
    if isinstance(expected, (int, str)) and isinstance(actual, str):
        return actual == str(expected)
    return bool(actual == expected)


def outcome(engine: LocalEngine, entry: dict[str, Any]) -> tuple[bool, str]:
    """Whether the entry answers as documented, and what it answered."""
    try:
        result = engine.execute(entry["q"])
    except AppkitError as error:
        error_class = str(error.details.get("error_class", type(error).__name__))
        wanted = entry.get("error")
        return wanted == error_class, f"raises {error_class}: {error.message[:160]}"
    rows = [[_shown(v) for v in row] for row in result.rows]
    if "error" in entry:
        return False, f"returns {rows!r} instead of raising {entry['error']}"
    if "rows" in entry:
        ok = _same(rows, entry["rows"])
    else:
        ok = len(rows) == 1 and len(rows[0]) == 1 and _same(rows[0][0], entry["v"])
    if ok and "type" in entry:
        ok = result.columns[0].type_text.upper() == str(entry["type"]).upper()
        if not ok:
            return False, f"type {result.columns[0].type_text}"
    return ok, f"returns {rows!r}"


ENTRIES = _entries()


@pytest.fixture(scope="module")
def engine() -> Iterator[LocalEngine]:
    with LocalEngine() as local:
        yield local


def test_the_corpus_is_large_and_cites_its_pages() -> None:
    assert len(ENTRIES) >= 300
    for entry in ENTRIES:
        assert entry.get("p") and entry.get("q"), entry
        assert ("v" in entry) + ("rows" in entry) + ("error" in entry) == 1, entry
        assert set(entry) <= {"p", "q", "v", "rows", "error", "type", "known", "utc", "file"}, entry


def test_reference_examples_answer_as_documented(
    engine: LocalEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    passed, unexpected, fixed = 0, [], []
    for entry in ENTRIES:
        ok, what = outcome(engine, entry)
        passed += ok
        where = f"{entry['file']} {PAGE_BASE}{entry['p']}.html: {entry['q']}"
        if not ok and "known" not in entry:
            unexpected.append(f"{where} -> {what}")
        if ok and "known" in entry:
            fixed.append(where)
    rate = passed / len(ENTRIES)
    with capsys.disabled():
        print(f"\nSQL reference corpus: {passed}/{len(ENTRIES)} pass ({rate:.1%})")
        for where in fixed:
            print(f"  now passes (remove its known: mark): {where}")
    assert not unexpected, "\n".join(unexpected)
    assert rate >= PASS_RATE_FLOOR
