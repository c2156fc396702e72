"""A person's feed made by a coordinator shows another office's bookings as busy only."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from service.models import Feed
from tests.feed_helpers import events, fetch, next_working_day, subscribe, working_day
from tests.test_series import create, series_body

SOFIA_REF, BURGAS_REF = "SOF-2026-31337", "BUR-2026-42424"
SOFIA_NOTE, BURGAS_NOTE = "Sofia: the husband must not learn", "Burgas: bring the school letter"


@pytest.fixture
def shared(client, factory, admin):
    """An interpreter working for Sofia and Burgas, booked by each office, and a Sofia series."""
    interpreter = factory.interpreter("fa", offices=("sofia", "burgas"))
    in_sofia = factory.beneficiary(case_reference=SOFIA_REF, language="fa", discreet=True)
    in_burgas = factory.beneficiary(case_reference=BURGAS_REF, language="fa")
    sofia_day = working_day(5)
    burgas_day = next_working_day(sofia_day)  # a day apart: the drive takes hours
    sofia = factory.booking(
        [interpreter], sofia_day, beneficiary_ids=[in_sofia.id], notes=SOFIA_NOTE
    )
    burgas = factory.booking(
        [interpreter],
        burgas_day,
        office="burgas",
        beneficiary_ids=[in_burgas.id],
        notes=BURGAS_NOTE,
    )
    course = create(
        client,
        admin,
        series_body(
            [interpreter.id],
            start=next_working_day(burgas_day, 14),
            type="info_session",
            title="Sofia information session",
            rrule="FREQ=DAILY;COUNT=1",
        ),
    )
    assert course.status_code == 201, course.json
    return {"interpreter": interpreter, "sofia": sofia, "burgas": burgas, "course": course.json}


def shown(ics: bytes) -> dict[str, object]:
    return {str(e["uid"]): e for e in events(ics)}


def unfolded(ics: bytes) -> str:
    return ics.decode().replace("\r\n ", "")


@pytest.mark.parametrize("privacy", ["full", "limited"])
def test_a_burgas_coordinators_feed_shows_sofia_as_busy_only(
    client, session, factory, shared, privacy
):
    burgas = factory.headers("coordinator", offices=["burgas"])
    feed = subscribe(
        client,
        burgas,
        scope="resource",
        resource_id=shared["interpreter"].id,
        privacy=privacy,
        locale="en",
    )

    ics = fetch(client, feed).data
    found = shown(ics)
    own = found[f"booking-{shared['burgas'].id}@zapis"]
    other = found[f"booking-{shared['sofia'].id}@zapis"]
    course = found[f"series-{shared['course']['id']}@zapis"]
    assert str(own["summary"]).startswith("Interpretation")
    assert BURGAS_REF in str(own["description"])
    assert (BURGAS_NOTE in str(own["description"])) == (privacy == "full")
    for busy in (other, course):
        assert str(busy["summary"]) == "Busy"
        assert "description" not in busy and str(busy["location"]) == "Sofia"
    text = unfolded(ics)
    for secret in (SOFIA_REF, SOFIA_NOTE, "Sofia information session", "Sofia\\, ul."):
        assert secret not in text
    stored = session.scalar(select(Feed.scope_offices).where(Feed.id == feed["id"]))
    assert stored == ["burgas"]


def test_an_admins_full_feed_of_the_same_person_shows_both_offices(client, session, shared, admin):
    feed = subscribe(
        client,
        admin,
        scope="resource",
        resource_id=shared["interpreter"].id,
        privacy="full",
        locale="en",
    )

    found = shown(fetch(client, feed).data)

    sofia = str(found[f"booking-{shared['sofia'].id}@zapis"]["description"])
    burgas = str(found[f"booking-{shared['burgas'].id}@zapis"]["description"])
    assert SOFIA_REF in sofia and SOFIA_NOTE in sofia
    assert BURGAS_REF in burgas and BURGAS_NOTE in burgas
    course = found[f"series-{shared['course']['id']}@zapis"]
    assert "Sofia information session" in str(course["description"])
    assert session.scalar(select(Feed.scope_offices).where(Feed.id == feed["id"])) is None


def test_a_scoped_feed_answers_304_until_a_booking_changes(client, factory, shared, admin):
    burgas = factory.headers("coordinator", offices=["burgas"])
    body = dict(scope="resource", resource_id=shared["interpreter"].id, privacy="full")
    scoped = subscribe(client, burgas, **body)
    unscoped = subscribe(client, admin, **body)
    first = fetch(client, scoped)
    assert first.headers["ETag"] != fetch(client, unscoped).headers["ETag"]  # other bytes

    assert fetch(client, scoped, If_None_Match=first.headers["ETag"]).status_code == 304
    cancelled = client.post(
        f"/api/v1/bookings/{shared['sofia'].id}/cancel", json={"reason": "ill"}, headers=admin
    )
    assert cancelled.status_code == 200
    again = fetch(client, scoped, If_None_Match=first.headers["ETag"])
    assert again.status_code == 200
    assert f"booking-{shared['sofia'].id}@zapis" not in shown(again.data)


def test_a_coordinators_office_feed_of_their_own_office_is_whole(client, factory, shared):
    burgas = factory.headers("coordinator", offices=["burgas"])
    feed = subscribe(client, burgas, scope="office", office="burgas", privacy="full", locale="en")

    found = shown(fetch(client, feed).data)

    assert BURGAS_NOTE in str(found[f"booking-{shared['burgas'].id}@zapis"]["description"])
