"""Redaction of secrets from audit details, applied before hashing.

Two nets: a key whose name says it holds a secret has its value replaced
whatever it is; any string value that looks like a credential (a Databricks
personal access token, a bearer header, a JWT) or equals a secret value the
application registered is replaced too, wherever it sits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

REDACTED = "[REDACTED]"

_SECRET_KEY = re.compile(
    r"(pass(word|wd)?|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|"
    r"authori[sz]ation|credential|cookie|session[_-]?id|client[_-]?secret|pat)$",
    re.IGNORECASE,
)
_SECRET_TEXT = re.compile(
    r"dapi[0-9a-f]{32}(-\d+)?"  # Databricks personal access token
    r"|dose[0-9a-f]{32}"  # Databricks OAuth secret
    r"|(?i:bearer)\s+[A-Za-z0-9._~+/=-]{8,}"  # an Authorization header value
    r"|eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*"  # a JWT
)


class Redactor:
    """Removes tokens and secret values from JSON-like details.

    ``secret_values`` are exact strings (for example values resolved from a
    secret scope) that must never be recorded; values shorter than four
    characters are ignored to avoid redacting ordinary words.
    """

    def __init__(self, secret_values: Iterable[str] = ()) -> None:
        self._values: set[str] = set()
        for value in secret_values:
            self.register(value)

    def register(self, secret_value: str) -> None:
        if len(secret_value) >= 4:
            self._values.add(secret_value)

    def redact(self, details: Mapping[str, Any]) -> dict[str, Any]:
        return {key: self._value(key, value) for key, value in details.items()}

    def redact_text(self, text: str) -> str:
        text = _SECRET_TEXT.sub(REDACTED, text)
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, REDACTED)
        return text

    def _value(self, key: object, value: Any) -> Any:
        if isinstance(key, str) and _SECRET_KEY.search(key.replace("-", "_")) and value is not None:
            return REDACTED
        if isinstance(value, str):
            return self.redact_text(value)
        if isinstance(value, Mapping):
            return {k: self._value(k, v) for k, v in value.items()}
        if isinstance(value, (list, tuple, set, frozenset)):
            return [self._value(None, v) for v in value]
        return value
