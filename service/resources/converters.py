"""URL converters: an ISO date in the path, documented in the OpenAPI spec."""

from __future__ import annotations

from datetime import date
from typing import Any

from werkzeug.routing import BaseConverter, IntegerConverter, Map, ValidationError

LARGEST_ID = 2**31 - 1


class DatabaseIdConverter(IntegerConverter):
    """`<int:...>` limited to the ids a database column holds, so a huge id is a plain 404."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", LARGEST_ID)
        super().__init__(url_map, *args, **kwargs)


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


def database_id_schema(_converter: BaseConverter) -> dict[str, Any]:
    return {"type": "integer", "minimum": 0, "maximum": LARGEST_ID}
