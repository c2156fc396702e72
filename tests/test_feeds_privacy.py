"""What each privacy level may show, and who may subscribe to which feed."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from service import feeds
from service.models import AuditEntry, Feed
from tests.feed_helpers import events, fetch, next_working_day, subscribe, uids, working_day

PHONES = {
    "beneficiary": "+359878555123",
    "guardian": "+359898765432",
    "interpreter": "+359888123456",
}
NOTE = "Notes: the beneficiary fears her husband; do not call before noon"


def phone_forms(e164: str) -> list[bytes]:
    national = e164.removeprefix("+359")
    return [f.encode() for f in (e164, e164[1:], "0" + national, national)]


@pytest.fixture
def private_world(factory, session):
    """Bookings with notes, remote links, discreet and minor beneficiaries, all with phones."""
    interpreter = factory.interpreter("fa", phone=PHONES["interpreter"])
    room = factory.room("sofia")
    adult = factory.beneficiary(language="fa", phone=PHONES["beneficiary"], sms_consent=True)
    minor = factory.beneficiary(
        language="fa", is_minor=True, guardian_phone=PHONES["guardian"], sms_consent=True
    )
    hidden = factory.beneficiary(
        language="ps", other_languages=["fa"], discreet=True, phone="+359877000111"
    )
    in_person = factory.booking(
        [interpreter, room], working_day(5), beneficiary_ids=[adult.id, minor.id], notes=NOTE
    )
    video = factory.booking(
        [interpreter],
        working_day(5, 13),
        beneficiary_ids=[hidden.id],
        modality="video",
        remote_link="https://meet.example.org/zapis-4411",
        notes=NOTE + " (video)",
    )
    event = factory.booking([room], working_day(6, 15), type="community_event", notes=NOTE)
    event.public = True
    feeds.refresh_booking(session, event)
    session.commit()
    return {
        "interpreter": interpreter,
        "room": room,
        "adult": adult,
        "minor": minor,
        "hidden": hidden,
        "in_person": in_person,
        "video": video,
        "event": event,
    }


def all_feeds(client, admin, world) -> dict[str, bytes]:
    made = {
        "office-full": dict(scope="office", office="sofia", privacy="full"),
        "office-limited": dict(scope="office", office="sofia", privacy="limited"),
        "office-busy": dict(scope="office", office="sofia", privacy="busy"),
        "resource-limited": dict(
            scope="resource", resource_id=world["interpreter"].id, privacy="limited"
        ),
        "resource-busy": dict(
            scope="resource", resource_id=world["interpreter"].id, privacy="busy"
        ),
        "room-limited": dict(scope="resource", resource_id=world["room"].id, privacy="limited"),
        "public": dict(scope="public", privacy="public"),
    }
    answers = {}
    for name, body in made.items():
        for locale in ("bg", "en"):
            feed = subscribe(client, admin, locale=locale, **body)
            answer = fetch(client, feed)
            assert answer.status_code == 200
            answers[f"{name}-{locale}"] = answer.data
    return answers


def test_no_phone_number_and_no_note_reaches_a_feed_below_full(
    client, factory, admin, private_world
):
    answers = all_feeds(client, admin, private_world)
    phones = [form for e164 in PHONES.values() for form in phone_forms(e164)]
    phones += phone_forms("+359877000111")

    for name, ics in answers.items():
        for form in phones:
            assert form not in ics, (name, form)
        if not name.startswith("office-full"):
            assert b"beneficiary fears" not in ics.replace(b"\r\n ", b""), name
            assert all("fears" not in str(e.get("description", "")) for e in events(ics)), name

    # The full feed does carry the notes: the test above would notice a leak.
    full = [str(e["description"]) for e in events(answers["office-full-en"])]
    assert any(NOTE in d for d in full)
    # Limited feeds still tell staff what they need: reference, language, room, video link.
    limited = "\n".join(str(e["description"]) for e in events(answers["resource-limited-en"]))
    assert private_world["adult"].case_reference in limited
    assert "https://meet.example.org/zapis-4411" in limited
    rooms = " ".join(str(e["location"]) for e in events(answers["office-limited-en"]))
    assert private_world["room"].name in rooms


def test_busy_feeds_show_only_busy_blocks_with_office_and_time(
    client, factory, admin, private_world
):
    answers = all_feeds(client, admin, private_world)
    for locale, busy_word in (("bg", "Заето"), ("en", "Busy")):
        found = events(answers[f"office-busy-{locale}"])
        assert len(found) == 3
        for event in found:
            assert str(event["summary"]) == busy_word
            assert str(event["location"]) in ("София", "Sofia")
            assert "description" not in event
            assert "categories" not in event
            assert "url" not in event
    busy = answers["office-busy-en"]
    for world_key in ("adult", "minor", "hidden"):
        assert private_world[world_key].case_reference.encode() not in busy
    assert b"meet.example.org" not in busy


def test_public_feed_shows_only_public_community_events(client, factory, admin, private_world):
    room = private_world["room"]
    private = next_working_day(private_world["event"].starts_at, 15)
    factory.booking([room], private, type="community_event")  # not public
    feed = subscribe(client, admin, scope="public", privacy="public", locale="en")

    ics = fetch(client, feed).data

    assert uids(ics) == [f"booking-{private_world['event'].id}@zapis"]
    (event,) = events(ics)
    assert str(event["summary"]) == "Community event"
    assert room.name in str(event["location"])
    assert "fears" not in str(event["description"])


def test_discreet_beneficiaries_appear_by_reference_only_in_full_feeds(
    client, factory, admin, private_world
):
    answers = all_feeds(client, admin, private_world)
    hidden = private_world["hidden"].case_reference.encode()
    for name, ics in answers.items():
        assert (hidden in ics) == name.startswith("office-full"), name
    limited = "".join(str(e.get("description", "")) for e in events(answers["office-limited-en"]))
    assert "discreet case (ps)" in limited


def test_marking_a_beneficiary_discreet_later_removes_the_reference_from_feeds(
    client, factory, admin, private_world
):
    adult = private_world["adult"]
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="limited")
    before = fetch(client, feed)
    assert adult.case_reference.encode() in before.data

    answer = client.patch(
        f"/api/v1/beneficiaries/{adult.id}", json={"discreet": True}, headers=admin
    )
    assert answer.status_code == 200

    after = fetch(client, feed, **{"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert adult.case_reference.encode() not in after.data


def count_feeds(session) -> int:
    return session.scalar(select(func.count(Feed.id)))


def test_a_coordinator_subscribes_only_to_offices_in_scope(client, factory, session):
    factory.offices()
    burgas = factory.headers("coordinator", offices=["burgas"])
    refused = client.post(
        "/api/v1/feeds",
        json={"scope": "office", "office": "sofia", "privacy": "full"},
        headers=burgas,
    )
    assert refused.status_code == 403
    assert count_feeds(session) == 0
    subscribe(client, burgas, scope="office", office="burgas", privacy="full")
    sofia_person = factory.interpreter(offices=("sofia",))
    refused = client.post(
        "/api/v1/feeds",
        json={"scope": "resource", "resource_id": sofia_person.id, "privacy": "limited"},
        headers=burgas,
    )
    assert refused.status_code == 403


def test_staff_subscribe_only_to_their_own_schedule_and_never_full(client, factory, session):
    me, colleague = factory.interpreter(), factory.interpreter()
    staff = factory.headers("staff", resource_id=me.id)
    for body in (
        {"scope": "resource", "resource_id": colleague.id, "privacy": "limited"},
        {"scope": "resource", "resource_id": me.id, "privacy": "full"},
        {"scope": "office", "office": "sofia", "privacy": "busy"},
    ):
        answer = client.post("/api/v1/feeds", json=body, headers=staff)
        assert answer.status_code == 403, body
    assert count_feeds(session) == 0
    mine = subscribe(client, staff, scope="resource", resource_id=me.id, privacy="limited")
    assert mine["scope"] == "resource"
    assert subscribe(client, staff, scope="public", privacy="public")


def test_read_only_tokens_cannot_create_rotate_or_revoke_feeds(client, factory, admin):
    factory.office("sofia")
    reader = factory.headers("read_only")
    for privacy in ("full", "busy"):
        body = {"scope": "office", "office": "sofia", "privacy": privacy}
        assert client.post("/api/v1/feeds", json=body, headers=reader).status_code == 403
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    assert client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=reader).status_code == 404
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=reader).status_code == 404
    assert fetch(client, feed).status_code == 200


def test_only_those_who_may_create_a_feed_may_revoke_or_rotate_it(client, factory, admin):
    factory.offices()
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    burgas = factory.headers("coordinator", offices=["burgas"])
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=burgas).status_code == 404
    assert client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=burgas).status_code == 404
    assert fetch(client, feed).status_code == 200
    sofia = factory.headers("coordinator", offices=["sofia"])
    assert client.delete(f"/api/v1/feeds/{feed['id']}", headers=sofia).status_code == 204
    anonymous = client.post("/api/v1/feeds", json={"scope": "public", "privacy": "public"})
    assert anonymous.status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"privacy": "full"}, "scope"),
        ({"scope": "team", "privacy": "full"}, "scope"),
        ({"scope": "office", "office": "sofia"}, "privacy"),
        ({"scope": "office", "office": "sofia", "privacy": "secret"}, "privacy"),
        ({"scope": "office", "office": "sofia", "privacy": "public"}, "privacy"),
        ({"scope": "public", "privacy": "full"}, "privacy"),
        ({"scope": "office", "privacy": "full"}, "office"),
        ({"scope": "office", "office": "varna", "privacy": "full"}, "office"),
        ({"scope": "resource", "privacy": "busy"}, "resource_id"),
        ({"scope": "resource", "resource_id": 999999, "privacy": "busy"}, "resource_id"),
        ({"scope": "resource", "resource_id": "7", "privacy": "busy"}, "resource_id"),
        ({"scope": "office", "office": "sofia", "privacy": "full", "locale": "fr"}, "locale"),
        ({"scope": "office", "office": "sofia", "privacy": "full", "colour": "red"}, "colour"),
    ],
)
def test_bad_feed_requests_name_the_field_and_write_nothing(
    client, factory, admin, session, body, field
):
    factory.office("sofia")
    answer = client.post("/api/v1/feeds", json=body, headers=admin)
    assert answer.status_code == 422, answer.json
    assert field in answer.json["errors"]["json"]
    assert count_feeds(session) == 0


def test_revoking_the_creators_api_token_ends_their_feeds(client, factory, admin, session):
    me = factory.interpreter()
    staff_token = factory.token("staff", resource_id=me.id)
    staff = {"Authorization": f"Bearer {staff_token}"}
    feed = subscribe(client, staff, scope="resource", resource_id=me.id, privacy="limited")
    assert fetch(client, feed).status_code == 200
    token_id = session.scalar(select(Feed.api_token_id).where(Feed.id == feed["id"]))

    assert client.delete(f"/api/v1/tokens/{token_id}", headers=admin).status_code == 204

    assert fetch(client, feed).status_code == 404


def test_creating_revoking_and_rotating_feeds_is_audited(client, factory, admin, session):
    factory.office("sofia")
    feed = subscribe(client, admin, scope="office", office="sofia", privacy="full")
    client.post(f"/api/v1/feeds/{feed['id']}/rotate", headers=admin)
    client.delete(f"/api/v1/feeds/{feed['id']}", headers=admin)
    actions = session.scalars(
        select(AuditEntry.action)
        .where(AuditEntry.entity == "feed", AuditEntry.entity_id == feed["id"])
        .order_by(AuditEntry.id)
    ).all()
    assert actions == ["create_feed", "rotate_feed", "revoke_feed"]
