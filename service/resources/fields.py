"""Marshmallow fields shared by the schemas."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from service.clock import to_sofia

ROW_ID_MAX = 2**31 - 1  # PostgreSQL integer: a larger id would overflow the query
FIRST_YEAR, LAST_YEAR = 2000, 2100


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


class RowId(fields.Integer):
    """The id of a row: a positive integer that fits the database's integer column."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(1, ROW_ID_MAX), **kwargs)


@lru_cache(maxsize=4096)
def sofia_isoformat(value: datetime) -> str:
    """What Instant writes for `value`; cached, as availability writes the same grid instants."""
    return to_sofia(value).isoformat()


class SlotList(fields.List[Any]):
    """A list of slots (`starts_at`, `ends_at` as Instants), documented as a nested list.

    A week's availability is thousands of slots; dumping each through a nested schema cost more
    than finding them, so this writes the same JSON directly.
    """

    def __init__(self, slot_schema: type[Schema] | Schema, **kwargs: Any) -> None:
        super().__init__(fields.Nested(slot_schema), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        iso = sofia_isoformat
        return [{"starts_at": iso(slot.starts_at), "ends_at": iso(slot.ends_at)} for slot in value]
