"""The committed `openapi.json` is the spec the app serves, so clients can be built from it."""

from __future__ import annotations

import json
from pathlib import Path

from flask.testing import FlaskClient

SNAPSHOT = Path(__file__).resolve().parent.parent / "openapi.json"


def test_committed_spec_is_the_live_spec(client: FlaskClient) -> None:
    live = client.get("/openapi.json").get_json()
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert committed == live, "openapi.json is out of date: run `make spec` and commit it"


def test_every_operation_documents_its_error_answers(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            assert {"401", "403", "429", "503"} <= codes, (method, path)
            assert "default" not in codes, (method, path)
            if "{" in path:
                assert "404" in codes, (method, path)
            if "requestBody" in operation:
                assert {"400", "413", "422"} <= codes, (method, path)


def test_every_page_number_is_bounded(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    pages = [
        parameter["schema"]
        for item in spec["paths"].values()
        for operation in item.values()
        if isinstance(operation, dict)
        for parameter in operation.get("parameters", [])
        if parameter.get("name") == "page"
    ]
    assert pages
    assert all(schema["maximum"] == 2**31 - 1 for schema in pages)


def test_a_page_past_the_bound_names_the_field(client: FlaskClient, admin) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/api/v1/tokens?page=922337203685477582", headers=admin)
    assert answer.status_code == 422
    assert "page" in answer.get_json()["errors"]["query"]


def test_the_interactive_docs_may_not_be_framed(client: FlaskClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["X-Frame-Options"] == "DENY"
    assert page.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    asset = client.get("/docs/assets/swagger-ui-bundle.js")
    asset.close()
    assert asset.status_code == 200
    assert asset.headers["X-Frame-Options"] == "DENY"
