"""Marshmallow fields shared by the schemas."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from service.plumbing.clock import to_sofia
from service.plumbing.text_input import FIRST_YEAR, LAST_YEAR, ROW_ID_MAX, UNSTORABLE, unstorable

__all__ = [
    "ROW_ID_MAX",
    "Day",
    "Instant",
    "RowId",
    "SlotList",
    "Text",
    "Version",
    "sofia_isoformat",
]


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


class Day(fields.Date):
    """An ISO 8601 date between FIRST_YEAR and LAST_YEAR, so no day arithmetic overflows."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> date:
        day: date = super()._deserialize(value, attr, data, **kwargs)
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(f"Dates fall between {FIRST_YEAR} and {LAST_YEAR}.")
        return day


class Text(fields.String):
    """A string that a text column can hold: no NUL character, no unpaired surrogate.

    Every string of the API's schemas is a Text (`test_bad_input` checks it), so such input
    answers 422 naming the field instead of failing in the database.
    """

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        if unstorable(text):
            raise ValidationError(UNSTORABLE)
        return text


class RowId(fields.Integer):
    """The id of a row: a positive integer that fits the database's integer column."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(1, ROW_ID_MAX), **kwargs)


class Version(fields.Integer):
    """A row's version as the client last saw it: a whole number a database integer holds."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, validate=validate.Range(0, ROW_ID_MAX), **kwargs)


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
