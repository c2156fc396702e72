"""What every HTTP request passes through, for the API and the console alike: JSON logs
and request ids (observability), Prometheus metrics, rate limits, compression, and
idempotency keys with the run-once wrapper of changing requests.

Part of the app layer with `service.resources` and `service.console`: may import the
operations, `service.models` and `service.plumbing`; no operation imports it.
"""
