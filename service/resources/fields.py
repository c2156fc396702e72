"""Marshmallow fields shared by the schemas."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from marshmallow import Schema, fields

from service.clock import to_sofia


class Instant(fields.AwareDateTime):
    """An ISO 8601 instant with an offset; read in any offset, written in Europe/Sofia."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        return super()._serialize(to_sofia(value), attr, obj, **kwargs)


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
