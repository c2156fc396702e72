"""A dispatcher in a process of its own, for tests that kill it: `python -m` this module.

Arguments: database URL, FakeTwilio base URL, worker id, lease seconds and optionally how
many sends it has in flight at once (4). It sends until nothing is due, with quiet hours off
(the tests run at any time of day).
"""

from __future__ import annotations

import sys
from datetime import time, timedelta

from sqlalchemy.orm import sessionmaker

from service.notify.dispatch import Dispatcher, dispatch_due
from service.notify.senders import TwilioSender
from service.notify.settings import NotifySettings
from service.plumbing.db import make_engine
from tests.notify.conftest import ACCOUNT_SID, AUTH_TOKEN, SERVICE_SID

NO_QUIET_HOURS = NotifySettings(quiet_start=time(0), quiet_end=time(0))


def main(
    url: str, api_base_url: str, worker_id: str, lease_seconds: float, concurrency: int = 4
) -> None:
    engine = make_engine(url)
    make_session = sessionmaker(engine, expire_on_commit=False)
    lease = timedelta(seconds=lease_seconds)
    with TwilioSender(
        ACCOUNT_SID,
        AUTH_TOKEN,
        messaging_service_sid=SERVICE_SID,
        api_base_url=api_base_url,
        timeout=120,
        pool=concurrency,
    ) as sender:
        dispatcher = Dispatcher(
            worker_id,
            sender,
            settings=NO_QUIET_HOURS,
            lease=lease,
            send_lease=lease,
            batch=100,
            concurrency=concurrency,
        )
        while dispatch_due(make_session, dispatcher):
            pass
    engine.dispose()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), *map(int, sys.argv[5:6]))
