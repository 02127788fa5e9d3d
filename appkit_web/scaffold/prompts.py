"""What the scaffolder asks a model for: the system text and where the answer's files go.

The system text states the contract the guardrails then enforce; the user's
own words go in the user message unchanged (so a deterministic echo model
in tests returns exactly what the test wrote).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from appkit_domain.errors import InvalidInput
from appkit_web.scaffold.guardrails import ADAPTER_IMPORTS, ENDPOINT_IMPORTS

_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,62}$")
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# port module -> (port class, contract class, the fixture its suite asks for)
PORTS: dict[str, tuple[str, str, str]] = {
    "approval_store": ("ApprovalStore", "ApprovalStoreContract", "store"),
    "audit_store": ("AuditStore", "AuditStoreContract", "store"),
    "change_store": ("ChangeStore", "ChangeStoreContract", "store"),
    "dq_store": ("DqStore", "DqStoreContract", "store"),
    "governed_table": ("GovernedTable", "GovernedTableContract", "governed"),
    "override_store": ("OverrideStore", "OverrideStoreContract", "store"),
}


def module_name(name: str) -> str:
    """``user-api`` -> ``user_api``; ``InvalidInput`` unless a simple lower-case name."""
    if not _NAME.match(name):
        raise InvalidInput(
            f"name {name!r} must start with a letter and hold lower-case letters, digits, - or _"
        )
    return name.replace("-", "_")


def _class_name(module: str) -> str:
    return "".join(part.capitalize() for part in module.split("_"))


@dataclass(frozen=True)
class Request:
    """One scaffolding request: what to ask, where the two files go, which imports are allowed."""

    kind: str
    name: str
    system: str
    prompt: str
    module_path: str
    test_path: str
    allowed_imports: frozenset[str]

    def paths(self, project: Path) -> list[Path]:
        return [project / self.module_path, project / self.test_path]


def _answer_format(module_path: str, test_path: str, allowed: frozenset[str]) -> str:
    return (
        "Answer with exactly two fenced ```python code blocks and nothing else: first the "
        f"module ({module_path}), then its pytest test ({test_path}). Import only from: "
        f"{', '.join(sorted(allowed))}; sort imports as isort does, with routers and "
        "adapters as the first-party packages. Never build SQL from strings, never call eval, exec "
        "or a shell, never hold a secret, key or token in the code."
    )


def endpoint_request(name: str, method: str, prompt: str) -> Request:
    """A FastAPI router module ``routers/<name>.py`` and ``tests/test_<name>.py``."""
    module = module_name(name)
    verb = method.upper()
    if verb not in METHODS:
        raise InvalidInput(f"method must be one of {', '.join(METHODS)}")
    module_path, test_path = f"routers/{module}.py", f"tests/test_{module}.py"
    system = (
        f"You write one FastAPI router module. It defines `router = APIRouter(prefix="
        f'"/{name}")` with one {verb} route implementing the request below, with pydantic '
        f"models for bodies and responses. The test imports `routers.{module}`, includes the "
        "router in a FastAPI app and calls the route with fastapi.testclient.TestClient. "
        + _answer_format(module_path, test_path, ENDPOINT_IMPORTS)
    )
    return Request("endpoint", name, system, prompt, module_path, test_path, ENDPOINT_IMPORTS)


def adapter_request(name: str, platform: str, port: str, prompt: str) -> Request:
    """A port adapter ``adapters/<name>.py`` and its contract-suite subclass as the test."""
    module = module_name(name)
    if port not in PORTS:
        raise InvalidInput(f"port must be one of {', '.join(sorted(PORTS))}")
    if platform != "databricks":
        raise InvalidInput("platform must be databricks (the only platform with adapters)")
    port_class, contract, fixture = PORTS[port]
    module_path, test_path = f"adapters/{module}.py", f"tests/test_{module}.py"
    system = (
        f"You write one adapter module: class {_class_name(module)} implementing the port "
        f"appkit_domain.ports.{port}.{port_class} for the {platform} platform, every method "
        "honouring the port's docstring contract. The test subclasses "
        f"appkit_testing.contracts.{contract} in a Test* class and provides its `{fixture}` "
        f"fixture with a fresh instance imported from `adapters.{module}`. "
        + _answer_format(module_path, test_path, ADAPTER_IMPORTS)
    )
    request_text = prompt or f"Implement {port_class} for {platform}."
    return Request("adapter", name, system, request_text, module_path, test_path, ADAPTER_IMPORTS)
