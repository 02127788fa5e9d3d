"""Generated code is accepted only when every guardrail passes: one test per guardrail."""

from __future__ import annotations

from pathlib import Path

import pytest

from appkit_web.scaffold.answer import files_from_answer
from appkit_web.scaffold.guardrails import ENDPOINT_IMPORTS, GuardrailReport, run_guardrails
from tests.scaffold.samples import BROKEN, BROKEN_SQL, FAILING_TEST, GOOD_TEST, answer


def check(tmp_path: Path, text: str) -> GuardrailReport:
    files = files_from_answer(text, "routers/hello.py", "tests/test_hello.py")
    return run_guardrails(files, allowed_imports=ENDPOINT_IMPORTS, project=tmp_path)


def failed(report: GuardrailReport) -> str:
    return next(r.name for r in report.results if not r.passed)


def test_good_code_passes_every_guardrail_including_its_own_test(tmp_path: Path):
    report = check(tmp_path, answer())
    assert report.passed, report.lines()
    assert [r.name for r in report.results] == ["parses", "imports", "secrets", "ruff", "test"]


def test_code_that_does_not_parse_is_refused(tmp_path: Path):
    report = check(tmp_path, answer(BROKEN["parses"]))
    assert failed(report) == "parses"
    assert all(not r.ran for r in report.results[1:])  # nothing else ran on it


def test_an_answer_without_a_module_and_a_test_is_refused(tmp_path: Path):
    assert failed(check(tmp_path, "```python\nx = 1\n```")) == "parses"
    assert failed(check(tmp_path, "I cannot help with that.")) == "parses"


@pytest.mark.parametrize(
    "line", ["import subprocess", "import os", "from socket import socket", "x = __import__('os')"]
)
def test_an_import_outside_the_allow_list_is_refused(tmp_path: Path, line: str):
    module = answer().split("```python\n")[1].split("```")[0]
    report = check(
        tmp_path,
        answer(
            module.replace(
                "from fastapi import APIRouter", f"{line}\nfrom fastapi import APIRouter"
            )
        ),
    )
    assert failed(report) == "imports", report.lines()


def test_a_secret_in_the_code_is_refused(tmp_path: Path):
    report = check(tmp_path, answer(BROKEN["secrets"]))
    assert failed(report) == "secrets"
    assert any("API_KEY" in p or "key" in p for p in report.results[2].problems)


def test_eval_and_sql_built_from_strings_are_refused_by_ruffs_s_rules(tmp_path: Path):
    evaluated = check(tmp_path, answer(BROKEN["ruff"]))
    assert failed(evaluated) == "ruff" and any("S307" in p for p in evaluated.results[3].problems)
    built = check(tmp_path, answer(BROKEN_SQL))
    assert failed(built) == "ruff" and any("S608" in p for p in built.results[3].problems)


def test_code_whose_generated_test_fails_is_refused(tmp_path: Path):
    report = check(tmp_path, answer(test=FAILING_TEST))
    assert failed(report) == "test"
    assert any("failed" in p for p in report.results[4].problems)
    assert GOOD_TEST != FAILING_TEST
