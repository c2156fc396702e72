"""Property-based API tests: every operation of the live OpenAPI spec, as an admin.

Schemathesis generates requests from the spec the app serves and checks that no answer is a
server error and that each answer's status code and body are the ones the spec documents.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from service import create_app
from service.access.auth import issue_token
from service.demo.demo import seed_demo
from service.plumbing.db import session_scope


@pytest.fixture(scope="module")
def fuzz_app(fresh_database) -> Iterator[tuple[Flask, str]]:  # type: ignore[no-untyped-def]
    """An app on its own seeded database, so generated writes touch no other test."""
    # Some generated cases drop or break the token; without this, their 401s would make the
    # failed-authentication limit answer 429 to everything that follows.
    application = create_app(
        {"DATABASE_URL": fresh_database(), "TESTING": True, "RATELIMIT_ENABLED": False}
    )
    with session_scope(application) as session:
        seed_demo(session)
        _, secret = issue_token(session, name="fuzz admin", role="admin")
    yield application, secret
    application.extensions["zapis.engine"].dispose()


# The spec does not depend on the data, so it is read at collection time from an app whose
# database is never opened; the requests go to `fuzz_app`.
schema = schemathesis.openapi.from_wsgi("/openapi.json", create_app({"DATABASE_URL": "sqlite://"}))


@schema.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_answers_as_documented(case: schemathesis.Case, fuzz_app: tuple[Flask, str]) -> None:
    application, secret = fuzz_app
    case.call_and_validate(
        app=application,
        headers={"Authorization": f"Bearer {secret}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )


def _with_nul(value: Any) -> Any:
    """`value` with a NUL character put into every string, keys of objects left alone."""
    if isinstance(value, str):
        return value[:1] + "\x00" + value[1:]
    if isinstance(value, list):
        return [_with_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _with_nul(item) for key, item in value.items()}
    return value


FEW = settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


@schema.parametrize()
@FEW
@pytest.mark.parametrize("authorization", [None, "Bearer zap_wrong", "Basic YWRtaW46YWRtaW4="])
def test_every_operation_wants_a_valid_token_first(
    case: schemathesis.Case, fuzz_app: tuple[Flask, str], authorization: str | None
) -> None:
    """Without a valid token every operation answers 401, whatever the generated input."""
    application, _secret = fuzz_app
    headers = {"Authorization": authorization} if authorization else {}
    answer = case.call(app=application, headers=headers)
    # Unknown methods and ids beyond a column (a 405 or 404 once signed in) are 401 too.
    assert answer.status_code == 401, (case.method, case.path, answer.status_code)
    assert answer.headers.get("www-authenticate") == ['Bearer realm="zapis"']


@schema.parametrize()
@FEW
def test_nul_characters_anywhere_are_4xx(
    case: schemathesis.Case, fuzz_app: tuple[Flask, str]
) -> None:
    """NUL in every path, query and body string: a 4xx (or a success that ignored it), no 5xx."""
    application, secret = fuzz_app
    case.path_parameters = _with_nul(case.path_parameters)
    case.query = _with_nul(case.query)
    if isinstance(case.body, dict | list | str):
        case.body = _with_nul(case.body)
    answer = case.call(app=application, headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code < 500, (case.method, case.path, answer.status_code, answer.text)
    assert answer.status_code != 429


# What the fuzzing found, kept as plain examples.


def test_an_id_too_large_for_the_database_is_not_found(client, admin) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/bookings/9223372036854775808", headers=admin)
    assert answer.status_code == 404
    assert answer.get_json()["code"] == 404


def test_an_id_too_large_in_a_body_names_the_field(client, admin) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/api/v1/tokens",
        json={"name": "x", "role": "admin", "resource_id": 9223372036854775808},
        headers=admin,
    )
    assert answer.status_code == 422
    assert "resource_id" in answer.get_json()["errors"]["json"]


def test_a_token_for_a_missing_person_names_the_field(client, admin) -> None:  # type: ignore[no-untyped-def]
    answer = client.post(
        "/api/v1/tokens", json={"name": "x", "role": "admin", "resource_id": 999999}, headers=admin
    )
    assert answer.status_code == 422
    assert "resource_id" in answer.get_json()["errors"]["json"]
