"""JSON log lines carrying the request id and principal; secrets are redacted.

One line per record on stderr (Databricks Apps keeps stdout/stderr only).
Every message and extra field passes through the audit redactor, so a token
that slips into a message is still not written.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from appkit_domain.audit.redaction import Redactor
from appkit_web.request_context import principal_id_var, request_id_var

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "color_message"}


class JsonFormatter(logging.Formatter):
    def __init__(self, redactor: Redactor | None = None) -> None:
        super().__init__()
        self.redactor = redactor or Redactor()

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "at": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": self.redactor.redact_text(record.getMessage()),
            "request_id": request_id_var.get(),
            "principal": principal_id_var.get(),
        }
        extras = {k: v for k, v in vars(record).items() if k not in _STANDARD}
        if extras:
            entry.update(self.redactor.redact(extras))
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", redactor: Redactor | None = None) -> None:
    """Send ``appkit*`` and uvicorn logs to stderr as JSON lines (idempotent)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(redactor))
    handler.set_name("appkit-json")
    for name in ("appkit_web", "appkit_adapters", "appkit", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if h.get_name() != "appkit-json"]
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = False
