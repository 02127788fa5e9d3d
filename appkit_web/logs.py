"""JSON log lines carrying the request id and principal; secrets are redacted.

One line per record on stderr (Databricks Apps keeps stdout/stderr only).
Every message, extra field and traceback passes through the audit redactor, so
a token that slips into a message is still not written. ``create_app`` calls
:func:`configure_logging`, so an app started by plain ``uvicorn`` logs this way
too; uvicorn's own access lines are silenced (the app writes its own, with
the request id and principal).
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
            entry["error_message"] = self.redactor.redact_text(str(record.exc_info[1]))
            entry["traceback"] = self.redactor.redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO", redactor: Redactor | None = None) -> None:
    """Send ``appkit*`` and uvicorn logs to stderr as JSON lines (idempotent).

    Handlers uvicorn's default configuration put on its loggers are replaced;
    handlers others added (a test's capture) are kept.
    """
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter(redactor))
    handler.set_name(HANDLER_NAME)
    for name in ("appkit_web", "appkit_adapters", "appkit", "uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers = [h for h in logger.handlers if _kept(h)]
        logger.addHandler(handler)
        logger.setLevel(level.upper())
        logger.propagate = False
    access = logging.getLogger("uvicorn.access")
    access.handlers = [h for h in access.handlers if _kept(h)]
    access.setLevel(logging.WARNING)
    access.propagate = False


HANDLER_NAME = "appkit-json"


def _kept(handler: logging.Handler) -> bool:
    """Whether a handler stays: not ours (replaced) and not one of uvicorn's default ones."""
    if handler.get_name() == HANDLER_NAME:
        return False
    formatter = handler.formatter
    return not (formatter is not None and type(formatter).__module__.startswith("uvicorn"))
