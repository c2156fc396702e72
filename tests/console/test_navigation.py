"""The console offers each user only the sections the access policy lets them open."""

from __future__ import annotations

import pytest

SECTIONS = {
    "Reminders": "/console/reminders",
    "Beneficiaries": "/console/beneficiaries",
    "Users": "/console/users",
    "Interpreters' month": "/console/interpreters/month",
}


@pytest.mark.parametrize(
    ("role", "offered"),
    [
        ("admin", {"Reminders", "Beneficiaries", "Users", "Interpreters' month"}),
        ("coordinator", {"Reminders", "Beneficiaries", "Interpreters' month"}),
        ("read_only", set()),
        ("staff", {"Interpreters' month"}),  # an interpreter: their own month
    ],
)
def test_only_the_sections_one_may_open_are_offered(client, signed_in, factory, role, offered):
    extra = {"resource_id": factory.interpreter(offices=("burgas",)).id} if role == "staff" else {}
    signed_in(role, **extra)
    page = client.get("/console/account").text
    for name, path in SECTIONS.items():
        assert (f'href="{path}"' in page) == (name in offered), name
        status = client.get(path).status_code
        assert (status == 200) == (name in offered), (name, status)
        if name not in offered:
            assert status == 403
