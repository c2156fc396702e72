"""/metrics as Prometheus scrapes it: latency by endpoint, bookings made, conflicts met."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from service.web import metrics
from tests.conftest import SCRAPER
from tests.test_bookings_api import body


def _samples(client) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:  # type: ignore[no-untyped-def]
    answer = client.get("/metrics", headers=SCRAPER)
    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(answer.get_data(as_text=True))
        for sample in family.samples
    }


def _value(samples, name: str, **labels: str) -> float:  # type: ignore[no-untyped-def]
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_a_booking_and_a_conflict_are_counted(client, factory, admin) -> None:  # type: ignore[no-untyped-def]
    interpreter = factory.interpreter("ar")
    before = _samples(client)

    made = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    clash = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    client.get(f"/api/v1/bookings/{made.json['id']}", headers=admin)
    assert (made.status_code, clash.status_code) == (201, 409)

    after = _samples(client)
    created = "zapis_bookings_created_total"
    assert _value(after, created, type="interpretation") == (
        _value(before, created, type="interpretation") + 1
    )
    conflicts = "zapis_conflicts_total"
    assert _value(after, conflicts, reason="Conflict") == (
        _value(before, conflicts, reason="Conflict") + 1
    )
    posts = ("zapis_http_request_duration_seconds_count", "bookings.Bookings", "POST")
    assert _value(after, posts[0], endpoint=posts[1], method=posts[2]) == (
        _value(before, posts[0], endpoint=posts[1], method=posts[2]) + 2
    )
    assert (
        _value(
            after,
            "zapis_http_requests_total",
            endpoint="bookings.Bookings",
            method="POST",
            status="409",
        )
        >= 1
    )
    endpoints = {dict(labels).get("endpoint") for _, labels in after}
    assert "bookings.BookingById" in endpoints
    assert not any(str(endpoint).startswith("/") for endpoint in endpoints)


def test_a_refused_booking_is_not_counted_as_made(client, factory, admin) -> None:  # type: ignore[no-untyped-def]
    interpreter = factory.interpreter("fa")
    client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    before = _samples(client)
    clash = client.post("/api/v1/bookings", json=body([interpreter.id]), headers=admin)
    assert clash.status_code == 409
    after = _samples(client)
    created = "zapis_bookings_created_total"
    assert _value(after, created, type="interpretation") == _value(
        before, created, type="interpretation"
    )


def test_unknown_paths_share_one_label(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/no/such/path/12345")
    after = _samples(client)
    endpoints = {dict(labels).get("endpoint") for _, labels in after}
    assert "unmatched" in endpoints
    assert not any("12345" in str(endpoint) for endpoint in endpoints)


def test_gunicorn_workers_are_summed_in_multiprocess_mode(client, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Like gunicorn: one interpreter loads the app, then forked workers answer requests.
    workers = (
        "import os\n"
        "from service import create_app\n"
        "app = create_app({'DATABASE_URL': 'sqlite://'})\n"
        "for _ in range(2):\n"
        "    if os.fork() == 0:\n"
        "        app.test_client().get('/health')\n"
        "        os._exit(0)\n"
        "    os.wait()\n"
    )
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", workers], env=env, check=True, timeout=120)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2

    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    samples = _samples(client)
    name = "zapis_http_requests_total"
    assert _value(samples, name, endpoint="health.health", method="GET", status="200") == 2


def test_a_registered_collector_is_exported(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The hook the outbox and dispatcher metrics will use."""
    from prometheus_client.core import GaugeMetricFamily

    class Outbox:
        def collect(self):  # type: ignore[no-untyped-def]
            gauge = GaugeMetricFamily("zapis_test_outbox", "Example.", labels=["status"])
            gauge.add_metric(["pending"], 3)
            yield gauge

    monkeypatch.setattr(metrics, "_collectors", [])
    metrics.register_collector(Outbox())  # type: ignore[arg-type]
    assert _value(_samples(client), "zapis_test_outbox", status="pending") == 3


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong-token"},
        {"Authorization": "Basic dGVzdDp0ZXN0"},
        {"Authorization": "Bearer"},
    ],
    ids=["none", "wrong", "basic", "empty"],
)
def test_metrics_need_the_scrape_token(client, admin, headers) -> None:  # type: ignore[no-untyped-def]
    answer = client.get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "zapis_" not in answer.get_data(as_text=True)
    # An API token, even an admin's, is not the scrape token.
    assert client.get("/metrics", headers=admin).status_code == 401


def test_metrics_answer_no_one_without_a_configured_token(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "METRICS_TOKEN", None)
    assert client.get("/metrics", headers={"Authorization": "Bearer "}).status_code == 401
    assert client.get("/metrics", headers=SCRAPER).status_code == 401
