"""Settings read from the environment, with defaults that run the demo on nothing but Python."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

DEFAULT_TRAVEL_MINUTES = {
    # Realistic driving times between the offices, in minutes, with a margin for parking.
    ("burgas", "sofia"): 270,
    ("harmanli", "sofia"): 180,
    ("burgas", "harmanli"): 135,
}

# Interpreters' limits on trauma-heavy sessions, unless an interpreter has their own.
DEFAULT_INTERPRETER_HOURS_DAY = 5
DEFAULT_INTERPRETER_HOURS_WEEK = 20
DEFAULT_INTERPRETER_LIMITED_TYPES = frozenset({"counselling"})


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def _float(name: str, default: float) -> float:
    value = os.environ.get(name)
    return float(value) if value else default


def _types(name: str) -> frozenset[str]:
    """Booking types from a comma-separated setting, or the default limited types."""
    value = os.environ.get(name)
    if not value:
        return DEFAULT_INTERPRETER_LIMITED_TYPES
    return frozenset(t.strip() for t in value.split(",") if t.strip())


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if not value else value.strip().lower() in ("1", "true", "yes", "on")


def load_config(instance_path: str) -> dict[str, Any]:
    """Return the settings for an app whose instance folder is `instance_path`."""
    sqlite_file = Path(instance_path) / "zapis.sqlite3"
    env = os.environ.get("ZAPIS_ENV", "development")
    return {
        "DATABASE_URL": os.environ.get("DATABASE_URL") or f"sqlite:///{sqlite_file}",
        "SECRET_KEY": os.environ.get("SECRET_KEY"),
        "ZAPIS_ENV": env,
        "CONSOLE_SECURE_COOKIES": _flag("CONSOLE_SECURE_COOKIES", env == "production"),
        "PUBLIC_BASE_URL": os.environ.get("PUBLIC_BASE_URL"),
        "TIMEZONE": "Europe/Sofia",
        "BOOKING_BUFFER_MINUTES": _int("BOOKING_BUFFER_MINUTES", 15),
        "TRAVEL_MINUTES": dict(DEFAULT_TRAVEL_MINUTES),
        "MAX_BOOKING_MINUTES": _int("MAX_BOOKING_MINUTES", 12 * 60),
        "PAST_GRACE_MINUTES": _int("PAST_GRACE_MINUTES", 5),
        "INTERPRETER_MAX_HOURS_DAY": _int(
            "INTERPRETER_MAX_HOURS_DAY", DEFAULT_INTERPRETER_HOURS_DAY
        ),
        "INTERPRETER_MAX_HOURS_WEEK": _int(
            "INTERPRETER_MAX_HOURS_WEEK", DEFAULT_INTERPRETER_HOURS_WEEK
        ),
        "INTERPRETER_LIMITED_TYPES": _types("INTERPRETER_LIMITED_TYPES"),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 64 * 1024),
        "REMINDER_OFFSETS": os.environ.get("REMINDER_OFFSETS") or "24,2",
        "QUIET_HOURS": os.environ.get("QUIET_HOURS") or "21:00-08:00",
        "RETENTION_DAYS": _int("RETENTION_DAYS", 90),
        # Server-side deadlines of every statement, well inside gunicorn's 30 s worker timeout.
        "DB_LOCK_TIMEOUT_MS": _int("DB_LOCK_TIMEOUT_MS", 3000),
        "DB_STATEMENT_TIMEOUT_MS": _int("DB_STATEMENT_TIMEOUT_MS", 5000),
        "BUSY_RETRY_AFTER_SECONDS": _int("BUSY_RETRY_AFTER_SECONDS", 2),
        "IDEMPOTENCY_KEY_HOURS": _int("IDEMPOTENCY_KEY_HOURS", 24),
        "SCHEDULER_LOG_LEVEL": os.environ.get("SCHEDULER_LOG_LEVEL") or "WARNING",
        "STATISTICS_MIN_COUNT": _int("STATISTICS_MIN_COUNT", 5),
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "SMS_PRICE_PER_SEGMENT": os.environ.get("SMS_PRICE_PER_SEGMENT") or "0.0750",
        "SMS_SENDER": os.environ.get("SMS_SENDER") or "console",
        "TWILIO_ACCOUNT_SID": os.environ.get("TWILIO_ACCOUNT_SID"),
        "TWILIO_AUTH_TOKEN": os.environ.get("TWILIO_AUTH_TOKEN"),
        "TWILIO_MESSAGING_SERVICE_SID": os.environ.get("TWILIO_MESSAGING_SERVICE_SID"),
        "TWILIO_FROM_NUMBER": os.environ.get("TWILIO_FROM_NUMBER"),
        "TWILIO_API_BASE_URL": os.environ.get("TWILIO_API_BASE_URL"),
        # Every Twilio call is bounded: connecting, then waiting for the answer.
        "TWILIO_CONNECT_TIMEOUT": _float("TWILIO_CONNECT_TIMEOUT", 3.05),
        "TWILIO_READ_TIMEOUT": _float("TWILIO_READ_TIMEOUT", 10.0),
        # A dispatcher claims DISPATCH_BATCH due rows at once, sending DISPATCH_CONCURRENCY
        # of them at a time; an unclear send is looked up at Twilio after
        # SMS_RECONCILE_AFTER_SECONDS and taken as never made after SMS_ABSENT_AFTER_SECONDS.
        "DISPATCH_CONCURRENCY": _int("DISPATCH_CONCURRENCY", 8),
        "DISPATCH_BATCH": _int("DISPATCH_BATCH", 32),
        "DISPATCH_LEASE_SECONDS": _int("DISPATCH_LEASE_SECONDS", 120),
        "DISPATCH_RETRY_ATTEMPTS": _int("DISPATCH_RETRY_ATTEMPTS", 4),
        "SMS_RECONCILE_AFTER_SECONDS": _float("SMS_RECONCILE_AFTER_SECONDS", 30.0),
        "SMS_ABSENT_AFTER_SECONDS": _float("SMS_ABSENT_AFTER_SECONDS", 180.0),
        "API_TITLE": "zapis",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "/docs",
        "API_SPEC_OPTIONS": {
            "info": {
                "description": (
                    "Bookings of interpreters, counsellors, teachers and rooms for the Sofia, "
                    "Burgas and Harmanli offices. Instants are ISO 8601 with an offset; "
                    "they are stored in UTC and shown in Europe/Sofia."
                )
            },
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
    }
