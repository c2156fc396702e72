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
