"""Prometheus metrics at /metrics: request latency by endpoint, bookings made, conflicts met.

Only what is measured here is exported. To add a metric computed at scrape time (say, the
notification outbox by status), write a prometheus_client collector and pass it to
`register_collector`; it is then exported by /metrics in single- and multi-process mode.
Under gunicorn with several workers, set PROMETHEUS_MULTIPROC_DIR to an empty directory
(fresh at each start) so that counters and histograms are summed over the workers.

/metrics answers only a scraper that sends `Authorization: Bearer <METRICS_TOKEN>`, compared
in constant time. Without METRICS_TOKEN set it answers no one. The token is its own secret,
not an API token: a Prometheus configuration that leaks must not open any personal data.
"""

from __future__ import annotations

import hmac
import json
import os
import time
from collections.abc import Iterable, Iterator
from typing import Any

from flask import Flask, Response, current_app, g, request
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import REGISTRY, Collector
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from service.models import Booking
from service.plumbing.errors import DomainError

METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_NEW_BOOKINGS = "zapis.metrics.new_bookings"
disable_created_metrics()  # type: ignore[no-untyped-call]  # no `_created` timestamp series beside each counter

REQUEST_SECONDS = Histogram(
    "zapis_http_request_duration_seconds",
    "Time to answer a request, by Flask endpoint (never the raw path) and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
REQUESTS = Counter(
    "zapis_http_requests",
    "Requests answered, by Flask endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
BOOKINGS_CREATED = Counter(
    "zapis_bookings_created", "Bookings committed to the database, by type.", ["type"]
)
CONFLICTS = Counter(
    "zapis_conflicts",
    "409 answers: a resource already held, a stale version or a status change not allowed.",
    ["reason"],
)

_collectors: list[Collector] = []


def register_collector(collector: Collector) -> None:
    """Export `collector` at /metrics too (the hook for metrics read at scrape time)."""
    _collectors.append(collector)


def count_conflict(exc: DomainError) -> None:
    """Count a 409 answer, labelled by the domain error's class (a short, fixed set)."""
    CONFLICTS.labels(reason=type(exc).__name__).inc()


class _Scrape:
    """What one scrape exports: this process's (or all workers') metrics, then the hooks'."""

    def collect(self) -> Iterator[Metric]:
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
            yield from registry.collect()
        else:
            yield from REGISTRY.collect()
        for collector in _collectors:
            yield from collector.collect()


def _scraper_allowed() -> bool:
    """Whether the request carries the configured METRICS_TOKEN as its bearer token."""
    expected = current_app.config.get("METRICS_TOKEN") or ""
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if not expected or scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def _refused() -> Response:
    body = {"code": 401, "status": "Unauthorized", "message": "Send the metrics bearer token."}
    return Response(
        json.dumps(body),
        status=401,
        mimetype="application/json",
        headers={"WWW-Authenticate": 'Bearer realm="metrics"', "Cache-Control": "no-store"},
    )


def _metrics() -> Response:
    if not _scraper_allowed():
        return _refused()
    return Response(generate_latest(_Scrape()), content_type=CONTENT_TYPE_LATEST)


def _start_timer() -> None:
    g.metrics_started = time.perf_counter()


def _observe(response: Response) -> Response:
    started = g.get("metrics_started")
    endpoint = request.url_rule.endpoint if request.url_rule else "unmatched"
    method = request.method if request.method in METHODS else "other"
    if started is not None:
        REQUEST_SECONDS.labels(endpoint, method).observe(time.perf_counter() - started)
    REQUESTS.labels(endpoint, method, str(response.status_code)).inc()
    return response


def _remember_new_bookings(session: Session, _context: Any) -> None:
    new = [obj for obj in session.new if isinstance(obj, Booking)]
    if new:
        session.info.setdefault(_NEW_BOOKINGS, []).extend(new)


def _count_committed_bookings(session: Session) -> None:
    made: Iterable[Booking] = session.info.pop(_NEW_BOOKINGS, [])
    for booking in made:
        if inspect(booking).persistent:  # not undone by a rolled-back savepoint
            BOOKINGS_CREATED.labels(type=booking.type).inc()


def _forget_new_bookings(session: Session) -> None:
    session.info.pop(_NEW_BOOKINGS, None)


def _listen_once() -> None:
    if not event.contains(Session, "after_commit", _count_committed_bookings):
        event.listen(Session, "after_flush", _remember_new_bookings)
        event.listen(Session, "after_commit", _count_committed_bookings)
        event.listen(Session, "after_rollback", _forget_new_bookings)


def init_app(app: Flask) -> None:
    _listen_once()
    app.before_request(_start_timer)
    app.after_request(_observe)
    app.add_url_rule("/metrics", "metrics", _metrics)
