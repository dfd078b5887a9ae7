"""The server's logs: one line per record on stderr, as JSON (one object a line) or as text, chosen by
`TUNNELVIEW_LOG_FORMAT`. Uvicorn's own records (startup, shutdown, a worker that died) and every other
library's warnings go through the same handler, so a deployment reads one format. The access lines
are Tunnelview's own (`api.middleware.RequestLog`, which never logs a query string); uvicorn's access
log is off."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from workflow.settings import Settings

ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "user_id")


def _time(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


def _request(record: logging.LogRecord) -> dict[str, Any] | None:
    request = getattr(record, "request", None)
    return request if isinstance(request, dict) else None


class JsonLines(logging.Formatter):
    """`{"time", "level", "logger", "message"}`, an access line's request fields beside them, and the
    traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _time(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_request(record) or {})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=True, default=str)


class TextLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_time(record)} {record.levelname:<7} {record.name}: {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


def log_config(settings: Settings) -> dict[str, Any]:
    """A `logging.config.dictConfig` for the server, given to uvicorn, which applies it in every worker."""
    formatter = JsonLines if settings.log_format == "json" else TextLines
    level = settings.log_level.upper()
    ours = {"handlers": ["stderr"], "level": level, "propagate": False}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"tunnelview": {"()": f"{formatter.__module__}.{formatter.__qualname__}"}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "tunnelview",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {"tunnelview": ours, "uvicorn": ours, "uvicorn.error": {"level": level}},
        "root": {"handlers": ["stderr"], "level": "WARNING"},
    }


def configure_logging(settings: Settings) -> None:
    """The same configuration outside uvicorn (a command that logs)."""
    import logging.config

    logging.config.dictConfig(log_config(settings))
    logging.captureWarnings(True)
