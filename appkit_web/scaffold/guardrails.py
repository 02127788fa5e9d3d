"""The guardrails generated code must pass, each a small function with a report.

1. ``parses``: exactly a module and its test, both valid Python.
2. ``imports``: every import (and any ``__import__``/``importlib`` call) names
   a module on the allow-list.
3. ``secrets``: no credential in the text (tokens, keys, private keys, and
   string literals assigned to key-, token-, secret- or password-like names).
4. ``ruff``: the project's ruff rules plus the S (bandit) rules: no SQL built
   from strings, no ``eval``/``exec``, no shell, no hard-coded passwords.
5. ``test``: the generated test passes, run by pytest in a scratch copy.

Later guardrails run only when the earlier ones passed (the test would run
code that failed them); a guardrail not run counts as not passed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from appkit_domain.audit.redaction import Redactor
from appkit_web.scaffold.answer import GeneratedFile

ENDPOINT_IMPORTS = frozenset(
    {
        "__future__",
        "typing",
        "collections",
        "dataclasses",
        "datetime",
        "decimal",
        "enum",
        "json",
        "math",
        "re",
        "uuid",
        "functools",
        "itertools",
        "http",
        "fastapi",
        "pydantic",
        "starlette",
        "httpx",
        "pytest",
        "appkit_domain",
        "appkit_web",
        "appkit_adapters",
        "appkit_testing",
        "routers",
    }
)
ADAPTER_IMPORTS = ENDPOINT_IMPORTS | {"databricks", "aiohttp", "asyncio", "adapters"}
TEST_SECONDS = 120
SCRATCH_INI = (
    "[pytest]\naddopts = -p no:cacheprovider\nasyncio_mode = auto\n"
    "asyncio_default_fixture_loop_scope = function\n"
)

_CREDENTIALS = (
    re.compile(r"sk-(?:ant-)?[A-Za-z0-9_-]{20,}"),  # Anthropic and OpenAI keys
    re.compile(r"AKIA[0-9A-Z]{16}"),  # AWS access key id
    re.compile(r"AIza[0-9A-Za-z_-]{30,}"),  # Google API key
    re.compile(r"gh[pousr]_[A-Za-z0-9]{30,}"),  # GitHub token
    re.compile(r"xox[abprs]-[A-Za-z0-9-]{10,}"),  # Slack token
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
)
_SECRET_NAME = re.compile(
    r"(pass(word|wd)?|secret|token|api_?key|access_?key|credential)s?$", re.IGNORECASE
)


@dataclass
class GuardrailResult:
    name: str
    passed: bool
    problems: list[str] = field(default_factory=list)
    ran: bool = True


@dataclass
class GuardrailReport:
    results: list[GuardrailResult]

    @property
    def passed(self) -> bool:
        return all(result.passed for result in self.results)

    def lines(self) -> list[str]:
        out = []
        for result in self.results:
            mark = "pass" if result.passed else ("FAIL" if result.ran else "not run")
            out.append(f"[{mark}] {result.name}")
            out += [f"    {problem}" for problem in result.problems]
        return out

    def as_dict(self) -> dict[str, bool]:
        return {result.name: result.passed for result in self.results}


def check_parses(files: Sequence[GeneratedFile]) -> GuardrailResult:
    problems = []
    if len(files) != 2 or not files[-1].is_test:
        problems.append(
            f"expected two Python code blocks (the module, then its test); got {len(files)}"
        )
    for file in files:
        try:
            ast.parse(file.text, filename=file.path)
        except SyntaxError as exc:
            problems.append(f"{file.path}:{exc.lineno}: {exc.msg}")
    return GuardrailResult("parses", not problems, problems)


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
        elif isinstance(node, ast.Call):
            target = node.func
            name = target.id if isinstance(target, ast.Name) else getattr(target, "attr", "")
            if name in ("__import__", "import_module"):
                found.append((node.lineno, f"{name}()"))
    return found


def check_imports(files: Sequence[GeneratedFile], allowed: frozenset[str]) -> GuardrailResult:
    problems = []
    for file in files:
        for line, module in _imported(ast.parse(file.text)):
            top = module.split(".")[0]
            if module.startswith(".") or module.endswith("()") or top not in allowed:
                problems.append(f"{file.path}:{line}: imports {module}, which is not allowed")
    return GuardrailResult("imports", not problems, problems)


def check_secrets(files: Sequence[GeneratedFile]) -> GuardrailResult:
    problems = []
    for file in files:
        if Redactor().redact_text(file.text) != file.text:
            problems.append(f"{file.path}: holds what looks like a token")
        problems += [
            f"{file.path}: holds what looks like a key ({p.pattern[:12]}...)"
            for p in _CREDENTIALS
            if p.search(file.text)
        ]
        for node in ast.walk(ast.parse(file.text)):
            if isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(
                getattr(node, "value", None), ast.Constant
            ):
                value = node.value.value  # type: ignore[union-attr]
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names = [
                    t.id if isinstance(t, ast.Name) else getattr(t, "attr", "") for t in targets
                ]
                if (
                    isinstance(value, str)
                    and len(value) >= 8
                    and any(_SECRET_NAME.search(n) for n in names)
                ):
                    problems.append(f"{file.path}:{node.lineno}: a literal assigned to {names[0]}")
    return GuardrailResult("secrets", not problems, problems)


def _scratch(files: Sequence[GeneratedFile], root: Path) -> list[Path]:
    written = []
    for file in files:
        path = root / file.path
        path.parent.mkdir(parents=True, exist_ok=True)
        init = path.parent / "__init__.py"
        if not file.is_test and not init.exists():
            init.write_text("")
        path.write_text(file.text, encoding="utf-8")
        written.append(path)
    return written


def check_ruff(files: Sequence[GeneratedFile], project: Path) -> GuardrailResult:
    """The project's ruff configuration (found from where the file will live) plus the S rules;
    only ``assert`` in tests (S101) is allowed, as pytest needs it, and the packages generated
    code lives in (``routers``, ``adapters``) sort as first party."""
    problems = []
    for file in files:
        target = project / file.path
        command = [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--extend-select",
            "S",
            "--config",
            "lint.extend-per-file-ignores = {'tests/**' = ['S101']}",
            "--config",
            "lint.isort.known-first-party = ['routers', 'adapters']",
            "--output-format",
            "json",
            "--stdin-filename",
            str(target),
            "-",
        ]
        try:
            done = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
                command,
                input=file.text,
                capture_output=True,
                text=True,
                timeout=60,
                cwd=project,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return GuardrailResult("ruff", False, [f"ruff could not run: {exc}"])
        if done.returncode not in (0, 1):
            return GuardrailResult("ruff", False, [f"ruff could not run: {done.stderr.strip()}"])
        try:
            findings = json.loads(done.stdout or "[]")
        except ValueError:
            return GuardrailResult("ruff", False, ["ruff gave no readable report"])
        problems += [
            f"{file.path}:{f['location']['row']}: {f['code']} {f['message']}" for f in findings
        ]
    return GuardrailResult("ruff", not problems, problems)


def check_test(files: Sequence[GeneratedFile], project: Path) -> GuardrailResult:
    tests = [file for file in files if file.is_test]
    with tempfile.TemporaryDirectory(prefix="appkit-test-") as scratch:
        root = Path(scratch)
        _scratch(files, root)
        (root / "pytest.ini").write_text(SCRATCH_INI)
        environment = dict(os.environ)
        environment["PYTHONPATH"] = os.pathsep.join(
            [scratch, str(project), environment.get("PYTHONPATH", "")]
        )
        try:
            done = subprocess.run(  # noqa: S603  (a fixed argument list, no shell)
                [sys.executable, "-m", "pytest", "-q", *(t.path for t in tests)],
                capture_output=True,
                text=True,
                timeout=TEST_SECONDS,
                cwd=scratch,
                env=environment,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return GuardrailResult("test", False, [f"the test ran over {TEST_SECONDS}s"])
    if done.returncode == 0:
        return GuardrailResult("test", True)
    tail = [line for line in done.stdout.strip().splitlines() if line.strip()][-8:]
    return GuardrailResult("test", False, tail or [done.stderr.strip()[-500:]])


def run_guardrails(
    files: Sequence[GeneratedFile], *, allowed_imports: frozenset[str], project: Path
) -> GuardrailReport:
    """Every guardrail in order; once one fails the rest are reported as not run."""
    checks: list[Callable[[], GuardrailResult]] = [
        lambda: check_parses(files),
        lambda: check_imports(files, allowed_imports),
        lambda: check_secrets(files),
        lambda: check_ruff(files, project),
        lambda: check_test(files, project),
    ]
    names = ["parses", "imports", "secrets", "ruff", "test"]
    results: list[GuardrailResult] = []
    for name, check in zip(names, checks):
        if results and not results[-1].passed:
            results.append(GuardrailResult(name, False, [], ran=False))
            continue
        results.append(check())
    return GuardrailReport(results)
