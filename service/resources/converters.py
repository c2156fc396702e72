"""URL converters: an ISO date in the path (years 2000 to 2100), documented in the OpenAPI spec."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.routing import BaseConverter, ValidationError

from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR


class IsoDateConverter(BaseConverter):
    regex = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> date:
        try:
            day = date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError from exc
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError  # 404, as for a day that is no date
        return day

    def to_url(self, value: Any) -> str:
        return value.isoformat() if isinstance(value, date) else str(value)


def iso_date_schema(_converter: BaseConverter) -> dict[str, str]:
    return {"type": "string", "format": "date"}
