"""URL converters: an ISO date in the path, documented in the OpenAPI spec."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.routing import BaseConverter, ValidationError


class IsoDateConverter(BaseConverter):
    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value: str) -> date:
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError from exc

    def to_url(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


def iso_date_schema(_converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "format": "date"}
