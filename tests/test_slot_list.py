"""SlotList writes availability exactly as the nested slot schema it replaced would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from marshmallow import Schema, fields

from service.booking.availability import ResourceSlots, Slot
from service.resources.schemas import AvailabilitySchema, SlotSchema


class NestedAvailabilitySchema(Schema):
    resource_id = fields.Integer()
    slots = fields.List(fields.Nested(SlotSchema))
    rank = fields.Integer(allow_none=True)
    reasons = fields.List(fields.Dict())


def test_slot_list_dumps_like_the_nested_schema_across_dst() -> None:
    # Europe/Sofia leaves summer time on 2026-10-25 at 04:00 local (01:00 UTC).
    first = datetime(2026, 10, 24, 22, 0, tzinfo=UTC)
    slots = [
        Slot(first + timedelta(minutes=15 * n), first + timedelta(minutes=15 * n + 60))
        for n in range(24)
    ]
    data = [ResourceSlots(7, slots), ResourceSlots(8, [])]
    fast = AvailabilitySchema(many=True).dump(data)
    assert fast == NestedAvailabilitySchema(many=True).dump(data)
    offsets = {s["starts_at"][-6:] for s in fast[0]["slots"]}
    assert offsets == {"+03:00", "+02:00"}
