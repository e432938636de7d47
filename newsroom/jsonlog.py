"""Log records as JSON lines: one object per record, on one line, for a log system to parse.

Every line has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``; a record about a
request (Django's ``django.request`` and ``django.security`` loggers) adds its ``method``,
``path`` and ``status``; an exception's traceback goes into ``exception`` in the same line
(``json.dumps`` escapes its newlines). gunicorn.conf.py uses it for gunicorn's own messages.
"""

import json
import logging
from datetime import UTC, datetime


def utc_time(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": utc_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request = getattr(record, "request", None)
        if getattr(request, "method", None):  # an HttpRequest (runserver passes a socket)
            entry["method"] = request.method
            entry["path"] = request.path
        if hasattr(record, "status_code"):
            entry["status"] = record.status_code
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
