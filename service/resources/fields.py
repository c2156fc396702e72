"""Marshmallow fields shared by the schemas."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from marshmallow import ValidationError, fields, validate

from service.clock import to_sofia

FIRST_YEAR, LAST_YEAR = 2000, 2100
LARGEST_ID = 2**31 - 1


def Id(*, strict: bool = True, **kwargs: Any) -> fields.Integer:
    """An integer id as the database stores it (1 to 2**31 - 1); query strings pass strict=False."""
    return fields.Integer(strict=strict, validate=validate.Range(1, LARGEST_ID), **kwargs)


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant with an offset; read in any offset, written in Europe/Sofia."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        instant: datetime = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= instant.year <= LAST_YEAR:
            raise ValidationError(f"Instants fall between {FIRST_YEAR} and {LAST_YEAR}.")
        return instant

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(to_sofia(value), attr, obj, **kwargs)
