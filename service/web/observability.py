"""JSON logs with a request id, one access line per request, and secrets kept out of both."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import phonenumbers
from flask import Flask, Response, g, has_request_context, request
from flask.logging import default_handler

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
_CALENDAR_FEED = re.compile(r"(/calendars/)[^/]+(\.ics)$")
_SECRET_ARGUMENT = re.compile(r"token|secret|key", re.IGNORECASE)
_SECRETS = [
    (re.compile(r"(?i)\b(bearer|basic)\s+\S+"), r"\1 <redacted>"),
    (re.compile(r"\bzap_[A-Za-z0-9_-]+"), "<redacted>"),
    (re.compile(r"(/calendars/)[^/\s?]+(\.ics)"), r"\1<redacted>\2"),
]
_MANY_DIGITS = re.compile(r"(?:\d\D{0,2}){7}")
# Dates and clock times in log text (APScheduler's "next run at: 2026-12-05 18:40:05 UTC",
# ISO instants): never a phone number, so never redacted as one.
_DATE_OR_TIME = re.compile(
    r"\b(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])\b"
    r"|\b(?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:[.,]\d+)?)?\b"
)

access_log = logging.getLogger("zapis.access")


def scrub(text: str) -> str:
    """Redact bearer, API and feed tokens, and replace phone numbers by `<phone>`."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    if _MANY_DIGITS.search(text):
        # Look for numbers with the stamps blanked out (same length, so positions agree).
        blanked = _DATE_OR_TIME.sub(lambda m: "x" * len(m.group()), text)
        for match in reversed(list(phonenumbers.PhoneNumberMatcher(blanked, "BG"))):
            text = text[: match.start] + "<phone>" + text[match.end :]
    return text


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        request_id = getattr(record, "request_id", None)
        if request_id:
            entry["request_id"] = request_id
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)


_base_factory = logging.getLogRecordFactory()


def _record_with_request_id(*args: Any, **kwargs: Any) -> logging.LogRecord:
    """Stamp each record made while serving a request with that request's id."""
    record = _base_factory(*args, **kwargs)
    record.request_id = g.get("request_id") if has_request_context() else None
    return record


def loggable_path() -> str:
    """Return the request path without its query string, with tokens in it redacted."""
    path = _CALENDAR_FEED.sub(r"\1<redacted>\2", request.path)
    for name, value in (request.view_args or {}).items():
        if _SECRET_ARGUMENT.search(name) and isinstance(value, str) and value:
            path = path.replace(value, "<redacted>")
    return path


def _start_request() -> None:
    given = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = given if _SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish_request(response: Response) -> Response:
    if "request_id" not in g:  # an earlier before_request hook answered first
        _start_request()
    response.headers[REQUEST_ID_HEADER] = g.request_id
    fields: dict[str, Any] = {
        "method": request.method,
        "path": loggable_path(),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - g.request_started) * 1000, 2),
    }
    access_log.info(
        "%s %s %s", fields["method"], fields["path"], fields["status"], extra={"fields": fields}
    )
    return response


def configure_logging(level: str) -> None:
    """Send every log record to stderr as JSON, once per process."""
    root = logging.getLogger()
    if not any(isinstance(h.formatter, JsonFormatter) for h in root.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonFormatter())
        root.addHandler(handler)
        logging.setLogRecordFactory(_record_with_request_id)
    root.setLevel(level.upper())


def init_app(app: Flask) -> None:
    app.config.setdefault("LOG_LEVEL", os.environ.get("LOG_LEVEL", "INFO"))
    configure_logging(app.config["LOG_LEVEL"])
    app.logger.removeHandler(default_handler)
    app.before_request(_start_request)
    app.after_request(_finish_request)
