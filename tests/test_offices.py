"""Offices: public holidays and custom closure days, as coordinators manage them."""

from __future__ import annotations


def test_closed_days_list_orthodox_easter_and_custom_closures(client, factory, admin):
    factory.office("harmanli")
    added = client.post(
        "/api/v1/offices/harmanli/closed-days",
        json={"day": "2027-04-27", "reason": "staff training"},
        headers=admin,
    )
    assert added.status_code == 201, added.json

    days = client.get(
        "/api/v1/offices/harmanli/closed-days?start=2027-04-26&end=2027-05-07", headers=admin
    ).json
    assert [d["day"] for d in days] == [
        "2027-04-27",
        "2027-04-30",
        "2027-05-01",
        "2027-05-02",
        "2027-05-03",
        "2027-05-04",
        "2027-05-06",
    ]
    reasons = {d["day"]: d["reason"] for d in days}
    assert reasons["2027-04-27"] == "closure: staff training"
    assert reasons["2027-04-30"] == "public holiday: Good Friday"
    assert reasons["2027-05-03"] == "public holiday: Easter"
    assert "Saint George" in reasons["2027-05-06"]


def test_reopening_a_closure_makes_the_day_bookable(client, factory, admin):
    interpreter = factory.interpreter(offices=("sofia",))
    factory.closure("sofia", __import__("datetime").date(2027, 2, 2))
    slot = {
        "type": "interpretation",
        "office": "sofia",
        "resource_ids": [interpreter.id],
        "starts_at": "2027-02-02T10:00:00+02:00",
        "ends_at": "2027-02-02T11:00:00+02:00",
    }
    assert client.post("/api/v1/bookings", json=slot, headers=admin).status_code == 422
    assert (
        client.delete("/api/v1/offices/sofia/closed-days/2027-02-02", headers=admin).status_code
        == 204
    )
    assert client.post("/api/v1/bookings", json=slot, headers=admin).status_code == 201


def test_closures_need_a_reason_a_working_day_and_the_right_office(client, factory, admin):
    factory.offices()
    holiday = client.post(
        "/api/v1/offices/sofia/closed-days",
        json={"day": "2027-03-03", "reason": "x"},
        headers=admin,
    )
    assert holiday.status_code == 422
    assert "day" in holiday.json["errors"]["json"]
    burgas = factory.headers("coordinator", offices=["burgas"])
    other = client.post(
        "/api/v1/offices/sofia/closed-days",
        json={"day": "2027-03-04", "reason": "x"},
        headers=burgas,
    )
    assert other.status_code == 403
    unknown = client.get(
        "/api/v1/offices/varna/closed-days?start=2027-01-01&end=2027-01-02", headers=admin
    )
    assert unknown.status_code == 404
    backwards = client.get(
        "/api/v1/offices/sofia/closed-days?start=2027-02-01&end=2027-01-01", headers=admin
    )
    assert backwards.status_code == 422
    assert "end" in backwards.json["errors"]["query"]
    bad_date = client.delete("/api/v1/offices/sofia/closed-days/2027-02-31", headers=admin)
    assert bad_date.status_code == 404
