"""A web process obeys, at its next request, changes another process makes to the data it
caches: a revoked token, a deactivated resource, a closure, opening hours and time off."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.access.auth import hash_token, revoke_token
from service.directory.catalogue import add_time_off
from service.models import ApiToken, OpeningHours, Resource
from service.plumbing.db import make_engine
from tests.clients.hosts import base_env, call, web_host
from tests.factories import Factory
from tests.outbox_support import at, future_monday


def _body(resource_id: int, starts: datetime) -> dict[str, Any]:
    return {
        "type": "interpretation",
        "office": "sofia",
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=1)).isoformat(),
        "resource_ids": [resource_id],
    }


def test_a_web_process_obeys_changes_made_by_another_process(fresh_database, tmp_path: Path):
    url = fresh_database()
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        factory = Factory(session)
        admin, spare = factory.token("admin"), factory.token("admin")
        kept, dropped = factory.interpreter("ar"), factory.interpreter("ar")
    tuesday = future_monday() + timedelta(days=1)
    weeks = [tuesday + timedelta(weeks=n) for n in range(6)]

    def change(act: Any) -> None:  # in this process, as another host or the CLI would
        with Session(engine, expire_on_commit=False) as session:
            act(session)
            session.commit()

    with web_host("a", base_env(url), tmp_path, workers=1) as host:

        def book(token: str, resource: Resource, day: date, hour: int = 10) -> tuple[int, Any]:
            headers = {"Authorization": f"Bearer {token}"}
            return call(f"{host}/api/v1/bookings", _body(resource.id, at(day, hour)), headers)

        # Warm the process's cache: both tokens and both interpreters are known and usable.
        assert (
            call(f"{host}/api/v1/offices", headers={"Authorization": f"Bearer {spare}"})[0] == 200
        )
        assert book(admin, kept, weeks[0])[0] == 201
        assert book(admin, dropped, weeks[0])[0] == 201

        def revoke(session: Session) -> None:
            token = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(spare)))
            assert token is not None
            revoke_token(session, token.id)

        change(revoke)
        assert book(spare, kept, weeks[1])[0] == 401

        change(lambda session: setattr(session.get(Resource, dropped.id), "active", False))
        status, answer = book(admin, dropped, weeks[1])
        assert status == 422 and "no longer bookable" in str(answer)

        change(lambda session: Factory(session).closure("sofia", weeks[2]))
        status, answer = book(admin, kept, weeks[2])
        assert status == 422 and "closed" in str(answer)

        def open_at_noon(session: Session) -> None:
            office = Factory(session).office("sofia")
            office.opening_hours = [
                OpeningHours(weekday=d, opens=time(12), closes=time(17, 30)) for d in range(5)
            ]

        assert book(admin, kept, weeks[3])[0] == 201
        change(open_at_noon)
        status, answer = book(admin, kept, weeks[4])
        assert status == 422 and "opening hours" in str(answer)

        def away(session: Session) -> None:
            starts = at(weeks[5], 0)
            resource = session.get(Resource, kept.id)
            assert resource is not None
            add_time_off(session, resource, starts, starts + timedelta(days=1), "leave", "tests")

        change(away)
        status, answer = book(admin, kept, weeks[5], 13)
        assert status == 409 and "time off" in str(answer)
    engine.dispose()
