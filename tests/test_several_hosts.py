"""Two gunicorn web hosts and two dispatcher processes on one PostgreSQL, as in production.

Concurrent clients book overlapping slots on both hosts; every SMS goes through the real
Twilio client to the local Twilio-compatible server. The database must hold no overlapping
holds, each contested slot exactly one booking, and each message must be sent exactly once.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from contextlib import ExitStack
from datetime import timedelta
from itertools import cycle, pairwise
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.models import DispatcherHeartbeat, Hold, OutboxMessage
from service.notify.heartbeat import is_live
from service.plumbing.clock import utcnow
from service.plumbing.db import make_engine
from tests.clients.hosts import base_env, call, dispatcher, wait_until, web_host
from tests.clients.twilio_server import FakeTwilio
from tests.factories import Factory
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID
from tests.outbox_support import at, future_monday

pytestmark = pytest.mark.postgres_only

INTERPRETERS = 4
GROUPS = (9, 13)  # hours of the contested slots on one day; far apart, so never in conflict
CONTENDERS = (0, 15, 30, 45)  # minutes after the hour: every two of these 60-min bookings overlap
CLIENTS = 8
INTERVAL = 0.2


def _seed(engine: Engine) -> tuple[str, list[dict[str, Any]]]:
    """An admin token, and one booking request per contender, each for its own beneficiary."""
    monday = future_monday()
    with Session(engine) as session:
        factory = Factory(session)
        token = factory.token("admin")
        people = [factory.interpreter("ar") for _ in range(INTERPRETERS)]
        requests = []
        for person in people:
            for hour in GROUPS:
                for minutes in CONTENDERS:
                    starts = at(monday, hour) + timedelta(minutes=minutes)
                    n = len(requests)
                    beneficiary = factory.beneficiary(
                        phone=f"+3598882{n:05d}",
                        sms_consent=True,
                        language="en",
                        other_languages=["ar"],
                    )
                    requests.append(
                        {
                            "group": (person.id, hour),
                            "body": {
                                "type": "interpretation",
                                "office": "sofia",
                                "starts_at": starts.isoformat(),
                                "ends_at": (starts + timedelta(minutes=60)).isoformat(),
                                "resource_ids": [person.id],
                                "beneficiary_ids": [beneficiary.id],
                            },
                        }
                    )
    return token, requests


def _book_concurrently(
    hosts: list[str], token: str, requests: list[dict[str, Any]]
) -> list[tuple[Any, str, int, Any]]:
    """Send the requests from CLIENTS threads, alternating hosts; return every answer."""
    headers = {"Authorization": f"Bearer {token}"}
    jobs = list(zip(requests, cycle(hosts), strict=False))
    answers: list[tuple[Any, str, int, Any]] = []
    errors: list[BaseException] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CLIENTS)

    def work(mine: list[tuple[dict[str, Any], str]]) -> None:
        try:
            barrier.wait()
            for request, host in mine:
                status, body = call(f"{host}/api/v1/bookings", request["body"], headers)
                with lock:
                    answers.append((request["group"], host, status, body))
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(jobs[n::CLIENTS],)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    return answers


def _overlapping_holds(session: Session) -> list[tuple[int, int]]:
    by_resource: dict[int, list[Hold]] = defaultdict(list)
    for hold in session.scalars(select(Hold).where(Hold.active).order_by(Hold.starts_at)):
        by_resource[hold.resource_id].append(hold)
    return [
        (earlier.id, later.id)
        for holds in by_resource.values()
        for earlier, later in pairwise(holds)
        if later.starts_at < earlier.blocked_until
    ]


def test_two_web_hosts_and_two_dispatchers_book_without_clashes_and_send_each_sms_once(
    fresh_database, is_postgres, tmp_path: Path
) -> None:
    assert is_postgres, "this test needs TEST_DATABASE_URL (PostgreSQL)"
    url = fresh_database()
    engine = make_engine(url)
    token, requests = _seed(engine)
    processes = []
    with ExitStack() as stack:
        stack.callback(engine.dispose)
        fake = stack.enter_context(FakeTwilio(ACCOUNT_SID, AUTH_TOKEN, latency=0.01))
        env = base_env(
            url,
            TWILIO_ACCOUNT_SID=ACCOUNT_SID,
            TWILIO_AUTH_TOKEN=AUTH_TOKEN,
            TWILIO_MESSAGING_SERVICE_SID=SERVICE_SID,
            TWILIO_API_BASE_URL=fake.base_url,
            QUIET_HOURS="00:00-00:00",  # the test runs at any time of day
        )
        for name in ("dispatcher-a", "dispatcher-b"):
            processes.append(stack.enter_context(dispatcher(name, env, tmp_path, INTERVAL)))
        hosts = [stack.enter_context(web_host(name, env, tmp_path)) for name in ("web-a", "web-b")]

        def tell() -> str:
            return "\n".join(p.tail() for p in processes)

        def live_dispatchers() -> int:
            with Session(engine) as session:
                beats = session.scalars(select(DispatcherHeartbeat)).all()
                return sum(1 for beat in beats if is_live(beat, utcnow()))

        wait_until(lambda: live_dispatchers() == 2, "two live dispatchers", 30, tell)
        scraper = {"Authorization": f"Bearer {env['METRICS_TOKEN']}"}
        assert call(f"{hosts[1]}/metrics")[0] == 401
        metrics = call(f"{hosts[1]}/metrics", headers=scraper)[1]
        assert "zapis_dispatchers_live 2.0" in metrics

        answers = _book_concurrently(hosts, token, requests)

        assert len(answers) == len(requests)
        assert {status for _, _, status, _ in answers} <= {201, 409}, answers
        assert {host for _, host, _, _ in answers} == set(hosts)
        wins = Counter(group for group, _, status, _ in answers if status == 201)
        assert wins == {request["group"]: 1 for request in requests}
        for (resource_id, _hour), _host, status, body in answers:
            if status == 409:
                conflicts = body["errors"]["conflicts"]
                assert conflicts and {c["resource_id"] for c in conflicts} == {resource_id}

        expected = len(wins)  # one confirmation per booking made; reminders are weeks away

        def drained() -> bool:
            assert all(p.alive() for p in processes), tell()
            with Session(engine) as session:
                due = session.scalars(
                    select(OutboxMessage).where(OutboxMessage.kind == "confirmation")
                ).all()
                return len(due) == expected and all(m.status == "sent" for m in due)

        wait_until(drained, "the outbox to be drained", 30, tell)

        with Session(engine) as session:
            assert _overlapping_holds(session) == []
            sent = session.scalars(
                select(OutboxMessage).where(OutboxMessage.status == "sent")
            ).all()
            queued = session.scalars(
                select(OutboxMessage).where(OutboxMessage.status.in_(("queued", "sending")))
            ).all()
        assert len(sent) == expected
        assert all(m.due_at > m.created_at + timedelta(days=1) for m in queued)  # reminders only
        callbacks = Counter(int(m["status_callback"].rsplit("/", 1)[1]) for m in fake.messages)
        assert callbacks == Counter({m.id: 1 for m in sent})  # none twice, none lost
        assert fake.attempts == expected
        assert sorted(m["to"] for m in fake.messages) == sorted(m.to for m in sent)
