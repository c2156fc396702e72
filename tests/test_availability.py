"""Availability: free slots honour every rule, every offered slot can be booked."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

SOFIA = ZoneInfo("Europe/Sofia")


def search(client, headers, **query):
    defaults = {"kind": "interpreter", "duration": 60}
    answer = client.get("/api/v1/availability", query_string=defaults | query, headers=headers)
    assert answer.status_code == 200, answer.json
    return {row["resource_id"]: row["slots"] for row in answer.json}


def day_window(day):
    start = datetime.combine(day, time(0), tzinfo=SOFIA)
    return {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}


def test_slots_are_exactly_the_duration_on_a_15_minute_grid_inside_working_hours(
    client, factory, admin
):
    interpreter = factory.interpreter("ar", starts=time(9), ends=time(12))
    slots = search(
        client, admin, language="ar", office="sofia", **day_window(datetime(2027, 2, 2).date())
    )[interpreter.id]

    starts = [datetime.fromisoformat(s["starts_at"]) for s in slots]
    assert [s.strftime("%H:%M") for s in starts] == [
        "09:00",
        "09:15",
        "09:30",
        "09:45",
        "10:00",
        "10:15",
        "10:30",
        "10:45",
        "11:00",
    ]
    for slot in slots:
        length = datetime.fromisoformat(slot["ends_at"]) - datetime.fromisoformat(slot["starts_at"])
        assert length == timedelta(minutes=60)


def test_language_filter_never_confuses_farsi_and_dari(client, factory, admin):
    farsi = factory.interpreter("fa")
    dari = factory.interpreter("prs")
    window = day_window(datetime(2027, 2, 2).date())
    assert set(search(client, admin, language="fa", **window)) == {farsi.id}
    assert set(search(client, admin, language="prs", **window)) == {dari.id}
    listed = client.get("/api/v1/resources?language=fa", headers=admin).json
    assert [r["id"] for r in listed] == [farsi.id]


def test_a_booked_slot_is_no_longer_offered_and_the_buffer_is_kept(client, factory, admin):
    interpreter = factory.interpreter("ar")
    factory.booking([interpreter], datetime(2027, 2, 2, 11, tzinfo=SOFIA))
    slots = search(
        client, admin, language="ar", office="sofia", **day_window(datetime(2027, 2, 2).date())
    )[interpreter.id]
    starts = {datetime.fromisoformat(s["starts_at"]).strftime("%H:%M") for s in slots}
    assert "09:45" in starts  # ends 10:45, 15 minutes before 11:00
    assert "10:00" not in starts  # would end at 11:00 with no buffer
    assert "11:00" not in starts
    assert "12:00" not in starts  # inside the 15-minute buffer after 12:00
    assert "12:15" in starts


def test_holidays_closures_weekends_and_time_off_offer_nothing(client, factory, admin):
    interpreter = factory.interpreter("ar")
    factory.closure("sofia", datetime(2027, 2, 3).date())
    for day in (
        datetime(2027, 5, 3).date(),
        datetime(2027, 2, 3).date(),
        datetime(2027, 2, 6).date(),
    ):
        assert (
            search(client, admin, language="ar", office="sofia", **day_window(day))[interpreter.id]
            == []
        )
    client.post(
        f"/api/v1/resources/{interpreter.id}/time-off",
        json={"starts_at": "2027-02-04T00:00:00+02:00", "ends_at": "2027-02-05T00:00:00+02:00"},
        headers=admin,
    )
    assert (
        search(
            client, admin, language="ar", office="sofia", **day_window(datetime(2027, 2, 4).date())
        )[interpreter.id]
        == []
    )


def test_travel_between_offices_removes_slots(client, factory, admin):
    interpreter = factory.interpreter("ar", offices=("sofia", "burgas"))
    factory.booking([interpreter], datetime(2027, 2, 2, 9, tzinfo=SOFIA))
    slots = search(
        client, admin, language="ar", office="burgas", **day_window(datetime(2027, 2, 2).date())
    )[interpreter.id]
    first = datetime.fromisoformat(slots[0]["starts_at"])
    assert first.strftime("%H:%M") == "14:30"  # 10:00 in Sofia + 4 h 30 min on the road


def test_every_offered_slot_can_be_booked(client, factory, admin):
    interpreter = factory.interpreter("so")
    room = factory.room("sofia")
    factory.booking([interpreter], datetime(2027, 2, 2, 10, 30, tzinfo=SOFIA))
    factory.booking([room], datetime(2027, 2, 2, 13, tzinfo=SOFIA))
    slots = search(
        client,
        admin,
        language="so",
        office="sofia",
        duration=90,
        **day_window(datetime(2027, 2, 2).date()),
    )[interpreter.id]
    assert slots
    for slot in slots:
        booked = client.post(
            "/api/v1/bookings",
            json={"type": "interpretation", "office": "sofia", "resource_ids": [interpreter.id]}
            | slot,
            headers=admin,
        )
        assert booked.status_code == 201, (slot, booked.json)
        cancel = client.post(
            f"/api/v1/bookings/{booked.json['id']}/cancel", json={"reason": "probe"}, headers=admin
        )
        assert cancel.status_code == 200
    # And a slot just off the offer is refused.
    refused = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "resource_ids": [interpreter.id],
            "starts_at": "2027-02-02T10:00:00+02:00",
            "ends_at": "2027-02-02T11:30:00+02:00",
        },
        headers=admin,
    )
    assert refused.status_code == 409


def test_slots_follow_local_time_across_the_spring_clock_change(client, factory, admin):
    interpreter = factory.interpreter("uk")
    window = {"start": "2027-03-26T00:00:00+02:00", "end": "2027-03-30T00:00:00+03:00"}
    slots = search(client, admin, language="uk", office="sofia", **window)[interpreter.id]
    firsts = {}
    for slot in slots:
        start = datetime.fromisoformat(slot["starts_at"])
        firsts.setdefault(start.date(), slot["starts_at"])
    assert firsts[datetime(2027, 3, 26).date()] == "2027-03-26T09:00:00+02:00"
    assert firsts[datetime(2027, 3, 29).date()] == "2027-03-29T09:00:00+03:00"


def test_slots_follow_local_time_across_the_autumn_clock_change(client, factory, admin):
    interpreter = factory.interpreter("ru")
    window = {"start": "2027-10-29T00:00:00+03:00", "end": "2027-11-02T00:00:00+02:00"}
    slots = search(client, admin, language="ru", office="sofia", **window)[interpreter.id]
    assert slots[0]["starts_at"] == "2027-10-29T09:00:00+03:00"
    assert "2027-11-01T09:00:00+02:00" in [s["starts_at"] for s in slots]
    booked = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "resource_ids": [interpreter.id],
            "starts_at": "2027-11-01T07:00:00Z",
            "ends_at": "2027-11-01T08:00:00Z",
        },
        headers=admin,
    )
    assert booked.json["starts_at"] == "2027-11-01T09:00:00+02:00"


def test_suggest_finds_the_first_slots_where_all_are_free_together(client, factory, admin):
    interpreter = factory.interpreter("ti")
    room = factory.room("sofia")
    factory.booking([interpreter], datetime(2027, 2, 2, 9, tzinfo=SOFIA))
    factory.booking([room], datetime(2027, 2, 2, 10, 30, tzinfo=SOFIA))
    answer = client.get(
        "/api/v1/availability/suggest",
        query_string={
            "resource_ids": [interpreter.id, room.id],
            "office": "sofia",
            "duration": 60,
            "limit": 2,
            **day_window(datetime(2027, 2, 2).date()),
        },
        headers=admin,
    )
    assert answer.status_code == 200, answer.json
    assert [s["starts_at"] for s in answer.json] == [
        "2027-02-02T11:30:00+02:00",
        "2027-02-02T11:45:00+02:00",
    ]
    booked = client.post(
        "/api/v1/bookings",
        json={
            "type": "interpretation",
            "office": "sofia",
            "resource_ids": [interpreter.id, room.id],
            "starts_at": answer.json[0]["starts_at"],
            "ends_at": answer.json[0]["ends_at"],
        },
        headers=admin,
    )
    assert booked.status_code == 201


@pytest.mark.parametrize("kind", ["room"])
def test_rooms_are_offered_in_their_own_office_only(client, factory, admin, kind):
    sofia_room, burgas_room = factory.room("sofia"), factory.room("burgas")
    found = search(
        client, admin, kind=kind, office="burgas", **day_window(datetime(2027, 2, 2).date())
    )
    assert set(found) == {burgas_room.id}
    assert sofia_room.id not in found
